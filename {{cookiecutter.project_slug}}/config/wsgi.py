"""The WSGI application{% if cookiecutter.interface == "wsgi" %} that the web command serves, through serving's
uvicorn workers (gunicorn.conf.py){% endif %}.
https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/
"""

import os

from serving import wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = wsgi_application()

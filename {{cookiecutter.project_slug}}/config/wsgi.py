"""The WSGI application{% if cookiecutter.interface == "wsgi" %} that gunicorn serves{% endif %}."""

import os

from django.core.wsgi import get_wsgi_application

from config.web_process import limit_database_queries

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
limit_database_queries()

application = get_wsgi_application()

"""The WSGI application{% if cookiecutter.interface == "wsgi" %} that gunicorn serves{% endif %}, refusing a request body over the limit
before it is read (config/request_bodies.py)."""

import os

from django.core.wsgi import get_wsgi_application

from config.request_bodies import WSGIBodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = WSGIBodyLimit(get_wsgi_application())

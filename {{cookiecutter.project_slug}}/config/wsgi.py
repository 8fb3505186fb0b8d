"""The WSGI application{% if cookiecutter.interface == "wsgi" %} that gunicorn serves{% endif %}, with REMOTE_ADDR the visitor's address
as the platform's router saw it (config/client_address.py), refusing a request body
over the limit before it is read (config/request_bodies.py)."""

import os

from django.core.wsgi import get_wsgi_application

from config.client_address import WSGIClientAddress
from config.request_bodies import WSGIBodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = WSGIClientAddress(WSGIBodyLimit(get_wsgi_application()))

"""The WSGI application{% if cookiecutter.interface == "wsgi" %} that gunicorn serves{% endif %}, with REMOTE_ADDR the visitor's address
as the platform's router saw it (config/client_address.py)."""

import os

from django.core.wsgi import get_wsgi_application

from config.client_address import WSGIClientAddress

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = WSGIClientAddress(get_wsgi_application())

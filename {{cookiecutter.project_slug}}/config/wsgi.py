"""The WSGI application{% if cookiecutter.interface == "wsgi" %} that gunicorn serves{% endif %}, with REMOTE_ADDR the visitor's address
as the platform's router saw it (serving/client_address.py), a request body over the
limit refused before it is read (serving/request_bodies.py), and the web process's
database queries ended before the router gives up (serving/web_process.py)."""

import os

from serving.client_address import WSGIClientAddress
from serving.request_bodies import WSGIBodyLimit
from serving.web_process import django_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = WSGIClientAddress(WSGIBodyLimit(django_application()))

"""What the web command's gunicorn serves: config/wsgi.py's Django, each request read
whole before a thread runs it.

gunicorn's threaded worker hands a connection to a thread as soon as it is accepted,
and the thread then reads the request's headers and body at whatever pace the client
sends them: twenty clients that post a form a byte every few seconds hold every
thread, and other visitors wait. gunicorn says its workers need a proxy in front of
them that buffers slow clients (https://docs.gunicorn.org/en/stable/deploy.html).
{%- if cookiecutter.platform == "heroku" %}
Heroku's router passes a body on as it comes:
https://devcenter.heroku.com/articles/http-routing#request-buffering
{%- else %}
App Platform's edge does not say that it buffers request bodies.
{%- endif %}
So gunicorn runs uvicorn's workers (serving/workers.py), which read every request on
their event loop, where a slow one holds nothing but its connection; then the WSGI
application runs on one of WEB_THREADS threads (serving/wsgi_bridge.py), as the
threaded worker ran it. The visitor's address and the limit on bodies are applied
before anything reads the request (serving/client_address.py, request_bodies.py).
"""

import os

from serving.web_process import django_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_wsgi_application = django_application()

from django.conf import settings  # noqa: E402

from serving.client_address import ASGIClientAddress  # noqa: E402
from serving.request_bodies import ASGIBodyLimit  # noqa: E402
from serving.wsgi_bridge import WSGIBridge  # noqa: E402

sync_views = WSGIBridge(django_wsgi_application, threads=settings.WEB_THREADS)
application = ASGIClientAddress(ASGIBodyLimit(sync_views))

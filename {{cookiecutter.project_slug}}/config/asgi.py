"""The ASGI application: WebSockets go to Channels consumers, HTTP to Django's WSGI
handler on a pool of threads, static files straight from the event loop.

Why not Django's ASGI handler for HTTP: it runs each sync middleware and view
through a thread hop, and Django's own middleware are all sync underneath, so a
page took a dozen hops and every request queued for one thread per process. One
hop into the WSGI handler on a thread pool serves pages as a WSGI server does
(measured with bench/serve.py in the template repository: about 3x the page
throughput of Django's ASGI handler under uvicorn, and the same as gunicorn's
threads). The views stay sync Django views, with the request cycle, signals and
database connections exactly as under WSGI.
https://docs.djangoproject.com/en/stable/topics/async/#performance
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Set up Django (settings, app registry) before importing code that may import
# models: Channels' auth and the consumers behind the websocket routes.
django_wsgi_application = get_wsgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from config.static_files import StaticFiles  # noqa: E402
from config.wsgi_bridge import WSGIBridge  # noqa: E402

# Requests served at once by each process, as gunicorn's `threads` for WSGI: a
# thread waiting on the database lets another run.
{%- if cookiecutter.asgi_server == "daphne" %} Two, not gunicorn's five: daphne
# parses each request in Python on its own thread, which has to win the GIL back
# from the busy ones between steps; with five it served pages at about half the
# rate (the template repository's bench/http_threads.py: 319 against 591 req/s).
{%- endif %}
HTTP_THREADS = {{ cookiecutter.__threads_per_process }}

application = ProtocolTypeRouter(
    {
        "http": StaticFiles(WSGIBridge(django_wsgi_application, threads=HTTP_THREADS)),
        # Refuse WebSockets opened by pages from other sites (their Origin is not
        # in ALLOWED_HOSTS), then attach the session's user to each connection.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

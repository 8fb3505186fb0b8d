"""The ASGI application: WebSockets go to Channels consumers; HTTP to static files,
async views or sync views, each served the way it runs best.

- A request body over the limit is refused before it is read
  (serving/request_bodies.py).
- Static files are sent from the event loop (serving/static_files.py).
- Coroutine views (`async def`) and the platform's probes go to Django's ASGI
  handler (serving/asgi_handler.py), which awaits them on the event loop: a view
  waiting on I/O holds no thread, and a streaming response sends each chunk as it
  is produced.
- Sync views go to Django's WSGI handler on a pool of WEB_THREADS threads
  (serving/wsgi_bridge.py), one thread hop per request, as gunicorn's threads run
  them. Django's ASGI handler would take a hop for each sync middleware, all of
  Django's own included, and a page would queue for the one thread it runs them on.
serving/view_router.py tells the two kinds of view apart.
https://docs.djangoproject.com/en/stable/topics/async/#performance
"""

import os

from serving.web_process import django_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Set up Django (settings, app registry) before importing code that may import
# models: Channels' auth and the consumers behind the websocket routes.
django_wsgi_application = django_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

import serving.health  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from serving import error_tracking  # noqa: E402
from serving.asgi_handler import ASGIHandler  # noqa: E402
from serving.client_address import ASGIClientAddress  # noqa: E402
from serving.request_bodies import ASGIBodyLimit  # noqa: E402
from serving.static_files import StaticFiles  # noqa: E402
from serving.view_router import ViewTypeRouter  # noqa: E402
from serving.websocket_origins import SameOriginValidator  # noqa: E402
from serving.wsgi_bridge import WSGIBridge  # noqa: E402

sync_views = WSGIBridge(django_wsgi_application, threads=settings.WEB_THREADS)

application = ProtocolTypeRouter(
    {
        "http": ASGIBodyLimit(
            StaticFiles(
                ViewTypeRouter(
                    sync_application=sync_views,
                    async_application=ASGIHandler(),
                    # Answered while every thread is busy with a slow sync view.
                    async_paths=serving.health.PROBE_PATHS,
                )
            )
        ),
        # Refuse WebSockets opened by other sites' pages (serving/websocket_origins.py),
        # then attach the session's user to each connection.
        "websocket": SameOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Each request and WebSocket reports to Sentry, once SENTRY_DSN is set, in a scope
# of its own (serving/error_tracking.py).
application = error_tracking.isolated(application)

# Before anything reads it, the scope's client is the visitor's address as the
# platform's router saw it, for HTTP and WebSockets alike (serving/client_address.py).
application = ASGIClientAddress(application)

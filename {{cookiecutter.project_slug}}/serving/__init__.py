"""How this project is served (README.md); each part imported when first asked for."""


def wsgi_application():
    """Django's WSGI handler, loaded as a web process loads it (config/wsgi.py)."""
    from .checks.startup import load_web_process

    return load_web_process()


def http_application(django_application):
    """HTTP for an ASGI server, around Django's WSGI handler."""
    from django.conf import settings

{% if cookiecutter.interface == "asgi" %}    from .checks.probes import PROBE_PATHS
{% endif %}    from .http.body_limit import BodyLimit
    from .http.bridge import WSGIBridge
{%- if cookiecutter.interface == "asgi" %}
    from .http.handlers import AsyncViews, ViewTypeRouter
    from .http.static_files import StaticFiles
{%- endif %}

    sync_views = WSGIBridge(django_application, threads=settings.WEB_THREADS)
{%- if cookiecutter.interface == "asgi" %}
    # The probes answer on the event loop, with a thread of their own, while every
    # other thread is busy.
    async_views = AsyncViews(own_thread_paths=PROBE_PATHS)
    views = ViewTypeRouter(sync_views, async_views, async_paths=PROBE_PATHS)
    return BodyLimit(StaticFiles(views))
{%- else %}
    return BodyLimit(sync_views)
{%- endif %}
{%- if cookiecutter.interface == "asgi" %}


def asgi_application(websocket_urlconf: str):
    """HTTP, and `websocket_urlconf`'s websocket_urlpatterns for the site's pages."""
    django_application = wsgi_application()

    from importlib import import_module

    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import WebsocketDenier
    from django.urls import re_path

    from .error_tracking import isolated
    from .http.headers import ClientAddress
    from .websockets.origins import SameOriginValidator

    patterns = import_module(websocket_urlconf).websocket_urlpatterns
    # A path no route takes gets 403, as a page would 404: Channels' router raises.
    routes = URLRouter([*patterns, re_path("", WebsocketDenier.as_asgi())])
    http = http_application(django_application)
    websocket = isolated(SameOriginValidator(AuthMiddlewareStack(routes)))
    return ClientAddress(ProtocolTypeRouter({"http": http, "websocket": websocket}))
{%- endif %}

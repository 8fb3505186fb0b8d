"""Which pages may open the site's WebSockets: its own, and the origins listed in
CSRF_TRUSTED_ORIGINS.

A browser sends the site's cookies with a WebSocket whichever page opens it, so any
other site's page could otherwise act as the signed-in visitor (cross-site WebSocket
hijacking). Channels' AllowedHostsOriginValidator compares only the Origin's host
with ALLOWED_HOSTS, a list of names the app answers to. Heroku's `.herokuapp.com`
would then let every other Heroku app's pages in, on any scheme and port. So this
check asks what Django's CSRF check asks of a form: the page's whole origin (scheme,
host and port) must be the one the WebSocket was opened to. The scheme is HTTPS when
the router says so (SECURE_PROXY_SSL_HEADER), and the host must be in ALLOWED_HOSTS.
Any other origin must be listed exactly in CSRF_TRUSTED_ORIGINS; a wildcard entry
there does not count for WebSockets.
https://docs.djangoproject.com/en/stable/ref/csrf/#how-it-works
"""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest


def page_origin(scope) -> str | None:
    """The scheme, host and port of the page that opened the WebSocket, as its
    Origin header gives them (None without one)."""
    values = [value for name, value in scope["headers"] if name == b"origin"]
    return values[-1].decode("latin-1") if values else None


class HandshakeRequest(HttpRequest):
    """The WebSocket's opening request, read as Django reads an HTTP request."""

    def __init__(self, scope):
        super().__init__()
        self.scope = scope
        for name, value in scope["headers"]:
            if b"_" in name:  # dropped as Django drops them (serving/wsgi_bridge.py)
                continue
            key = "HTTP_" + name.decode("latin-1").upper().replace("-", "_")
            self.META[key] = value.decode("latin-1")
        if scope.get("server"):
            self.META["SERVER_NAME"], self.META["SERVER_PORT"] = map(
                str, scope["server"]
            )

    def _get_scheme(self):
        return "https" if self.scope.get("scheme") == "wss" else "http"


def own_origin(scope) -> str | None:
    """The origin the WebSocket was opened to (None if its Host is not one of
    ALLOWED_HOSTS)."""
    request = HandshakeRequest(scope)
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{request.scheme}://{host}"


def allowed(scope) -> bool:
    origin = page_origin(scope)
    if origin is None:
        return False
    return origin == own_origin(scope) or origin in settings.CSRF_TRUSTED_ORIGINS


class SameOriginValidator:
    """Refuses (HTTP 403) a WebSocket opened by a page of another origin, before the
    application sees it."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)

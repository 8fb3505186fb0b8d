"""WebSockets opened from the site's own origin and CSRF_TRUSTED_ORIGINS' alone, as CSRF
checks a form: Channels' check of the host alone lets in the platform's other apps."""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

from ..http.headers import is_secure, wsgi_headers


def own_origin(scope) -> str | None:
    """The origin the WebSocket was opened to; None if ALLOWED_HOSTS lacks its host."""
    request = HttpRequest()
    request.META = wsgi_headers(scope)
    if server := scope.get("server"):
        request.META["SERVER_NAME"], request.META["SERVER_PORT"] = map(str, server)
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'https' if is_secure(scope, request.META) else 'http'}://{host}"


def allowed(scope) -> bool:
    origins = [value for name, value in scope["headers"] if name == b"origin"]
    if not origins:
        return False
    origin = origins[-1].decode("latin-1")
    return origin == own_origin(scope) or trusted(origin)


def trusted(origin: str) -> bool:
    """In CSRF_TRUSTED_ORIGINS, as CSRF reads it: https://*.example.com, subdomains."""
    scheme, _, host = origin.partition("://")
    for listed in settings.CSRF_TRUSTED_ORIGINS:
        listed_scheme, _, domain = listed.partition("://*")
        domain = domain.lower()  # as Django's is_same_domain reads the pattern
        wildcard = domain.startswith(".") and scheme == listed_scheme
        if origin == listed or (wildcard and f".{host}".endswith(domain)):
            return True
    return False


class SameOriginValidator:
    """Refuses (HTTP 403) a WebSocket that a page of another origin opened."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)

"""Headers: the request's as Django reads them, the security headers of every answer."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string


def wsgi_headers(scope) -> dict[str, str]:
    """The scope's headers as WSGI keys them, without names holding `_` (gunicorn's)."""
    headers = {}
    for name, value in scope["headers"]:
        if b"_" in name:
            continue
        key = name.decode("latin-1").upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = f"HTTP_{key}"
        value = value.decode("latin-1")
        if key in headers:
            value = f"{headers[key]}{'; ' if key == 'HTTP_COOKIE' else ','}{value}"
        headers[key] = value
    return headers


def encode_headers(headers) -> list[tuple[bytes, bytes]]:
    """Response headers in latin-1, as PEP 3333 and Django's ASGI handler write them."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def is_secure(scope, headers: dict[str, str]) -> bool:
    """What Django's request.is_secure() says: the router's header, else the scheme."""
    name, secure_value = settings.SECURE_PROXY_SSL_HEADER
    if name in headers:
        return headers[name].split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") in ("https", "wss")


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """What SECURITY_HEADERS_MIDDLEWARE add, for answers made before Django runs."""
    request, response = HttpRequest(), HttpResponse()
    request.is_secure = lambda: secure
    for path in settings.SECURITY_HEADERS_MIDDLEWARE:
        middleware = import_string(path)(HttpResponse)
        response = middleware.process_response(request, response)
    del response["Content-Type"]
    return list(response.items())


class CrossOriginResourcePolicyMiddleware(MiddlewareMixin):
    """Other sites' pages may not load this site's responses as their own resources."""

    def process_response(self, request, response):
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class ClientAddress:
    """ASGI middleware: `client` is CLIENT_ADDRESS_HEADER's last entry, the router's."""

    def __init__(self, application):
        self.application = application
        self.header = settings.CLIENT_ADDRESS_HEADER.lower().encode("latin-1")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            values = [value for name, value in scope["headers"] if name == self.header]
            if values and (last := values[-1].decode("latin-1").split(",")[-1].strip()):
                scope = {**scope, "client": (last, 0)}  # the port is unknown
        return await self.application(scope, receive, send)

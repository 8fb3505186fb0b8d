"""Static files for the ASGI server, sent from the event loop.

WhiteNoise's middleware works for WSGI, where the server sends a file with
sendfile(). Behind ASGI, a file handed back from Django would cross from a thread
into the event loop block by block, after a trip through every middleware. This
layer answers static URLs before Django does: the same files, headers and cache
rules as WhiteNoise's middleware (it reads the same settings), plus the security
headers that settings.SECURITY_HEADERS_MIDDLEWARE add to every response.

The file is read in 256 kB blocks on the event loop itself. After its first request a
static file sits in the kernel's page cache, and a block reads in tens of
microseconds; handing each read to a thread costs more than that, and under daphne,
whose reactor then waits for the GIL, it halves the throughput of large files. The
first read of a block from disk holds the loop while the disk answers.
https://whitenoise.readthedocs.io/en/stable/django.html
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from whitenoise.middleware import WhiteNoiseMiddleware

from serving.wsgi_bridge import encode_headers, wsgi_headers

BLOCK_BYTES = 256 * 1024


def empty_response(request) -> HttpResponse:
    return HttpResponse()


def security_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    """What SECURITY_HEADERS_MIDDLEWARE add to a response, run as Django runs them.
    (Over plain HTTP with SECURE_SSL_REDIRECT they redirect instead; StaticFiles then
    leaves the request to Django.)"""
    request = HttpRequest()
    request.is_secure = lambda: secure
    handler = empty_response
    for path in reversed(settings.SECURITY_HEADERS_MIDDLEWARE):
        handler = import_string(path)(handler)
    response = handler(request)
    del response["Content-Type"]
    return encode_headers(response.items())


class StaticFiles:
    """ASGI middleware: static URLs answered here, everything else by `application`."""

    def __init__(self, application):
        self.application = application
        self.whitenoise = WhiteNoiseMiddleware()
        self.headers = {True: security_headers(secure=True)}
        if not settings.SECURE_SSL_REDIRECT:  # DEBUG: plain HTTP is served too
            self.headers[False] = security_headers(secure=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and (static_file := self.find(scope["path"])):
            request_headers = wsgi_headers(scope)  # as WhiteNoise reads them
            secure = is_secure(scope, request_headers)
            # Plain HTTP goes on to Django, which answers with its redirect to HTTPS.
            if secure or not settings.SECURE_SSL_REDIRECT:
                response = static_file.get_response(scope["method"], request_headers)
                return await self.serve(response, secure, send)
        return await self.application(scope, receive, send)

    def find(self, path):
        if self.whitenoise.autorefresh:  # DEBUG: files change while the server runs
            return self.whitenoise.find_file(path)
        return self.whitenoise.files.get(path)

    async def serve(self, response, secure, send):
        """Send WhiteNoise's response, with the security headers."""
        headers = encode_headers(response.headers) + self.headers[secure]
        await send(
            {
                "type": "http.response.start",
                "status": int(response.status),
                "headers": headers,
            }
        )
        if response.file is None:  # HEAD, 304 Not Modified, 405
            await send({"type": "http.response.body", "body": b""})
            return
        with response.file as file:
            more = True
            while more:
                block = file.read(BLOCK_BYTES)
                more = len(block) == BLOCK_BYTES
                await send(
                    {"type": "http.response.body", "body": block, "more_body": more}
                )


def is_secure(scope, request_headers: dict[str, str]) -> bool:
    """Whether Django's request.is_secure() would say HTTPS: by the router's header
    (SECURE_PROXY_SSL_HEADER) when the request has it, else by the server's scheme.
    The server's scheme is the connection's own: no server here reads the router's
    headers (serving/client_address.py)."""
    request = HttpRequest()
    request.META = request_headers
    request._get_scheme = lambda: scope.get("scheme", "http")  # Django's own hook
    return request.is_secure()

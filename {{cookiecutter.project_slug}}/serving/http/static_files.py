"""WhiteNoise's files served from the event loop, before Django: a cached block reads
faster than a thread hop. https://whitenoise.readthedocs.io/"""

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

from .headers import encode_headers, is_secure, security_headers, wsgi_headers

BLOCK_BYTES = 256 * 1024


class StaticFiles:
    """ASGI middleware: static URLs answered here, the rest by `application`."""

    def __init__(self, application):
        self.application = application
        self.whitenoise = WhiteNoiseMiddleware()
        self.headers = {s: encode_headers(security_headers(s)) for s in (True, False)}

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and (static_file := self.find(scope["path"])):
            request_headers = wsgi_headers(scope)
            secure = is_secure(scope, request_headers)
            # Over plain HTTP, Django answers with its redirect to HTTPS.
            if secure or not settings.SECURE_SSL_REDIRECT:
                response = static_file.get_response(scope["method"], request_headers)
                return await self.serve(response, self.headers[secure], send)
        return await self.application(scope, receive, send)

    def find(self, path):
        if self.whitenoise.autorefresh:  # DEBUG: files change while the server runs
            return self.whitenoise.find_file(path)
        return self.whitenoise.files.get(path)

    async def serve(self, response, security, send):
        headers = encode_headers(response.headers) + security
        status = int(response.status)
        await send(
            {"type": "http.response.start", "status": status, "headers": headers}
        )
        if response.file is None:  # HEAD, 304 Not Modified, 405
            return await send({"type": "http.response.body", "body": b""})
        with response.file as file:
            more = True
            while more:
                block = file.read(BLOCK_BYTES)
                more = len(block) == BLOCK_BYTES
                await send(
                    {"type": "http.response.body", "body": block, "more_body": more}
                )

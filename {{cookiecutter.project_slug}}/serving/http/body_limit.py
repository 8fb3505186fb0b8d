"""MAX_REQUEST_BODY_BYTES: a larger body, declared or chunked, gets 413 as it arrives.
https://www.rfc-editor.org/rfc/rfc9110#name-413-content-too-large"""

from django.conf import settings

from .headers import encode_headers, is_secure, security_headers, wsgi_headers


def too_large(length: int) -> bool:
    return length > settings.MAX_REQUEST_BODY_BYTES


def refusal(secure: bool) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The 413's headers and body; the body stays unread, so the connection closes."""
    limit = settings.MAX_REQUEST_BODY_BYTES
    size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit} bytes"
    body = f"413 Content Too Large: this site accepts requests of up to {size}.\n"
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *encode_headers(security_headers(secure)),
    ]
    return headers, body.encode()


async def refuse(scope, send) -> None:
    headers, body = refusal(is_secure(scope, wsgi_headers(scope)))
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: past the limit, the application hears that the client left."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        declared = dict(scope["headers"]).get(b"content-length", b"").strip()
        if declared:  # the server passes on no more than that
            if too_large(int(declared)):
                return await refuse(scope, send)
            return await self.application(scope, receive, send)
        received, answered, cut = 0, False, False

        async def receive_within_limit():
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            received += len(message.get("body", b""))
            if too_large(received):
                cut = True
                if not answered:
                    await refuse(scope, send)
                return {"type": "http.disconnect"}
            return message

        async def send_unless_cut(message):
            nonlocal answered
            if not cut:
                answered = True
                await send(message)

        await self.application(scope, receive_within_limit, send_unless_cut)

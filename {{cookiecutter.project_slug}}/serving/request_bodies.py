"""One limit on the size of a request's body, applied by every server before it reads
the body: settings.MAX_REQUEST_BODY_BYTES.

Anyone can send a large body to any URL, and a server that reads it before the
project sees the request keeps it in memory or on disk: daphne reads every byte
before it starts the application (https://github.com/django/daphne/issues/483), and
Django's ASGI handler and the WSGI bridge read a whole body before the view runs.
So a body declared (Content-Length) larger than the limit gets 413 as soon as the
request's headers have arrived, before a byte of it is read. One sent in chunks,
without a Content-Length, is counted as it arrives and cut at the limit: 413, if
nothing has been answered yet, and the connection is closed.

{%- if cookiecutter.interface == "asgi" %}
- uvicorn, and any other ASGI server: ASGIBodyLimit, around the HTTP application
  (config/asgi.py). uvicorn reads a body only as the application asks.
{%- if cookiecutter.asgi_server == "daphne" %}
- daphne reads the body before any application runs, so its server
  (serving/daphne_server.py) applies the same rule as the headers and chunks arrive.
{%- endif %}
{%- else %}
- The web command's uvicorn workers: ASGIBodyLimit, around the WSGI bridge
  (serving/wsgi_server.py). uvicorn reads a body only as the application asks.
{%- endif %}
- Any WSGI server (config/wsgi.py): WSGIBodyLimit, around Django's WSGI handler.
https://www.rfc-editor.org/rfc/rfc9110#name-413-content-too-large
"""

import tempfile

from django.conf import settings

from serving import early_answers
from serving.wsgi_bridge import encode_headers

STATUS = 413
REASON = "Content Too Large"
CLOSE = ("Connection", "close")
READ_BYTES = 64 * 1024


def too_large(length: int) -> bool:
    return length > settings.MAX_REQUEST_BODY_BYTES


def declared_length(value: bytes | str | None) -> int | None:
    """A Content-Length header's value as a number (None without one: chunked).
    Every server refuses a malformed one before the project sees the request."""
    if value is None or not value.strip():
        return None
    return int(value)


def refusal(forwarded_proto: str | None) -> tuple[list[tuple[str, str]], bytes]:
    """The 413 answer, to a request that the router says came over `forwarded_proto`:
    its headers (with the pages' security headers) and its plain-text body. The rest
    of the body is never read, so the connection cannot carry another request: an
    ASGI server or daphne is told to close it; a WSGI server closes it by itself once
    it has let an unread body go (WSGI leaves the Connection header to the server)."""
    limit = settings.MAX_REQUEST_BODY_BYTES
    size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    body = f"{STATUS} {REASON}: this site accepts requests of up to {size}.\n".encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *early_answers.security_headers(
            early_answers.forwarded_as_https(forwarded_proto)
        ),
    ]
    return headers, body


class WSGIBodyLimit:
    """WSGI middleware. A chunked body (gunicorn hands it over whole, as
    wsgi.input_terminated) is read here up to the limit, into memory or past
    FILE_UPLOAD_MAX_MEMORY_SIZE a temporary file, and given to Django with its
    length, which Django needs to read a body at all."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        length = declared_length(environ.get("CONTENT_LENGTH"))
        if length is not None and too_large(length):
            return refuse(environ, start_response)
        if length is None and environ.get("wsgi.input_terminated"):
            in_memory = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
            with tempfile.SpooledTemporaryFile(in_memory) as body:
                length = 0
                while chunk := environ["wsgi.input"].read(READ_BYTES):
                    length += len(chunk)
                    if too_large(length):
                        return refuse(environ, start_response)
                    body.write(chunk)
                body.seek(0)
                environ = {**environ, "wsgi.input": body, "CONTENT_LENGTH": str(length)}
                # The body's file is closed once the response has been made: Django
                # has read what it reads by then.
                return self.application(environ, start_response)
        return self.application(environ, start_response)


def refuse(environ, start_response) -> list[bytes]:
    headers, body = refusal(environ.get(settings.SECURE_PROXY_SSL_HEADER[0]))
    start_response(f"{STATUS} {REASON}", headers)
    return [body]


def raw_refusal(forwarded_proto: str | None) -> bytes:
    """The 413 answer as HTTP/1.1 bytes, for a server's own connection."""
    headers, body = refusal(forwarded_proto)
    headers.append(CLOSE)
    lines = [f"HTTP/1.1 {STATUS} {REASON}", *(f"{k}: {v}" for k, v in headers)]
    return "\r\n".join([*lines, "", ""]).encode("latin-1") + body


class ASGIBodyLimit:
    """ASGI middleware for HTTP: a declared length over the limit is answered before
    the application runs; a chunked body is counted as the application receives it,
    and past the limit the application is told that the client has gone."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        headers = dict(scope["headers"])
        length = declared_length(headers.get(b"content-length"))
        if length is not None and too_large(length):
            return await refuse_asgi(scope, send)
        if length is not None:  # the server delivers no more than it declares
            return await self.application(scope, receive, send)
        received, answered, cut = 0, False, False

        async def receive_within_limit():
            nonlocal received, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if too_large(received):
                    cut = True
                    if not answered:
                        await refuse_asgi(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def send_unless_cut(message):
            nonlocal answered
            if cut:
                return
            answered = True
            await send(message)

        await self.application(scope, receive_within_limit, send_unless_cut)


async def refuse_asgi(scope, send) -> None:
    name = early_answers.proxy_ssl_header().encode("latin-1")
    values = [value for key, value in scope["headers"] if key == name]
    headers, body = refusal(values[-1].decode("latin-1") if values else None)
    headers.append(CLOSE)
    headers = encode_headers(headers)
    await send({"type": "http.response.start", "status": STATUS, "headers": headers})
    await send({"type": "http.response.body", "body": body})

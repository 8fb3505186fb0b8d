"""Django's WSGI handler served to the ASGI server, one thread hop per request.

{% if cookiecutter.interface == "asgi" -%}
serving/view_router.py sends here every request whose view is sync (and every request
no view matches), once the request's view is known and a body over the limit has
been refused (serving/request_bodies.py).
{%- else -%}
serving/wsgi_server.py sends here every request, once a body over the limit has been
refused (serving/request_bodies.py).
{%- endif %} A request's body is read on the event loop,
within that limit (into memory, or a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE,
as Django's ASGI handler does), then the whole WSGI request runs on a thread from a
pool: middleware, view, signals and database connection in one thread, exactly as
under gunicorn's threads. A page, whose content is in memory already, is sent in one
message. A streaming response is sent chunk by chunk as it is produced, by its
request's thread for a sync iterator, from the event loop for an async one, until the
client leaves: the ASGI server then says `http.disconnect`, and the iterator is closed
(a generator's `finally` runs) instead of running on for nobody.

The thread is entered through asgiref's sync_to_async, as Django's ASGI handler
enters its threads, so that async_to_sync in a request (the live feed's broadcast)
runs on the server's event loop rather than on a loop of its own.
https://peps.python.org/pep-3333/
https://github.com/django/asgiref#synchronous-code--threads
"""

import asyncio
import contextlib
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import FileResponse

END_OF_BODY = {"type": "http.response.body", "body": b""}


class WSGIBridge:
    def __init__(self, wsgi_application, threads: int):
        self.wsgi_application = wsgi_application
        self.threads = threads
        executor = ThreadPoolExecutor(threads, thread_name_prefix="http")

        def in_thread(function):
            return sync_to_async(function, thread_sensitive=False, executor=executor)

        self.respond_in_thread = in_thread(self.respond)
        self.stream_in_thread = in_thread(self.stream)
        self.close_in_thread = in_thread(lambda response: response.close())

    async def __call__(self, scope, receive, send):
        body, length = await read_body(receive)
        if body is None:  # the client went away before it finished sending
            return
        with body:
            environ = wsgi_environ(scope, body, length)
            start, response = await self.respond_in_thread(environ)
            await send(start)
            if isinstance(response, bytes):
                await send({**END_OF_BODY, "body": response})
            else:
                await self.send_until_client_leaves(response, send, receive)

    def respond(self, environ) -> tuple[dict, object]:
        """In a pool thread: run the request. Returns the start message and either a
        page's content or, still to be sent, a streaming response."""
        start = {"type": "http.response.start"}

        def start_response(status, headers, exc_info=None):
            start["status"] = int(status.split(" ", 1)[0])
            start["headers"] = encode_headers(headers)

        response = self.wsgi_application(environ, start_response)
        if getattr(response, "streaming", True):  # any WSGI iterable may stream
            if isinstance(response, FileResponse):  # read as Django's ASGI handler does
                response.block_size = ASGIHandler.chunk_size
            return start, response
        try:
            return start, b"".join(response)
        finally:
            response.close()  # Django's request_finished, in the request's thread

    async def send_until_client_leaves(self, response, send, receive):
        client_left = threading.Event()
        is_async = getattr(response, "is_async", False)  # a Django response over one
        if is_async:
            streaming = self.stream_async(response, send)
        else:
            streaming = self.stream_in_thread(response, send, client_left)
        sending = asyncio.ensure_future(streaming)
        # After the body, the only message an ASGI server sends is http.disconnect.
        leaving = asyncio.ensure_future(receive())
        try:
            await asyncio.wait([sending, leaving], return_when=asyncio.FIRST_COMPLETED)
        finally:
            leaving.cancel()
            if not sending.done():
                client_left.set()  # a sync iterator stops at its next chunk
                if is_async:
                    sending.cancel()  # an async one at the await it is in
            with contextlib.suppress(asyncio.CancelledError):
                await sending

    def stream(self, response, send, client_left: threading.Event) -> None:
        """In a pool thread: send each chunk as the iterator produces it, through the
        server's loop (async_to_sync finds it from this thread)."""
        send = async_to_sync(send)  # waits for each message to be sent
        try:
            for chunk in response:
                if client_left.is_set():
                    return
                send({**END_OF_BODY, "body": chunk, "more_body": True})
            send(END_OF_BODY)
        finally:
            if hasattr(response, "close"):
                response.close()  # closes the generator; Django's request_finished

    async def stream_async(self, response, send) -> None:
        """On the event loop: an async iterator's chunks, each as it comes (a sync view
        may return one); cancelled where it awaits when the client leaves."""
        try:
            async with contextlib.aclosing(response.streaming_content) as chunks:
                async for chunk in chunks:
                    await send({**END_OF_BODY, "body": chunk, "more_body": True})
            await send(END_OF_BODY)
        finally:
            await self.close_in_thread(response)


def encode_headers(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """A response's headers as an ASGI server takes them: in latin-1, as PEP 3333
    has WSGI servers write them and Django's ASGI handler encodes them."""
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


async def read_body(receive):
    """The request's body in a file (None if the client left) and its length."""
    in_memory = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    # Closed by the caller once the request is done.
    body, length = tempfile.SpooledTemporaryFile(in_memory), 0  # noqa: SIM115
    more_body = True
    while more_body:
        message = await receive()
        if message["type"] == "http.disconnect":
            body.close()
            return None, 0
        chunk = message.get("body", b"")
        length += len(chunk)
        if length > in_memory:  # on disk by now: write off the event loop
            await asyncio.to_thread(body.write, chunk)
        else:
            body.write(chunk)
        more_body = message.get("more_body", False)
    body.seek(0)
    return body, length


def wsgi_environ(scope, body, length: int) -> dict:
    """PEP 3333's environ for an ASGI HTTP scope."""
    script_name = scope.get("root_path", "")
    path = scope["path"].removeprefix(script_name)
    server_name, server_port = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        # WSGI carries the URL's UTF-8 bytes as latin-1 text; Django decodes them.
        "SCRIPT_NAME": script_name.encode().decode("latin-1"),
        "PATH_INFO": path.encode().decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "CONTENT_LENGTH": str(length),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if client := scope.get("client"):
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    headers = wsgi_headers(scope)
    headers.pop("CONTENT_LENGTH", None)  # the body's real length is set above
    return {**environ, **headers}


def wsgi_headers(scope) -> dict[str, str]:
    """The request's headers named as in a WSGI environ (HTTP_*, CONTENT_TYPE and
    CONTENT_LENGTH), repeated ones joined with commas (cookies with "; ").

    A name with an underscore is dropped, as Django's ASGI handler and gunicorn drop
    it: `X_Forwarded_Proto` would become the same key as the router's
    `X-Forwarded-Proto`, and a client could pass for HTTPS.
    https://github.com/django/django/blob/main/django/core/handlers/asgi.py
    """
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

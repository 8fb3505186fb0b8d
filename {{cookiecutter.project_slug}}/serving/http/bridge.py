"""Django's WSGI handler under ASGI: the body read on the loop, the request on a pool
thread as under gunicorn's threads. https://peps.python.org/pep-3333/"""

import asyncio
import contextlib
import functools
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import FileResponse

from .headers import encode_headers, wsgi_headers

END = {"type": "http.response.body", "body": b""}
# A larger body waits on disk, not in memory, however slowly its client sends it.
SPOOL_BYTES = 64 * 1024


class WSGIBridge:
    def __init__(self, wsgi_application, threads: int):
        self.wsgi_application = wsgi_application
        self.threads = threads
        executor = ThreadPoolExecutor(threads, thread_name_prefix="http")
        # As Django's ASGI handler enters its threads: async_to_sync finds the loop.
        in_thread = functools.partial(
            sync_to_async, thread_sensitive=False, executor=executor
        )
        self.respond_in_thread = in_thread(self.respond)
        self.stream_in_thread = in_thread(stream)
        self.close_in_thread = in_thread(lambda response: response.close())

    async def __call__(self, scope, receive, send):
        body, length = await read_body(receive)
        if body is None:  # the client left before it finished sending
            return
        with body:
            start, response = await self.respond_in_thread(scope, body, length)
            await send(start)
            if isinstance(response, bytes):
                await send({**END, "body": response})
            else:
                await self.stream_until_client_leaves(response, send, receive)

    def respond(self, scope, body, length) -> tuple[dict, object]:
        """In a pool thread: the start message, and a page's content or a stream."""
        start = {"type": "http.response.start"}

        def start_response(status, headers, exc_info=None):
            start["status"] = int(status.split(" ", 1)[0])
            start["headers"] = encode_headers(headers)

        response = self.wsgi_application(
            wsgi_environ(scope, body, length), start_response
        )
        if getattr(response, "streaming", True):  # any WSGI iterable may stream
            if isinstance(response, FileResponse):
                response.block_size = ASGIHandler.chunk_size
            return start, response
        try:
            return start, b"".join(response)
        finally:
            response.close()  # Django's request_finished, on the request's thread

    async def stream_until_client_leaves(self, response, send, receive):
        client_left = threading.Event()
        if is_async := getattr(response, "is_async", False):
            sending = asyncio.ensure_future(self.stream_async(response, send))
        else:
            streaming = self.stream_in_thread(response, send, client_left)
            sending = asyncio.ensure_future(streaming)
        leaving = asyncio.ensure_future(receive())  # only http.disconnect comes now
        try:
            await asyncio.wait([sending, leaving], return_when=asyncio.FIRST_COMPLETED)
        finally:
            leaving.cancel()
            if not sending.done():
                client_left.set()  # a sync iterator stops at its next chunk
                if is_async:
                    sending.cancel()  # an async one where it awaits
            with contextlib.suppress(asyncio.CancelledError):
                await sending

    async def stream_async(self, response, send) -> None:
        try:
            async with contextlib.aclosing(response.streaming_content) as chunks:
                async for chunk in chunks:
                    await send({**END, "body": chunk, "more_body": True})
            await send(END)
        finally:
            await self.close_in_thread(response)


def stream(response, send, client_left: threading.Event) -> None:
    """In a pool thread: each chunk sent through the server's loop as it is produced."""
    send = async_to_sync(send)
    try:
        for chunk in response:
            if client_left.is_set():
                return
            send({**END, "body": chunk, "more_body": True})
        send(END)
    finally:
        if hasattr(response, "close"):
            response.close()


async def read_body(receive):
    """The body in a file (None if the client left) and its length."""
    body, length = tempfile.SpooledTemporaryFile(SPOOL_BYTES), 0  # noqa: SIM115
    more_body = True
    while more_body:
        message = await receive()
        if message["type"] == "http.disconnect":
            body.close()
            return None, 0
        chunk = message.get("body", b"")
        length += len(chunk)
        if length > SPOOL_BYTES:  # on disk by now: written off the loop
            await asyncio.to_thread(body.write, chunk)
        else:
            body.write(chunk)
        more_body = message.get("more_body", False)
    body.seek(0)
    return body, length


def wsgi_environ(scope, body, length: int) -> dict:
    """PEP 3333's environ for an ASGI scope, the URL's UTF-8 bytes as latin-1 text."""
    script_name = scope.get("root_path", "")
    path = scope["path"].removeprefix(script_name)
    server_name, server_port = scope.get("server") or ("localhost", 80)
    environ = {
        **wsgi_headers(scope),
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name.encode().decode("latin-1"),
        "PATH_INFO": path.encode().decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "CONTENT_LENGTH": str(length),  # the body's, chunked or not
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
    return environ

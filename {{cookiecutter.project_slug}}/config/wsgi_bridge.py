"""Django's WSGI handler served to the ASGI server, one thread hop per request.

A request's body is read on the event loop (into memory, or a temporary file past
FILE_UPLOAD_MAX_MEMORY_SIZE, as Django's ASGI handler does), then the whole WSGI
request runs on a thread from a pool: middleware, view, signals and database
connection in one thread, exactly as under gunicorn's threads. A page, whose
content is in memory already, is sent in one message; a streaming response is sent
chunk by chunk as the thread produces it.

The thread is entered through asgiref's sync_to_async, as Django's ASGI handler
enters its threads, so that async_to_sync in a request (the live feed's broadcast)
runs on the server's event loop rather than on a loop of its own.
https://peps.python.org/pep-3333/
https://github.com/django/asgiref#synchronous-code--threads
"""

import asyncio
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings


class WSGIBridge:
    def __init__(self, wsgi_application, threads: int):
        self.wsgi_application = wsgi_application
        executor = ThreadPoolExecutor(threads, thread_name_prefix="http")
        self.respond_in_thread = sync_to_async(
            self.respond, thread_sensitive=False, executor=executor
        )

    async def __call__(self, scope, receive, send):
        body, length = await read_body(receive)
        if body is None:  # the client went away before it finished sending
            return
        with body:
            environ = wsgi_environ(scope, body, length)
            messages = await self.respond_in_thread(environ, send)
        for message in messages:
            await send(message)

    def respond(self, environ, send) -> list[dict]:
        """In a pool thread: run the request. Returns a page's messages for the
        event loop to send; sends a streaming response's chunks itself, through
        the server's loop (async_to_sync finds it from this thread)."""
        start = {"type": "http.response.start"}

        def start_response(status, headers, exc_info=None):
            start["status"] = int(status.split(" ", 1)[0])
            start["headers"] = [(k.lower().encode(), v.encode()) for k, v in headers]

        response = self.wsgi_application(environ, start_response)
        try:
            if not getattr(response, "streaming", True):
                content = b"".join(response)
                return [start, {"type": "http.response.body", "body": content}]
            send = async_to_sync(send)  # waits for each message to be sent
            send(start)
            for chunk in response:
                send({"type": "http.response.body", "body": chunk, "more_body": True})
            send({"type": "http.response.body", "body": b""})
            return []
        finally:
            response.close()  # Django's request_finished, in the request's thread


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
    CONTENT_LENGTH), repeated ones joined with commas."""
    headers = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1").upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = f"HTTP_{key}"
        value = value.decode("latin-1")
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers

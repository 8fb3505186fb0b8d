"""The async code a user writes first, added to a project as a user adds it, and the
clients that measure it: many requests at once, and the events of a stream as they
arrive. The live tier (test_async_views.py) and bench/serve.py both use them.

Every client here talks HTTP/1.1 to 127.0.0.1, one connection per request, with the
headers the platform's router adds, and gives up after a bounded time.
"""

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import platform_env

# A module of views as a user writes them: an async view that awaits I/O (a second's
# sleep stands in for an outside API), one that reads the database, one that reads it
# and then awaits, a sync view that reads it, a sync view that blocks its thread, and a
# server-sent-events stream over an async generator and one over a sync generator,
# each of which logs when it ends.
VIEWS = """import asyncio
import logging
import time

from django.contrib.auth import get_user_model
from django.http import HttpResponse, StreamingHttpResponse

streams = logging.getLogger("streams")


async def wait_a_second(request):
    await asyncio.sleep(1)
    return HttpResponse("waited")


async def count_users(request):
    return HttpResponse(str(await get_user_model().objects.acount()))


async def count_then_wait(request):
    count = await get_user_model().objects.acount()
    await asyncio.sleep(float(request.GET.get("seconds", "3")))  # an outside API
    return HttpResponse(str(count))


def count_users_sync(request):
    return HttpResponse(str(get_user_model().objects.count()))


def block_a_thread(request):
    time.sleep(float(request.GET.get("seconds", "2")))
    return HttpResponse("blocked")


async def async_events(request):
    async def events():
        try:
            for number in range(int(request.GET.get("count", "4"))):
                yield f"data: {number}\\n\\n"
                await asyncio.sleep(0.4)
        finally:
            streams.warning("async stream ended")

    return StreamingHttpResponse(events(), content_type="text/event-stream")


def sync_events(request):
    def events():
        try:
            for number in range(int(request.GET.get("count", "4"))):
                yield f"data: {number}\\n\\n"
                time.sleep(0.4)
        finally:
            streams.warning("sync stream ended")

    return StreamingHttpResponse(events(), content_type="text/event-stream")
"""
ROUTES = {
    "/wait/": "wait_a_second",
    "/users/count/": "count_users",
    "/users/count-then-wait/": "count_then_wait",
    "/users/count-sync/": "count_users_sync",
    "/block/": "block_a_thread",
    "/events/": "async_events",
    "/sync-events/": "sync_events",
}
EVENT_SECONDS = 0.4  # between two events of either stream
HEADERS = {"Host": platform_env.HOST, "X-Forwarded-Proto": "https"}


def add_views(
    package: Path, urls: Path, views: str = VIEWS, routes: dict = ROUTES, module="async_views"
) -> None:
    """Write `views` as `package`/`module`.py and route `routes` to them first in the
    urlpatterns of `urls`, as a user edits a project's urls.py."""
    (package / f"{module}.py").write_text(views)
    text = urls.read_text()
    patterns = "".join(
        f'    path("{route[1:]}", {module}.{view}),\n' for route, view in routes.items()
    )
    text = text.replace("urlpatterns = [\n", f"urlpatterns = [\n{patterns}", 1)
    text = f"from {package.name} import {module}\n{text}"
    if "from django.urls import path" not in text and "import include, path" not in text:
        text = f"from django.urls import path\n{text}"
    urls.write_text(text)


def add_consumer(
    package: Path, routing: Path, consumer: str, module: str, name: str, route: str
) -> None:
    """Write `consumer` as `package`/`module`.py and route `route` to its class `name`
    first in the websocket_urlpatterns of `routing`, as a user edits a project's
    config/routing.py."""
    (package / f"{module}.py").write_text(consumer)
    text = routing.read_text().replace(
        "websocket_urlpatterns = [\n",
        f'websocket_urlpatterns = [\n    path("{route[1:]}", {name}.as_asgi()),\n',
        1,
    )
    routing.write_text(f"from {package.name}.{module} import {name}\n{text}")


@dataclass
class Answer:
    status: int | None  # None: no answer in time
    seconds: float


def request_bytes(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join([*lines, "Connection: close", "", ""])).encode("latin-1")


async def get(port: int, path: str, timeout: float, headers=HEADERS) -> Answer:
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request_bytes(path, headers))
                status_line = await reader.readline()
                await reader.read()  # to the end: Connection: close
            finally:
                writer.close()
    except (TimeoutError, OSError):
        return Answer(None, time.monotonic() - started)
    return Answer(int(status_line.split()[1]), time.monotonic() - started)


async def many_at_once(port: int, path: str, count: int, timeout: float) -> list[Answer]:
    return await asyncio.gather(*(get(port, path, timeout) for _ in range(count)))


def all_at_once(port: int, path: str, count: int, timeout: float) -> tuple[list[Answer], float]:
    """`count` requests sent together: their answers, and how long until the last."""
    started = time.monotonic()
    answers = asyncio.run(many_at_once(port, path, count, timeout))
    return answers, time.monotonic() - started


def while_busy(port, busy: str, count: int, probes: list[str], delay: float, headers=HEADERS):
    """`count` requests to `busy`, and `delay` seconds later one to each of `probes`,
    one after the other, with `headers`: the probes' answers, and the busy ones'."""

    async def run():
        busy_requests = asyncio.ensure_future(many_at_once(port, busy, count, timeout=60))
        await asyncio.sleep(delay)
        probed = [await get(port, probe, timeout=10, headers=headers) for probe in probes]
        return probed, await busy_requests

    return asyncio.run(run())


def event_times(port: int, path: str, timeout: float) -> list[float]:
    """Seconds from sending the request to each `data:` line of an event stream."""

    async def run():
        started = time.monotonic()
        times = []
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request_bytes(path, HEADERS))
                while line := await reader.readline():
                    if line.startswith(b"data:"):
                        times.append(time.monotonic() - started)
            finally:
                writer.close()
        return times

    return asyncio.run(run())


def leave_after_first_event(port: int, path: str, timeout: float) -> bytes:
    """Open an event stream, read it up to the end of its first event, then close the
    connection as a closed browser tab does: the bytes read."""

    async def run():
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(request_bytes(path, HEADERS))
                return await reader.readuntil(b"\n\n")
            finally:
                writer.close()
                await writer.wait_closed()

    return asyncio.run(run())

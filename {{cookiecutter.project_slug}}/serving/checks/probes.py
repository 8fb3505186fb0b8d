"""The platform's probes, answered before the Host check and HTTPS redirect: it probes
by IP address over plain HTTP. A flood shares one check a second (Shared)."""

import asyncio
import logging
import threading
import time
{%- if cookiecutter.interface == "asgi" and cookiecutter.channel_layer != "redis-pubsub" %}
import uuid
{%- endif %}
{%- if cookiecutter.interface == "asgi" and cookiecutter.channel_layer == "redis-pubsub" %}
import weakref
{%- endif %}
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync, iscoroutinefunction
{%- if cookiecutter.interface == "asgi" %}
from channels.layers import get_channel_layer
{%- endif %}
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import sync_and_async_middleware

from ..http.headers import security_headers
from .startup import why_unreachable

logger = logging.getLogger(__name__)

HEALTH_CHECK_PATH = "/healthz"
READINESS_PATH = "/readyz"
PROBE_PATHS = (HEALTH_CHECK_PATH, READINESS_PATH)
CHECK_TIMEOUT = 2.0  # seconds; the database's connect_timeout is in settings
FRESH_SECONDS = 1.0


class Shared:
    """One run of `check` per event loop for the probes within FRESH_SECONDS of it."""

    def __init__(self, check):
        self.check, self.run, self.ended = check, None, 0.0

    async def __call__(self) -> None:
        loop, run = asyncio.get_running_loop(), self.run
        stale = run and run.done() and time.monotonic() - self.ended >= FRESH_SECONDS
        if run is None or run.get_loop() is not loop or stale:
            self.run = run = loop.create_task(self.timed())
            run.add_done_callback(lambda run: run.cancelled() or run.exception())
        await asyncio.shield(run)

    async def timed(self) -> None:
        try:
            await self.check()
        finally:
            self.ended = time.monotonic()


class DatabaseUnreachable(Exception):
    """Why, in one sentence: a pool would only say that it timed out."""


database_answered = threading.Event()  # cleared while the last query failed
database_thread = ThreadPoolExecutor(1, thread_name_prefix="readiness")


def select_one() -> None:
    if not database_answered.is_set() and (reason := why_unreachable()):
        raise DatabaseUnreachable(reason)
    database_answered.clear()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close_if_unusable_or_obsolete()  # as a request's end does
    database_answered.set()


async def check_database() -> None:
    await asyncio.get_running_loop().run_in_executor(database_thread, select_one)
{%- if cookiecutter.interface == "asgi" and cookiecutter.channel_layer == "redis-pubsub" %}


# The Pub/Sub layer unsubscribes a channel only once a read of it is cancelled: the
# checks of each event loop and layer share one, subscribed before they send to it.
probe_channels = weakref.WeakKeyDictionary()  # loop -> (layer, channel)
{%- endif %}
{%- if cookiecutter.interface == "asgi" %}


async def check_channel_layer() -> None:
    layer = get_channel_layer()
{%- if cookiecutter.channel_layer == "redis-pubsub" %}
    loop = asyncio.get_running_loop()
    if (known := probe_channels.get(loop)) is None or known[0] is not layer:
        probe_channels[loop] = known = (layer, await layer.new_channel())
    channel = known[1]
{%- else %}
    # Not one of this process's channels ("!"), whose reads belong to one event loop.
    channel = f"readiness.{uuid.uuid4().hex}"
{%- endif %}
    await layer.send(channel, {"type": "readiness.probe"})
    await layer.receive(channel)
{%- endif %}


CHECKS = {
    "database": Shared(check_database),
{%- if cookiecutter.interface == "asgi" %}
    "channel_layer": Shared(check_channel_layer),
{%- endif %}
}
failing: set[str] = set()  # each process tells of an outage once


async def failure(name: str) -> str | None:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await CHECKS[name]()
    except TimeoutError:
        return f"no answer within {CHECK_TIMEOUT:g} s"
    except DatabaseUnreachable as error:
        return str(error)
    except Exception as error:
        return f"{type(error).__name__}: {' '.join(str(error).split())}"
    return None


async def answer(path: str) -> HttpResponse:
    if path == HEALTH_CHECK_PATH:
        return HttpResponse("ok", content_type="text/plain")
    failures = await asyncio.gather(*map(failure, CHECKS))
    reasons = dict(zip(CHECKS, failures, strict=True))
    for name, reason in reasons.items():
        if reason and name not in failing:
            failing.add(name)
            logger.error("%s: the %s check fails: %s", READINESS_PATH, name, reason)
        elif not reason and name in failing:
            failing.discard(name)
            logger.info("%s: the %s check passes again", READINESS_PATH, name)
    results = {name: "unavailable" if why else "ok" for name, why in reasons.items()}
    return JsonResponse(results, status=503 if any(reasons.values()) else 200)


def answered_by_probe(record: logging.LogRecord) -> bool:
    """A filter for django.request: /readyz's 503 is logged once an outage, above."""
    return getattr(getattr(record, "request", None), "path", None) != READINESS_PATH


@sync_and_async_middleware
def probe_middleware(get_response):
    """Sync or async, as the handler that runs it is: no thread hop in either."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            if request.path not in PROBE_PATHS:
                return await get_response(request)
            return secured(request, await answer(request.path))

    else:

        def middleware(request):
            if request.path not in PROBE_PATHS:
                return get_response(request)
            return secured(request, async_to_sync(answer)(request.path))

    return middleware


def secured(request, response: HttpResponse) -> HttpResponse:
    for name, value in security_headers(request.is_secure()):
        response.headers.setdefault(name, value)
    return response

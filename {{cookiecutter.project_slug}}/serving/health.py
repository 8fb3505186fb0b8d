"""The platform's probes, answered before the Host check and the HTTPS redirect.

They run first in MIDDLEWARE because the platform probes by IP address over plain
HTTP, which the Host check (ALLOWED_HOSTS) and the HTTPS redirect would refuse.
- /healthz, liveness: 200 as long as the process serves requests. It touches nothing
  else, so a slow database never gets healthy processes restarted.
- /readyz, readiness: 200 when every check in CHECKS passes within a few seconds
{%- if cookiecutter.interface == "asgi" %}
  (the database answers a query, a message makes the round trip through the
  channel layer); otherwise 503, naming what failed, for a load balancer or an
  uptime check to act on.
{%- else %}
  (the database answers a query); otherwise 503, naming what failed, for a load
  balancer or an uptime check to act on.
{%- endif %}
  Why it failed goes to the log, not to the client (an error's text can name hosts
  and users): one ERROR line when a check starts to fail, which each web process
  mails to the admins once an outage, not once a probe.
Both carry the security headers of the site's pages (serving/early_answers.py).

The database check runs on a thread of its own, and probes that arrive while it
runs, or within FRESH_SECONDS of its end, share its answer: polling /readyz through
a database outage holds that one thread, never the ones that serve pages, and a
flood of probes (App Platform's, an uptime service's, anyone's) makes at most one
query a second, on a connection the thread keeps as a request's thread does.
{%- if cookiecutter.interface == "asgi" %} The
channel layer's round trip is shared the same way, on the event loop.

Both probes are answered on the event loop (config/asgi.py sends them to Django's
ASGI handler, where this middleware runs in async mode), so they answer while every
thread is busy.
{%- endif %}
"""

import asyncio
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from asgiref.sync import async_to_sync, iscoroutinefunction, markcoroutinefunction
{%- if cookiecutter.interface == "asgi" %}
from channels.layers import get_channel_layer
{%- endif %}
from django.db import connection
from django.http import HttpResponse, JsonResponse

from serving.database_reach import why_unreachable
from serving.early_answers import security_headers

logger = logging.getLogger(__name__)

HEALTH_CHECK_PATH = "/healthz"
READINESS_PATH = "/readyz"
PROBE_PATHS = (HEALTH_CHECK_PATH, READINESS_PATH)
# Seconds a readiness check may take; the database's connect_timeout is in settings.
CHECK_TIMEOUT = 2.0
# Seconds a finished check's answer is given again instead of running a new one.
FRESH_SECONDS = 1.0


class SharedRun:
    """Runs `function` on a thread of its own; callers that come while it runs, or
    within `fresh_seconds` of its end, get that run's future instead of starting
    another."""

    def __init__(self, function, fresh_seconds: float):
        self.function = function
        self.fresh_seconds = fresh_seconds
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="readiness")
        self.lock = threading.Lock()
        self.last: Future | None = None
        self.last_ended = 0.0

    def future(self) -> Future:
        with self.lock:
            if self.last is None or self.stale():
                self.last = self.executor.submit(self.timed)
            return self.last

    def stale(self) -> bool:
        if not self.last.done():
            return False
        return time.monotonic() - self.last_ended >= self.fresh_seconds

    def timed(self):
        try:
            return self.function()
        finally:
            self.last_ended = time.monotonic()


class DatabaseUnreachable(Exception):
    """Why the database cannot be reached: one sentence (serving/database_reach.py)."""


# Set while the last query passed. Until one has, and again once one fails, the check
# asks first why a connection fails: a pool would only give up after its timeout,
# without the reason.
database_answered = threading.Event()


def select_one() -> None:
    if not database_answered.is_set() and (reason := why_unreachable()):
        raise DatabaseUnreachable(reason)
    database_answered.clear()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        # What Django does when a request ends: drop the connection if it failed or
        # has reached CONN_MAX_AGE, else keep it for the next check{% if cookiecutter.interface == "asgi" %} (under ASGI,
        # whose CONN_MAX_AGE is 0, it goes back to the pool){% endif %}.
        connection.close_if_unusable_or_obsolete()
    database_answered.set()


database_query = SharedRun(select_one, FRESH_SECONDS)


async def check_database() -> None:
    run = database_query.future()
    # Polled, not chained to this event loop with asyncio.wrap_future: the run goes
    # on after a probe that gives up, whose loop may be gone by then (async_to_sync
    # makes one per call in a sync request). passes() bounds the wait.
    while not run.done():
        await asyncio.sleep(0.02)
    run.result()
{%- if cookiecutter.interface == "asgi" %}


class SharedOnLoop:
    """Awaits the coroutine function `check` for the probes of one event loop: those
    that come while it runs, or within `fresh_seconds` of its end, await that run
    instead of starting another. A probe that gives up stops waiting, not the run."""

    def __init__(self, check, fresh_seconds: float):
        self.check = check
        self.fresh_seconds = fresh_seconds
        self.run: asyncio.Task | None = None
        self.ended = 0.0

    async def __call__(self) -> None:
        loop = asyncio.get_running_loop()
        if self.run is None or self.run.get_loop() is not loop or self.stale():
            self.run = loop.create_task(self.timed())
            # Its failure is read even when every probe waiting for it has given up.
            self.run.add_done_callback(lambda run: run.cancelled() or run.exception())
        await asyncio.shield(self.run)

    def stale(self) -> bool:
        if not self.run.done():
            return False
        return time.monotonic() - self.ended >= self.fresh_seconds

    async def timed(self) -> None:
        try:
            await self.check()
        finally:
            self.ended = time.monotonic()


async def channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "readiness.probe"})
    await layer.receive(channel)


# A round trip subscribes to a new channel (a Redis round trip or two): shared like
# the database query, so that a flood of probes makes one a second.
check_channel_layer = SharedOnLoop(channel_layer_round_trip, FRESH_SECONDS)
{%- endif %}


CHECKS = {
    "database": check_database,
{%- if cookiecutter.interface == "asgi" %}
    "channel_layer": check_channel_layer,
{%- endif %}
}


async def failure(name: str) -> str | None:
    """Why the check `name` failed, or None if it passed."""
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


class Outages:
    """Which checks are failing, in this process: one ERROR line when a check starts
    to fail (which settings.LOGGING mails to the admins: one message an outage from
    each process, however often it is probed), one INFO line when it passes again.
    The processes share nothing that would survive the outage (the database cache
    may be what is down), so each tells of it once."""

    def __init__(self):
        self.failing: set[str] = set()
        self.lock = threading.Lock()

    def note(self, failures: dict[str, str | None]) -> None:
        with self.lock:
            for name, reason in failures.items():
                if reason is not None and name not in self.failing:
                    self.failing.add(name)
                    logger.error(
                        "%s: the %s check fails: %s", READINESS_PATH, name, reason
                    )
                elif reason is None and name in self.failing:
                    self.failing.discard(name)
                    logger.info("%s: the %s check passes again", READINESS_PATH, name)


outages = Outages()


async def readiness() -> dict[str, str]:
    """{check: "ok" or "unavailable"}, the checks run side by side."""
    reasons = await asyncio.gather(*map(failure, CHECKS))
    outages.note(dict(zip(CHECKS, reasons, strict=True)))
    return {
        name: "ok" if reason is None else "unavailable"
        for name, reason in zip(CHECKS, reasons, strict=True)
    }


def with_security_headers(response, request):
    for name, value in security_headers(request.is_secure()):
        response.headers.setdefault(name, value)
    return response


def readiness_response(results: dict[str, str]) -> JsonResponse:
    ready = all(result == "ok" for result in results.values())
    response = JsonResponse(results, status=200 if ready else 503)
    # Not logged again by Django (an ERROR line, and a mail, for each probe): the
    # outage is, once (Outages).
    response._has_been_logged = True
    return response


def liveness_response() -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class HealthCheckMiddleware:
    """Sync or async, as the handler that runs it is: no thread hop in either."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        if request.path == HEALTH_CHECK_PATH:
            return with_security_headers(liveness_response(), request)
        if request.path == READINESS_PATH:
            response = readiness_response(async_to_sync(readiness)())
            return with_security_headers(response, request)
        return self.get_response(request)

    async def __acall__(self, request):
        if request.path == HEALTH_CHECK_PATH:
            return with_security_headers(liveness_response(), request)
        if request.path == READINESS_PATH:
            response = readiness_response(await readiness())
            return with_security_headers(response, request)
        return await self.get_response(request)

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
"""
{% if cookiecutter.interface == "asgi" %}
import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
{%- endif %}
from django.db import connection
from django.http import HttpResponse, JsonResponse

HEALTH_CHECK_PATH = "/healthz"
READINESS_PATH = "/readyz"
# Seconds a readiness check may take; the database's connect_timeout is in settings.
CHECK_TIMEOUT = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
{%- if cookiecutter.interface == "asgi" %}


async def channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    async with asyncio.timeout(CHECK_TIMEOUT):
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "readiness.probe"})
        await layer.receive(channel)


def check_channel_layer() -> None:
    async_to_sync(channel_layer_round_trip)()
{%- endif %}


CHECKS = {
    "database": check_database,
{%- if cookiecutter.interface == "asgi" %}
    "channel_layer": check_channel_layer,
{%- endif %}
}


def readiness() -> dict[str, str]:
    """{check: "ok" or what went wrong}, for every check."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except TimeoutError:
            results[name] = f"no answer within {CHECK_TIMEOUT:g} s"
        except Exception as error:
            results[name] = f"{type(error).__name__}: {error}".strip()
        else:
            results[name] = "ok"
    return results


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_CHECK_PATH:
            return HttpResponse("ok", content_type="text/plain")
        if request.path == READINESS_PATH:
            results = readiness()
            ready = all(result == "ok" for result in results.values())
            return JsonResponse(results, status=200 if ready else 503)
        return self.get_response(request)

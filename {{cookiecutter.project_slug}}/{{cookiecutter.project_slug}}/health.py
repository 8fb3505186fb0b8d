"""The liveness probe: /healthz answers 200 as long as the process serves requests.

It runs first in MIDDLEWARE because the platform probes by IP address over plain
HTTP, which the Host check (ALLOWED_HOSTS) and the HTTPS redirect would refuse.
It touches no database: a slow database should not get healthy processes restarted.
"""

from django.http import HttpResponse

HEALTH_CHECK_PATH = "/healthz"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_CHECK_PATH:
            return HttpResponse("ok", content_type="text/plain")
        return self.get_response(request)

"""gunicorn's worker class: uvicorn reads requests on its loop, so slow clients hold no
thread. https://www.uvicorn.org/deployment/"""

from uvicorn_worker import UvicornWorker as BaseUvicornWorker
{%- if cookiecutter.interface == "asgi" %}


class UvicornWorker(BaseUvicornWorker):
    # A WebSocket message over 64 KiB is closed with 1009 (uvicorn's default is 16 MiB).
    CONFIG_KWARGS = {
        **BaseUvicornWorker.CONFIG_KWARGS,
        "ws_max_size": {{ cookiecutter.__websocket_max_bytes }},
        # A compressed read would hold thousands of messages in memory at once.
        "ws_per_message_deflate": False,
        # Django and Channels answer no lifespan events: no "unsupported" at each start.
        "lifespan": "off",
    }
{%- else %}

from serving import http_application

from .headers import ClientAddress


class UvicornWorker(BaseUvicornWorker):
    """config/wsgi.py's Django through the WSGI bridge: HTTP alone, no lifespan."""

    CONFIG_KWARGS = {**BaseUvicornWorker.CONFIG_KWARGS, "ws": "none", "lifespan": "off"}

    def load_wsgi(self):  # gunicorn's Worker: the app it serves
        super().load_wsgi()
        self.wsgi = ClientAddress(http_application(self.wsgi))
{%- endif %}

"""WebSocket routes, the ASGI counterpart of config/urls.py."""

from django.urls import path

import live.routing
from {{ cookiecutter.project_slug }}.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    *live.routing.websocket_urlpatterns,  # the live login feed
]

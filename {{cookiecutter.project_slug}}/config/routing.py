"""WebSocket routes, the ASGI counterpart of config/urls.py."""

from django.urls import path

from live.consumers import LiveEventsConsumer
from {{ cookiecutter.project_slug }}.consumers import PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    # The live login feed: delete this route with the live app to remove it.
    path("ws/live/", LiveEventsConsumer.as_asgi()),
]

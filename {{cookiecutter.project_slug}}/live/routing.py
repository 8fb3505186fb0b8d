"""The live app's WebSocket routes; config/routing.py includes them."""

from django.urls import path

from .consumers import LiveEventsConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveEventsConsumer.as_asgi()),
]

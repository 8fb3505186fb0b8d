"""WebSocket routes, the ASGI counterpart of config/urls.py."""

from django.urls import path

{% for module, consumer in [("live", "LiveEventsConsumer"), (cookiecutter.project_slug, "PingConsumer")] | sort %}
{#- sorted as isort sorts them: which comes first depends on the slug -#}
from {{ module }}.consumers import {{ consumer }}
{% endfor %}
websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    # The live login feed: delete this route with the live app to remove it.
    path("ws/live/", LiveEventsConsumer.as_asgi()),
]

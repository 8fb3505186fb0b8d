"""Login and logout events, sent to every open live page through the channel layer.

The channel layer is what lets a login handled by one process reach WebSockets held
by another process, dyno or instance: every LiveEventsConsumer joins GROUP, and a
group message goes to all members wherever they are connected.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

GROUP = "live-events"

logger = logging.getLogger(__name__)


def broadcast(event: str, username: str) -> None:
    """Tell every connected live page that `username` logged in or out."""
    message = {
        "type": "auth.event",
        "event": event,
        "username": username,
        "at": timezone.now().isoformat(),
    }
    try:
        async_to_sync(get_channel_layer().group_send)(GROUP, message)
    except Exception:
        # The feed is a courtesy: a login must not fail because Redis is away.
        logger.exception("Could not broadcast %s of %s", event, username)

"""Login and logout events, sent to every open live page through the channel layer.

The channel layer is what lets a login handled by one process reach WebSockets held
by another process, dyno or instance: every LiveEventsConsumer joins GROUP, and a
group message goes to all members wherever they are connected.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

GROUP = "live-events"
# The broadcast runs inside the login's request: a Redis that accepts connections
# but never answers must not hold the login for longer than this, in seconds.
BROADCAST_TIMEOUT = 1.0

logger = logging.getLogger(__name__)


def describe_failure(error: Exception) -> str:
    """How a channel layer call went wrong, in a few words for a log line."""
    return "timed out" if isinstance(error, TimeoutError) else f"failed: {error!r}"


async def send_to_group(message: dict) -> None:
    async with asyncio.timeout(BROADCAST_TIMEOUT):
        await get_channel_layer().group_send(GROUP, message)


def broadcast(event: str, username: str) -> None:
    """Tell every connected live page that `username` logged in or out."""
    message = {
        "type": "auth.event",
        "event": event,
        "username": username,
        "at": timezone.now().isoformat(),
    }
    try:
        async_to_sync(send_to_group)(message)
    except Exception as error:
        # The feed is a courtesy: a login must not fail, or wait, because Redis is
        # away. One line, no traceback: the cause is the channel layer's, not ours.
        reason = describe_failure(error)
        logger.warning("Could not broadcast the %s of %s: %s", event, username, reason)

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
# How long sending one event may take, in seconds, before it is given up: a Redis
# that accepts connections but never answers must not pile up work for ever.
SEND_TIMEOUT = 5.0

logger = logging.getLogger(__name__)
# The event loop keeps only weak references to tasks: these are the ones in flight.
sending: set[asyncio.Task] = set()


def describe_failure(error: Exception) -> str:
    """How a channel layer call went wrong, in a few words for a log line."""
    return "timed out" if isinstance(error, TimeoutError) else f"failed: {error!r}"


def event_message(event: str, username: str) -> dict:
    return {
        "type": "auth.event",
        "event": event,
        "username": username,
        "at": timezone.now().isoformat(),
    }


async def send_to_group(message: dict) -> None:
    try:
        async with asyncio.timeout(SEND_TIMEOUT):
            await get_channel_layer().group_send(GROUP, message)
    except Exception as error:
        # The feed is a courtesy: one line, no traceback, since the cause is the
        # channel layer's (Redis away or overloaded), not the code's.
        reason = describe_failure(error)
        logger.warning(
            "Could not broadcast the %s of %s: %s",
            message["event"],
            message["username"],
            reason,
        )


async def start_sending(message: dict) -> None:
    task = asyncio.create_task(send_to_group(message))
    sending.add(task)
    task.add_done_callback(sending.discard)


def broadcast(event: str, username: str) -> None:
    """From a request: tell every open live page that `username` logged in or out.

    Returns at once. asgiref runs start_sending on the server's event loop, where
    the message is sent while the response goes out, so a busy, slow or hung Redis
    never holds a login. Where no server's loop runs (a Celery worker, a shell, a
    synchronous test) the loop asgiref makes ends with this call and takes the task
    with it: use send() there.
    """
    async_to_sync(start_sending)(event_message(event, username))


def send(event: str, username: str) -> None:
    """Outside a request: send the event now, waiting at most SEND_TIMEOUT seconds."""
    async_to_sync(send_to_group)(event_message(event, username))

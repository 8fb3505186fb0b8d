"""Login and logout events, sent through the channel layer to every open live page,
whichever process holds it: each LiveEventsConsumer joins GROUP."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

GROUP = "live-events"
# Seconds before sending an event is given up: a hung Redis must not pile up work.
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
        # One line, no traceback: the cause is the channel layer's, not the code's.
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
    """From a request, at once: the server's loop sends it while the response goes out,
    so a hung Redis never holds a login. Outside a server (worker, shell): send()."""
    async_to_sync(start_sending)(event_message(event, username))


def send(event: str, username: str) -> None:
    """Outside a request: send the event now, waiting at most SEND_TIMEOUT seconds."""
    async_to_sync(send_to_group)(event_message(event, username))

import asyncio
import logging

from serving.websockets import ClientJsonConsumer

from .events import GROUP, describe_failure

logger = logging.getLogger(__name__)
# How long joining or leaving the group may take, in seconds: a Redis that is down
# or hung must not leave a browser's WebSocket waiting for a handshake.
GROUP_TIMEOUT = 2.0


class LiveEventsConsumer(ClientJsonConsumer):
    """Forwards login and logout events to one browser, as JSON.

    Anyone may watch, but only signed-in users learn who logged in or out; an
    anonymous visitor sees that someone did, so the page cannot be used to find
    out who has an account. The user is the session's, from AuthMiddlewareStack,
    as it was when the WebSocket opened. The feed only sends: a client that sends
    anything is closed with 4003. While the channel layer cannot be reached, the
    handshake is refused (HTTP 403) and live.js tries again later, with backoff.
    """

    async def connect(self):
        try:
            async with asyncio.timeout(GROUP_TIMEOUT):
                await self.channel_layer.group_add(GROUP, self.channel_name)
        except Exception as error:
            reason = describe_failure(error)
            logger.warning("Refused a live feed socket: the channel layer %s", reason)
            await self.close()
            return
        await self.accept()

    async def disconnect(self, code):
        try:
            async with asyncio.timeout(GROUP_TIMEOUT):
                await self.channel_layer.group_discard(GROUP, self.channel_name)
        except Exception as error:
            # The group forgets a member that never reads again (channels_redis
            # expires it), so this only delays that.
            reason = describe_failure(error)
            logger.warning("Could not leave the live feed group: %s", reason)

    async def receive_json(self, content, **kwargs):
        await self.refuse(self.UNSUPPORTED_DATA, "a message to a feed that only sends")

    async def auth_event(self, message):
        signed_in = self.scope["user"].is_authenticated
        await self.send_json(
            {
                "event": message["event"],
                "username": message["username"] if signed_in else None,
                "at": message["at"],
            }
        )

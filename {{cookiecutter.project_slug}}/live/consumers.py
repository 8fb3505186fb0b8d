import asyncio
import logging

from serving.websockets import ClientJsonConsumer

from .events import GROUP, describe_failure

logger = logging.getLogger(__name__)
# Seconds to join or leave the group: a hung Redis must not hold a handshake.
GROUP_TIMEOUT = 2.0


class LiveEventsConsumer(ClientJsonConsumer):
    """Login and logout events to one browser, as JSON; only signed-in users see who
    (README.md, The live login feed)."""

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
            # channels_redis expires a member that never reads again anyway.
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

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .events import GROUP


class LiveEventsConsumer(AsyncJsonWebsocketConsumer):
    """Forwards login and logout events to one browser, as JSON.

    Anyone may watch, but only signed-in users learn who logged in or out; an
    anonymous visitor sees that someone did, so the page cannot be used to find
    out who has an account. The user is the session's, from AuthMiddlewareStack,
    as it was when the WebSocket opened.
    """

    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def auth_event(self, message):
        signed_in = self.scope["user"].is_authenticated
        await self.send_json(
            {
                "event": message["event"],
                "username": message["username"] if signed_in else None,
                "at": message["at"],
            }
        )

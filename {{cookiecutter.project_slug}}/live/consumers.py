from {{ cookiecutter.project_slug }}.consumers import ClientJsonConsumer

from .events import GROUP


class LiveEventsConsumer(ClientJsonConsumer):
    """Forwards login and logout events to one browser, as JSON.

    Anyone may watch, but only signed-in users learn who logged in or out; an
    anonymous visitor sees that someone did, so the page cannot be used to find
    out who has an account. The user is the session's, from AuthMiddlewareStack,
    as it was when the WebSocket opened. The feed only sends: a client that sends
    anything is closed with 4003.
    """

    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

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

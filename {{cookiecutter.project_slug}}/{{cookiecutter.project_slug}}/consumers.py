"""The project's WebSocket consumers. ClientJsonConsumer (serving.websockets)
answers what a client sends wrong, so a consumer only handles what it expects."""

from serving.websockets import ClientJsonConsumer


class PingConsumer(ClientJsonConsumer):
    """Answers {"ping": x} with {"pong": x}, by way of the channel layer.

    The answer travels through the channel layer (Redis in production), so one pong
    proves the whole path a deployment needs: router, ASGI server, Channels, layer.
    Any other JSON gets {"error": ...} and the socket stays open.
    """

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or "ping" not in content:
            await self.send_json({"error": 'send {"ping": <any JSON value>}'})
            return
        await self.channel_layer.send(
            self.channel_name, {"type": "pong", "ping": content["ping"]}
        )

    async def pong(self, event):
        await self.send_json({"pong": event["ping"]})

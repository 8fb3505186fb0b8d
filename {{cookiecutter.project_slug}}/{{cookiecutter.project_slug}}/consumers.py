"""The project's WebSocket consumers. ClientJsonConsumer (serving.websockets)
answers what a client sends wrong, so a consumer only handles what it expects."""

from serving.websockets import ClientJsonConsumer


class PingConsumer(ClientJsonConsumer):
    """Answers {"ping": x} with {"pong": x} through the channel layer, proving the
    whole path: router, ASGI server, Channels, layer."""

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or "ping" not in content:
            await self.send_json({"error": 'send {"ping": <any JSON value>}'})
            return
        await self.channel_layer.send(
            self.channel_name, {"type": "pong", "ping": content["ping"]}
        )

    async def pong(self, event):
        await self.send_json({"pong": event["ping"]})

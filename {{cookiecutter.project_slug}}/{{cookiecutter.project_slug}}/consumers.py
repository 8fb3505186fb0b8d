from channels.generic.websocket import AsyncJsonWebsocketConsumer


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Answers {"ping": x} with {"pong": x}, by way of the channel layer.

    The answer travels through the channel layer (Redis in production), so one pong
    proves the whole path a deployment needs: router, ASGI server, Channels, layer.
    """

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.send(
            self.channel_name, {"type": "pong", "ping": content.get("ping")}
        )

    async def pong(self, event):
        await self.send_json({"pong": event["ping"]})

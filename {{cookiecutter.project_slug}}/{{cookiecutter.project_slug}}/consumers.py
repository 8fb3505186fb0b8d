"""The project's WebSocket consumers. ClientJsonConsumer (serving.websockets)
answers what a client sends wrong, so a consumer only handles what it expects."""

from serving.websockets import ClientJsonConsumer


class PingConsumer(ClientJsonConsumer):
    """Answers {"ping": x} with {"pong": x} through the channel layer, proving the
    whole path: router, ASGI server, Channels, layer."""

    # One ping of a socket in the layer at a time: a process's sockets share one inbox
    # of 100 messages, which a client's flood of pings would fill for every socket.
    awaiting_pong = False

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or "ping" not in content:
            await self.send_json({"error": 'send {"ping": <any JSON value>}'})
            return
        if self.awaiting_pong:
            await self.send_json({"error": "wait for the pong before the next ping"})
            return
        self.awaiting_pong = True
        await self.channel_layer.send(
            self.channel_name, {"type": "pong", "ping": content["ping"]}
        )

    async def pong(self, event):
        self.awaiting_pong = False
        await self.send_json({"pong": event["ping"]})

"""The project's WebSocket consumers, and what every one of them does with what a
client sends.

A client's mistake is the client's, not the server's: it gets a documented answer
and at most one WARNING line, never a traceback (which would also close the socket
with 1011, "internal error", and bury real errors in the logs):
- a binary frame: {"error": ...}, then a close with 4003;
- text that is not JSON: {"error": ...}, then a close with 4007;
- a message over the server's limit (64 KiB, on daphne's command line or in
  config/workers.py): refused by the server itself, before any consumer (uvicorn
  closes with 1009, daphne drops the connection, which browsers report as 1006);
- JSON of the wrong shape: each consumer's own answer (see receive_json).
4003 and 4007 are RFC 6455's 1003 (data of a type the endpoint cannot accept) and
1007 (data inconsistent with its type) moved into the range for applications,
because daphne lets an application close only with 1000 or 3000-4999:
https://www.rfc-editor.org/rfc/rfc6455#section-7.4
"""

import json
import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer

logger = logging.getLogger(__name__)


class ClientJsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON consumer that answers malformed frames instead of raising."""

    UNSUPPORTED_DATA = 4003
    INVALID_PAYLOAD = 4007

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.refuse(self.UNSUPPORTED_DATA, "a binary frame")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.refuse(self.INVALID_PAYLOAD, "text that is not JSON")
            return
        await self.receive_json(content, **kwargs)

    async def refuse(self, code: int, what: str) -> None:
        path = self.scope["path"]
        logger.warning("Closed %s with %d: the client sent %s", path, code, what)
        await self.send_json({"error": f"{path} does not take {what}", "close": code})
        await self.close(code=code)


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

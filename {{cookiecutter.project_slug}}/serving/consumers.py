"""ClientJsonConsumer, the base of the project's WebSocket consumers: what every one
of them does with what a client sends.

A client's mistake is the client's, not the server's: it gets a documented answer
and at most one WARNING line, never a traceback (which would also close the socket
with 1011, "internal error", and bury real errors in the logs):
- a binary frame: {"error": ...}, then a close with 4003;
- text that is not JSON, or JSON nested too deep for Python to read: {"error": ...},
  then a close with 4007;
- a message over the server's limit (64 KiB, which the web command sets): refused
  by the server itself, before any consumer (uvicorn closes with 1009, daphne drops
  the connection, which browsers report as 1006);
- JSON of the wrong shape: each consumer's own answer (see receive_json).
A client that goes away while a frame is being sent to it is normal too: the frame
is dropped, and the consumer's disconnect() runs when the server reports the close.
And so is a channel layer that cannot reach Redis (a restart, maintenance): the
socket is closed with 4013, or refused (HTTP 403) if not yet open, with one WARNING
line, and the page connects again later.
4003, 4007 and 4013 are RFC 6455's 1003 (data of a type the endpoint cannot
accept), 1007 (data inconsistent with its type) and 1013 (try again later) moved
into the range for applications, because daphne lets an application close only
with 1000 or 3000-4999: https://www.rfc-editor.org/rfc/rfc6455#section-7.4
"""

import json
import logging
import sys

from channels.generic.websocket import AsyncJsonWebsocketConsumer

logger = logging.getLogger(__name__)


def client_gone(error: Exception) -> bool:
    """Whether a server raised `error` because the client has just gone: an OSError,
    as the ASGI spec asks (uvicorn), or autobahn's Disconnected (daphne).
    https://asgi.readthedocs.io/en/latest/specs/www.html#websocket (spec version 2.4)

    autobahn is looked up, not imported: under daphne it is loaded already, and
    importing it elsewhere would load pyOpenSSL and cryptography into every uvicorn
    worker (about 20 MiB each) for an exception it never raises.
    """
    autobahn = sys.modules.get("autobahn.exception")
    return isinstance(error, OSError) or (
        autobahn is not None and isinstance(error, autobahn.Disconnected)
    )


class ClientJsonConsumer(AsyncJsonWebsocketConsumer):
    """A JSON consumer that answers malformed frames instead of raising."""

    UNSUPPORTED_DATA = 4003
    INVALID_PAYLOAD = 4007
    TRY_AGAIN_LATER = 4013

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except Exception as error:
            # The errors that mean Redis is unreachable, as the Redis layers name
            # them (unavailable_errors); the in-memory layer has none.
            layer = getattr(self, "channel_layer", None)
            if not isinstance(error, getattr(layer, "unavailable_errors", ())):
                raise
            code = self.TRY_AGAIN_LATER
            path, reason = scope["path"], f"{type(error).__name__}: {error}"
            message = "Closed %s with %d: the channel layer failed (%s)"
            logger.warning(message, path, code, reason)
            try:
                await send({"type": "websocket.close", "code": code})
            except Exception as error:
                if not client_gone(error):
                    raise

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.refuse(self.UNSUPPORTED_DATA, "a binary frame")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.refuse(self.INVALID_PAYLOAD, "text that is not JSON")
            return
        except RecursionError:  # arrays or objects nested thousands deep
            await self.refuse(self.INVALID_PAYLOAD, "JSON nested too deep")
            return
        await self.receive_json(content, **kwargs)

    async def send_json(self, content, close=False):
        try:
            await super().send_json(content, close)
        except Exception as error:
            if not client_gone(error):
                raise
            path = self.scope["path"]
            logger.debug("Dropped a frame for %s: the client has gone", path)

    async def refuse(self, code: int, what: str) -> None:
        path = self.scope["path"]
        logger.warning("Closed %s with %d: the client sent %s", path, code, what)
        await self.send_json({"error": f"{path} does not take {what}", "close": code})
        await self.close(code=code)

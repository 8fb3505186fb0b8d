"""A client's bad frame or a Redis away closes the socket with a code and one WARNING.
RFC 6455's 1003, 1007 and 1013, moved to 4xxx: https://www.rfc-editor.org/rfc/rfc6455"""

import json
import logging
import sys

from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncJsonWebsocketConsumer

logger = logging.getLogger(__name__)


def client_gone(error: Exception) -> bool:
    """An OSError, as the ASGI spec has a server raise (uvicorn), or autobahn's
    Disconnected (daphne), looked up so that uvicorn never loads autobahn."""
    autobahn = sys.modules.get("autobahn.exception")
    return isinstance(error, OSError) or (
        autobahn is not None and isinstance(error, autobahn.Disconnected)
    )


# What msgpack (the Redis layer's) refuses: ints past 64 bits, lone surrogates, and
# nesting past about 1,000 levels, which MAX_DEPTH keeps well away from.
UNCARRIED = (OverflowError, UnicodeEncodeError)
MAX_DEPTH = 100


def int_within_64_bits(text: str) -> int:
    if len(text.lstrip("-")) > 18:
        raise OverflowError(text)
    return int(text)


def depth(content) -> int:
    """How deep lists and objects nest in `content`, level by level (no recursion)."""
    levels, level = 0, [content]
    while level:
        levels += 1
        level = [
            child
            for value in level
            if isinstance(value, (dict, list))
            for child in (value.values() if isinstance(value, dict) else value)
        ]
    return levels


class ClientJsonConsumer(AsyncJsonWebsocketConsumer):
    UNSUPPORTED_DATA = 4003
    INVALID_PAYLOAD = 4007
    TRY_AGAIN_LATER = 4013

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except Exception as error:
            layer = getattr(self, "channel_layer", None)
            # Away, or full: one client's flood can fill its process's inbox.
            failed = (ChannelFull, *getattr(layer, "unavailable_errors", ()))
            if not isinstance(error, failed):
                raise
            reason = f"{type(error).__name__}: {error}"
            logger.warning(
                "Closed %s with %d: the channel layer failed (%s)",
                scope["path"],
                self.TRY_AGAIN_LATER,
                reason,
            )
            try:
                await send({"type": "websocket.close", "code": self.TRY_AGAIN_LATER})
            except Exception as error:
                if not client_gone(error):
                    raise

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            return await self.refuse(self.UNSUPPORTED_DATA, "a binary frame")
        try:
            content = json.loads(text_data, parse_int=int_within_64_bits)
            # No lone surrogate, nor NaN or Infinity, which JSON has not.
            json.dumps(content, ensure_ascii=False, allow_nan=False).encode()
            if depth(content) > MAX_DEPTH:
                raise RecursionError
        except UNCARRIED:
            return await self.refuse(self.INVALID_PAYLOAD, "JSON a layer cannot carry")
        except ValueError:
            return await self.refuse(self.INVALID_PAYLOAD, "text that is not JSON")
        except RecursionError:
            return await self.refuse(self.INVALID_PAYLOAD, "JSON nested too deep")
        await self.receive_json(content, **kwargs)

    async def send_json(self, content, close=False):
        try:
            await super().send_json(content, close)
        except Exception as error:
            if not client_gone(error):
                raise
            logger.debug(
                "Dropped a frame for %s: the client has gone", self.scope["path"]
            )

    async def refuse(self, code: int, what: str) -> None:
        path = self.scope["path"]
        logger.warning("Closed %s with %d: the client sent %s", path, code, what)
        await self.send_json({"error": f"{path} does not take {what}", "close": code})
        await self.close(code=code)

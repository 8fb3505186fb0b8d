{%- if cookiecutter.channel_layer == "redis" -%}
"""channels_redis's core layer, with a bounded pool and no message lost when a consumer
leaves mid-read (django/channels_redis#366)."""

import asyncio

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from redis import exceptions

from .redis_pool import BoundedPool

# The message that ends a read left behind; only that read receives it.
LEFT = {"type": "websocket.left"}


class RedisChannelLayer(BaseRedisChannelLayer):
    unavailable_errors = (exceptions.ConnectionError, exceptions.TimeoutError, OSError)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.left_behind = set()  # reads whose consumer left, kept until they end

    def create_pool(self, index):  # channels_redis's factory of each host's pool
        return BoundedPool.for_host(self.hosts[index])

    async def receive(self, channel):
        if "!" not in channel:  # a channel any process may read: nothing to share
            return await super().receive(channel)
        read = asyncio.ensure_future(super().receive(channel))
        try:
            return await asyncio.shield(read)
        except asyncio.CancelledError:
            ending = asyncio.ensure_future(self.send(channel, LEFT))
            # A layer a flood has filled takes no goodbye: the read is cancelled.
            ending.add_done_callback(
                lambda sent: (sent.cancelled() or sent.exception()) and read.cancel()
            )
            for task in (read, ending):
                self.left_behind.add(task)
                task.add_done_callback(self.ended)
            raise

    def ended(self, task: asyncio.Future) -> None:
        """Takes a finished read's error, which asyncio would log with a traceback."""
        self.left_behind.discard(task)
        if not task.cancelled():
            task.exception()
{%- else -%}
"""channels_redis's Pub/Sub layer, with the errors that mean Redis is away."""

from channels_redis.pubsub import RedisPubSubChannelLayer as BaseRedisPubSubChannelLayer
from redis import exceptions


class RedisPubSubChannelLayer(BaseRedisPubSubChannelLayer):
    unavailable_errors = (exceptions.ConnectionError, exceptions.TimeoutError, OSError)
{%- endif %}

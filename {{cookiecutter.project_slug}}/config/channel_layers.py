"""The channel layer that settings.CHANNEL_LAYERS names: channels_redis's
{% if cookiecutter.channel_layer == "redis" %}RedisChannelLayer{% else %}RedisPubSubChannelLayer{% endif %}, saying which of its errors mean that Redis is unreachable.

While Redis is down (a restart, maintenance, a failover), the consumers close
their sockets with "try again later" on these errors, and the browser's page
reconnects once Redis is back ({{ cookiecutter.project_slug }}/consumers.py).
{%- if cookiecutter.channel_layer == "redis" %}

It also closes a race that loses messages. The core layer reads the messages of
every WebSocket a process holds with one blocking Redis read at a time, run by
whichever consumer is waiting, and hands each message to the socket it is for. The
read takes a message off its queue and then saves it in a backup queue, from which
the next read puts back anything unfinished. A consumer cancelled in between (its
client left, which on a busy site happens all the time) loses the message: a login
that one of the process's live pages never shows (django/channels_redis#366,
https://github.com/django/channels_redis/issues/366). Here a cancelled consumer
lets its read finish before it goes, so the message is in the backup queue and the
next read delivers it. Each blocking read lasts at most a second here (upstream's is
5), so a closed socket's consumer, or a process shutting down, waits no longer than
that. This overrides a private method of channels-redis 4.3; the project's tests
check it against the pin.
{%- endif %}
"""
{%- if cookiecutter.channel_layer == "redis" %}

import asyncio
import contextlib

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
{%- else %}

from channels_redis.pubsub import (
    RedisPubSubChannelLayer as BaseRedisPubSubChannelLayer,
)
{%- endif %}
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
{%- if cookiecutter.channel_layer == "redis" %}


class RedisChannelLayer(BaseRedisChannelLayer):
    unavailable_errors = UNAVAILABLE
    brpop_timeout = 1

    async def _brpop_with_clean(self, index, channel, timeout):
        read = asyncio.ensure_future(super()._brpop_with_clean(index, channel, timeout))
        try:
            return await asyncio.shield(read)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await read
            raise
{%- else %}


class RedisPubSubChannelLayer(BaseRedisPubSubChannelLayer):
    unavailable_errors = UNAVAILABLE
{%- endif %}

"""The channel layer that settings.CHANNEL_LAYERS names: channels_redis's
{% if cookiecutter.channel_layer == "redis" %}RedisChannelLayer{% else %}RedisPubSubChannelLayer{% endif %}, saying which of its errors mean that Redis is unreachable.

While Redis is down (a restart, maintenance, a failover), the consumers close
their sockets with "try again later" on these errors, and the browser's page
reconnects once Redis is back (serving/consumers.py).
{%- if cookiecutter.channel_layer == "redis" %}

It also closes a race that loses messages. The core layer reads the messages of
every WebSocket a process holds with one blocking Redis read at a time, run by
whichever consumer is waiting, and hands each message to the socket it is for. The
read takes a message off its queue and then saves it in a backup queue, from which
the next read puts back anything unfinished. A consumer cancelled in between (its
client left, which on a busy site happens all the time) cancels the read with it,
and the message is lost: a login that one of the process's live pages never shows
(django/channels_redis#366, https://github.com/django/channels_redis/issues/366).
Here the read belongs to the process, not to the consumer that started it: a
cancelled consumer leaves at once, its read goes on, and the next consumer to wait
takes it over and hands out what it brings. So the blocking reads keep
channels-redis's length (RedisChannelLayer.brpop_timeout, 5 seconds: an idle process
asks Redis for its messages once in that time, whatever number of sockets it holds),
and neither a closed socket nor a process shutting down waits for one to end.
A read that no consumer takes over goes on until a message comes, which it keeps for
the next consumer, or until its event loop ends (`asyncio.run` cancels it) or its
process exits: what it could still bring is for this process's sockets alone.

Each process holds a few connections to Redis at most, and closes those it has left
idle: serving/redis_pool.py.

A consumer cancelled while it reads for the process leaves its socket's message
buffer behind upstream (a small queue leaked per socket); it is dropped here. And a
read cancelled while it waits for the lock that keeps it from overtaking the
previous message's clean-up (its event loop ending: each of the project's tests has
one of its own) keeps its place in that lock's queue upstream; it is given back
here. With that place still counted the lock is never deleted and stays tied to the
event loop that made it, and the next loop to wait on it fails with "bound to a
different event loop".

These override parts of channels-redis that are not its API (UPSTREAM_NAMES).
`manage.py check`, which the release runs with `migrate`, reports an error if one of
them is gone from the installed channels-redis; whether the fixes still hold on
another version, the project's tests show (test_channel_layer.py).
{%- endif %}
"""
{%- if cookiecutter.channel_layer == "redis" %}

import asyncio

import channels_redis
import redis
from channels_redis.core import ChannelLock as BaseChannelLock
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from django.core.checks import CheckMessage, Error
from redis.asyncio import BlockingConnectionPool
{%- else %}

from channels_redis.pubsub import (
    RedisPubSubChannelLayer as BaseRedisPubSubChannelLayer,
)
{%- endif %}
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
{%- if cookiecutter.channel_layer == "redis" %}

from serving.redis_pool import BoundedPool
{%- endif %}

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
{%- if cookiecutter.channel_layer == "redis" %}

# What the classes below and serving/redis_pool.py override or use of channels-redis's
# and redis-py's own, attributes that __init__ sets included.
UPSTREAM_NAMES = {
    BaseChannelLock: ("acquire", "locks", "wait_counts"),
    BaseRedisChannelLayer: (
        "create_pool",
        "receive_buffer",
        "receive_clean_locks",
        "receive_single",
    ),
    BlockingConnectionPool: ("_available_connections", "release"),
}


def upstream_problems() -> list[CheckMessage]:
    """For `manage.py check` (the project's AppConfig registers it)."""
    missing = [
        f"{base.__name__}.{name}"
        for base, names in UPSTREAM_NAMES.items()
        for name in names
        if not hasattr(base(), name)  # neither makes a connection
    ]
    if not missing:
        return []
    versions = f"channels-redis {channels_redis.__version__}, redis {redis.__version__}"
    message = (
        f"{', '.join(missing)} is gone from the installed {versions}: serving/"
        "channel_layers.py and serving/redis_pool.py override it."
    )
    hint = (
        "Install the versions of requirements.txt, or rewrite the override for the"
        " new ones (the modules' docstrings say what each part fixes)."
    )
    return [Error(message, hint=hint, id="serving.E002")]


class ChannelLock(BaseChannelLock):
    async def acquire(self, channel):
        try:
            return await super().acquire(channel)
        except asyncio.CancelledError:
            # Give back the place counted before waiting, as release() would.
            self.wait_counts[channel] -= 1
            if self.wait_counts[channel] < 1:
                del self.locks[channel]
                del self.wait_counts[channel]
            raise


class RedisChannelLayer(BaseRedisChannelLayer):
    unavailable_errors = UNAVAILABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receive_clean_locks = ChannelLock()
        # The read for this process's sockets (see the module's docstring).
        self.process_read = None

    def create_pool(self, index):
        # A few connections per process at most (serving/redis_pool.py).
        return BoundedPool.for_host(self.hosts[index])

    async def receive(self, channel):
        try:
            return await super().receive(channel)
        except asyncio.CancelledError:
            # Its socket is gone: nobody will read what this buffer holds.
            self.receive_buffer.pop(channel, None)
            raise

    async def receive_single(self, channel):
        if "!" not in channel:  # a channel that any process may read
            return await super().receive_single(channel)
        # receive() lets one consumer at a time in here, with the process's channel.
        read = self.process_read
        loop = asyncio.get_running_loop()
        if read is None or read.get_loop() is not loop or failed(read):
            read = asyncio.ensure_future(super().receive_single(channel))
            read.add_done_callback(failed)  # its error retrieved: asyncio logs none
            self.process_read = read
        try:
            message = await asyncio.shield(read)
        except Exception:
            self.process_read = None
            raise
        # Cancelled (CancelledError is no Exception), the consumer leaves and the
        # read goes on, for the next one to take over.
        self.process_read = None
        return message


def failed(read: asyncio.Future) -> bool:
    """Whether a read has ended without a message. The error of a read that no
    consumer took over is not passed on to one that comes later."""
    return read.done() and (read.cancelled() or read.exception() is not None)
{%- else %}


class RedisPubSubChannelLayer(BaseRedisPubSubChannelLayer):
    unavailable_errors = UNAVAILABLE
{%- endif %}

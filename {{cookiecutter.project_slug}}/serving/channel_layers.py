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
next read delivers it. Each blocking read lasts at most a quarter of a second here
(upstream's is 5), so a closed socket's consumer, or a process shutting down, waits
no longer than that; an idle process makes four reads a second instead. Redis takes
fractions of a second since 6.0, and Valkey, a fork of 7.2, does too:
https://redis.io/docs/latest/commands/bzpopmin/

A consumer cancelled while it reads for the process leaves two things behind
upstream, and both are dropped here: its socket's message buffer (a small queue
leaked per socket), and its place in the queue for the lock that keeps a read from
overtaking the previous message's clean-up. With that place still counted the lock
is never deleted and stays tied to the event loop that made it; the next loop to
wait on it fails with "bound to a different event loop", which is what the
project's tests, one event loop per test, ran into now and then.

These override private parts of channels-redis, read in VERIFIED_VERSION.
`manage.py check`, which the release runs with `migrate`, reports an error if one of
them is gone (and the layer refuses to start), and a warning once another version
is installed; the project's tests (test_channel_layer.py) show whether the fixes
still hold.
{%- endif %}
"""
{%- if cookiecutter.channel_layer == "redis" %}

import asyncio
import contextlib

import channels_redis
from channels_redis.core import ChannelLock as BaseChannelLock
from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured
{%- else %}

from channels_redis.pubsub import (
    RedisPubSubChannelLayer as BaseRedisPubSubChannelLayer,
)
{%- endif %}
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
{%- if cookiecutter.channel_layer == "redis" %}

VERIFIED_VERSION = "4.3.0"
# What the classes below override or use of channels-redis's own, attributes that
# __init__ sets included.
UPSTREAM_NAMES = {
    BaseChannelLock: ("acquire", "locks", "wait_counts"),
    BaseRedisChannelLayer: (
        "brpop_timeout",
        "receive",
        "receive_buffer",
        "receive_clean_locks",
        "_brpop_with_clean",
    ),
}


def missing_upstream_names() -> list[str]:
    return [
        f"{base.__name__}.{name}"
        for base, names in UPSTREAM_NAMES.items()
        for name in names
        if not hasattr(base(), name)  # neither makes a connection
    ]


def upstream_problems() -> list[CheckMessage]:
    """For `manage.py check` (the project's AppConfig registers it)."""
    installed = channels_redis.__version__
    if missing := missing_upstream_names():
        message = (
            f"channels-redis {installed} has no {', '.join(missing)}, which"
            " serving/channel_layers.py overrides."
        )
        hint = (
            f"Install channels-redis {VERIFIED_VERSION} (requirements.txt), or rewrite"
            " the override for the new version."
        )
        return [Error(message, hint=hint, id="{{ cookiecutter.project_slug }}.E002")]
    if installed == VERIFIED_VERSION:
        return []
    message = (
        "serving/channel_layers.py overrides private parts of channels-redis"
        f" {VERIFIED_VERSION}, and {installed} is installed."
    )
    hint = (
        "Check that its fixes are still needed and still apply (its docstring says"
        " what each fixes; the project's tests in test_channel_layer.py show it),"
        " then set VERIFIED_VERSION to the new version."
    )
    return [Warning(message, hint=hint, id="{{ cookiecutter.project_slug }}.W001")]


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
    brpop_timeout = 0.25

    def __init__(self, *args, **kwargs):
        if problems := [p for p in upstream_problems() if p.is_serious()]:
            raise ImproperlyConfigured(f"{problems[0].msg} {problems[0].hint}")
        super().__init__(*args, **kwargs)
        self.receive_clean_locks = ChannelLock()

    async def receive(self, channel):
        try:
            return await super().receive(channel)
        except asyncio.CancelledError:
            # Its socket is gone: nobody will read what this buffer holds.
            self.receive_buffer.pop(channel, None)
            raise

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

"""The Redis channel layer of serving/channel_layers.py, against a real Redis: the
project's CI provides one (REDIS_URL); without it these tests are skipped."""

{% if cookiecutter.channel_layer == "redis" -%}
import asyncio
{% endif -%}
import logging
import os
{%- if cookiecutter.channel_layer == "redis" %}
import threading
{%- endif %}
{% if cookiecutter.channel_layer == "redis" %}
import channels_redis.core
{%- endif %}
import pytest
from channels.testing import WebsocketCommunicator
{%- if cookiecutter.channel_layer == "redis" %}
from django.core.checks import run_checks
from redis import Redis

from serving.channel_layers import RedisChannelLayer
{%- endif %}

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/0 (README.md)",
)
# Nothing listens on port 1: a Redis that is down.
REDIS_DOWN = "redis://127.0.0.1:1/0"


async def test_a_socket_is_closed_with_4013_while_redis_is_down(
    application, page_headers, settings, caplog
):
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [REDIS_DOWN]}}
    }
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=page_headers()
    )

    with caplog.at_level(logging.WARNING):
        connected, code = await communicator.connect(timeout=5)
{%- if cookiecutter.channel_layer == "redis" %}
        # The core layer opens the socket, then fails on its first read.
        assert connected
        closing = await communicator.receive_output(timeout=5)
        assert closing == {"type": "websocket.close", "code": 4013}
{%- else %}
        # The Pub/Sub layer needs Redis before the socket opens: it is refused.
        assert (connected, code) == (False, 4013)
{%- endif %}
        await communicator.wait()

    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "Closed /ws/ping/ with 4013" in caplog.records[0].getMessage()
{%- if cookiecutter.channel_layer == "redis" %}


def messages_waiting(key: str) -> int:
    return Redis.from_url(os.environ["REDIS_URL"]).zcard(key)


async def wait_until_blocked_in_redis() -> None:
    """Until a client of this database waits in BZPOPMIN, as a layer's read does."""
    redis = Redis.from_url(os.environ["REDIS_URL"])
    database = redis.connection_pool.connection_kwargs.get("db", 0)
    for _ in range(500):
        if any(
            client["cmd"] == "bzpopmin"
            and "b" in client["flags"]
            and int(client["db"]) == database
            for client in redis.client_list()
        ):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no read waits in Redis")


async def test_a_consumer_cancelled_mid_read_hands_the_message_over(settings):
    """django/channels_redis#366: one consumer reads for all of a process's sockets;
    cancelled between Redis handing out a message and the read returning, it must
    still deliver the message to the socket it is for."""
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer, sender = RedisChannelLayer(**config), RedisChannelLayer(**config)
    leaving, staying = await layer.new_channel(), await layer.new_channel()
    reader = asyncio.ensure_future(layer.receive(leaving))
    await wait_until_blocked_in_redis()  # `reader` reads for the whole process
    waiter = asyncio.ensure_future(layer.receive(staying))
    await asyncio.sleep(0.1)

    # Sent from another thread, as another process would, while this event loop
    # is blocked: the reader cannot take the message in before it is cancelled.
    send = threading.Thread(
        target=asyncio.run, args=(sender.send(staying, {"type": "hello"}),)
    )
    send.start()
    send.join()
    # Redis gave the message to the read waiting for it as it arrived.
    assert messages_waiting(layer.prefix + layer.non_local_name(staying)) == 0
    reader.cancel()

    assert await asyncio.wait_for(waiter, 5) == {"type": "hello"}
    with pytest.raises(asyncio.CancelledError):
        await reader
    await layer.flush()
    await sender.flush()


async def test_a_consumer_cancelled_mid_read_leaves_at_once(settings):
    """A closed socket's consumer, or every consumer of a process shutting down, is
    cancelled while it may be reading for the process: it must not wait for the read
    (up to channels-redis's 5 seconds) before it goes."""
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await layer.new_channel()
    reader = asyncio.ensure_future(layer.receive(channel))
    await wait_until_blocked_in_redis()

    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(reader, 1)
    assert channel not in layer.receive_buffer
    await layer.flush()


def test_a_read_cancelled_waiting_for_a_clean_up_leaves_no_lock_behind(settings):
    """A read that starts just after a message waits for that message's clean-up to
    release a lock. If its event loop ends then (a test ends, each with a loop of its
    own), neither the lock nor the consumer's buffer may outlive the loop: a lock left
    behind stays tied to it, and the next loop to wait on it fails."""
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    locks = layer.receive_clean_locks

    async def read_behind_a_clean_up(message=None):
        """A new channel's read waiting for a clean-up; given a `message`, the clean-up
        then ends and the message is sent and received."""
        channel = await layer.new_channel()
        waiting = layer.prefix + layer.non_local_name(channel)
        cleaned = asyncio.Event()

        async def clean_up():  # holds the lock as a message's clean-up does
            await locks.acquire(waiting)
            try:
                await cleaned.wait()
            finally:
                locks.release(waiting)

        places = locks.wait_counts.get(waiting, 0) + 2  # the clean-up's, the read's
        asyncio.ensure_future(clean_up())
        reader = asyncio.ensure_future(layer.receive(channel))
        for _ in range(50):  # a few turns of the loop take the read to the lock
            if locks.wait_counts.get(waiting) == places:
                break
            await asyncio.sleep(0)
        else:
            raise AssertionError("no read waits for the lock")
        if message is None:
            return channel
        cleaned.set()
        await layer.send(channel, message)
        received = await asyncio.wait_for(reader, 5)
        await layer.flush()
        return received

    # asyncio.run cancels what is left (the clean-up, the consumer and its read), as
    # the end of a test does.
    channel = asyncio.run(read_behind_a_clean_up())
    assert channel not in layer.receive_buffer
    assert (dict(locks.wait_counts), dict(locks.locks)) == ({}, {})

    # Another event loop's read waits on the lock of the same name.
    assert asyncio.run(read_behind_a_clean_up({"type": "hello"})) == {"type": "hello"}


def overridden_parts_missing() -> list[str]:
    """What `manage.py check` reports of channels-redis's parts that the layer needs."""
    error_id = "serving.E002"
    return [check.msg for check in run_checks() if check.id == error_id]


def test_a_channels_redis_without_an_overridden_part_is_an_error(monkeypatch):
    assert overridden_parts_missing() == []

    monkeypatch.delattr(channels_redis.core.RedisChannelLayer, "receive_single")

    (message,) = overridden_parts_missing()
    assert "RedisChannelLayer.receive_single" in message
{%- endif %}

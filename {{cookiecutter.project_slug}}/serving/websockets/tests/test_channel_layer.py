"""The Redis channel layer, against a real Redis: the project's CI provides one
(REDIS_URL); without it these tests are skipped."""

import asyncio
import logging
import os
{%- if cookiecutter.channel_layer == "redis" %}
import threading
{%- endif %}

import pytest
from channels.testing import WebsocketCommunicator
from redis import Redis
{%- if cookiecutter.channel_layer == "redis" %}

from serving.websockets.channel_layer import RedisChannelLayer
{%- else %}

from serving.checks import probes
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


async def until_no_read_is_left(layer) -> None:
    """Within 5 s, every read a cancelled consumer left behind has ended."""
    for _ in range(100):
        if not layer.left_behind:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(layer.left_behind)} reads left behind go on")


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


# 0: every send finds the layer full, as a flood into the process's inbox leaves it,
# so that the goodbye cannot be sent and the read is cancelled instead.
@pytest.mark.parametrize("capacity", [100, 0])
async def test_a_consumer_cancelled_mid_read_leaves_at_once(settings, capacity):
    """A closed socket's consumer, or every consumer of a process shutting down, is
    cancelled while it may be reading for the process: it must not wait for the read
    (up to channels-redis's 5 seconds) before it goes."""
    config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "capacity": capacity}
    layer = RedisChannelLayer(**config)
    channel = await layer.new_channel()
    reader = asyncio.ensure_future(layer.receive(channel))
    await wait_until_blocked_in_redis()

    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(reader, 1)

    await until_no_read_is_left(layer)
    # Ended by its goodbye, the read takes the buffer channels-redis keeps for the
    # channel with it; cancelled, it leaves that buffer, empty.
    assert (channel in layer.receive_buffer) == (capacity == 0)
    await layer.flush()
{%- else %}


async def test_readiness_checks_leave_one_subscription(settings):
    """Each check's channel stays subscribed until a read of it is cancelled: one
    per check would grow the process and Redis with every probe."""
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    redis = Redis.from_url(os.environ["REDIS_URL"])
    await asyncio.wait_for(probes.check_channel_layer(), 5)
    subscribed = redis.pubsub_channels(f"{prefix}*")

    for _ in range(5):
        await asyncio.wait_for(probes.check_channel_layer(), 5)

    assert redis.pubsub_channels(f"{prefix}*") == subscribed


async def test_a_new_layer_gets_a_readiness_channel_of_its_own(settings):
    """As when CHANNEL_LAYERS changes: the earlier layer's channel is not the new
    layer's, whose check would wait for a message sent before it subscribed."""
    await asyncio.wait_for(probes.check_channel_layer(), 5)
    settings.CHANNEL_LAYERS = {"default": {**settings.CHANNEL_LAYERS["default"]}}

    await asyncio.wait_for(probes.check_channel_layer(), 5)
{%- endif %}

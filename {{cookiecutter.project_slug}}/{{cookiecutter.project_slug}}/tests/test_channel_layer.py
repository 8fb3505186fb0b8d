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
from django.core.exceptions import ImproperlyConfigured
from redis import Redis

from serving.channel_layers import RedisChannelLayer
{%- endif %}

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/0 (README.md)",
)
# Nothing listens on port 1: a Redis that is down.
REDIS_DOWN = "redis://127.0.0.1:1/0"


@pytest.mark.asyncio
async def test_a_socket_is_closed_with_4013_while_redis_is_down(
    application, settings, caplog
):
    layer = settings.CHANNEL_LAYERS["default"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [REDIS_DOWN]}}
    }
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://testserver")]
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


@pytest.mark.asyncio
async def test_a_consumer_cancelled_mid_read_hands_the_message_over(settings):
    """django/channels_redis#366: one consumer reads for all of a process's sockets;
    cancelled between Redis handing out a message and the read returning, it must
    still deliver the message to the socket it is for."""
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer, sender = RedisChannelLayer(**config), RedisChannelLayer(**config)
    # One read that outlasts the send: with the layer's quarter-second reads, the
    # blocked event loop below cannot start the next one if the send comes late.
    layer.brpop_timeout = 5
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


@pytest.mark.asyncio
async def test_a_consumer_cancelled_waiting_to_read_leaves_nothing_behind(settings):
    """A client that leaves just after a message cancels its consumer while the
    message's clean-up still holds the process's read lock. Neither the lock nor the
    consumer's buffer may outlive it: a lock left behind stays tied to this event
    loop, and the next loop to wait on it (the next test's) fails."""
    layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "hello"})
    assert await layer.receive(channel) == {"type": "hello"}
    reader = asyncio.ensure_future(layer.receive(channel))
    waiting = layer.prefix + layer.non_local_name(channel)
    for _ in range(50):  # a few turns of the loop take the reader to the lock
        if layer.receive_clean_locks.wait_counts.get(waiting) == 2:
            break
        await asyncio.sleep(0)
    assert layer.receive_clean_locks.wait_counts.get(waiting) == 2, "no wait"
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    await asyncio.gather(*layer.receive_cleaners)

    async def two_messages_in_a_row():
        other = await layer.new_channel()
        for number in range(2):
            await layer.send(other, {"type": "hello", "number": number})
        return [(await layer.receive(other))["number"] for _ in range(2)]

    # Another event loop, as the next test gets: the second read waits for the
    # first one's clean-up, on the lock the cancelled consumer waited on.
    assert await asyncio.to_thread(asyncio.run, two_messages_in_a_row()) == [0, 1]
    assert channel not in layer.receive_buffer
    await layer.flush()


CHANNEL_LAYER_CHECKS = (
    "{{ cookiecutter.project_slug }}.E002",
    "{{ cookiecutter.project_slug }}.W001",
)


def channel_layer_checks() -> list[str]:
    """The ids of what `manage.py check` reports about the channel layer."""
    return [check.id for check in run_checks() if check.id in CHANNEL_LAYER_CHECKS]


def test_a_channels_redis_without_an_overridden_part_is_refused(monkeypatch):
    monkeypatch.delattr(channels_redis.core.RedisChannelLayer, "_brpop_with_clean")

    assert channel_layer_checks() == ["{{ cookiecutter.project_slug }}.E002"]
    with pytest.raises(ImproperlyConfigured, match="_brpop_with_clean"):
        RedisChannelLayer()


def test_another_channels_redis_version_gets_a_warning(monkeypatch):
    assert channel_layer_checks() == []

    monkeypatch.setattr(channels_redis, "__version__", "99.0.0")

    assert channel_layer_checks() == ["{{ cookiecutter.project_slug }}.W001"]
{%- endif %}

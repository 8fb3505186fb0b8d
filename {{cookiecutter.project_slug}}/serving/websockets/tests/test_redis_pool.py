"""The channel layer's pool of Redis connections."""

import asyncio
import os

import pytest
from redis.asyncio import Redis

from serving.websockets import redis_pool
from serving.websockets.channel_layer import RedisChannelLayer
from serving.websockets.redis_pool import BoundedPool

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/0 (README.md)",
)


async def test_the_layer_makes_its_pools_through_create_pool():
    """channels-redis's create_pool() is the one hook for the pool: a release that
    stops calling it leaves the layer's connections unbounded."""
    layer = RedisChannelLayer(hosts=[{"address": "redis://127.0.0.1:1/0"}])

    pool = layer.connection(0).connection_pool

    assert isinstance(pool, BoundedPool)
    assert pool.max_connections == redis_pool.MAX_CONNECTIONS


@needs_redis
async def test_connections_left_idle_are_closed(monkeypatch):
    monkeypatch.setattr(redis_pool, "IDLE_SECONDS", 0.2)
    pool = BoundedPool.for_host({"address": os.environ["REDIS_URL"]})
    redis = Redis(connection_pool=pool)
    connections = [await pool.get_connection() for _ in range(3)]
    for connection in connections:
        await pool.release(connection)

    await asyncio.sleep(0.6)

    assert not any(connection.is_connected for connection in connections)
    assert await redis.ping()  # and connect again when next needed
    await pool.disconnect()


@needs_redis
async def test_a_burst_waits_for_a_few_connections():
    pool = BoundedPool.for_host({"address": os.environ["REDIS_URL"]})
    redis = Redis(connection_pool=pool)

    await asyncio.gather(*(redis.ping() for _ in range(50)))

    assert len({id(c) for c in pool.idle_since}) <= redis_pool.MAX_CONNECTIONS
    await pool.disconnect()

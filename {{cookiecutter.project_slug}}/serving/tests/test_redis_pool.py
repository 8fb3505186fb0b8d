"""The channel layer's pool of Redis connections (serving/redis_pool.py)."""

import asyncio
import gc

from redis.exceptions import TimeoutError

from serving.redis_pool import BoundedPool


class HungConnection:
    """A connected connection whose close times out, as redis-py's does when a hung
    Redis does not answer the TLS close."""

    is_connected = True

    async def disconnect(self):
        raise TimeoutError("Timed out closing connection after 2")


async def test_a_close_that_times_out_is_no_unhandled_error():
    loop = asyncio.get_running_loop()
    unhandled = []
    handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda loop, context: unhandled.append(context))
    try:
        pool = BoundedPool(idle_seconds=0)
        pool._available_connections.append(HungConnection())
        pool.close_idle()
        for _ in range(100):
            if not pool.disconnecting:
                break
            await asyncio.sleep(0.01)
        gc.collect()  # a task's unretrieved error is reported when it is collected
    finally:
        loop.set_exception_handler(handler)

    assert pool._available_connections == [] and not pool.disconnecting
    assert unhandled == []

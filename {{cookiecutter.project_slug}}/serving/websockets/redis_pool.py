"""A few Redis connections a process, closed once idle: a plan caps clients (20 at
Heroku's smallest). https://redis.io/docs/latest/develop/reference/clients/"""

import asyncio

from redis.asyncio import BlockingConnectionPool

# One for the process's blocking read; three serve a burst of a hundred sockets.
MAX_CONNECTIONS = 4
WAIT_SECONDS = 2.0
IDLE_SECONDS = 10.0


class BoundedPool(BlockingConnectionPool):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.idle_since = {}  # released connection -> loop time
        self.closer = None

    @classmethod
    def for_host(cls, host: dict):
        """A pool for an entry of the channel layer's `hosts`."""
        options = {**host, "max_connections": MAX_CONNECTIONS, "timeout": WAIT_SECONDS}
        return cls.from_url(options.pop("address"), **options)

    async def get_connection(self, *args, **kwargs):
        connection = await super().get_connection(*args, **kwargs)
        self.idle_since.pop(connection, None)
        return connection

    async def release(self, connection):
        loop = asyncio.get_running_loop()
        self.idle_since[connection] = loop.time()
        await super().release(connection)
        if self.closer is None or self.closer.done():
            self.closer = loop.create_task(self.close_idle())

    async def close_idle(self):
        loop = asyncio.get_running_loop()
        while self.idle_since:
            await asyncio.sleep(IDLE_SECONDS)
            for connection, since in list(self.idle_since.items()):
                if loop.time() - since >= IDLE_SECONDS:
                    del self.idle_since[connection]
                    # At once, with no await between: nobody can take it meanwhile.
                    await connection.disconnect(nowait=True)

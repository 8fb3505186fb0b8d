"""A pool of Redis connections for the channel layer that holds a few at most, closes
those left idle, and recovers by itself from a Redis that refused it.

Redis takes a fixed number of clients, shared by every process of every {{ cookiecutter.__unit }} and the
worker (20 on Heroku Key-Value Store's smallest plan). channels-redis's core layer
gives each process a pool of redis-py's with no bound that never closes a
connection: a burst of WebSockets, each joining a group at once, opened one
connection for each until Redis refused more, and the process then held them all,
so that no other process, nor a worker, could connect. redis-py also hands out its
most recently returned connection first, which after a refusal is one that failed:
the process kept asking Redis for one more connection, refused because of the ones
it held itself, and never came back.

Here a process opens at most MAX_CONNECTIONS; a command waits up to WAIT_SECONDS for
one of them to be free (then fails as a Redis that is down fails: the socket is closed
with "try again later", and the page reconnects). A connection idle for IDLE_SECONDS is
closed, and connected ones are handed out before ones that failed.
https://redis.io/docs/latest/develop/reference/clients/#maximum-concurrent-connected-clients
"""

import asyncio
import weakref
from typing import Self

from redis.asyncio import BlockingConnectionPool

# One for the blocking read of the process's messages (up to 5 s at a time), three
# for everything else: joining and leaving groups, sending, /readyz. A command takes
# a millisecond or two, so three serve a burst of a hundred sockets in a fraction
# of a second.
MAX_CONNECTIONS = 4
WAIT_SECONDS = 2.0
IDLE_SECONDS = 10.0


class BoundedPool(BlockingConnectionPool):
    def __init__(self, *, idle_seconds: float = IDLE_SECONDS, **kwargs):
        super().__init__(**kwargs)
        self.idle_seconds = idle_seconds
        self.idle_since = weakref.WeakKeyDictionary()
        self.closing = None  # the timer that closes idle connections
        self.disconnecting = set()  # tasks, kept until done

    @classmethod
    def for_host(cls, host: dict) -> Self:
        """A pool for one entry of the channel layer's `hosts`."""
        options = dict(host)
        address = options.pop("address")
        return cls.from_url(
            address, max_connections=MAX_CONNECTIONS, timeout=WAIT_SECONDS, **options
        )

    async def release(self, connection):
        loop = asyncio.get_running_loop()
        self.idle_since[connection] = loop.time()
        await super().release(connection)
        # The next connection handed out is the last of the list: a connected one,
        # so that one that failed is tried again only when no other is free.
        self._available_connections.sort(key=lambda c: c.is_connected)
        if self.closing is None:
            self.closing = loop.call_later(self.idle_seconds, self.close_idle)

    def close_idle(self) -> None:
        self.closing = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        idle = [
            connection
            for connection in self._available_connections
            if connection.is_connected
            and now - self.idle_since.get(connection, now) >= self.idle_seconds
        ]
        for connection in idle:
            # Out of the pool before anything awaits, so that nobody takes it.
            self._available_connections.remove(connection)
            task = loop.create_task(connection.disconnect())
            self.disconnecting.add(task)
            task.add_done_callback(self.disconnected)
        if any(c.is_connected for c in self._available_connections):
            self.closing = loop.call_later(self.idle_seconds, self.close_idle)

    def disconnected(self, task: asyncio.Task) -> None:
        """A close is done. One that timed out (a hung Redis does not answer the TLS
        close) has dropped the connection all the same, as redis-py forgets it before
        raising: its error is taken here, or asyncio would log it with a traceback."""
        self.disconnecting.discard(task)
        if not task.cancelled():
            task.exception()

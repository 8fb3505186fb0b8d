"""A stand-in for the platform's router, the one part that cannot exist here.

It terminates TLS on 127.0.0.1 and passes each request to the web process with
X-Forwarded-Proto: https, as Heroku's router and App Platform's edge do, WebSocket
upgrades included; it can also take plain HTTP, passed on with X-Forwarded-Proto:
http, as the platforms do on port 80. It asks for one request per connection
(Connection: close), so that every request comes through here and gets the header; a
WebSocket's bytes are passed both ways until either side closes.
"""

import asyncio
import ssl
import threading
from pathlib import Path

from tests.support import machine

HEADER_TIMEOUT = 30


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


class Router:
    """`certificate`: (certificate, key) files for 127.0.0.1. `port`: where TLS is
    taken (a free port by default); `http_port`: where plain HTTP is, if anywhere."""

    def __init__(
        self,
        upstream_port: int,
        certificate: tuple[Path, Path],
        port: int | None = None,
        http_port: int | None = None,
    ):
        self.upstream_port = upstream_port
        self.port = port or machine.free_port()
        self.http_port = http_port
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        self.loop = asyncio.new_event_loop()
        self.connections: set[asyncio.StreamWriter] = set()
        self.servers: list[asyncio.Server] = []
        started = threading.Event()
        self.error: OSError | None = None
        self.thread = threading.Thread(target=self._serve, args=(context, started), daemon=True)
        self.thread.start()
        if not started.wait(timeout=10):
            raise RuntimeError("the TLS router did not start")
        if self.error:
            self.thread.join(timeout=10)
            self.loop.close()
            raise self.error

    def _serve(self, context: ssl.SSLContext, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        listeners = [(self.port, context, b"https")]
        if self.http_port:
            listeners.append((self.http_port, None, b"http"))
        try:
            for port, tls, scheme in listeners:
                server = asyncio.start_server(
                    lambda r, w, scheme=scheme: self._forward(r, w, scheme),
                    "127.0.0.1",
                    port,
                    ssl=tls,
                )
                self.servers.append(self.loop.run_until_complete(server))
        except OSError as error:  # a port taken, or one below 1024 without root
            self.error = error
            for server in self.servers:
                server.close()
            started.set()
            return
        started.set()
        self.loop.run_forever()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, scheme):
        self.connections.add(writer)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEADER_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ssl.SSLError):
            writer.close()
            return
        request_line, *headers = head[:-4].split(b"\r\n")
        websocket = any(h.lower().replace(b" ", b"") == b"upgrade:websocket" for h in headers)
        dropped = (
            (b"x-forwarded-",) if websocket else (b"x-forwarded-", b"connection:", b"keep-alive:")
        )
        headers = [h for h in headers if not h.lower().startswith(dropped)]
        headers += [b"X-Forwarded-Proto: " + scheme, b"X-Forwarded-For: 127.0.0.1"]
        if not websocket:
            headers.append(b"Connection: close")
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.upstream_port
        )
        upstream_writer.write(b"\r\n".join([request_line, *headers]) + b"\r\n\r\n")
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self.connections -= {writer, upstream_writer}

    def stop(self) -> None:
        async def close() -> None:
            for server in self.servers:
                server.close()
            for connection in self.connections:
                connection.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

"""daphne, with a graceful stop for the platform's restarts and deploys.

The platform stops a process with SIGTERM and, 30 seconds later, SIGKILL
(https://devcenter.heroku.com/articles/dyno-shutdown-behavior; Heroku restarts every
dyno at least once a day, and both platforms replace processes on each deploy).
daphne's own stop cancels every request and drops every WebSocket without a close
frame, which browsers report as an abnormal closure (1006). This server first stops
listening, sends each WebSocket a 1001 "going away" close frame so that its page
reconnects to a process that is staying, and lets in-flight HTTP requests finish;
only then does daphne cancel whatever is left.

daphne reads a request's whole body, into a temporary file and then into memory,
before it starts the application (https://github.com/django/daphne/issues/483), so
the limit on request bodies (serving/request_bodies.py) is applied here, in twisted's
request, as the headers and then the body's chunks arrive: a body over the limit is
answered with 413 and its connection closed, and what was read of it let go.

Run it as daphne itself: `python -m serving.daphne_server` takes daphne's arguments.
"""

import asyncio
import time

from daphne.cli import CommandLineInterface
from daphne.http_protocol import HTTPFactory, WebRequest
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol
from twisted.internet import defer

from serving import early_answers, request_bodies

# Below the platform's 30 seconds, like gunicorn's graceful_timeout.
DRAIN_SECONDS = 20
GOING_AWAY = 1001


def in_flight(connection: dict) -> bool:
    """Whether a connection is still open or its application still running."""
    if "disconnected" not in connection:
        return True
    application = connection.get("application_instance")
    return application is not None and not application.done()


class BodyLimitedRequest(WebRequest):
    """daphne's request, refusing a body over the limit before it is read
    (twisted.web.http.Request: gotLength once the headers are in, then
    handleContentChunk for each piece of the body, then process)."""

    refused = False
    received = 0

    def gotLength(self, length):
        if length is not None and request_bodies.too_large(length):
            # A client that asked to be told before sending gets the 413 only.
            self.requestHeaders.removeHeader(b"Expect")
            self.refuse()
            length = 0  # nothing of the body is kept
        super().gotLength(length)

    def handleContentChunk(self, data):
        if self.refused:
            return
        self.received += len(data)
        if request_bodies.too_large(self.received):  # chunked: no length declared
            self.content.truncate(0)
            self.refuse()
            return
        super().handleContentChunk(data)

    def process(self):
        if not self.refused:
            return super().process()

    def refuse(self):
        self.refused = True
        https = self.requestHeaders.getRawHeaders(
            early_answers.proxy_ssl_header(), [None]
        )
        self.channel.transport.write(request_bodies.raw_refusal(https[-1]))
        self.channel.loseConnection()  # twisted reads nothing more from it


class BodyLimitedHTTPFactory(HTTPFactory):
    def buildProtocol(self, addr):
        protocol = super().buildProtocol(addr)
        protocol.requestFactory = BodyLimitedRequest
        return protocol


class GracefulServer(Server):
    # daphne's run() makes its HTTP factory in place; this server's is the same, with
    # requests that apply the limit on bodies.
    @property
    def http_factory(self):
        return self._http_factory

    @http_factory.setter
    def http_factory(self, daphne_factory):
        self._http_factory = BodyLimitedHTTPFactory(daphne_factory.server)

    def run(self):
        self.ports = []
        super().run()

    def listen_success(self, port):
        super().listen_success(port)
        self.ports.append(port)

    def kill_all_applications(self):
        # daphne registers this to run before the reactor shuts down: drain first.
        drained = defer.Deferred.fromFuture(asyncio.ensure_future(self.drain()))
        drained.addBoth(lambda _: Server.kill_all_applications(self))
        return drained

    async def drain(self):
        for port in self.ports:
            port.stopListening()
        for protocol in list(self.connections):
            if isinstance(protocol, WebSocketProtocol):
                # autobahn's sendClose() accepts only 1000 and 3000-4999 from
                # applications; the frame itself may carry RFC 6455's 1001.
                protocol.sendCloseFrame(code=GOING_AWAY)
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            if not any(map(in_flight, self.connections.values())):
                return
            await asyncio.sleep(0.1)


class GracefulCommandLine(CommandLineInterface):
    server_class = GracefulServer


if __name__ == "__main__":
    GracefulCommandLine.entrypoint()

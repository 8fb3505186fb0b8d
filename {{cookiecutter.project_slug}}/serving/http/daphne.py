"""daphne, stopping gracefully on SIGTERM, refusing a body over the limit as it comes
(daphne reads it whole first) and reading a WebSocket no faster than it is answered.
https://devcenter.heroku.com/articles/dyno-shutdown-behavior"""

import asyncio
import signal
import time

from daphne import http_protocol
from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from django.conf import settings
from twisted.internet import reactor
from twisted.internet.interfaces import IListeningPort

from .body_limit import refusal, too_large
from .headers import is_secure

DRAIN_SECONDS = 20  # below the platform's 30, like gunicorn's graceful_timeout
GOING_AWAY = 1001
QUEUED_MESSAGES = 8  # a socket's, at most 8 × 64 KiB; uvicorn's pause at 1


class BodyLimitedRequest(http_protocol.WebRequest):
    refused = False

    def gotLength(self, length):  # Twisted's, once the headers are in: makes content
        if length is not None and too_large(length):
            self.requestHeaders.removeHeader(b"Expect")  # no "100 Continue" first
            self.refuse()
            length = 0  # nothing of the body is kept
        super().gotLength(length)
        self.content = BodyWithinLimit(self, self.content)

    def process(self):
        if not self.refused:
            return super().process()

    def refuse(self):
        self.refused = True
        name = settings.SECURE_PROXY_SSL_HEADER[0]  # the router's, as Django names it
        values = self.requestHeaders.getRawHeaders(name[5:].replace("_", "-"))
        forwarded = {name: ",".join(values)} if values else {}  # Django reads the first
        headers, body = refusal(is_secure({}, forwarded))
        head = [b"HTTP/1.1 413 Content Too Large", *(b"%s: %s" % h for h in headers)]
        self.channel.transport.write(b"\r\n".join([*head, b"", body]))
        self.channel.loseConnection()


class BodyWithinLimit:
    """The request's body file, which refuses the request once a chunked body passes
    the limit."""

    def __init__(self, request, file):
        self.request, self.file, self.written = request, file, 0

    def __getattr__(self, name):
        return getattr(self.file, name)

    def write(self, data):
        self.written += len(data)
        if self.request.refused:
            return
        if too_large(self.written):
            self.file.truncate(0)
            return self.request.refuse()
        self.file.write(data)


# daphne's HTTPFactory makes each connection's requests from this name.
http_protocol.WebRequest = BodyLimitedRequest


class BackPressuredWebSocket(WebSocketProtocol):
    """Reads no more of a client while its replies wait unsent or QUEUED_MESSAGES of its
    messages wait for the consumer, as uvicorn does; daphne reads on into memory."""

    waiting_for_consumer = replies_unsent = False

    def connectionMade(self):
        self.transport.unregisterProducer()  # the HTTP channel's, left by the upgrade
        self.transport.registerProducer(self, True)
        super().connectionMade()

    def onMessage(self, payload, isBinary):
        super().onMessage(payload, isBinary)
        if not self.waiting_for_consumer:
            self.read_when_ready()

    def read_when_ready(self):
        self.waiting_for_consumer = self.application_queue.qsize() >= QUEUED_MESSAGES
        if self.waiting_for_consumer and self.transport.connected:
            self.transport.pauseProducing()
            reactor.callLater(0.05, self.read_when_ready)
        elif not self.replies_unsent:
            self.transport.resumeProducing()

    def pauseProducing(self):  # Twisted's, once the replies fill the socket's buffer
        self.replies_unsent = True
        self.transport.pauseProducing()

    def resumeProducing(self):
        self.replies_unsent = False
        if not self.waiting_for_consumer:
            self.transport.resumeProducing()

    def stopProducing(self):
        pass


WebSocketFactory.protocol = BackPressuredWebSocket  # Twisted's Factory.protocol


class GracefulServer(Server):
    draining = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Replaces Twisted's handler (set as the reactor starts), which stops at once.
        reactor.callWhenRunning(signal.signal, signal.SIGTERM, self.stop_when_drained)

    def stop_when_drained(self, signum, frame):
        if not self.draining:
            self.draining = True
            reactor.callFromThread(asyncio.ensure_future, self.drain())

    async def drain(self):
        try:
            for reader in reactor.getReaders():
                if IListeningPort.providedBy(reader):
                    reader.stopListening()
            for protocol in list(self.connections):
                if isinstance(protocol, WebSocketProtocol):
                    protocol.sendCloseFrame(code=GOING_AWAY)  # sendClose() refuses 1001
            deadline = time.monotonic() + DRAIN_SECONDS
            while time.monotonic() < deadline and any(
                map(in_flight, self.connections.values())
            ):
                await asyncio.sleep(0.1)
        finally:
            reactor.stop()  # daphne then cancels what still runs


def in_flight(connection: dict) -> bool:
    """Open, or its application still running (daphne's record of a connection)."""
    application = connection.get("application_instance")
    running = application is not None and not application.done()
    return "disconnected" not in connection or running


class GracefulCommandLine(CommandLineInterface):
    server_class = GracefulServer


if __name__ == "__main__":
    GracefulCommandLine.entrypoint()

"""Real mail servers on 127.0.0.1 for the e-mail tier, each stopped by the test that
started it: an SMTP server (aiosmtpd) that keeps what it receives, plain, with
STARTTLS or with implicit TLS, with or without a login; a port that accepts
connections and never answers, as a hung provider does; and an HTTP server standing
in for a provider's HTTPS API (the one mock of this tier: Postmark and Mailgun
cannot exist here).
"""

import asyncio
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support import machine


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    pid: int | None  # of the process that sent it
    tls: bool  # encrypted, by STARTTLS or from the start
    starttls: bool
    login: str | None

    def text(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part else ""


def pid_of_client(port: int, server_port: int) -> int | None:
    """The process that holds the socket of the connection from local port `port` to
    `server_port`: both ports, since another process's connection to another server
    (Redis, PostgreSQL) may have the same local port."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(fields[i].rsplit(":", 1)[1], 16) for i in (1, 2))
            if (local, remote) == (port, server_port):
                inodes.add(fields[9])
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return int(fd.parts[2])
    return None


class Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        await asyncio.sleep(self.server.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        received = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            message,
            pid_of_client(session.peer[1], self.server.port),
            smtp.transport.get_extra_info("ssl_object") is not None,
            session.ssl is not None,  # aiosmtpd sets it on STARTTLS only
            login,
        )
        with self.server.lock:
            self.server.received.append(received)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a free port, or on `port` (to start again where one stopped). With
    `certificate`, STARTTLS is offered and required, or with `implicit_tls` TLS is
    spoken from the first byte (as on port 465). With `login` (user, password), a
    login is required: over TLS if there is a certificate, in clear if not. With
    `delay`, each message is accepted that many seconds after it arrived, as a slow
    provider does."""

    def __init__(
        self,
        certificate: tuple[Path, Path] | None = None,
        login=None,
        port: int | None = None,
        implicit_tls: bool = False,
        delay: float = 0,
    ):
        self.port = port or machine.free_port()
        self.delay = delay
        self.received: list[Received] = []
        self.lock = threading.Lock()
        options = {}
        if certificate:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, certificate))
            options = {"tls_context": context, "require_starttls": True}
            if implicit_tls:
                options = {"ssl_context": context}
        if login:
            # aiosmtpd's auth_require_tls knows STARTTLS only, not implicit TLS.
            require_starttls = bool(certificate) and not implicit_tls
            options |= {"authenticator": self.check_login, "auth_required": True}
            options |= {"auth_require_tls": require_starttls}
        self.login = login
        self.controller = Controller(Handler(self), hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def check_login(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False)
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == self.login, auth_data=auth_data)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [item for item in self.received if address in item.recipients]

    def wait_for(self, address: str, timeout: float, count: int = 1) -> list[Received]:
        """The messages to `address`, once there are `count`, or those there are
        after `timeout`."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.to(address)

    def stop(self) -> None:
        self.controller.stop()


class SilentServer:
    """Accepts connections (the kernel does, from its backlog) and never says a word,
    as a provider that hangs does."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]

    def stop(self) -> None:
        self.socket.close()


class ProviderApi:
    """An HTTP server in place of a provider's HTTPS API: it keeps each request
    (method, path, headers, JSON body) and answers as the provider's API does when
    it accepts a message: `answer(body)` gives the JSON."""

    def __init__(self, answer):
        self.requests: list[dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                api.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                reply = json.dumps(answer(body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float) -> list[dict]:
        """The requests, once there are `count`, or those there are after `timeout`."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return list(self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

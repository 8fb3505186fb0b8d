"""The web command's daphne, run as the platform runs it. It leans on names that are
no part of daphne's or Twisted's API: daphne's `http_protocol.WebRequest` (replaced),
`Server.connections` and `WebSocketProtocol.application_queue`, and Twisted's
`Request.gotLength`; a release that changes one fails here."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

LIMIT = 1000
HOST = "testserver"
START_SECONDS = 60  # a loaded CI runner may take this long to import it all


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received and not request.startswith(b"GET /ws/"):
                break
        return received


def ping_socket(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        f"GET /ws/ping/ HTTP/1.1\r\nHost: {HOST}\r\nOrigin: http://{HOST}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
    )
    assert sock.recv(4096).startswith(b"HTTP/1.1 101 ")
    return sock


@pytest.fixture
def daphne():
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_MAX_REQUEST_BODY_BYTES": str(LIMIT),
    }
    command = [sys.executable, "-m", "serving.http.daphne", "--port", str(port)]
    server = subprocess.Popen([*command, "config.asgi:application"], env=env)
    try:
        deadline = time.monotonic() + START_SECONDS
        while server.poll() is None and time.monotonic() < deadline:
            try:
                answer(port, f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"daphne did not answer within {START_SECONDS} s")
        yield server, port
    finally:
        server.kill()
        server.wait(timeout=10)


@pytest.mark.parametrize(
    "framing", ["Content-Length: 100000", "Transfer-Encoding: chunked"]
)
def test_a_body_over_the_limit_is_refused_as_it_arrives(daphne, framing):
    _, port = daphne
    head = f"POST /accounts/login/ HTTP/1.1\r\nHost: {HOST}\r\n{framing}\r\n\r\n"
    body = (
        b""
        if "Length" in framing
        else b"%x\r\n%s\r\n" % (LIMIT + 1, b"x" * (LIMIT + 1))
    )

    assert answer(port, head.encode() + body).startswith(b"HTTP/1.1 413 ")


def test_a_stop_closes_websockets_with_going_away_and_exits(daphne):
    server, port = daphne
    with ping_socket(port) as sock:
        server.send_signal(signal.SIGTERM)
        frame = sock.recv(4096)

    assert frame[0] == 0x88 and int.from_bytes(frame[2:4]) == 1001  # close, going away
    assert server.wait(timeout=30) == 0


def test_a_burst_past_the_queue_pauses_reading_and_every_ping_is_answered(daphne):
    _, port = daphne
    pings = 100  # far past daphne.py's QUEUED_MESSAGES
    with ping_socket(port) as sock:
        sock.sendall((b"\x81\x8b" + bytes(4) + b'{"ping": 1}') * pings)  # mask of 0s
        received, answers = b"", 0
        while answers < pings and (chunk := sock.recv(65536)):
            received += chunk
            # A pong, or an error for a ping sent before the last one's pong.
            answers = received.count(b'{"pong"') + received.count(b'{"error"')

    assert answers == pings

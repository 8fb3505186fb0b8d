"""Attacker tier: WebSocket back-pressure. Anyone can open the ping socket (a script
writes the site's own Origin) and send pings without ever reading the pongs. Every
pong the server cannot send waits in its memory, so a server that goes on reading such
a client grows until the dyno is killed (512 MB on a basic dyno).

Through the exact web command of each ASGI server, one client sends up to
PINGS_SENT pings of about 60 KB (the socket's message limit is 64 KiB) and reads
nothing: the web process tree grows by less than GROWTH_ALLOWED, because the server
stops reading the client once its replies are not read, and a visitor's GET / is
answered meanwhile. The client offers per-message compression (RFC 7692) and sends
its pings compressed, about 100 bytes each, if the server takes it up: one read would
then hold thousands of messages.
"""

import json
import socket
import struct
import time
import zlib

import pytest

from tests.support import machine
from tests.support.platform_env import HOST
from tests.support.servers import request

PING = json.dumps({"ping": "x" * 60_000}).encode()
PINGS_SENT = 3_000  # 180 MB, most of which a server that reads on keeps as pongs
GROWTH_ALLOWED = 48 * 1024 * 1024
SEND_SECONDS = 5.0  # a send blocked this long: the server has stopped reading
ATTACK_SECONDS = 60.0

GROUPS = {"digitalocean-asgi-daphne-redis-dj6.1-celery-s3", "digitalocean-asgi-uvicorn-redis-dj6.1"}
pytestmark = pytest.mark.only(groups=GROUPS)


@pytest.fixture(scope="module")
def server(start_web, web_servers):
    port = start_web()
    return port, web_servers[port]


def open_ping_socket(port: int) -> socket.socket:
    """A WebSocket to /ws/ping/ from a page of the site, as the router passes it on."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    head = [
        "GET /ws/ping/ HTTP/1.1",
        f"Host: {HOST}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover",
        f"Origin: https://{HOST}",
        "X-Forwarded-Proto: https",
    ]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(1)  # a byte at a time: nothing after the handshake is read
        if not chunk:
            break
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock, b"permessage-deflate" in answer.lower()


def text_frame(payload: bytes, compressed: bool) -> bytes:
    """A client's text frame (RFC 6455, 5.2), masked with a key of zeros; compressed,
    RSV1 set and the deflate stream's last four bytes left out (RFC 7692, 7.2.1)."""
    first = 0x81
    if compressed:
        deflate = zlib.compressobj(wbits=-15)
        payload = (deflate.compress(payload) + deflate.flush(zlib.Z_SYNC_FLUSH))[:-4]
        first |= 0x40
    if len(payload) < 126:
        length = bytes([0x80 | len(payload)])
    else:
        length = bytes([0x80 | 126]) + struct.pack("!H", len(payload))
    return bytes([first]) + length + bytes(4) + payload


def test_a_client_that_never_reads_cannot_grow_the_web_process(server):
    port, web = server
    before = machine.resident_bytes(machine.process_group(web.process.pid))
    peak, sent = before, 0
    sock, compressed = open_ping_socket(port)
    sock.settimeout(SEND_SECONDS)
    frame = text_frame(PING, compressed)
    deadline = time.monotonic() + ATTACK_SECONDS
    try:
        while sent < PINGS_SENT and time.monotonic() < deadline:
            try:
                sock.sendall(frame)
            except TimeoutError:
                break  # the server has stopped reading this client
            sent += 1
            if sent % 50 == 0:
                peak = max(peak, machine.resident_bytes(machine.process_group(web.process.pid)))
        time.sleep(1)  # the pongs of what the server has read
        peak = max(peak, machine.resident_bytes(machine.process_group(web.process.pid)))
        visit = request(port, "/", {"Host": HOST, "X-Forwarded-Proto": "https"})
    finally:
        sock.close()

    grew = peak - before
    assert grew < GROWTH_ALLOWED, (
        f"the web processes grew by {grew / 2**20:.0f} MB while a client sent {sent} pings"
        " and read none of the pongs"
    )
    assert visit.status == 200
    assert "Traceback" not in web.output, web.output[-3000:]

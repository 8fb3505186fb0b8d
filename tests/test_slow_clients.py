"""Attacker tier: slow clients. Heroku's router waits for a request's whole header
block before it passes the request on, but passes its body on as it comes, through a
1 KB buffer flushed as it fills ("HTTP Routing", Request buffering); App Platform's
edge documents no buffering of bodies. So a client that sends its body a byte at a
time reaches the web process at that pace, and so may slow headers wherever the edge
does not stop them.

While SLOW_BODIES clients each post a form (with a CSRF cookie, so that Django reads
the body) at one byte every BYTE_SECONDS, and SLOW_HEADERS more send their headers as
slowly, reconnecting whenever the server lets one go, a visitor's plain GET / is
answered within VISIT_SECONDS every time, through the exact web command of each
server (GROUPS).
"""

import asyncio
import threading
import time

import pytest

from tests.support.platform_env import HOST
from tests.support.servers import request
from tests.support.visitors import Visitor

SLOW_BODIES = 20
SLOW_HEADERS = 50
BYTE_SECONDS = 2.0
ATTACK_SECONDS = 11.0
VISITS = 6
VISIT_SECONDS = 3.0


# Every server, and both platforms: Heroku's gunicorn, App Platform's daphne and uvicorn.
GROUPS = {
    "heroku-wsgi-dj6.1-celery-s3",
    "digitalocean-asgi-daphne-redis-dj6.1-celery-s3",
    "digitalocean-asgi-uvicorn-redis-dj6.1",
}
pytestmark = pytest.mark.only(groups=GROUPS)


def slow_body_head(cookie: str) -> bytes:
    head = [
        "POST /accounts/login/ HTTP/1.1",
        f"Host: {HOST}",
        "X-Forwarded-Proto: https",
        "Content-Type: application/x-www-form-urlencoded",
        "Content-Length: 1000",
        f"Cookie: csrftoken={cookie}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


SLOW_HEADER_HEAD = (
    f"GET / HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\nX-Slow: ".encode()
)


async def trickle(port: int, head: bytes, first: int, until: float) -> int:
    """Send `head`'s first `first` bytes at once, then a byte every BYTE_SECONDS, on
    a new connection whenever the server closes one, until `until`: how many
    connections it took."""
    connections = 0
    while time.monotonic() < until:
        connections += 1
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(BYTE_SECONDS)
            continue
        try:
            writer.write(head[:first])
            await writer.drain()
            while time.monotonic() < until:
                await asyncio.sleep(BYTE_SECONDS)
                if reader.at_eof():
                    break
                writer.write(b"a")
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
    return connections


def attack(port: int, cookie: str, until: float) -> None:
    async def all_at_once():
        body, headers = slow_body_head(cookie), SLOW_HEADER_HEAD
        await asyncio.gather(
            *(trickle(port, body, len(body), until) for _ in range(SLOW_BODIES)),
            *(trickle(port, headers, len(headers), until) for _ in range(SLOW_HEADERS)),
        )

    asyncio.run(all_at_once())


@pytest.fixture(scope="module")
def server(start_web) -> int:
    return start_web()


def test_slow_clients_leave_other_visitors_served(server):
    visitor = Visitor(server)
    assert visitor.get("/accounts/login/")[0] == 200
    cookie = visitor.cookies["csrftoken"]
    until = time.monotonic() + ATTACK_SECONDS
    attacker = threading.Thread(target=attack, args=(server, cookie, until))
    attacker.start()
    try:
        time.sleep(2 * BYTE_SECONDS)  # every slow client connected and sending
        answers = []
        for _ in range(VISITS):
            started = time.monotonic()
            try:
                status = request(server, "/", {"Host": HOST, "X-Forwarded-Proto": "https"}).status
            except OSError as error:  # timed out (10 s) or refused
                status = type(error).__name__
            answers.append((status, round(time.monotonic() - started, 2)))
            time.sleep(1)
    finally:
        attacker.join(timeout=ATTACK_SECONDS + 30)

    assert all(status == 200 and took < VISIT_SECONDS for status, took in answers), answers

import asyncio

import pytest
from asgiref.testing import ApplicationCommunicator

from serving.http.body_limit import BodyLimit

LIMIT = 1000


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = LIMIT


async def asgi_echo(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def exchange(headers, chunks) -> list[dict]:
    return asyncio.run(exchange_async(headers, chunks))


async def exchange_async(headers, chunks) -> list[dict]:
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    communicator = ApplicationCommunicator(BodyLimit(asgi_echo), scope)
    for number, chunk in enumerate(chunks, 1):
        more_body = number < len(chunks)
        await communicator.send_input(
            {"type": "http.request", "body": chunk, "more_body": more_body}
        )
    messages = [await communicator.receive_output(timeout=5)]
    while messages[-1].get("more_body", messages[-1]["type"].endswith("start")):
        messages.append(await communicator.receive_output(timeout=5))
    await communicator.wait(timeout=5)
    return messages


def test_asgi_refuses_a_declared_length_over_the_limit_before_receiving():
    start, body = exchange([(b"content-length", str(LIMIT + 1).encode())], [])
    assert start["status"] == 413
    assert (b"connection", b"close") in start["headers"]
    assert body["body"].startswith(b"413 Content Too Large")


def test_the_refusal_carries_the_pages_security_headers(settings):
    settings.SECURE_HSTS_SECONDS = 3600  # as in production
    over = [(b"content-length", str(LIMIT + 1).encode())]
    start, _ = exchange([*over, (b"x-forwarded-proto", b"https")], [])

    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"].split("; ")
    assert headers["cross-origin-resource-policy"] == "same-origin"
    assert headers["strict-transport-security"].startswith("max-age=")


def test_asgi_cuts_a_chunked_body_at_the_limit():
    start, body = exchange([], [b"x" * 600, b"x" * 600])
    assert start["status"] == 413
    assert (b"connection", b"close") in start["headers"]

    start, body = exchange([], [b"x" * 500, b"x" * 500])
    assert start["status"] == 200 and body["body"] == b"x" * LIMIT

"""The limit on request bodies (serving/request_bodies.py), as each server meets it."""

import asyncio
import io

import pytest
from asgiref.testing import ApplicationCommunicator

from serving.request_bodies import ASGIBodyLimit, WSGIBodyLimit

LIMIT = 1000


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.MAX_REQUEST_BODY_BYTES = LIMIT


def wsgi_echo(environ, start_response):
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return [body]


class Unreadable(io.RawIOBase):
    def read(self, size=-1):
        raise AssertionError("the body was read")


def call_wsgi(environ, answer=None) -> tuple[str, bytes]:
    """(status, body); the headers too, in `answer`, if given."""
    answer = {} if answer is None else answer

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(WSGIBodyLimit(wsgi_echo)(environ, start_response))
    return answer["status"], body


def test_wsgi_refuses_a_declared_length_over_the_limit_unread():
    environ = {"CONTENT_LENGTH": str(LIMIT + 1), "wsgi.input": Unreadable()}
    status, body = call_wsgi(environ)
    assert status == "413 Content Too Large"
    assert body.startswith(b"413 Content Too Large: this site accepts requests")


def test_wsgi_reads_a_chunked_body_within_the_limit_and_cuts_a_longer_one():
    within = {"wsgi.input_terminated": True, "wsgi.input": io.BytesIO(b"x" * LIMIT)}
    assert call_wsgi(within) == ("200 OK", b"x" * LIMIT)
    over = {"wsgi.input_terminated": True, "wsgi.input": io.BytesIO(b"x" * (LIMIT + 1))}
    assert call_wsgi(over)[0] == "413 Content Too Large"


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
    communicator = ApplicationCommunicator(ASGIBodyLimit(asgi_echo), scope)
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
    over = {"CONTENT_LENGTH": str(LIMIT + 1), "wsgi.input": Unreadable()}
    answer = {}
    call_wsgi({**over, "HTTP_X_FORWARDED_PROTO": "https"}, answer)
    start, _ = exchange(
        [
            (b"content-length", str(LIMIT + 1).encode()),
            (b"x-forwarded-proto", b"https"),
        ],
        [],
    )

    for headers in (
        answer["headers"],
        {k.decode(): v.decode() for k, v in start["headers"]},
    ):
        headers = {name.lower(): value for name, value in headers.items()}
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["strict-transport-security"].startswith("max-age=")


def test_asgi_cuts_a_chunked_body_at_the_limit():
    start, body = exchange([], [b"x" * 600, b"x" * 600])
    assert start["status"] == 413
    assert (b"connection", b"close") in start["headers"]

    start, body = exchange([], [b"x" * 500, b"x" * 500])
    assert start["status"] == 200 and body["body"] == b"x" * LIMIT

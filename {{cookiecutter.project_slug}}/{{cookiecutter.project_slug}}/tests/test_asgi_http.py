"""HTTP through config/asgi.py: pages by WSGIBridge, static files by StaticFiles."""

import pytest
from asgiref.testing import ApplicationCommunicator

from config.static_files import BLOCK_BYTES, StaticFiles
from config.wsgi_bridge import WSGIBridge


async def not_found(scope, receive, send):
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def echo(environ, start_response):
    """A WSGI application that answers with what it was given."""
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    start_response("201 Created", [("Content-Type", environ["CONTENT_TYPE"])])
    yield f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} ".encode("latin-1")
    yield body


async def exchange(
    application, path, *, method="GET", body=(b"",), headers=(), scheme="https"
):
    """Every message the application sends for one request; `body` arrives in the
    given chunks."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(application, scope)
    for number, chunk in enumerate(body, 1):
        more_body = number < len(body)
        message = {"type": "http.request", "body": chunk, "more_body": more_body}
        await communicator.send_input(message)
    messages = [await communicator.receive_output(timeout=5)]  # the start
    while True:
        messages.append(await communicator.receive_output(timeout=5))
        if not messages[-1].get("more_body"):
            break
    await communicator.wait(timeout=5)
    return messages


@pytest.mark.asyncio
async def test_the_home_page_comes_through_the_wsgi_bridge_in_one_message(
    application,
):
    start, body = await exchange(application, "/")

    assert start["status"] == 200
    assert (b"content-type", b"text/html; charset=utf-8") in start["headers"]
    assert b'<a class="brand" href="/">' in body["body"]


@pytest.mark.asyncio
async def test_the_bridge_gives_wsgi_the_body_path_and_headers_and_streams_back():
    bridge = WSGIBridge(echo, threads=2)

    start, *bodies = await exchange(
        bridge,
        "/café",
        method="POST",
        body=[b"first half, ", b"second half"],
        headers=[(b"content-type", b"text/plain")],
    )

    assert start["status"] == 201
    assert start["headers"] == [(b"content-type", b"text/plain")]
    # A generator is a streaming response: each chunk is its own message.
    assert [body["body"] for body in bodies] == [
        "POST /café ".encode(),
        b"first half, second half",
        b"",
    ]


@pytest.fixture
def large_static_file(settings, tmp_path):
    """A static file of two and a half blocks, served from a fresh STATIC_ROOT."""
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    content = bytes(range(256)) * (BLOCK_BYTES * 5 // 2 // 256)
    (tmp_path / "large.bin").write_bytes(content)
    return content


@pytest.mark.asyncio
async def test_a_large_static_file_is_sent_in_blocks_with_security_headers(
    large_static_file,
):
    start, *bodies = await exchange(StaticFiles(not_found), "/static/large.bin")

    headers = dict(start["headers"])
    assert start["status"] == 200
    assert headers[b"content-length"] == str(len(large_static_file)).encode()
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert [len(body["body"]) for body in bodies] == [
        BLOCK_BYTES,
        BLOCK_BYTES,
        len(large_static_file) - 2 * BLOCK_BYTES,
    ]
    assert b"".join(body["body"] for body in bodies) == large_static_file


@pytest.mark.asyncio
async def test_a_range_of_a_static_file_is_sent_as_206(large_static_file):
    range_header = (b"range", b"bytes=10-19")
    start, body = await exchange(
        StaticFiles(not_found), "/static/large.bin", headers=[range_header]
    )

    assert start["status"] == 206
    assert body["body"] == large_static_file[10:20]


@pytest.mark.asyncio
async def test_other_paths_go_on_to_the_application(large_static_file):
    start, _ = await exchange(StaticFiles(not_found), "/static/missing.bin")

    assert start["status"] == 404


@pytest.mark.asyncio
async def test_the_routers_https_header_counts_as_https_for_static_files(
    large_static_file, settings
):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    forwarded = (b"x-forwarded-proto", b"https")

    start, *_ = await exchange(
        StaticFiles(not_found), "/static/large.bin", scheme="http", headers=[forwarded]
    )

    assert start["status"] == 200
    assert b"strict-transport-security" in dict(start["headers"])


@pytest.mark.asyncio
async def test_plain_http_static_goes_on_to_django_for_its_redirect(
    large_static_file, settings
):
    settings.SECURE_SSL_REDIRECT = True

    static_files = StaticFiles(not_found)  # not_found stands in for Django

    start, _ = await exchange(static_files, "/static/large.bin", scheme="http")

    assert start["status"] == 404

"""HTTP through config/asgi.py: static files, each request to the handler its view
needs, sync views through the WSGI bridge."""

import asyncio
import io
import threading
import tracemalloc

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf.urls.i18n import i18n_patterns
from django.contrib.auth import get_user_model
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.views import View

from serving import http_application
from serving.http import handlers
from serving.http.bridge import SPOOL_BYTES, WSGIBridge, read_body
from serving.http.handlers import AsyncViews, ViewTypeRouter
from serving.http.static_files import BLOCK_BYTES, StaticFiles


async def not_found(scope, receive, send):
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def echo(environ, start_response):
    """A WSGI application that answers with what it was given."""
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    start_response("201 Created", [("Content-Type", environ["CONTENT_TYPE"])])
    yield f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} ".encode("latin-1")
    yield body


def http_scope(path, *, method="GET", headers=(), scheme="https"):
    return {
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


async def exchange(
    application, path, *, method="GET", body=(b"",), headers=(), scheme="https"
):
    """Every message the application sends for one request; `body` arrives in the
    given chunks."""
    scope = http_scope(path, method=method, headers=headers, scheme=scheme)
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


async def test_the_home_page_comes_through_the_wsgi_bridge_in_one_message(
    application,
):
    start, body = await exchange(application, "/")

    assert start["status"] == 200
    assert (b"content-type", b"text/html; charset=utf-8") in start["headers"]
    assert b'<a class="brand" href="/">' in body["body"]


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


async def test_a_body_past_the_spool_size_waits_on_disk_not_in_memory():
    chunk = b"x" * SPOOL_BYTES
    messages = [{"type": "http.request", "body": chunk, "more_body": True}] * 15
    messages.append({"type": "http.request", "body": chunk})

    async def receive():
        return messages.pop(0)

    tracemalloc.start()
    try:
        body, length = await read_body(receive)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with body:
        assert length == 16 * SPOOL_BYTES and len(body.read()) == length
    assert peak < 4 * SPOOL_BYTES  # held in memory, the 1 MiB body would peak past it


async def test_headers_with_underscores_are_dropped_as_django_drops_them():
    def forwarded_proto(environ, start_response):
        start_response("200 OK", [])
        return [environ.get("HTTP_X_FORWARDED_PROTO", "none").encode()]

    bridge = WSGIBridge(forwarded_proto, threads=1)

    _, with_underscores, _ = await exchange(
        bridge, "/", headers=[(b"x_forwarded_proto", b"https")]
    )
    _, with_hyphens, _ = await exchange(
        bridge, "/", headers=[(b"x-forwarded-proto", b"https")]
    )

    assert (with_underscores["body"], with_hyphens["body"]) == (b"none", b"https")


async def test_a_file_response_goes_out_in_blocks_as_large_as_djangos():
    content = bytes(range(256)) * 800  # three blocks and a bit

    def download(environ, start_response):
        response = FileResponse(io.BytesIO(content))
        start_response("200 OK", list(response.items()))
        return response

    _, *bodies = await exchange(WSGIBridge(download, threads=1), "/download")

    sizes = [len(body["body"]) for body in bodies]
    assert sizes == [DjangoASGIHandler.chunk_size] * 3 + [len(content) % 65536, 0]
    assert b"".join(body["body"] for body in bodies) == content


async def leave_after_first_chunk(application, path):
    """Read a streaming response's first chunk, then go away as a browser does."""
    communicator = ApplicationCommunicator(application, http_scope(path))
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=5)
    first = await communicator.receive_output(timeout=5)
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=5)
    return start, first


async def test_a_sync_stream_stops_and_cleans_up_when_the_client_leaves():
    cleaned_up = threading.Event()

    def endless(environ, start_response):
        def events():
            try:
                while True:
                    yield b"data: tick\n\n"
            finally:
                cleaned_up.set()

        start_response("200 OK", [("Content-Type", "text/event-stream")])
        return events()

    start, first = await leave_after_first_chunk(WSGIBridge(endless, threads=1), "/")

    assert (start["status"], first["body"]) == (200, b"data: tick\n\n")
    assert cleaned_up.wait(timeout=5)


async def test_an_async_stream_from_a_sync_view_sends_each_chunk_as_it_comes():
    second_may_come, cleaned_up = asyncio.Event(), asyncio.Event()

    async def events():
        try:
            yield "data: first\n\n"
            await second_may_come.wait()  # a buffering bridge would hang here
            yield "data: second\n\n"
            await asyncio.sleep(60)
        finally:
            cleaned_up.set()

    def sync_view(environ, start_response):
        response = StreamingHttpResponse(events(), content_type="text/event-stream")
        start_response("200 OK", list(response.items()))
        return response

    communicator = ApplicationCommunicator(
        WSGIBridge(sync_view, threads=1), http_scope("/")
    )
    await communicator.send_input({"type": "http.request", "body": b""})
    await communicator.receive_output(timeout=5)  # the start
    first = await communicator.receive_output(timeout=5)
    second_may_come.set()
    second = await communicator.receive_output(timeout=5)
    await communicator.send_input({"type": "http.disconnect"})
    await communicator.wait(timeout=5)

    assert (first["body"], second["body"]) == (b"data: first\n\n", b"data: second\n\n")
    assert cleaned_up.is_set()


async def async_view(request):
    return HttpResponse("async")


def sync_view(request):
    return HttpResponse("sync")


class AsyncClassView(View):
    async def get(self, request):
        return HttpResponse("async")


async def sync_work_threads(request):
    """The threads two sync calls of this request run on."""
    first = await sync_to_async(threading.get_ident)()
    await request_may_end.wait()
    second = await sync_to_async(threading.get_ident)()
    return HttpResponse(f"{first} {second}")


request_may_end = asyncio.Event()
threads_may_go = threading.Event()


async def count_then_ask(request):
    """Whether the request's thread still holds a connection after an async query."""
    await get_user_model().objects.acount()
    held = await sync_to_async(lambda: connection.connection is not None)()
    return HttpResponse("held" if held else "given back")


async def hold_an_async_views_thread(request):
    await sync_to_async(threads_may_go.wait)(timeout=10)
    return HttpResponse("let go")


def hold_a_thread(request):
    """A sync view that keeps its thread until the test lets it go."""
    threads_may_go.wait(timeout=10)
    return HttpResponse("let go")


urlpatterns = [
    path("threads/", sync_work_threads),
    path("count-then-ask/", count_then_ask),
    path("hold/", hold_a_thread),
    path("hold-async/", hold_an_async_views_thread),
    path("async/", async_view),
    path("sync/", sync_view),
    path("async-class/", AsyncClassView.as_view()),
    *i18n_patterns(path("translated/", async_view), prefix_default_language=False),
]


def answering(name):
    async def application(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": name.encode()})

    return application


@pytest.mark.parametrize(
    ("path", "handler"),
    [
        ("/async/", "async"),
        ("/async-class/", "async"),
        ("/sync/", "sync"),
        ("/translated/", "async"),  # i18n_patterns, in LANGUAGE_CODE
        ("/fr/translated/", "async"),  # and with a language prefix
        ("/no-such-page/", "sync"),  # Django's 404, as usual
        ("/probe", "async"),
    ],
)
async def test_each_request_goes_to_the_handler_its_view_is_written_for(
    settings, path, handler
):
    settings.ROOT_URLCONF = __name__
    router = ViewTypeRouter(answering("sync"), answering("async"), ["/probe"])

    _, body = await exchange(router, path)

    assert body["body"] == handler.encode()


async def test_each_async_request_has_a_thread_to_itself_lent_again_after_it(settings):
    settings.ROOT_URLCONF = __name__
    handler = AsyncViews()
    request_may_end.clear()

    together = [asyncio.ensure_future(exchange(handler, "/threads/")) for _ in range(2)]
    await asyncio.sleep(0.2)
    request_may_end.set()
    answers = [
        body["body"].decode().split() for _, body in await asyncio.gather(*together)
    ]
    _, later = await exchange(handler, "/threads/")

    (first_a, second_a), (first_b, second_b) = answers
    assert first_a == second_a and first_b == second_b  # one thread per request
    assert first_a != first_b  # two requests at once, two threads
    assert later["body"].decode().split()[0] in (first_a, first_b)  # lent again


async def test_past_its_threads_the_handler_lends_requests_one_shared_thread(
    settings, monkeypatch
):
    settings.ROOT_URLCONF = __name__
    monkeypatch.setattr(handlers, "REQUEST_THREADS", 2)
    handler = AsyncViews()
    request_may_end.clear()

    together = [asyncio.ensure_future(exchange(handler, "/threads/")) for _ in range(5)]
    await asyncio.sleep(0.2)
    request_may_end.set()
    answers = [body["body"].split()[0] for _, body in await asyncio.gather(*together)]

    assert len(answers) == 5
    assert len(set(answers)) == 3  # two of their own, and one for the other three
    assert handler.threads == 2 and len(handler.idle_threads) == 2


@pytest.mark.django_db(transaction=True)
async def test_an_async_view_gives_its_connection_back_after_each_query(settings):
    """So that one which then awaits something slow holds none meanwhile."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: an in-memory SQLite database is never closed")
    settings.ROOT_URLCONF = __name__

    _, body = await exchange(AsyncViews(), "/count-then-ask/")

    assert body["body"] == b"given back"


async def probe_statuses_while_held(application, path: str, held: int) -> list[int]:
    """The probes' statuses while `held` requests of `path` wait, let go after."""
    threads_may_go.clear()
    holding = []
    for _ in range(held):
        holding.append(ApplicationCommunicator(application, http_scope(path)))
        await holding[-1].send_input({"type": "http.request", "body": b""})
    await asyncio.sleep(0.2)
    try:
        probe_host = [(b"host", b"10.0.0.7")]  # by IP, as the platform probes
        answers = [
            await exchange(application, probe, headers=probe_host, scheme="http")
            for probe in ("/healthz", "/readyz")
        ]
    finally:
        threads_may_go.set()
        for request in holding:
            await request.wait(timeout=10)
    return [start["status"] for start, *_ in answers]


@pytest.mark.django_db(transaction=True)
async def test_the_probes_answer_while_every_thread_for_sync_views_is_busy(
    application, settings
):
    settings.ROOT_URLCONF = __name__
    held = settings.WEB_THREADS + 1  # one more waits for a thread

    statuses = await probe_statuses_while_held(application, "/hold/", held)

    assert statuses == [200, 200]


@pytest.mark.django_db(transaction=True)
async def test_the_probes_answer_while_every_thread_for_async_views_is_busy(
    settings, monkeypatch
):
    settings.ROOT_URLCONF = __name__
    monkeypatch.setattr(handlers, "REQUEST_THREADS", 1)
    application = http_application(get_wsgi_application())
    held = 2  # one on its own thread, one on the shared thread

    statuses = await probe_statuses_while_held(application, "/hold-async/", held)

    assert statuses == [200, 200]


@pytest.fixture
def large_static_file(settings, tmp_path):
    """A static file of two and a half blocks, served from a fresh STATIC_ROOT."""
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    content = bytes(range(256)) * (BLOCK_BYTES * 5 // 2 // 256)
    (tmp_path / "large.bin").write_bytes(content)
    return content


async def test_a_large_static_file_is_sent_in_blocks_with_security_headers(
    large_static_file,
):
    start, *bodies = await exchange(StaticFiles(not_found), "/static/large.bin")

    headers = dict(start["headers"])
    assert start["status"] == 200
    assert headers[b"content-length"] == str(len(large_static_file)).encode()
    # The security headers of settings.SECURITY_HEADERS_MIDDLEWARE, as on pages.
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"cross-origin-resource-policy"] == b"same-origin"
    assert b"default-src 'none'" in headers[b"content-security-policy"]
    assert [len(body["body"]) for body in bodies] == [
        BLOCK_BYTES,
        BLOCK_BYTES,
        len(large_static_file) - 2 * BLOCK_BYTES,
    ]
    assert b"".join(body["body"] for body in bodies) == large_static_file


async def test_a_range_of_a_static_file_is_sent_as_206(large_static_file):
    range_header = (b"range", b"bytes=10-19")
    start, body = await exchange(
        StaticFiles(not_found), "/static/large.bin", headers=[range_header]
    )

    assert start["status"] == 206
    assert body["body"] == large_static_file[10:20]


async def test_other_paths_go_on_to_the_application(large_static_file):
    start, _ = await exchange(StaticFiles(not_found), "/static/missing.bin")

    assert start["status"] == 404


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


async def test_plain_http_static_goes_on_to_django_for_its_redirect(
    large_static_file, settings
):
    settings.SECURE_SSL_REDIRECT = True

    static_files = StaticFiles(not_found)  # not_found stands in for Django

    start, _ = await exchange(static_files, "/static/large.bin", scheme="http")

    assert start["status"] == 404

"""Request bodies: anyone can POST a large body to any URL. Under every server choice
(gunicorn, daphne, uvicorn), through the web command, a body over the project's
limit (DJANGO_MAX_REQUEST_BODY_BYTES, 10 MB by default) is refused before it is
read: a declared Content-Length gets 413 as soon as the headers arrive, a chunked
body is cut at the limit, and four 150 MB bodies at once neither grow the web
process tree's memory nor fill its temporary directory. Bodies within the limit
(a log-in, declared or chunked) are served as before. Response headers a view sets
reach the client as latin-1, as PEP 3333 and Django's ASGI handler write them.

The test adds two views (a module on PYTHONPATH with its own URLconf around the
project's, as test_restarts.py does), one sync and one async, that set a header
with a latin-1 character; the project itself is unchanged.
"""

import http.client
import os
import re
import socket
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support import machine
from tests.support.content_policy import directives
from tests.support.large_bodies import (
    ANSWER_TIMEOUT,
    LARGE,
    LargeBody,
    read_answer,
    request_head,
    status_of,
)
from tests.support.platform_env import HOST
from tests.support.visitors import CSRF_INPUT, Visitor, form_headers

# The security headers of every answer, a 413 given before Django runs included.
ANSWER_HEADERS = (
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "content-security-policy",
)

LIMIT = 10 * 1024 * 1024  # the generated settings' default
# The growth a 512 MB dyno can afford, for all four bodies together.
GROWTH_ALLOWED = 64 * 1024 * 1024
# A body the server stopped reading was cut long before its end: what it read up to
# the limit, plus what the kernel's socket buffers took.
SENT_ALLOWED = 64 * 1024 * 1024
PASSWORD = "bodies-pass-1234"
# A sync view (the WSGI bridge under ASGI) and a path Django's ASGI handler serves.
PATHS = ["/accounts/login/", "/healthz"]
FILENAME = 'attachment; filename="café.txt"'

HEADER_VIEWS = f"""
from django.http import HttpResponse
from django.urls import include, path


def download(request):
    response = HttpResponse("café", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = {FILENAME!r}
    return response


async def async_download(request):
    return download(request)


urlpatterns = [
    path("download/", download),
    path("async-download/", async_download),
    path("", include("config.urls")),
]
"""
HEADER_SETTINGS = """
from config.settings import *  # noqa: F403

ROOT_URLCONF = "body_urls"
"""

marked = pytest.mark.only(platform="heroku", django_version="6.1", channel_layer="redis")


@pytest.fixture(scope="module")
def web(start_web, web_servers, tmp_path_factory):
    """One web process for the module, with a temporary directory of its own (TMPDIR,
    which Python's tempfile, twisted and Django's uploads use)."""
    modules = tmp_path_factory.mktemp("body-modules")
    (modules / "body_urls.py").write_text(HEADER_VIEWS)
    (modules / "body_settings.py").write_text(HEADER_SETTINGS)
    temporary = tmp_path_factory.mktemp("body-tmp")
    port = start_web(
        PYTHONPATH=str(modules), DJANGO_SETTINGS_MODULE="body_settings", TMPDIR=str(temporary)
    )
    return port, web_servers[port], temporary


def temporary_bytes(pids: list[int], directory: Path) -> int:
    """The size of every file in `directory` the processes hold open, deleted ones
    (twisted's and tempfile's TemporaryFile) included."""
    total = 0
    for pid in pids:
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(descriptor).startswith(str(directory)):
                    total += descriptor.stat().st_size
            except OSError:
                continue
    return total


@marked
@pytest.mark.parametrize("path", PATHS)
def test_a_declared_length_over_the_limit_gets_413_before_the_body_is_sent(web, path):
    port, server, _ = web
    framing = f"Content-Length: {LIMIT + 1}"
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT) as sock:
        sock.sendall(request_head(path, framing))  # and not a byte of the body
        answer = read_answer(sock)
    assert status_of(answer) == 413, answer[:500]
    assert b"this site accepts requests of up to 10 MB" in answer, answer[:500]
    assert "Traceback" not in server.output, server.output[-3000:]
    # Answered before Django's middleware, with the headers it gives every page.
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
    for header in ANSWER_HEADERS:
        assert f"\r\n{header}: " in head, head
    policy = re.search(r"\r\ncontent-security-policy: ([^\r]*)", head).group(1)
    assert directives(policy)["default-src"] == ["'none'"], head


@marked
@pytest.mark.parametrize(
    ("protos", "secure"), [(("https", "http"), True), (("http", "https"), False)]
)
def test_a_413_reads_the_first_forwarded_proto_as_django_does(web, protos, secure):
    port, _, _ = web
    head = request_head("/accounts/login/", f"Content-Length: {LIMIT + 1}")
    head = head.replace(b"X-Forwarded-Proto: https", b"X-Forwarded-Proto: %s" % protos[0].encode())
    head = head.replace(b"\r\n\r\n", b"\r\nX-Forwarded-Proto: %s\r\n\r\n" % protos[1].encode())
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT) as sock:
        sock.sendall(head)
        answer = read_answer(sock)
    assert status_of(answer) == 413, answer[:500]
    has_hsts = b"\r\nstrict-transport-security: " in answer.partition(b"\r\n\r\n")[0].lower()
    assert has_hsts == secure, answer[:1000]


@marked
@pytest.mark.parametrize("path", PATHS)
def test_a_chunked_body_is_cut_at_the_limit(web, path):
    port, server, _ = web
    body = LargeBody(port, path, chunked=True)
    body.join()
    assert body.error is None, body.error
    assert body.sent < SENT_ALLOWED, f"the server read {body.sent} bytes of {LARGE}"
    # 413, unless the connection was reset before the answer could be read.
    assert status_of(body.answer) in (413, None), body.answer[:500]
    assert "Traceback" not in server.output, server.output[-3000:]


@marked
def test_bodies_within_the_limit_are_served(web, create_users):
    port, _, _ = web
    create_users(["bodies-user"], PASSWORD)
    Visitor(port).log_in("bodies-user", PASSWORD)  # a declared Content-Length

    # The same log-in, sent in chunks (no Content-Length), as a client may stream it.
    visitor = Visitor(port)
    status, page = visitor.get("/accounts/login/")
    assert status == 200
    fields = {
        "login": "bodies-user",
        "password": PASSWORD,
        "csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1),
    }
    body = urlencode(fields).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in visitor.cookies.items()),
            **form_headers("/accounts/login/"),
        }
        conn.request(
            "POST",
            "/accounts/login/",
            body=iter([body[:10], body[10:]]),
            headers=headers,
            encode_chunked=True,
        )
        response = conn.getresponse()
        assert response.status == 302, response.read()[:2000]
        assert "sessionid" in (response.getheader("Set-Cookie") or "")
    finally:
        conn.close()


@marked
def test_a_bad_limit_is_refused_in_one_sentence(deployed_project, production_env, run):
    env = {**production_env, "DJANGO_MAX_REQUEST_BODY_BYTES": "10MB"}
    result = run(["python", "-c", "import config.settings"], cwd=deployed_project, env=env)
    assert result.returncode != 0
    assert (
        "DJANGO_MAX_REQUEST_BODY_BYTES is '10MB': set it to a whole number of bytes,"
        " at least 1, like 10485760." in result.stderr
    ), result.stderr[-2000:]


@marked
@pytest.mark.parametrize("path", ["/download/", "/async-download/"])
def test_a_header_value_reaches_the_client_as_latin_1(web, path):
    port, _, _ = web
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status == 200
    # http.client reads header bytes as latin-1: é arrives as the one byte 0xE9, as
    # gunicorn writes it, not as UTF-8's two (which would read "cafÃ©").
    assert response.getheader("Content-Disposition") == FILENAME


@marked
def test_four_large_bodies_at_once_keep_memory_and_disk(web):
    port, server, temporary = web
    group = machine.process_group(server.process.pid)
    memory_before = machine.resident_bytes(group)
    bodies = [LargeBody(port, path, chunked) for path in PATHS for chunked in (False, True)]
    memory_peak, disk_peak = memory_before, 0
    deadline = time.monotonic() + 120
    while any(body.thread.is_alive() for body in bodies) and time.monotonic() < deadline:
        group = machine.process_group(server.process.pid)
        memory_peak = max(memory_peak, machine.resident_bytes(group))
        disk_peak = max(disk_peak, temporary_bytes(group, temporary))
        time.sleep(0.05)
    for body in bodies:
        body.join()

    grew = memory_peak - memory_before
    assert grew < GROWTH_ALLOWED, f"the web processes grew by {grew / 2**20:.0f} MB"
    assert disk_peak < GROWTH_ALLOWED, f"{disk_peak / 2**20:.0f} MB of temporary files"
    for body in bodies:
        assert body.error is None, body.error
        assert body.sent < SENT_ALLOWED, f"{body.path}: the server read {body.sent} bytes"
        assert status_of(body.answer) in (413, None), body.answer[:500]
    assert "Traceback" not in server.output, server.output[-3000:]

"""Live server: each runtime group's exact web command, on the real PostgreSQL and Redis.

The server runs the project as deployed (a git clone, collectstatic done at build
time) with the environment its Procfile/app.json or .do/app.yaml provide, HSTS
raised to a year as README.md says to once the site works over HTTPS (the first
value, an hour, is test_django.py's). Requests carry the headers the platform's
router adds; the router itself is the one part that cannot exist here (router.py
stands in for it where a client needs TLS: the HTTP Observatory's scanner).
"""

import asyncio
import functools
import http.client
import json
import re
import time
from urllib.parse import urlencode, urlsplit

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support import machine, observatory, platform_env, user_views
from tests.support.combinations import served_by_gunicorn
from tests.support.content_policy import directives
from tests.support.router import Router
from tests.support.servers import Server, request
from tests.support.visitors import form_headers, open_websocket, replies_until_closed

HOST = platform_env.HOST
FROM_ROUTER = {"Host": HOST, "X-Forwarded-Proto": "https"}
# The WebSocket message limit every server choice is given (RFC 6455 close 1009 above).
MAX_MESSAGE_BYTES = 64 * 1024
A_YEAR = 365 * 24 * 3600
# The headers a browser acts on for any response, a static file's too.
SECURITY_HEADERS = (
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "content-security-policy",
)
# Those of every answer: the site's own error pages' and redirects' too.
ANSWER_HEADERS = (*SECURITY_HEADERS, "x-frame-options")
# What the HTTP Observatory grades A+ with the bonuses a strict policy earns.
OBSERVATORY_MINIMUM = 125
# Seconds after its first answer by which a web process has opened what it opens.
SETTLE_SECONDS = 2
# Rounds of ten readiness probes, at most, until every web process has answered one.
WARM_UP_ROUNDS = 20


@pytest.fixture(scope="module")
def server(start_web, deployed_project) -> int:
    # On Heroku HOME is the app's directory (/app): what the web process leaves in
    # HOME lands beside the app's files.
    return start_web(DJANGO_HSTS_SECONDS=str(A_YEAR), HOME=str(deployed_project))


def test_home_page_over_https(server, production_env):
    response = request(server, "/", FROM_ROUTER)

    assert response.status == 200, response.body[:500]
    assert response.headers["strict-transport-security"] == f"max-age={A_YEAR}"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert response.headers["cross-origin-resource-policy"] == "same-origin"
    # Nothing from elsewhere but the uploads' pictures (from the suite's S3 here), and
    # no nonce where the page has no inline script or style to use it.
    s3 = production_env.get("AWS_S3_ENDPOINT_URL")
    assert directives(response.headers["content-security-policy"]) == {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", s3] if s3 else ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }


def test_static_files_carry_the_pages_security_headers(server):
    """WhiteNoise's middleware under WSGI, serving/static_files.py under ASGI."""
    page = request(server, "/", FROM_ROUTER)
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.body.decode()).group(1)

    static = request(server, stylesheet, FROM_ROUTER)

    assert static.status == 200
    assert {name: static.headers.get(name) for name in SECURITY_HEADERS} == {
        name: page.headers[name] for name in SECURITY_HEADERS
    }


@pytest.mark.pairwise
def test_the_http_observatory_grades_it_a_plus(
    server, observatory_scanner, certificates, shared_dir, record_property
):
    """MDN's scanner, as it scans a site: http:// on port 80 and https:// on 443 of
    the host, the router's, with a certificate from a CA the scanner trusts. On the
    groups that try every pair of answers: the headers it grades are this module's
    other tests' on every group."""
    if not observatory.can_bind_low_ports():
        machine.unavailable(
            "The HTTP Observatory scan serves 127.0.0.1:80 and :443: run as root, or"
            " allow it with `sysctl -w net.ipv4.ip_unprivileged_port_start=80`."
        )
    with observatory.ports_lock(shared_dir):
        router = Router(
            server,
            (certificates.signed, certificates.signed_key),
            port=observatory.HTTPS_PORT,
            http_port=observatory.HTTP_PORT,
        )
        try:
            report = observatory.scan(observatory_scanner, HOST, certificates.ca)
        finally:
            router.stop()
    score, grade = report["scan"]["score"], report["scan"]["grade"]
    record_property("observatory", f"{score} ({grade})")
    tests = report["tests"].values()
    lost = [test["result"] for test in tests if test["scoreModifier"] < 0]

    assert score >= OBSERVATORY_MINIMUM and not lost, f"{score} ({grade}), points lost: {lost}"


def test_missing_page_is_the_sites_404_not_a_debug_page(server):
    response = request(server, "/no-such-page/", FROM_ROUTER)
    body = response.body.decode()

    assert response.status == 404
    assert "Page not found" in body and 'class="site-header"' in body
    assert "URLconf" not in body and "Traceback" not in body


def test_a_form_sent_without_its_csrf_cookie_gets_the_sites_403_page(server):
    """A tab left open, cookies cleared: the site's page, not Django's, whose inline
    style the policy refuses."""
    form = urlencode({"login": "someone", "password": "not-a-password"})
    headers = {**FROM_ROUTER, **form_headers("/accounts/login/")}
    response = request(server, "/accounts/login/", headers, method="POST", body=form)
    body = response.body.decode()

    assert response.status == 403, body[:500]
    assert "<h1>This form has expired</h1>" in body and 'class="site-header"' in body
    assert "<style" not in body


def test_pages_a_visitor_can_reach_from_home(server):
    for path in ("/accounts/signup/", "/accounts/login/"):
        response = request(server, path, FROM_ROUTER)
        assert response.status == 200, (path, response.body[:500])
        assert b"<title>" in response.body and b" \xc2\xb7 " in response.body, path


def test_the_admins_login_sends_visitors_to_the_sites(server):
    """The admin's own form would take passwords past the accounts' rate limits."""
    response = request(server, "/admin/login/?next=/admin/", FROM_ROUTER)

    assert response.status == 302, response.body[:500]
    assert response.headers["location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_plain_http_is_redirected_to_https(server):
    response = request(server, "/", {"Host": HOST})

    assert response.status == 301
    assert response.headers["location"] == f"https://{HOST}/"
    # The page's headers, but HSTS, which means nothing over plain HTTP.
    missing = [name for name in ANSWER_HEADERS if name not in response.headers]
    assert missing == ["strict-transport-security"], missing


def test_an_underscored_forwarded_header_does_not_pass_for_https(server):
    """Only the router's X-Forwarded-Proto says HTTPS: X_Forwarded_Proto, which a WSGI
    environ would name the same, is dropped as gunicorn and Django's ASGI handler
    drop it, on every server choice."""
    response = request(server, "/", {"Host": HOST, "X_Forwarded_Proto": "https"})

    assert response.status == 301
    assert response.headers["location"] == f"https://{HOST}/"


def test_health_check_answers_a_probe_by_ip_over_plain_http(server, web_servers, runtime_answers):
    response = request(server, "/healthz", platform_env.PROBE_HEADERS)

    assert (response.status, response.body) == (200, b"ok")
    # The probe comes to the instance's own address: the server listens on every
    # interface at PORT, and its start line says so (under gunicorn with reuse_port,
    # where only the workers bind, gunicorn.conf.py names the address in it).
    if served_by_gunicorn(runtime_answers):
        start_line = f"Listening at: http://0.0.0.0:{server} ("
    else:
        start_line = f"Listening on TCP address 0.0.0.0:{server}"
    assert start_line in web_servers[server].output, web_servers[server].output[:2000]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_probes_carry_the_pages_security_headers(server, path):
    """Answered before the HTTPS redirect and the host check, so before Django's
    security middleware: with the same headers all the same (and, over HTTPS through
    the router, HSTS)."""
    page = request(server, "/", FROM_ROUTER)
    probe = request(server, path, FROM_ROUTER)

    assert probe.status == 200
    for name in SECURITY_HEADERS:
        if name != "content-security-policy":
            assert probe.headers.get(name) == page.headers[name], name
    assert directives(probe.headers["content-security-policy"])["default-src"] == ["'none'"]


def test_the_web_process_opens_no_socket_in_the_apps_directory(
    server, deployed_project, web_servers
):
    """gunicorn 25.1 and later serves its control interface from a socket in HOME
    unless told not to: one more way into the process, which nothing uses. Its master
    opens it from a thread once the workers are forked, so look once the server has
    answered for a while."""
    time.sleep(max(0.0, web_servers[server].answered_at + SETTLE_SECONDS - time.monotonic()))
    sockets = [path for path in deployed_project.rglob("*") if path.is_socket()]

    assert sockets == []


def test_readiness_probe_by_ip_over_plain_http(server, runtime_answers):
    response = request(server, "/readyz", platform_env.PROBE_HEADERS)

    expected = {"database": "ok"}
    if runtime_answers["interface"] == "asgi":
        expected["channel_layer"] = "ok"
    assert (response.status, json.loads(response.body)) == (200, expected)


def test_a_flood_of_readiness_probes_opens_few_database_sessions(server, database_url, web_servers):
    """App Platform's checks, an uptime service or anyone may poll /readyz: 100
    probes, ten at a time, share recent answers and kept connections."""
    database = database_url.rsplit("/", 1)[1]
    database_port = urlsplit(database_url).port
    probe = functools.partial(user_views.get, server, "/readyz", timeout=10)
    headers = platform_env.PROBE_HEADERS

    async def flood(rounds: int):
        answers = []
        for _ in range(rounds):
            answers += await asyncio.gather(*(probe(headers=headers) for _ in range(10)))
            await asyncio.sleep(0.1)
        return answers

    # A web process's first probe connects it (and fills its pool). Which process
    # accepts a probe is the kernel's choice, and gunicorn may fork its last worker
    # after the first one answers: probe until every process there is has connected.
    for _ in range(WARM_UP_ROUNDS):
        asyncio.run(flood(1))
        serving = machine.serving_processes(web_servers[server].process.pid)
        if all(machine.holds_connection_to(pid, database_port) for pid in serving):
            break
    else:
        raise AssertionError(f"of the web processes {serving}, some never connected")
    before = machine.sessions_opened(database)
    answers = asyncio.run(flood(10))
    time.sleep(0.5)  # a closed session's count reaches the statistics as it ends
    opened = machine.sessions_opened(database) - before

    assert {answer.status for answer in answers} == {200}
    # Each web process (gunicorn runs two) keeps its connection, on its readiness
    # thread or in its pool: one new session each at most, where each probe made one.
    assert opened <= 2, f"100 probes opened {opened} database sessions"


def test_the_web_process_says_nothing_of_a_missing_env_file(server, web_servers):
    # The platform has no .env: it sets each value in the app's config.
    output = web_servers[server].output.splitlines()

    assert [line for line in output if ".env" in line] == []


def test_unknown_host_is_refused_with_one_log_line(server, web_servers):
    logged_before = len(web_servers[server].output)
    response = request(server, "/", {"Host": "attacker.example", "X-Forwarded-Proto": "https"})
    time.sleep(0.2)  # the log line is written after the answer
    logged = web_servers[server].output[logged_before:]

    assert response.status == 400
    assert "<h1>Bad request</h1>" in response.body.decode()  # the site's own page
    assert [name for name in ANSWER_HEADERS if name not in response.headers] == []
    assert "Invalid HTTP_HOST header: 'attacker.example'" in logged
    assert "Traceback" not in logged, logged


def test_static_files_have_far_future_cache_headers(server):
    home = request(server, "/", FROM_ROUTER).body.decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home).group(1)

    response = request(server, stylesheet, FROM_ROUTER)

    assert response.status == 200
    # A content hash in the name is what makes a one-year cache safe.
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), stylesheet
    assert "max-age=315360000" in response.headers["cache-control"]
    assert "immutable" in response.headers["cache-control"]


@pytest.mark.only(interface="asgi")
def test_websocket_round_trip(server):
    with open_websocket(server, "/ws/ping/") as websocket:
        for ping in range(3):
            websocket.send(json.dumps({"ping": ping}))
            assert json.loads(websocket.recv(timeout=10)) == {"pong": ping}


def answer_to(port: int, route: str, frame: str | bytes) -> tuple[str | None, int | None]:
    """Send one frame on a new WebSocket: (the error it answers, if any, the code it
    is closed with)."""
    messages, code = replies_until_closed(port, route, frame)
    errors = [json.loads(message)["error"] for message in messages]
    if len(errors) > 1:
        raise AssertionError(f"{route} answered {frame[:20]!r} with {len(errors)} errors")
    return (errors[0] if errors else None), code


@pytest.mark.only(interface="asgi")
def test_bad_websocket_input_is_the_clients_error(server, web_servers, runtime_answers):
    """Each malformed frame gets a documented answer (an error, then a close code; the
    server's own 1009 for a message over the limit), one WARNING line at most and
    never a traceback, while a socket opened before goes on working."""
    logged_before = len(web_servers[server].output)
    with open_websocket(server, "/ws/ping/") as bystander:
        binary = answer_to(server, "/ws/ping/", b"\x00\x01")
        not_json = answer_to(server, "/ws/ping/", "ping")
        # Nested far deeper than Python's recursion limit, and still under 64 KiB.
        too_deep = answer_to(server, "/ws/ping/", "[" * 20_000 + "]" * 20_000)
        to_feed = answer_to(server, "/ws/live/", '{"hello": "feed"}')
        # What msgpack, the Redis layer's encoding, cannot carry: on every layer.
        huge = answer_to(server, "/ws/ping/", json.dumps({"ping": 2**70}))
        surrogate = answer_to(server, "/ws/ping/", '{"ping": "\\ud800"}')
        too_big = answer_to(server, "/ws/ping/", "x" * (MAX_MESSAGE_BYTES + 1))
        bystander.send("[1, 2]")
        wrong_shape = json.loads(bystander.recv(timeout=10))
        bystander.send(json.dumps({"ping": "still here"}))
        still_working = json.loads(bystander.recv(timeout=10))
    time.sleep(0.2)  # log lines of the last close
    output = web_servers[server].output[logged_before:]

    assert binary == ("/ws/ping/ does not take a binary frame", 4003)
    assert not_json == ("/ws/ping/ does not take text that is not JSON", 4007)
    assert too_deep == ("/ws/ping/ does not take JSON nested too deep", 4007)
    assert to_feed[1] == 4003
    assert huge == surrogate == ("/ws/ping/ does not take JSON a layer cannot carry", 4007)
    # uvicorn closes with 1009; daphne (autobahn, failByDrop) drops the connection,
    # which a browser reports as 1006. Neither lets the message reach the app.
    assert too_big == (None, None if runtime_answers["asgi_server"] == "daphne" else 1009)
    assert wrong_shape == {"error": 'send {"ping": <any JSON value>}'}
    assert still_working == {"pong": "still here"}
    assert "Traceback" not in output and "ERROR" not in output, output[-3000:]
    # A uvicorn worker that comes up meanwhile says at start-up that mail is off.
    warnings = [line for line in output.splitlines() if "WARNING" in line]
    warnings = [line for line in warnings if ".environment: EMAIL_URL is not set" not in line]
    assert len(warnings) <= 6, output[-3000:]


@pytest.mark.only(interface="asgi")
@pytest.mark.parametrize("route", ["/ws/ping/", "/ws/live/"])
def test_websocket_from_a_foreign_origin_is_refused(server, route):
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{server}{route}", origin="https://evil.example", open_timeout=10)

    assert refused.value.response.status_code == 403


def set_cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """{cookie name: its Set-Cookie header, attributes included}"""
    headers = response.headers.get_all("Set-Cookie") or []
    return {header.split("=", 1)[0]: header for header in headers}


def test_cookies_are_secure_httponly_and_same_site(server, create_users):
    create_users(["cookie-monster"], "cookie-password-that-is-not-secret")
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    try:
        conn.request("GET", "/accounts/login/", headers=FROM_ROUTER)
        page = conn.getresponse()
        html = page.read().decode()
        csrf_cookie = set_cookies(page)["csrftoken"]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urlencode(
            {
                "login": "cookie-monster",
                "password": "cookie-password-that-is-not-secret",
                "csrfmiddlewaretoken": token,
            }
        )
        conn.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                **FROM_ROUTER,
                **form_headers("/accounts/login/"),
                "Cookie": csrf_cookie.split(";", 1)[0],
            },
        )
        login = conn.getresponse()
        login.read()
    finally:
        conn.close()
    session_cookie = set_cookies(login)["sessionid"]

    assert login.status == 302
    for cookie in (csrf_cookie, session_cookie):
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert "secure" in attributes and "samesite=lax" in attributes, cookie
    assert "httponly" in session_cookie.lower()


def test_server_refuses_to_start_without_its_environment(
    deployed_project, production_env, tmp_path
):
    web = platform_env.commands(deployed_project)["web"]
    env = {**production_env, "PORT": str(machine.free_port())}
    del env["DJANGO_SECRET_KEY"], env["DATABASE_URL"]
    process = Server(web, deployed_project, env, tmp_path / "web.log")
    returncode = process.refusal()

    assert returncode != 0
    assert "DJANGO_SECRET_KEY and DATABASE_URL are not set" in process.output

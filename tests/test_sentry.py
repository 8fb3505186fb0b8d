"""Sentry tier: error tracking through the project's own commands, reported to a real
HTTP endpoint on this machine that speaks Sentry's envelope protocol.

The DSN points sentry-sdk at a small HTTP server in this module, which keeps every
byte of every envelope POSTed to /api/<project>/envelope/ (gzip'd or plain). With
SENTRY_DSN set, the exact web command serving a copy of the deployed project to which a
user has added views that raise (under ASGI, a WebSocket consumer that raises too), and
on a Celery group the exact worker command running a task that raises, each report an
event naming the exception, filed under the platform's deployed commit (Heroku's dyno
metadata, App Platform's ${_self.COMMIT_HASH} bound in .do/app.yaml) and
SENTRY_ENVIRONMENT. Without SENTRY_DSN, the same failing view gets the usual 500 and the
endpoint receives nothing.

As an attacker (or a careless integration) would test the promise of no personal
data: forms with allauth's field names, a JSON body, a key in the URL's path, a token
in its query string, an Authorization header, cookies, the router's address header,
e-mail addresses in the exceptions' messages, a WebSocket frame and a task's
arguments, each a random value; then every byte the endpoint received is searched for
each of them (as sent, URL-encoded and JSON-escaped).

sentry-sdk is in every combination and its integrations do not depend on the add-ons,
so three groups cover it: Heroku's daphne with a Redis layer and Celery, and App
Platform's WSGI and uvicorn.
"""

import gzip
import http.server
import json
import secrets
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from websockets.exceptions import ConnectionClosed

from tests.support import machine, platform_env, user_views
from tests.support.servers import Server, request
from tests.support.visitors import Visitor, open_websocket

# Heroku's daphne with a Redis Pub/Sub layer and Celery, App Platform's WSGI and its
# uvicorn: every server, both platforms, Celery.
SENTRY_GROUPS = {
    "heroku-asgi-daphne-redis-pubsub-dj6.1-celery",
    "digitalocean-wsgi-dj6.1",
    "digitalocean-asgi-uvicorn-redis-dj6.1",
}


pytestmark = pytest.mark.only(groups=SENTRY_GROUPS)

# What Heroku sets once `heroku labs:enable runtime-dyno-metadata` is on (README.md).
HEROKU_COMMIT = "fedcba9876543210fedcba9876543210fedcba98"
ENVIRONMENT = "staging"
VISITOR = "203.0.113.9"  # the address the platform's router saw (TEST-NET-3)
COOKIE_VALUE = "a-session-key-that-must-stay-private"
ROUTER_HEADER = {"heroku": "X-Forwarded-For", "digitalocean": "DO-Connecting-IP"}
EVENT_DEADLINE = 15  # seconds for an event to arrive
QUIET_SECONDS = 3  # how long nothing must arrive without a DSN

VIEWS = """import json

from django.views.decorators.csrf import csrf_exempt


class ViewFailed(Exception):
    pass


def fail(request):
    raise ViewFailed("a view that fails")


def fail_on_form(request, key):
    raise ViewFailed(f"no account for {request.POST.get('email')}")


@csrf_exempt  # an API: its clients send a token, not a CSRF cookie
def fail_on_json(request, key):
    raise ViewFailed(f"no account for {json.loads(request.body).get('email')}")


async def fail_on_form_async(request, key):
    raise ViewFailed(f"no account for {request.POST.get('email')}")
"""
FAILING_ROUTES = {
    "/fail/": "fail",
    "/fail/form/<str:key>/": "fail_on_form",
    "/fail/json/<str:key>/": "fail_on_json",
    "/fail/async/<str:key>/": "fail_on_form_async",
}
CONSUMER = """from channels.generic.websocket import WebsocketConsumer


class ConsumerFailed(Exception):
    pass


class FailingConsumer(WebsocketConsumer):
    def connect(self):
        self.accept()

    def receive(self, text_data=None, bytes_data=None):
        address = text_data.split()[0]
        raise ConsumerFailed(f"a consumer that fails for {address}")
"""
TASK = """

class TaskFailed(Exception):
    pass


@shared_task
def fail(address: str = "", token: str = "") -> None:
    raise TaskFailed(f"a task that fails for {address}")
"""


class Envelopes(http.server.ThreadingHTTPServer):
    """A Sentry ingest endpoint on 127.0.0.1: keeps each envelope's items."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), EnvelopeHandler)
        self.items: list[tuple[dict, bytes]] = []  # (item header, payload)
        self.received: list[bytes] = []  # every envelope, whole
        self.paths: list[str] = []
        self.lock = threading.Lock()

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server_address[1]}/1"

    def events(self) -> list[dict]:
        with self.lock:
            return [json.loads(body) for header, body in self.items if header["type"] == "event"]

    def wait_for_event(self, exception_type: str) -> dict:
        deadline = time.monotonic() + EVENT_DEADLINE
        while time.monotonic() < deadline:
            for event in self.events():
                if exception_type in {e["type"] for e in event["exception"]["values"]}:
                    return event
            time.sleep(0.1)
        raise AssertionError(
            f"no event for {exception_type} within {EVENT_DEADLINE}s; got {self.events()}"
        )

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.received.clear()
            self.paths.clear()

    def leaked(self, values: list[str]) -> list[str]:
        """Those of `values` found anywhere in what was received: as sent, URL-encoded
        or JSON-escaped."""
        with self.lock:
            received = b"".join(self.received).decode("utf-8", "replace")
        spellings = {
            value: {value, quote(value), quote_plus(value), json.dumps(value)[1:-1]}
            for value in values
        }
        return [v for v, forms in spellings.items() if any(f in received for f in forms)]


def envelope_items(body: bytes) -> list[tuple[dict, bytes]]:
    """The items of an envelope: a header line, then per item a header line and a
    payload of the header's `length`, or up to the next newline."""
    _, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return items


class EnvelopeHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "identity")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding != "identity":
            raise AssertionError(f"an envelope in {encoding}, which this endpoint cannot read")
        with self.server.lock:
            self.server.paths.append(self.path)
            self.server.received.append(body)
            self.server.items.extend(envelope_items(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def sentry():
    server = Envelopes()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def user_project(deployed_project, runtime_answers, tmp_path_factory) -> Path:
    """The project with a failing view, consumer and task added as a user adds them."""
    copy = tmp_path_factory.mktemp("sentry") / deployed_project.name
    shutil.copytree(deployed_project, copy)
    package = copy / copy.name
    user_views.add_views(package, copy / "config" / "urls.py", VIEWS, FAILING_ROUTES, "failing")
    if runtime_answers["interface"] == "asgi":
        user_views.add_consumer(
            package,
            copy / "config" / "routing.py",
            CONSUMER,
            "failing_consumer",
            "FailingConsumer",
            "/ws/fail/",
        )
    if runtime_answers["background_worker"] == "celery":
        with (copy / "welcome" / "tasks.py").open("a") as tasks:
            tasks.write(TASK)
    return copy


@pytest.fixture(scope="module")
def deployed_commit(runtime_answers) -> str:
    return (
        HEROKU_COMMIT if runtime_answers["platform"] == "heroku" else platform_env.DEPLOYED_COMMIT
    )


@pytest.fixture(scope="module")
def platform_metadata(runtime_answers) -> dict[str, str]:
    """What the platform adds for the release: on Heroku, the dyno metadata the README
    turns on; App Platform's COMMIT_HASH comes from .do/app.yaml (platform_env)."""
    if runtime_answers["platform"] == "heroku":
        return {"HEROKU_SLUG_COMMIT": HEROKU_COMMIT}
    return {}


@pytest.fixture(scope="module")
def tracked(start_web, user_project, sentry, platform_metadata) -> int:
    return start_web(
        project=user_project,
        SENTRY_DSN=sentry.dsn,
        SENTRY_ENVIRONMENT=ENVIRONMENT,
        **platform_metadata,
    )


def visitor_headers(platform: str) -> dict[str, str]:
    return {
        "Host": platform_env.HOST,
        "X-Forwarded-Proto": "https",
        ROUTER_HEADER[platform]: VISITOR,
        "Cookie": f"sessionid={COOKIE_VALUE}; csrftoken={COOKIE_VALUE}",
    }


def assert_filed_without_personal_data(event: dict, deployed_commit: str) -> None:
    assert (event["release"], event["environment"]) == (deployed_commit, ENVIRONMENT)
    text = json.dumps(event)
    assert COOKIE_VALUE not in text and VISITOR not in text, text
    assert "ip_address" not in event.get("user", {}), event.get("user")
    assert "cookies" not in event.get("request", {}), event["request"]


def test_without_a_dsn_nothing_is_sent(start_web, user_project, sentry, runtime_answers):
    """First, before any process of this module has a DSN."""
    port = start_web(project=user_project, SENTRY_ENVIRONMENT=ENVIRONMENT)
    sentry.clear()

    failed = request(port, "/fail/", visitor_headers(runtime_answers["platform"]))
    time.sleep(QUIET_SECONDS)

    assert failed.status == 500
    home = request(port, "/", {"Host": platform_env.HOST, "X-Forwarded-Proto": "https"})
    assert home.status == 200
    assert sentry.paths == []


def test_a_failing_view_is_reported_with_the_release(
    tracked, sentry, runtime_answers, deployed_commit
):
    sentry.clear()
    response = request(tracked, "/fail/", visitor_headers(runtime_answers["platform"]))
    assert response.status == 500

    event = sentry.wait_for_event("ViewFailed")

    assert event["request"]["url"].endswith("/fail/")
    assert_filed_without_personal_data(event, deployed_commit)
    assert set(sentry.paths) == {"/api/1/envelope/"}


@pytest.mark.only(groups=SENTRY_GROUPS, interface="asgi")
def test_a_failing_consumer_is_reported_once(tracked, sentry, runtime_answers, deployed_commit):
    sentry.clear()
    headers = {ROUTER_HEADER[runtime_answers["platform"]]: VISITOR}
    with open_websocket(tracked, "/ws/fail/", headers=headers) as websocket:
        websocket.send("hello")
        with pytest.raises(ConnectionClosed):
            websocket.recv(timeout=10)

    event = sentry.wait_for_event("ConsumerFailed")
    time.sleep(QUIET_SECONDS)  # a second report (the server's log line of it) comes late

    assert_filed_without_personal_data(event, deployed_commit)
    assert len(events_of(sentry, "ConsumerFailed", 1, exactly=True)) == 1


def random_address() -> str:
    return f"{secrets.token_hex(6)}@example.net"


def events_of(sentry, exception_type: str, count: int, exactly: bool = False) -> list[dict]:
    """The first `count` events for `exception_type`, once that many have arrived
    (with `exactly`, all of them: more than `count` fails)."""
    deadline = time.monotonic() + EVENT_DEADLINE
    while time.monotonic() < deadline:
        found = [
            event
            for event in sentry.events()
            if exception_type in {e["type"] for e in event.get("exception", {}).get("values", [])}
        ]
        if exactly and len(found) > count:
            raise AssertionError(f"{len(found)} {exception_type} events, not {count}: {found}")
        if len(found) >= count:
            return found if exactly else found[:count]
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} {exception_type} events: {sentry.events()}")


def test_nothing_a_visitor_submits_or_carries_reaches_sentry(tracked, sentry, runtime_answers):
    platform = runtime_answers["platform"]
    address, token, session = random_address(), secrets.token_hex(12), secrets.token_hex(16)
    fields = {
        "login": address,
        "email": address,
        "password": secrets.token_hex(10),
        "password1": secrets.token_hex(10),
        "password2": secrets.token_hex(10),
        "code": secrets.token_hex(4),
    }
    document = {"email": address, "new_password": secrets.token_hex(10)}
    keys = {kind: secrets.token_hex(8) for kind in ("form", "json", "async")}
    carried = {ROUTER_HEADER[platform]: VISITOR, "Authorization": f"Bearer {token}"}
    sentry.clear()

    visitor = Visitor(tracked, carried)
    visitor.cookies["sessionid"] = session
    page = "/accounts/login/"
    status, _ = visitor.post_form(page, f"/fail/form/{keys['form']}/?token={token}", fields)
    assert status == 500
    status, _ = visitor.post_form(page, f"/fail/async/{keys['async']}/", fields)
    assert status == 500
    api_call = {**visitor_headers(platform), **carried, "Content-Type": "application/json"}
    answer = request(tracked, f"/fail/json/{keys['json']}/", api_call, "POST", json.dumps(document))
    assert answer.status == 500
    reports = events_of(sentry, "ViewFailed", 3)
    if runtime_answers["interface"] == "asgi":
        cookie = {**carried, "Cookie": f"sessionid={session}"}
        with open_websocket(tracked, "/ws/fail/", headers=cookie) as websocket:
            websocket.send(f"{address} {fields['code']}")
            with pytest.raises(ConnectionClosed):
                websocket.recv(timeout=10)
        reports += events_of(sentry, "ConsumerFailed", 1)
    time.sleep(QUIET_SECONDS)  # anything sent late

    values = [*fields.values(), *document.values(), *keys.values(), token, session, VISITOR]
    assert sentry.leaked(values) == []
    # What helps find the bug stays: the route, and the message without the address.
    urls = {event["request"]["url"].partition("/fail/")[2] for event in reports[:3]}
    assert urls == {"form/{key}/", "json/{key}/", "async/{key}/"}, urls
    messages = {event["exception"]["values"][-1]["value"] for event in reports}
    assert messages <= {
        "no account for [Filtered]",
        "a consumer that fails for [Filtered]",
    }, messages


def test_requests_the_site_refuses_reach_sentry_not_at_all(tracked, sentry, runtime_answers):
    """As anyone can, to spend the project's quota or write into its events: requests
    whose Host the site refuses, and log-in pages asked with more query parameters than
    Django parses (it logs each at ERROR, as a SuspiciousOperation), then a view that
    fails. The one event is the view's, and the forged values are in no byte sent."""
    forged = f"{secrets.token_hex(6)}.forged.example"
    # One over Django's 1,000, in a request line within gunicorn's 4,094 bytes.
    parameters = "&".join([f"{forged}=1", *["a=1"] * 1000])
    sentry.clear()

    for _ in range(10):
        refused = request(tracked, "/", {"Host": forged, "X-Forwarded-Proto": "https"})
        assert refused.status == 400
        too_many = request(
            tracked, f"/accounts/login/?{parameters}", visitor_headers(runtime_answers["platform"])
        )
        assert too_many.status == 400
    failed = request(tracked, "/fail/", visitor_headers(runtime_answers["platform"]))
    assert failed.status == 500
    events_of(sentry, "ViewFailed", 1)
    time.sleep(QUIET_SECONDS)  # anything sent late

    assert len(sentry.events()) == 1, [event.get("logentry") for event in sentry.events()]
    assert sentry.leaked([forged]) == []


@pytest.fixture
def worker_redis(redis_url, worker_id, database_url) -> str:
    """A Redis database of this module's own, so no other test's task reaches the worker."""
    return machine.empty_task_queue(redis_url, worker_id, database_url)


@pytest.mark.only(groups=SENTRY_GROUPS, background_worker="celery")
def test_a_failing_task_is_reported(
    released, user_project, production_env, worker_redis, run, sentry, platform_metadata,
    deployed_commit, tmp_path,
):  # fmt: skip
    env = {
        **production_env,
        "REDIS_URL": worker_redis,
        # A short shutdown window: Celery sleeps through it after running a task.
        "WORKER_SHUTDOWN_SECONDS": "1",
        "SENTRY_DSN": sentry.dsn,
        "SENTRY_ENVIRONMENT": ENVIRONMENT,
        **platform_metadata,
    }
    command = platform_env.commands(user_project)["worker"]
    worker = Server(command, user_project, env, tmp_path / "worker.log")
    try:
        assert worker.wait_for_output("ready.", timeout=60), worker.output
        sentry.clear()
        address, token = random_address(), secrets.token_hex(12)
        queue = f"from welcome.tasks import fail; fail.delay({address!r}, token={token!r})"
        queued = run(
            ["python", "manage.py", "shell", "-c", queue],
            cwd=user_project,
            env={**production_env, "REDIS_URL": worker_redis},  # no DSN: only the worker's
        )
        assert queued.returncode == 0, queued.stdout + queued.stderr

        event = sentry.wait_for_event("TaskFailed")
    finally:
        worker.stop()

    assert (event["release"], event["environment"]) == (deployed_commit, ENVIRONMENT)
    assert event["transaction"] == "welcome.tasks.fail"
    assert sentry.leaked([address, token]) == []

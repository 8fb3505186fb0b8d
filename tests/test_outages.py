"""Outages: what a running project does when its Redis or its database is gone.

The web command runs as on the platform, but REDIS_URL or DATABASE_URL points at a
port where nothing listens (the service stopped) or, for Redis, at a stand-in that
accepts connections and never answers (a hung or blackholed Redis, the worse case:
nothing fails, everything waits).
- Without Redis, pages keep answering and a login still succeeds, promptly: the
  login feed's broadcast runs beside the login's request, on the server's event
  loop, and gives up after a few seconds with a warning; the live page's WebSocket
  is refused at once (it tries again later) instead of waiting for a handshake.
- Without the database, a page that needs it gets the site's 500 page (no debug
  page, no traceback to the client), /healthz stays 200 so the platform does not
  restart a healthy process, and /readyz answers 503 naming the database (the
  reason in the log, not in the answer); probed every second, it mails the admins
  once for the outage, not once a probe.
- When a stopped PostgreSQL and Redis (the suite's own TLS servers, tests/support/tls.py)
  come back on the same ports, the running process recovers by itself: /readyz
  turns 200, a login and a WebSocket ping work, with no restart.
- Open WebSockets through a Redis restart, or while Redis hangs (SIGSTOP: it accepts
  connections and answers nothing): the core layer's are closed with 4013 ("try
  again later"), at once or after the 10-second read timeout in settings, so pages
  show that they are reconnecting, and new ones are accepted once Redis is back; the
  Pub/Sub layer's stay open and carry events again once channels_redis has
  subscribed again. Either way, a login made after Redis returns reaches a live
  page, with no restart and no traceback.
- With Celery, while Redis (the broker) is stopped: a sign-up and a password reset
  answer within seconds, and once Redis is back the worker runs the welcome task
  and sends both mails, each once: nothing queued meanwhile is lost.
- With Django's tasks, whose queue is PostgreSQL: the worker stays up while its
  database is stopped, and runs a task queued once it is back.

The web processes that visitors log in to serve the deployed project with a fast
password hasher first (conftest.py's fast_hashing_project): no outage depends on it.
"""

import json
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import psycopg
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support import machine, platform_env, tls
from tests.support.combinations import redis_layer
from tests.support.mail_servers import SmtpServer
from tests.support.platform_env import PROBE_HEADERS
from tests.support.servers import Server, request
from tests.support.visitors import Visitor, open_websocket

PASSWORD = "outage-password-that-is-not-secret"
# The login does not wait for its broadcast (live/events.py): this is the login itself,
# its password hashed on a busy machine, and under the broadcast's 5 s SEND_TIMEOUT.
LOGIN_DEADLINE = 4.0
# The broadcast gives up after 5 s (live/events.py's SEND_TIMEOUT).
BROADCAST_DEADLINE = 8.0
# Joining the live feed's group gives up after 2 s (live/consumers.py).
SOCKET_DEADLINE = 3.0
# How long a process may take to use a Redis that has come back.
RECOVERY_DEADLINE = 15.0
# Seconds /readyz gives a finished database check's answer again (health.py's
# FRESH_SECONDS): a probe right after an outage starts may still get the last "ok".
READINESS_FRESH_SECONDS = 1.0
# How long an open socket may wait on Redis before it is closed: at once when Redis
# is stopped, after the read timeout (10 s, config/channel_layer_settings.py) when it hangs.
CLOSE_DEADLINE = {"stopped": SOCKET_DEADLINE, "hung": 15.0}
TRY_AGAIN_LATER = 4013
# The admins of the site under test, and how many probes an outage gets.
ADMIN = "admins-of-the-site@example.com"
PROBES = 5
# A page that queues tasks while the broker is away: its password hash on a busy
# machine, and one try of the broker, refused at once.
PAGE_DEADLINE = 3.0
# How long the worker may take to start and send what waited for the broker.
SENT_DEADLINE = 30.0
# The Pub/Sub layer's Redis channel for the live feed's group (live/events.py's GROUP).
LIVE_GROUP_CHANNELS = "*__group__live-events"


class Blackhole:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers
    (the kernel buffers what it is sent), until stopped."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                self.connections.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.listener.close()


@pytest.fixture(scope="module")
def blackhole():
    server = Blackhole()
    yield server
    server.stop()


def nothing_listens(scheme: str) -> str:
    return f"{scheme}://127.0.0.1:{machine.free_port()}/0"


@pytest.mark.only(redis_layer, platform="heroku", django_version="6.1")
@pytest.mark.parametrize("redis", ["stopped", "blackholed"])
def test_pages_and_logins_go_on_without_redis(
    redis, start_web, fast_hashing_project, web_servers, blackhole, create_users, runtime_answers
):
    channel_layer = runtime_answers["channel_layer"]
    hung = f"redis://127.0.0.1:{blackhole.port}/0"
    port = start_web(
        project=fast_hashing_project,
        REDIS_URL=nothing_listens("redis") if redis == "stopped" else hung,
    )
    name = f"outage-{redis}"
    create_users([name], PASSWORD, fast=True)
    visitor = Visitor(port)

    for path in ("/", "/accounts/login/", "/live/"):
        status, _ = visitor.get(path)
        assert status == 200, path
    started = time.monotonic()
    visitor.log_in(name, PASSWORD)
    took = time.monotonic() - started

    assert took < LOGIN_DEADLINE, f"the login took {took:.1f} s with Redis {redis}"
    status, home = visitor.get("/")
    assert status == 200 and f"Signed in as <strong>{name}</strong>" in home
    # One warning line for the lost broadcast, and no traceback.
    if channel_layer == "redis":
        # The live page's socket is refused at once rather than left waiting: live.js
        # tries again later. (The Pub/Sub layer creates each socket's channel on Redis
        # before any consumer code runs, so there the handshake fails in channels.)
        started = time.monotonic()
        with pytest.raises(InvalidStatus) as refused:
            open_websocket(port, "/ws/live/")
        assert refused.value.response.status_code == 403
        assert time.monotonic() - started < SOCKET_DEADLINE
        assert "WARNING live.consumers: Refused a live feed socket" in web_servers[port].output
    warning = f"WARNING live.events: Could not broadcast the login of {name}"
    web_servers[port].wait_for_output(warning, timeout=BROADCAST_DEADLINE)
    output = web_servers[port].output
    assert output.count(warning) == 1, output[-2000:]
    assert "Traceback" not in output


@pytest.mark.only(platform="heroku", django_version="6.1", channel_layer="redis")
def test_without_the_database_pages_fail_politely_and_readiness_says_why(start_web, web_servers):
    port = start_web(DATABASE_URL=nothing_listens("postgresql"))
    visitor = Visitor(port)

    status, _ = visitor.get("/")  # an anonymous page needs no database
    assert status == 200
    fields = {"login": "someone", "password": "whatever"}
    status, page = visitor.post_form("/accounts/login/", "/accounts/login/", fields)
    assert status == 500
    assert "Something went wrong" in page and 'class="site-header"' in page
    assert "Traceback" not in page and "OperationalError" not in page
    started = time.monotonic()
    health = request(port, "/healthz", PROBE_HEADERS)
    ready = request(port, "/readyz", PROBE_HEADERS)
    took = time.monotonic() - started

    assert (health.status, health.body) == (200, b"ok")
    assert ready.status == 503
    assert json.loads(ready.body)["database"] == "unavailable"
    assert took < 5, f"the probes took {took:.1f} s"
    # Why goes to the log, in one line, not to the client.
    assert "/readyz: the database check fails: " in web_servers[port].output


def one_server_each_without_celery(answers: dict) -> bool:
    layer = {"uvicorn": "redis", "daphne": "redis-pubsub"}[answers["asgi_server"]]
    return answers["interface"] == "wsgi" or answers["channel_layer"] == layer


@pytest.mark.only(
    one_server_each_without_celery,
    platform="digitalocean",
    django_version="6.1",
    background_worker="none",
)
def test_a_failing_readiness_probe_mails_the_admins_once_an_outage(
    start_web, web_servers, runtime_answers, production_env
):
    """An uptime monitor polls /readyz every second through a database outage: the
    admins get one mail for it from each web process, not one a probe (each 503 was
    logged as a server error). App Platform's groups without Celery (gunicorn, daphne
    and uvicorn), whose web process sends the mail itself."""
    mail = SmtpServer()
    try:
        port = start_web(
            DATABASE_URL=nothing_listens("postgresql"),
            EMAIL_URL=f"smtp+insecure://127.0.0.1:{mail.port}",
            DJANGO_ADMINS=ADMIN,
        )
        statuses = []
        for _ in range(PROBES):
            statuses.append(request(port, "/readyz", PROBE_HEADERS).status)
            time.sleep(READINESS_FRESH_SECONDS)
        time.sleep(3)  # mail goes out after the answer

        assert set(statuses) == {503}, statuses
        # One for each web process that was probed (each tells of the outage it saw).
        processes = platform_env.web_processes(runtime_answers, production_env)
        mailed = [received.message["Subject"] for received in mail.received]
        assert 1 <= len(mailed) <= processes, mailed
        assert all("the database check fails" in subject for subject in mailed), mailed
        assert all(received.recipients == [ADMIN] for received in mail.received)
        logged = web_servers[port].output.count("/readyz: the database check fails")
        assert logged == len(mailed)
    finally:
        mail.stop()


def wait_until_ready(port: int, deadline: float) -> dict:
    """Poll /readyz until it answers 200, for at most `deadline` seconds."""
    stop_at = time.monotonic() + deadline
    body = {}
    while time.monotonic() < stop_at:
        response = request(port, "/readyz", PROBE_HEADERS)
        body = json.loads(response.body)
        if response.status == 200:
            return body
        time.sleep(0.5)
    raise AssertionError(f"/readyz still says {body} after {deadline} s")


@pytest.mark.only(redis_layer, platform="heroku", django_version="6.1", channel_layer="redis")
def test_recovers_without_a_restart_when_postgresql_and_redis_return(
    certificates, tmp_path_factory, start_web, fast_hashing_project, release, create_users
):
    """The platform restarts its managed services (maintenance, failover); the web
    process is not restarted with them and must pick up where it left."""
    postgres = tls.TlsPostgres(certificates.self_signed, certificates.self_signed_key)
    redis = tls.TlsRedis(
        certificates.self_signed, certificates.self_signed_key, tmp_path_factory.mktemp("redis")
    )
    try:
        postgres.create_database("comeback")
        env = {"DATABASE_URL": postgres.url("comeback"), "DYNO": "web.1", "REDIS_URL": redis.url()}
        release(**env)
        create_users(["comeback"], PASSWORD, fast=True, **env)
        port = start_web(project=fast_hashing_project, **env)
        assert wait_until_ready(port, 10) == {"database": "ok", "channel_layer": "ok"}

        postgres.stop()
        redis.stop()
        time.sleep(READINESS_FRESH_SECONDS)
        down = json.loads(request(port, "/readyz", PROBE_HEADERS).body)
        assert down["database"] != "ok" and down["channel_layer"] != "ok", down

        postgres.start()
        redis.start()
        assert wait_until_ready(port, 15) == {"database": "ok", "channel_layer": "ok"}
        visitor = Visitor(port)
        visitor.log_in("comeback", PASSWORD)
        with open_websocket(port, "/ws/ping/") as websocket:
            websocket.send(json.dumps({"ping": "back"}))
            assert json.loads(websocket.recv(timeout=10)) == {"pong": "back"}
    finally:
        redis.stop()
        postgres.remove()


def subscribed_again(redis: tls.TlsRedis, pattern: str, deadline: float) -> None:
    """Wait, at most `deadline` s, until a client of `redis` listens to `pattern`."""
    stop_at = time.monotonic() + deadline
    while not redis.subscribed_channels(pattern):
        if time.monotonic() > stop_at:
            raise AssertionError(f"no subscriber to {pattern} {deadline} s after Redis came back")
        time.sleep(0.2)


def ping_until_answered(port: int, deadline: float) -> None:
    """Open /ws/ping/ sockets until one gets its pong, for at most `deadline` s."""
    stop_at, problem = time.monotonic() + deadline, None
    while time.monotonic() < stop_at:
        try:
            with open_websocket(port, "/ws/ping/") as websocket:
                websocket.send(json.dumps({"ping": "again"}))
                if json.loads(websocket.recv(timeout=2)) == {"pong": "again"}:
                    return
        except (OSError, TimeoutError, InvalidStatus, ConnectionClosed) as error:
            problem = error
        time.sleep(0.5)
    raise AssertionError(f"no pong {deadline} s after Redis came back: {problem!r}")


def briefly_idle(project: Path, tmp_path: Path) -> Path:
    """A copy of `project` whose channel layer pool closes connections idle for a
    second, not ten (serving/websockets/redis_pool.py): while Redis hangs, the pool surely
    closes one, and a hung Redis does not answer that close."""
    copy = shutil.copytree(project, tmp_path / project.name)
    pool = copy / "serving" / "websockets" / "redis_pool.py"
    idle = re.compile(r"^IDLE_SECONDS = .*$", re.M)
    text, replaced = idle.subn("IDLE_SECONDS = 1.0", pool.read_text())
    assert replaced == 1, f"{pool} sets no IDLE_SECONDS"
    pool.write_text(text)
    return copy


@pytest.mark.only(redis_layer, platform="heroku", django_version="6.1")
@pytest.mark.parametrize("outage", ["stopped", "hung"])
def test_open_sockets_through_a_redis_outage(
    outage,
    own_redis,
    start_web,
    fast_hashing_project,
    web_servers,
    create_users,
    runtime_answers,
    tmp_path,
):
    core_layer = runtime_answers["channel_layer"] == "redis"
    project = fast_hashing_project
    if core_layer and outage == "hung":
        project = briefly_idle(fast_hashing_project, tmp_path)
    port = start_web(project=project, REDIS_URL=own_redis.url())
    name = f"{outage}-{runtime_answers['asgi_server']}-{runtime_answers['channel_layer']}"
    create_users([name], PASSWORD, fast=True)

    def login_event(live) -> dict:
        Visitor(port).log_in(name, PASSWORD)
        return json.loads(live.recv(timeout=10))

    with open_websocket(port, "/ws/ping/") as ping, open_websocket(port, "/ws/live/") as live:
        if outage == "stopped":
            own_redis.stop()
        else:
            own_redis.hang()
        if core_layer:
            for websocket in (ping, live):
                with pytest.raises(ConnectionClosed) as closed:
                    websocket.recv(timeout=CLOSE_DEADLINE[outage])
                assert closed.value.rcvd.code == TRY_AGAIN_LATER
        else:
            with pytest.raises(TimeoutError):  # still open, with nothing to say
                live.recv(timeout=2)
        if outage == "stopped":
            own_redis.start()
        else:
            own_redis.resume()
        ping_until_answered(port, RECOVERY_DEADLINE)
        if core_layer:
            with open_websocket(port, "/ws/live/") as new_live:
                event = login_event(new_live)
        else:
            # The pong may come from the other process; the one holding `live` listens
            # again once its receiver, which retries each second, has subscribed anew.
            # What is published before that is lost, as Pub/Sub loses it.
            subscribed_again(own_redis, LIVE_GROUP_CHANNELS, RECOVERY_DEADLINE)
            event = login_event(live)

    assert event["event"] == "login"  # to an anonymous page, without the name
    output = web_servers[port].output
    if core_layer:
        assert "consumers: Closed /ws/live/ with 4013: the channel layer failed" in output
    assert "Traceback" not in output


def queues_tasks(answers: dict) -> bool:
    """The Celery groups of Django 6.1, but for the Pub/Sub layer's (its broker is the
    core layer's): gunicorn, daphne and uvicorn, both platforms."""
    return (
        answers["background_worker"] == "celery"
        and answers["django_version"] == "6.1"
        and answers["channel_layer"] != "redis-pubsub"
    )


@pytest.mark.only.with_args(queues_tasks)
def test_nothing_queued_while_the_broker_is_away_is_lost(
    certificates, tmp_path_factory, start_web, fast_hashing_project, web_servers, create_users,
    deployed_project, production_env, runtime_answers, tmp_path,
):  # fmt: skip
    """Redis (the broker) stopped: a sign-up (its welcome task and its confirmation
    mail) and a password reset (its mail) answer within PAGE_DEADLINE; once Redis is
    back and the worker runs, the welcome runs and both mails arrive, each once."""
    redis = tls.TlsRedis(certificates.signed, certificates.signed_key, tmp_path_factory.mktemp("b"))
    mail = SmtpServer()
    # App Platform's settings verify Valkey's certificate: the suite's CA is trusted.
    env = {
        "REDIS_URL": redis.url(),
        "EMAIL_URL": f"smtp+insecure://127.0.0.1:{mail.port}",
        "SSL_CERT_FILE": str(certificates.ca),
    }
    worker = None
    try:
        redis.stop()
        port = start_web(project=fast_hashing_project, **env)
        create_users(["away-known"], PASSWORD, fast=True)
        platform = runtime_answers["platform"]
        newcomer = {"username": "away-new", "email": "away-new@example.com"}
        newcomer |= {"password1": PASSWORD, "password2": PASSWORD}

        for page, fields in [
            ("/accounts/signup/", newcomer),
            ("/accounts/password/reset/", {"email": "away-known@example.com"}),
        ]:
            visitor = Visitor.with_own_address(port, platform)
            started = time.monotonic()
            status, _ = visitor.post_form(page, page, fields)
            took = time.monotonic() - started
            assert status == 302 and took < PAGE_DEADLINE, f"{page}: {status} in {took:.1f} s"

        redis.start()
        command = platform_env.commands(deployed_project)["worker"]
        worker_env = {**production_env, **env, "WORKER_SHUTDOWN_SECONDS": "1"}
        worker = Server(command, deployed_project, worker_env, tmp_path / "worker.log")
        assert worker.wait_for_output("welcome.tasks.welcome[", SENT_DEADLINE), worker.output
        assert wait_for_mail(mail, 2, SENT_DEADLINE), worker.output[-3000:]
        time.sleep(1)  # nothing sent twice
        assert sorted(m.recipients[0] for m in mail.received) == [
            "away-known@example.com",
            "away-new@example.com",
        ]
        assert worker.wait_for_output(" succeeded in ", 10), worker.output[-3000:]
        web_log = web_servers[port].output
        assert "Traceback" not in web_log and "Traceback" not in worker.output, web_log[-3000:]
    finally:
        if worker:
            worker.stop()
        redis.stop()
        mail.stop()


def wait_for_mail(mail: SmtpServer, count: int, deadline: float) -> bool:
    stop_at = time.monotonic() + deadline
    while len(mail.received) < count:
        if time.monotonic() > stop_at:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.only(background_worker="django-tasks", interface="wsgi")
def test_the_tasks_worker_waits_out_a_database_outage(
    certificates, release, deployed_project, production_env, run, tmp_path
):
    """Django's tasks queue in PostgreSQL, the worker's only service: stopped under a
    running worker (a failover, maintenance), the worker stays up, saying so, and runs a
    task queued once PostgreSQL is back, with no restart and no traceback (a crash
    would cost a Heroku dyno's restart cooldown)."""
    postgres = tls.TlsPostgres(certificates.self_signed, certificates.self_signed_key)
    worker = None
    try:
        postgres.create_database("tasks_outage")
        env = {"DATABASE_URL": postgres.url("tasks_outage"), "DYNO": "worker.1"}
        release(**env)
        command = platform_env.commands(deployed_project)["worker"]
        worker = Server(command, deployed_project, {**production_env, **env}, tmp_path / "w.log")
        worker.wait_until_taking_tasks()

        postgres.stop()
        assert worker.wait_for_output("The database is away", 20), worker.output[-3000:]
        postgres.start()
        new_user = (
            "from django.contrib.auth import get_user_model; "
            "get_user_model().objects.create_user('after-the-outage')"
        )
        shell = ["python", "manage.py", "shell", "-c", new_user]
        made = run(shell, cwd=deployed_project, env={**production_env, **env})
        assert made.returncode == 0, made.stdout + made.stderr

        deadline = time.monotonic() + 30
        while not welcomed(postgres.url("tasks_outage", sslmode="require")):
            assert time.monotonic() < deadline, worker.output[-3000:]
            time.sleep(0.5)
        assert worker.process.poll() is None and "Traceback" not in worker.output
    finally:
        if worker:
            worker.stop()
        postgres.remove()


def welcomed(database_url: str) -> int:
    with psycopg.connect(database_url) as db:
        return db.execute("SELECT count(*) FROM welcome_welcome").fetchone()[0]

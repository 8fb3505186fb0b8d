"""Attacker tier: the Redis connection budget. The exact web command, its REDIS_URL at
a Redis of the module's own that takes MAX_CLIENTS clients, as Heroku Key-Value
Store's smallest plan does for every dyno and the worker together (TLS, as there).

- A hundred WebSockets opened at once, as a burst of visitors (or one attacker)
  opens them: every one is accepted, while the web process holds no more connections
  than the README's budget (per process: 4 for the core layer, 2 for the Pub/Sub
  layer); Redis still takes a client of the worker's, /readyz answers 200, and once
  the sockets are gone the process gives back all but the one it listens on.
- With Celery, thirty password resets at once (each queues its mail): the process
  holds the one broker connection (two to Redis) the README counts, not one per
  request.
- Redis full (the test holds every other client it takes), with the core layer,
  which asks for connections as sockets come: the process refuses sockets and /readyz
  answers 503; once Redis takes clients again, the process recovers by itself, with no
  restart: /readyz 200, and a socket opens.

Django 6.1: GROUPS, which try every server, each Redis layer and both platforms, all
with Celery.
The count is of Redis's end of each connection, so that a Redis that refuses more
can still be counted.
"""

import asyncio
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.support import machine, platform_env, tls
from tests.support.platform_env import PROBE_HEADERS
from tests.support.servers import request
from tests.support.visitors import Visitor, open_websocket, site_websocket

MAX_CLIENTS = 20  # Heroku Key-Value Store's mini plan
BURST = 100
RESETS = 30
# What one web process may hold: the core layer's pool, or the Pub/Sub layer's
# subscriber and publisher; and with Celery, one broker connection (kombu's channel
# and its ping), the README's budget.
LAYER_CONNECTIONS = {"redis": 4, "redis-pubsub": 2}
# What it keeps once idle: the core layer's read of the process's messages; the Pub/Sub
# layer's subscriber and publisher.
IDLE_CONNECTIONS = {"redis": 1, "redis-pubsub": 2}
BROKER_CONNECTIONS = 2
# The core layer's pool closes connections idle for 10 s (serving/redis_pool.py).
IDLE_DEADLINE = 20.0
RECOVERY_DEADLINE = 15.0
# Ready again after a burst: the sockets' goodbyes to the layer, a hundred of them through
# the pool, may hold it for a probe's 2 s on a busy machine; a process that kept its
# connections was still not ready minutes later.
READY_AFTER_BURST_DEADLINE = 10.0
PASSWORD = "redis-connections-tier-password"


# Every server, each Redis layer, both platforms, Celery: uvicorn's two processes with
# the core layer, daphne with the Pub/Sub layer, gunicorn (Celery alone) on Heroku, and
# daphne with the core layer on App Platform.
GROUPS = {
    "heroku-asgi-uvicorn-redis-dj6.1-celery-s3",
    "heroku-asgi-daphne-redis-pubsub-dj6.1-celery",
    "heroku-wsgi-dj6.1-celery-s3",
    "digitalocean-asgi-daphne-redis-dj6.1-celery-s3",
}


pytestmark = pytest.mark.only(groups=GROUPS)


@pytest.fixture(scope="module")
def limited_redis(certificates, tmp_path_factory):
    redis = tls.TlsRedis(
        certificates.signed,
        certificates.signed_key,
        tmp_path_factory.mktemp("redis"),
        options=["--maxclients", str(MAX_CLIENTS)],
    )
    yield redis
    redis.stop()


@pytest.fixture(scope="module")
def server(start_web, limited_redis, mail_server, certificates, database_url) -> int:
    # App Platform's settings verify Valkey's certificate: the suite's CA is trusted.
    yield start_web(
        REDIS_URL=limited_redis.url(),
        EMAIL_URL=f"smtp+insecure://127.0.0.1:{mail_server.port}",
        SSL_CERT_FILE=str(certificates.ca),
    )
    # What a refused broker left for a worker: no other module's worker sends it.
    machine.empty_outbox(database_url)


@pytest.fixture(scope="module")
def processes(runtime_answers, production_env) -> int:
    return platform_env.web_processes(runtime_answers, production_env)


def open_at_once(port: int, count: int) -> list[int]:
    """Open `count` live-feed WebSockets at once, hold them until all have answered,
    then close them: the handshake's status of each (101: open)."""

    async def burst() -> list[int]:
        opened = []

        async def one() -> int:
            try:
                websocket = await connect(**site_websocket(port, "/ws/live/"), open_timeout=15)
            except InvalidStatus as refused:
                return refused.response.status_code
            opened.append(websocket)
            return 101

        statuses = await asyncio.gather(*(one() for _ in range(count)))
        await asyncio.gather(*(websocket.close() for websocket in opened))
        return statuses

    return asyncio.run(burst())


def ready(port: int) -> int:
    return request(port, "/readyz", PROBE_HEADERS).status


def redis_takes_a_client(redis: tls.TlsRedis) -> bool:
    try:
        return redis.cli("PING").strip() == "PONG"
    except Exception:
        return False


def wait_until(condition, deadline: float) -> bool:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.25)
    return True


@pytest.mark.only(groups=GROUPS, interface="asgi")
def test_a_burst_of_websockets_holds_a_few_connections(
    server, limited_redis, processes, runtime_answers, web_servers
):
    budget = processes * LAYER_CONNECTIONS[runtime_answers["channel_layer"]]

    with machine.Peak(lambda: machine.connections_to(limited_redis.port)) as peak:
        statuses = open_at_once(server, BURST)

    assert statuses.count(101) == BURST, sorted(set(statuses))
    assert peak.most <= budget, f"{peak.most} connections, budget {budget}"
    assert redis_takes_a_client(limited_redis)  # the worker would connect
    assert wait_until(lambda: ready(server) == 200, READY_AFTER_BURST_DEADLINE)
    # The sockets gone, the process keeps only the connections it listens with.
    idle = processes * IDLE_CONNECTIONS[runtime_answers["channel_layer"]]
    assert wait_until(lambda: machine.connections_to(limited_redis.port) <= idle, IDLE_DEADLINE)
    assert "Traceback" not in web_servers[server].output


@pytest.mark.only(groups=GROUPS, background_worker="celery")
def test_tasks_queued_at_once_hold_one_broker_connection_per_process(
    server, limited_redis, processes, create_users, runtime_answers
):
    names = [f"resetter{n}" for n in range(RESETS)]
    create_users(names, PASSWORD)
    layer = runtime_answers["channel_layer"] if runtime_answers["interface"] == "asgi" else None
    budget = processes * (BROKER_CONNECTIONS + LAYER_CONNECTIONS.get(layer, 0))
    visitors = [Visitor.with_own_address(server, runtime_answers["platform"]) for _ in names]
    for visitor in visitors:  # each with the form's CSRF token, ready to post
        assert visitor.get("/accounts/password/reset/")[0] == 200

    def ask_for_reset(visitor_and_name) -> int:
        visitor, name = visitor_and_name
        page = "/accounts/password/reset/"
        return visitor.post_again(page, page, {"email": f"{name}@example.com"})[0]

    connections = machine.Peak(lambda: machine.connections_to(limited_redis.port))
    with connections as peak, ThreadPoolExecutor(RESETS) as clients:
        statuses = list(clients.map(ask_for_reset, zip(visitors, names, strict=True)))

    assert set(statuses) == {302}, statuses
    assert peak.most <= budget, f"{peak.most} connections, budget {budget}"
    assert redis_takes_a_client(limited_redis)


# The Pub/Sub layer keeps the two connections it has, which a full Redis leaves it:
# only the core layer asks for more as sockets come and go.
@pytest.mark.only(groups=GROUPS, interface="asgi", channel_layer="redis")
def test_recovers_by_itself_once_redis_takes_clients_again(server, limited_redis):
    held = []
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        while len(held) < MAX_CLIENTS:  # every client Redis takes, bounded
            raw = socket.create_connection(("127.0.0.1", limited_redis.port), timeout=5)
            try:
                client = context.wrap_socket(raw)
                client.sendall(b"PING\r\n")
                answer = client.recv(64)
            except OSError:  # refused during the handshake: Redis is full
                raw.close()
                break
            if not answer.startswith(b"+PONG"):
                client.close()
                break
            held.append(client)
        statuses = open_at_once(server, 10)
        assert statuses.count(101) < 10  # Redis is full: the layer cannot join a group
        assert ready(server) == 503
    finally:
        for client in held:
            client.close()

    assert wait_until(lambda: ready(server) == 200, RECOVERY_DEADLINE)
    with open_websocket(server, "/ws/ping/") as ping:
        ping.send('{"ping": 1}')
        assert ping.recv(timeout=10) == '{"pong": 1}'

"""Load: what a burst of traffic does to each server choice.

- HTTP: wrk sends LOAD_SECONDS of requests to `/`, a static file and `/healthz`
  (cycling, through 16 connections): every answer must be 2xx or 3xx, wrk must see
  no socket error, and the server must log no error.
- WebSockets: HELD_SOCKETS live-feed sockets stay open for LOAD_SECONDS while users
  log in and out, and other clients connect and leave throughout (half of them
  closing properly, half dropping the connection, as a closed laptop does). Every
  login and logout must reach every socket that stayed exactly once, and the server
  must log no error: a client that leaves while an event is being sent to it is
  normal.
- Idle WebSockets: IDLE_SOCKETS live-feed sockets open on one process and nothing
  happening cost Redis at most MAX_IDLE_COMMANDS_PER_SECOND commands a second (a
  thousand idle visitors must not keep a small Redis plan busy), for the core layer
  and the Pub/Sub layer, counted by a redis-server of the test's own (`INFO
  commandstats`), which no other test shares.

LOAD_SECONDS defaults to 5 (each second saturates both of a 2-core machine's cores);
set it in the environment for a longer run.
"""

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import time
from collections import Counter

import pytest
from websockets.asyncio.client import connect

from tests.support import machine, tls
from tests.support.combinations import runtime_key, short_hash
from tests.support.platform_env import HOST
from tests.support.visitors import Visitor, open_websocket, site_websocket

LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "5"))
HELD_SOCKETS = 200
CHURNING_CLIENTS = 10
# Each log-in costs the production hasher's half a second of CPU: as many as fit in
# LOAD_SECONDS.
LOGINS = 10
# Seconds the last events may take to reach every held socket.
DELIVERY_DEADLINE = 30
PASSWORD = "load-password-that-is-not-secret"
ERROR_LINE = re.compile(r"\bERROR\b|Traceback")
IDLE_SOCKETS = 10
IDLE_SECONDS = 15
MAX_IDLE_COMMANDS_PER_SECOND = 2

WRK_SCRIPT = """
local paths = {"/", "%s", "/healthz"}
local next_path = 0
request = function()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path])
end
"""


@pytest.fixture(scope="session")
def wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        machine.unavailable("the load tier needs wrk: install it with `apt-get install wrk`.")
    return path


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ERROR_LINE.search(line)][:20]


@pytest.mark.only(platform="heroku", django_version="6.1", channel_layer="redis")
def test_http_load_gets_only_successful_answers(wrk, start_web, web_servers, tmp_path):
    port = start_web()
    home = Visitor(port).get("/")[1]
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home).group(1)
    script = tmp_path / "paths.lua"
    script.write_text(WRK_SCRIPT % stylesheet)

    result = subprocess.run(
        [wrk, "--threads", "2", "--connections", "16", "--duration", f"{LOAD_SECONDS}s",
         "--timeout", "10s", "--script", str(script),
         "--header", f"Host: {HOST}", "--header", "X-Forwarded-Proto: https",
         f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=LOAD_SECONDS + 60, check=True,
    )  # fmt: skip

    report = result.stdout
    requests = int(re.search(r"(\d+) requests in", report).group(1))
    assert requests > 100, report
    assert "Non-2xx or 3xx responses" not in report, report
    assert "Socket errors" not in report, report
    assert error_lines(web_servers[port].output) == []


class Feed:
    """A live-feed socket that stays: the (username, event) pairs it received."""

    def __init__(self, websocket):
        self.websocket = websocket
        self.events: Counter = Counter()

    async def listen(self) -> None:
        async for message in self.websocket:
            event = json.loads(message)
            self.events[event["username"], event["event"]] += 1


async def churn(site: dict, stop_at: float, seed: int) -> int:
    """Connect and leave until `stop_at`; return how many times."""
    rng = random.Random(seed)
    visits = 0
    while time.monotonic() < stop_at:
        async with connect(**site) as ws:
            await asyncio.sleep(rng.uniform(0, 0.2))
            if rng.random() < 0.5:
                ws.transport.abort()  # gone without a close frame
        visits += 1
    return visits


@pytest.mark.only(interface="asgi", platform="heroku", django_version="6.1", channel_layer="redis")
def test_live_feed_under_load_delivers_every_event_once(
    start_web, fast_hashing_project, web_servers, create_users, runtime_answers
):
    """With a fast password hasher (conftest.py's fast_hashing_project): the load is the
    sockets', not the logins' hashing."""
    port = start_web(project=fast_hashing_project)
    group = short_hash(runtime_key(runtime_answers))[:6]
    names = [f"load{i}-{group}" for i in range(LOGINS)]
    expected = Counter({(name, event): 1 for name in names for event in ("login", "logout")})
    create_users(["watcher", *names], PASSWORD, fast=True)
    watcher = Visitor.with_own_address(port, runtime_answers["platform"])
    watcher.log_in("watcher", PASSWORD)
    site = site_websocket(
        port, "/ws/live/", {"Cookie": f"sessionid={watcher.cookies['sessionid']}"}
    )

    def log_in_and_out(name: str) -> None:
        visitor = Visitor.with_own_address(port, runtime_answers["platform"])
        visitor.log_in(name, PASSWORD)
        visitor.log_out()

    async def scenario() -> tuple[list[Feed], list[int]]:
        feeds = []
        for _ in range(HELD_SOCKETS):
            websocket = await connect(**site)
            feeds.append(Feed(websocket))
        listeners = [asyncio.create_task(feed.listen()) for feed in feeds]
        stop_at = time.monotonic() + LOAD_SECONDS
        churners = [
            asyncio.create_task(churn(site, stop_at, seed)) for seed in range(CHURNING_CLIENTS)
        ]
        for name in names:  # spread over the run
            await asyncio.to_thread(log_in_and_out, name)
            await asyncio.sleep(max(0.0, (stop_at - time.monotonic()) / LOGINS))
        visits = await asyncio.gather(*churners)
        # The last events reach every socket (a loaded machine delays, never loses),
        # and any duplicate arrives.
        deadline = time.monotonic() + DELIVERY_DEADLINE
        while time.monotonic() < deadline and any(
            expected - Counter(feed.events) for feed in feeds
        ):
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        for feed in feeds:
            await feed.websocket.close()
        await asyncio.gather(*listeners, return_exceptions=True)
        return feeds, visits

    feeds, visits = asyncio.run(asyncio.wait_for(scenario(), LOAD_SECONDS + 120))

    received = [Counter({k: n for k, n in feed.events.items() if k[0] in names}) for feed in feeds]
    wrong = [
        {"missing": dict(expected - got), "extra": dict(got - expected)}
        for got in received
        if got != expected
    ]
    warnings = [line for line in web_servers[port].output.splitlines() if "WARNING" in line]
    assert wrong == [], f"{len(wrong)} of {HELD_SOCKETS} sockets: {wrong[:3]}; {warnings[:5]}"
    assert sum(visits) > CHURNING_CLIENTS, visits
    assert error_lines(web_servers[port].output) == []


class PlainRedis:
    """A redis-server of the test's own on a free loopback port, stopped by its pid."""

    def __init__(self, directory):
        if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
            machine.unavailable(
                "the idle test needs redis-server and redis-cli (apt-get install redis-server)."
            )
        self.port = machine.free_port()
        self.log = directory / f"redis-{self.port}.log"
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(directory),
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        tls.wait_for_port(self.port, self.process, self.log)

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def calls(self) -> Counter:
        """How many times each command has run since the server started."""
        answer = subprocess.run(
            ["redis-cli", "-p", str(self.port), "INFO", "commandstats"],
            capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
        found = re.findall(r"^cmdstat_(\S+?):calls=(\d+)", answer.stdout, re.MULTILINE)
        return Counter({name: int(calls) for name, calls in found})

    def stop(self) -> None:
        tls.stop(self.process)


@pytest.mark.only(
    interface="asgi",
    platform="heroku",
    django_version="6.1",
    asgi_server="daphne",
    channel_layer=("redis", "redis-pubsub"),
)
def test_idle_live_sockets_cost_redis_little(start_web, web_servers, tmp_path):
    redis = PlainRedis(tmp_path)
    port = None
    try:
        port = start_web(REDIS_URL=redis.url())
        with contextlib.ExitStack() as stack:
            sockets = [
                stack.enter_context(open_websocket(port, "/ws/live/")) for _ in range(IDLE_SOCKETS)
            ]
            time.sleep(1)  # the sockets have joined the group and wait
            before = redis.calls()
            time.sleep(IDLE_SECONDS)
            calls = redis.calls() - before
            closed = [websocket.close_code for websocket in sockets if websocket.close_code]
    finally:
        if port is not None:
            web_servers[port].stop()  # before its Redis
        redis.stop()

    calls["info"] -= 1  # the count `before` asked for
    rate = calls.total() / IDLE_SECONDS
    print(f"{IDLE_SOCKETS} idle sockets: {rate:.1f} Redis commands/s {dict(+calls)}")
    assert closed == [], "the server closed idle sockets"
    assert rate <= MAX_IDLE_COMMANDS_PER_SECOND, f"{rate:.1f} commands/s: {dict(+calls)}"

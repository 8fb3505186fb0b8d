"""Real time: a burst of logins reaches a watching WebSocket held by another process.

With a Redis layer, two processes run the project's own web command against the
same Redis and database: the logins go to the first, the watcher's WebSocket is on
the second. With the in-memory layer (one process by design) both are the same
process. Every login and logout must arrive exactly once, each login before its
user's logout.

Each group's users have names of their own and the watcher counts only those, so no
other test's logins (the other worker shares the Redis server) can be mistaken for
this group's. The processes serve the deployed project with a fast password hasher
first (conftest.py's fast_hashing_project): the feed does not depend on it, and eleven
logins with the production one cost several seconds of CPU per group.
"""

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.combinations import redis_layer, runtime_key, short_hash
from tests.support.visitors import Visitor, open_websocket

BURST = 10
PASSWORD = "burst-password-that-is-not-secret"
DEADLINE = 60


@pytest.fixture(scope="module")
def ports(start_web, fast_hashing_project, runtime_answers) -> tuple[int, int]:
    """(the process that handles logins, the process that holds the watcher's socket)"""
    first = start_web(project=fast_hashing_project)
    if not redis_layer(runtime_answers):
        return first, first
    return first, start_web(project=fast_hashing_project)


def receive_events(socket, names: list[str]) -> list[tuple[str, str]]:
    """The events of `names` until all 2 * len(names) have come, then for one quiet
    second more, so that a duplicate would be caught too."""
    expected = 2 * len(names)
    events = []
    deadline = time.monotonic() + DEADLINE
    for _ in range(100 * expected):  # bounded, whatever else arrives
        remaining = deadline - time.monotonic()
        timeout = 1.0 if len(events) >= expected else remaining
        if timeout <= 0:
            break
        try:
            message = json.loads(socket.recv(timeout=timeout))
        except TimeoutError:
            break
        if message["username"] in names:
            events.append((message["username"], message["event"]))
    return events


@pytest.mark.only(interface="asgi")
@pytest.mark.pairwise
def test_burst_of_logins_reaches_a_watcher_on_another_process(ports, create_users, runtime_answers):
    login_port, watch_port = ports
    group = short_hash(runtime_key(runtime_answers))[:6]
    names = [f"user{i}-{group}" for i in range(BURST)]
    create_users(["watcher", *names], PASSWORD, fast=True)
    platform = runtime_answers["platform"]
    watcher = Visitor.with_own_address(watch_port, platform)
    watcher.log_in("watcher", PASSWORD)
    cookie = {"Cookie": f"sessionid={watcher.cookies['sessionid']}"}

    with open_websocket(watch_port, "/ws/live/", cookie) as socket:
        visitors = {name: Visitor.with_own_address(login_port, platform) for name in names}
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda name: visitors[name].log_in(name, PASSWORD), names))
            list(pool.map(Visitor.log_out, visitors.values()))
        events = receive_events(socket, names)

    assert Counter(events) == Counter({(n, e): 1 for n in names for e in ("login", "logout")})
    for name in names:
        assert events.index((name, "login")) < events.index((name, "logout")), name

"""Worker tier: the exact worker command of the Procfile or of the `worker`
component runs as a process of its own beside the web command, on the real
PostgreSQL and Redis (a Redis database of the module's own, so that no other test's
queued task reaches this worker).

A visitor signs up over HTTP, with CSRF, on one web process; the worker runs the
welcome task, and the home page then shows the worker's welcome. With a Redis
channel layer, a signed-in watcher's WebSocket on a second web process also receives
the worker's "signup" event: a second producer of events, from another process.
SIGTERM stops the worker with Celery's warm shutdown: exit 0, well inside the
platform's 30 s, with no error in its log.
"""

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

import machine
import platform_env
from combinations import redis_layer, runtime_key, short_hash
from servers import Server
from visitors import HOST, Visitor

PASSWORD = "worker-password-that-is-not-secret"
WELCOME_DEADLINE = 30
# The platform kills a process 30 s after SIGTERM.
EXIT_DEADLINE = 30


@pytest.fixture(scope="module")
def worker_redis(redis_url, worker_id) -> str:
    db = 8 + (int(worker_id[2:]) if worker_id.startswith("gw") else 0)
    machine.redis_command("FLUSHDB", db=db)
    return redis_url.rsplit("/", 1)[0] + f"/{db}"


@pytest.fixture(scope="module")
def worker(released, deployed_project, production_env, worker_redis, tmp_path_factory):
    command = platform_env.commands(deployed_project)["worker"]
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    process = Server(command, deployed_project, {**production_env, "REDIS_URL": worker_redis}, log)
    ready = process.wait_for_output("ready.", timeout=60)
    assert process.process.poll() is None, f"`{command}` exited:\n{process.output}"
    assert ready, f"`{command}` not ready within 60 s:\n{process.output}"
    yield process
    process.stop()


def watch_live_feed(port: int, session: str):
    return connect(
        f"ws://127.0.0.1:{port}/ws/live/",
        origin=f"https://{HOST}",
        additional_headers={"X-Forwarded-Proto": "https", "Cookie": f"sessionid={session}"},
        open_timeout=10,
    )


def events_of(feed, name: str) -> list[str]:
    """The events about `name` until the feed has been quiet for 2 s (at most 50)."""
    events = []
    for _ in range(50):
        try:
            message = json.loads(feed.recv(timeout=2))
        except TimeoutError:
            break
        if message["username"] == name:
            events.append(message["event"])
    return events


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def wait_for_welcome(visitor: Visitor) -> str:
    deadline = time.monotonic() + WELCOME_DEADLINE
    while time.monotonic() < deadline:
        status, home = visitor.get("/")
        assert status == 200
        if 'id="welcome-status" data-state="done"' in home:
            return home
        time.sleep(0.2)
    raise AssertionError(f"no welcome on the home page {WELCOME_DEADLINE} s after sign-up")


@pytest.mark.only(background_worker="celery")
def test_the_worker_welcomes_a_new_user_and_stops_warmly(
    worker, start_web, worker_redis, create_users, runtime_answers
):
    signup_port = start_web(REDIS_URL=worker_redis)
    name = f"new-{short_hash(runtime_key(runtime_answers))[:6]}"
    watcher = None
    if redis_layer(runtime_answers):
        watch_port = start_web(REDIS_URL=worker_redis)
        create_users(["watcher"], PASSWORD)
        watcher = Visitor(watch_port)
        watcher.log_in("watcher", PASSWORD)

    visitor = Visitor(signup_port)
    fields = {"username": name, "email": f"{name}@example.com"}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    if watcher:
        with watch_live_feed(watch_port, watcher.cookies["sessionid"]) as feed:
            visitor.submit("/accounts/signup/", "/accounts/signup/", fields)
            home = wait_for_welcome(visitor)
            events = events_of(feed, name)
        # The web process sends the login that follows the sign-up; the worker, the
        # sign-up itself, once.
        assert sorted(events) == ["login", "signup"], events
    else:
        visitor.submit("/accounts/signup/", "/accounts/signup/", fields)
        home = wait_for_welcome(visitor)
    # The welcome names the process that ran the task: one of the worker's own.
    pid = int(re.search(r"\(\S+ pid (\d+)\)", home).group(1))
    assert parent_of(pid) == worker.process.pid, home
    # The task saves the welcome before the worker logs its success: wait for the log.
    assert worker.wait_for_output(" succeeded in ", 10), worker.output[-3000:]
    assert "Task welcome.tasks.welcome[" in worker.output

    stopped_at = time.monotonic()
    os.killpg(worker.process.pid, signal.SIGTERM)
    exit_code = worker.wait_for_exit(EXIT_DEADLINE)
    took = time.monotonic() - stopped_at
    assert exit_code == 0 and took < EXIT_DEADLINE, (exit_code, took)
    output = worker.output
    assert "Warm shutdown" in output
    assert "Traceback" not in output and "ERROR" not in output, output[-3000:]

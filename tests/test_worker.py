"""Worker tier: the exact worker command of the Procfile or of the `worker`
component runs as a process of its own beside the web command, on the real
PostgreSQL and Redis (a Redis database of the module's own, so that no other test's
queued task reaches this worker).

A visitor signs up over HTTP, with CSRF, on one web process; the worker runs the
welcome task, and the home page then shows the worker's welcome. With a Redis
channel layer, a signed-in watcher's WebSocket on a second web process also receives
the worker's "signup" event: a second producer of events, from another process.

Stopping, as the platform stops a worker: SIGTERM to the whole process group (as
Heroku sends it) and, on App Platform, which does not say which, to the main process
only, while the worker runs a task a user adds twice at once, a short run and a long
one. The short run finishes; the one longer than the shutdown window
(WORKER_SHUTDOWN_SECONDS, short here: the default is checked per platform in the
render tier) goes back on the queue, and a second worker started after the SIGTERM
runs it from the start, within seconds; the first exits 0 before the platform would
kill it, with no WorkerLostError, ERROR or traceback.
"""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support import machine, platform_env
from tests.support.combinations import redis_layer, runtime_key, short_hash
from tests.support.servers import Server
from tests.support.visitors import Visitor, open_websocket
from tests.support.worker_tasks import (
    events_of,
    notes_of,
    user_task,
    wait_for_welcome,
    with_user_task,
)

PASSWORD = "worker-password-that-is-not-secret"
# The shutdown window the tests give the worker (WORKER_SHUTDOWN_SECONDS), and the
# time the platform leaves it after the window: 30 s to SIGKILL, minus the default
# window (tests/test_render.py checks both platforms' defaults).
WINDOW = 3
AFTER_WINDOW = 10
EXIT_DEADLINE = WINDOW + AFTER_WINDOW
# Both platforms kill a worker 30 s after SIGTERM (the render tier checks the spec).
PLATFORM_KILL = 30
# Runs of the user's task: one that ends within the window, one that cannot.
SHORT, LONG = 1, WINDOW + 3
# How soon the next worker must start a task put back on the queue (Redis would hand
# it over by itself only after the visibility timeout, an hour).
RUN_AGAIN_DEADLINE = 30
# A task a user adds to an app's tasks.py; it notes each start and end in a file,
# with the pid of the worker whose pool runs it.
USER_TASK = user_task("@shared_task", "os.getppid()")
QUEUE_BOTH = (
    "from welcome.tasks import take_seconds; "
    f"take_seconds.delay({SHORT}, 'short', {{notes!r}}); "
    f"take_seconds.delay({LONG}, 'long', {{notes!r}})"
)


@pytest.fixture(scope="module")
def worker_redis(redis_url, worker_id, database_url) -> str:
    return machine.empty_task_queue(redis_url, worker_id, database_url)


@pytest.fixture(scope="module")
def user_project(deployed_project, tmp_path_factory) -> Path:
    """The project with the user's task added to welcome/tasks.py."""
    return with_user_task(deployed_project, tmp_path_factory.mktemp("user-task"), USER_TASK)


@pytest.fixture
def start_worker(released, user_project, production_env, worker_redis, tmp_path):
    """start_worker() -> a new process of the worker command, ready; each one is
    stopped at the end of the test, so no other test's task reaches it."""
    command = platform_env.commands(user_project)["worker"]
    env = {**production_env, "REDIS_URL": worker_redis}
    workers: list[Server] = []

    def start_worker(window: int | None = WINDOW) -> Server:
        """`window`: WORKER_SHUTDOWN_SECONDS, or None for the platform's default."""
        variables = {} if window is None else {"WORKER_SHUTDOWN_SECONDS": str(window)}
        log = tmp_path / f"worker-{len(workers)}.log"
        process = Server(command, user_project, {**env, **variables}, log)
        workers.append(process)
        ready = process.wait_for_output("ready.", timeout=60)
        assert process.process.poll() is None, f"`{command}` exited:\n{process.output}"
        assert ready, f"`{command}` not ready within 60 s:\n{process.output}"
        return process

    yield start_worker
    for process in workers:
        process.stop()


@pytest.fixture
def worker(start_worker) -> Server:
    return start_worker()


def watch_live_feed(port: int, session: str):
    return open_websocket(port, "/ws/live/", {"Cookie": f"sessionid={session}"})


WELCOME_SUCCEEDED = re.compile(r"Task welcome\.tasks\.welcome\[[\w-]+\] succeeded in ")


def wait_for_log(process: Server, line: re.Pattern, timeout: float) -> bool:
    """Whether `line` appears in the process's output within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not line.search(process.output):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.only(background_worker="celery")
def test_the_worker_welcomes_a_new_user_and_stops_cleanly(
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
    assert machine.parent_of(pid) == worker.process.pid, home
    # The task saves the welcome before the worker logs its success: wait for the
    # welcome's own line (with EMAIL_URL set, the sign-up's confirmation mail would be
    # a task of its own; here mail is off and the web process queues none).
    assert wait_for_log(worker, WELCOME_SUCCEEDED, 10), worker.output[-3000:]
    assert "send_email[" not in worker.output, worker.output[-3000:]

    assert_stops_cleanly(worker, os.killpg)


def assert_stops_cleanly(worker: Server, kill, deadline: float = EXIT_DEADLINE) -> None:
    """`kill` (os.killpg or os.kill) sends SIGTERM: the worker exits 0 within
    `deadline` seconds, before the platform would kill it, with no error in its log."""
    kill(worker.process.pid, signal.SIGTERM)
    try:
        exit_code = worker.wait_for_exit(deadline)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"still running {deadline} s after SIGTERM:\n{worker.output[-3000:]}"
        ) from None
    output = worker.output
    assert exit_code == 0, (exit_code, output[-3000:])
    for error in ("WorkerLostError", "ERROR", "Traceback", "time limit"):
        assert error not in output, output[-3000:]


def wait_for_note(notes: Path, wanted, timeout: float, worker: Server) -> None:
    """Wait until a note is `wanted` (a predicate of event, run, pid)."""
    deadline = time.monotonic() + timeout
    while not any(wanted(*note) for note in notes_of(notes)):
        assert time.monotonic() < deadline, (notes_of(notes), worker.output[-3000:])
        time.sleep(0.2)


# Stopping is the worker's own code and Celery's, whatever serves the site: one group of
# each Django version and platform, the WSGI one among them.
STOPPING_GROUPS = {
    "heroku-asgi-daphne-in-memory-dj5.2-celery",
    "heroku-wsgi-dj6.1-celery-s3",
    "digitalocean-asgi-daphne-redis-dj6.1-celery-s3",
}


@pytest.mark.only(groups=STOPPING_GROUPS)
def test_a_stopping_worker_finishes_what_it_can_and_puts_back_the_rest(
    start_worker, user_project, production_env, worker_redis, run, tmp_path
):
    """SIGTERM to the whole process group, as Heroku sends it (and App Platform may)."""
    stop_while_busy(
        start_worker, user_project, production_env, worker_redis, run, tmp_path, os.killpg
    )


# App Platform does not say whether SIGTERM reaches the container's other processes.
@pytest.mark.only(background_worker="celery", platform="digitalocean")
def test_a_worker_signalled_in_its_main_process_only_stops_as_well(
    start_worker, user_project, production_env, worker_redis, run, tmp_path
):
    stop_while_busy(
        start_worker, user_project, production_env, worker_redis, run, tmp_path, os.kill
    )


def stop_while_busy(start_worker, user_project, production_env, worker_redis, run, tmp_path, kill):
    """A short and a long run of the user's task at once; SIGTERM by `kill`: the short
    one finishes, the long one goes back on the queue and runs, from the start, on the
    next worker."""
    first = start_worker()
    notes = tmp_path / "notes"
    queued = run(
        ["python", "manage.py", "shell", "-c", QUEUE_BOTH.format(notes=str(notes))],
        cwd=user_project,
        env={**production_env, "REDIS_URL": worker_redis},
    )
    assert queued.returncode == 0, queued.stdout + queued.stderr
    for name in ("short", "long"):
        wait_for_note(notes, lambda *note, name=name: note[1] == name, 30, first)

    assert_stops_cleanly(first, kill)
    # The next worker starts once the first has gone, as a new dyno or instance does.
    second = start_worker()
    wait_for_note(
        notes, lambda *note: note[:2] == ("finished", "long"), RUN_AGAIN_DEADLINE + LONG, second
    )

    notes = notes_of(notes)
    on_first = sorted(note[:2] for note in notes if note[2] == first.process.pid)
    on_second = [note[:2] for note in notes if note[2] == second.process.pid]
    assert on_first == [("finished", "short"), ("started", "long"), ("started", "short")], notes
    assert on_second == [("started", "long"), ("finished", "long")], notes
    assert "Restoring 1 unacknowledged message" in first.output, first.output[-3000:]


# One group per platform: the default window is the platform's, the rest is the same.
@pytest.mark.only(
    lambda answers: answers["interface"] == "asgi" and answers["channel_layer"] == "redis",
    background_worker="celery",
    django_version="6.1",
    asgi_server="daphne",
)
def test_with_the_platforms_defaults_a_task_that_ends_in_the_window_stops_cleanly(
    start_worker, user_project, production_env, worker_redis, run, tmp_path
):
    """The default window and time limits together: a task that ends during the
    window is not told afterwards that it ran out of time (Celery applies time limits
    that fell due in the window once it ends)."""
    worker = start_worker(window=None)
    notes = tmp_path / "notes"
    queue = "from welcome.tasks import take_seconds; take_seconds.delay(3, 'short', {!r})"
    queued = run(
        ["python", "manage.py", "shell", "-c", queue.format(str(notes))],
        cwd=user_project,
        env={**production_env, "REDIS_URL": worker_redis},
    )
    assert queued.returncode == 0, queued.stdout + queued.stderr
    wait_for_note(notes, lambda *note: note[1] == "short", 30, worker)

    assert_stops_cleanly(worker, os.killpg, deadline=PLATFORM_KILL)
    assert ("finished", "short", worker.process.pid) in notes_of(notes), worker.output[-3000:]

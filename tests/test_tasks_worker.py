"""Worker tier for Django's tasks: the exact worker command of the Procfile or of the
`worker` component runs beside the web command, on the real PostgreSQL, which is the
whole queue (no Redis but the channel layer's, where there is one).

A visitor signs up over HTTP; the worker runs the welcome task, and the home page then
shows the worker's welcome (with a Redis channel layer, a watcher's live feed on a
second web process also gets the worker's "signup" event). Then the platform's stops:
SIGTERM while a task runs lets it finish, and the worker exits 0; a worker killed
outright (SIGKILL) leaves its task RUNNING, and the next worker to start runs it again
from the start; tasks queued while no worker runs all run once one starts.
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

pytestmark = pytest.mark.only(background_worker="django-tasks")

PASSWORD = "tasks-worker-password-that-is-not-secret"
# How soon after SIGTERM an idle worker, or one whose task ends, must have exited.
EXIT_DEADLINE = 10
# How soon the next worker must start a task a killed worker left RUNNING.
RUN_AGAIN_DEADLINE = 30
# A task a user adds to an app's tasks.py; it notes each start and end in a file,
# with the pid of the process that runs it.
USER_TASK = user_task("@task", "os.getpid()")
QUEUE = (
    "from welcome.tasks import take_seconds; take_seconds.enqueue({seconds}, {name!r}, {notes!r})"
)
READY = "Starting worker"


@pytest.fixture(scope="module")
def user_project(deployed_project, tmp_path_factory) -> Path:
    """The project with the user's task added to welcome/tasks.py."""
    return with_user_task(deployed_project, tmp_path_factory.mktemp("user-task"), USER_TASK)


@pytest.fixture
def start_worker(released, user_project, production_env, database_url, tmp_path):
    """start_worker() -> a new process of the worker command, ready; each one is
    stopped at the end of the test. The queue starts empty."""
    machine.empty_outbox(database_url)
    command = platform_env.commands(user_project)["worker"]
    workers: list[Server] = []

    def start_worker() -> Server:
        log = tmp_path / f"worker-{len(workers)}.log"
        process = Server(command, user_project, production_env, log)
        workers.append(process)
        ready = process.wait_for_output(READY, timeout=60)
        assert process.process.poll() is None, f"`{command}` exited:\n{process.output}"
        assert ready, f"`{command}` not ready within 60 s:\n{process.output}"
        return process

    yield start_worker
    for process in workers:
        process.stop()


@pytest.fixture
def queue(run, user_project, production_env, tmp_path):
    """queue(seconds, name) -> the notes file: the user's task queued as a web process
    queues it, from a process of its own."""
    notes = tmp_path / "notes"

    def queue(seconds: float, name: str) -> Path:
        code = QUEUE.format(seconds=seconds, name=name, notes=str(notes))
        command = ["python", "manage.py", "shell", "-c", code]
        queued = run(command, cwd=user_project, env=production_env)
        assert queued.returncode == 0, queued.stdout + queued.stderr
        return notes

    return queue


def wait_for_note(notes: Path, wanted: tuple, timeout: float, worker: Server) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in notes_of(notes):
        assert time.monotonic() < deadline, (notes_of(notes), worker.output[-3000:])
        time.sleep(0.2)


def assert_stops_cleanly(worker: Server) -> None:
    """SIGTERM to the process group, as Heroku sends it: exit 0 within EXIT_DEADLINE
    seconds, well before the platform's SIGKILL, with no error in the log."""
    os.killpg(worker.process.pid, signal.SIGTERM)
    try:
        exit_code = worker.wait_for_exit(EXIT_DEADLINE)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after SIGTERM:\n{worker.output[-3000:]}") from None
    assert exit_code == 0, (exit_code, worker.output[-3000:])
    for error in ("ERROR", "Traceback"):
        assert error not in worker.output, worker.output[-3000:]


def test_the_worker_welcomes_a_new_user_and_stops_at_once(
    start_worker, start_web, create_users, runtime_answers
):
    worker = start_worker()
    signup_port = start_web()
    name = f"new-{short_hash(runtime_key(runtime_answers))[:6]}"
    visitor = Visitor(signup_port)
    fields = {"username": name, "email": f"{name}@example.com"}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    if redis_layer(runtime_answers):
        watch_port = start_web()
        create_users(["watcher"], PASSWORD)
        watcher = Visitor(watch_port)
        watcher.log_in("watcher", PASSWORD)
        session = {"Cookie": f"sessionid={watcher.cookies['sessionid']}"}
        with open_websocket(watch_port, "/ws/live/", session) as feed:
            visitor.submit("/accounts/signup/", "/accounts/signup/", fields)
            home = wait_for_welcome(visitor)
            events = events_of(feed, name)
        # The web process sends the login that follows the sign-up; the worker, the
        # sign-up itself, once.
        assert sorted(events) == ["login", "signup"], events
    else:
        visitor.submit("/accounts/signup/", "/accounts/signup/", fields)
        home = wait_for_welcome(visitor)
    # The welcome names the process that ran the task: the worker itself.
    assert re.search(r"\(\S+ pid (\d+)\)", home).group(1) == str(worker.process.pid), home

    assert_stops_cleanly(worker)


def test_a_task_running_at_a_stop_finishes_before_the_worker_exits(start_worker, queue):
    worker = start_worker()
    notes = queue(3, "short")
    wait_for_note(notes, ("started", "short", worker.process.pid), 30, worker)

    assert_stops_cleanly(worker)
    assert ("finished", "short", worker.process.pid) in notes_of(notes), worker.output[-3000:]


def test_a_task_a_killed_worker_left_runs_again_on_the_next(start_worker, queue):
    """SIGKILL, as the platform sends it 30 s after SIGTERM, or as an out-of-memory
    kill: the task stays RUNNING, and the next worker puts it back as it starts."""
    first = start_worker()
    notes = queue(3, "long")
    wait_for_note(notes, ("started", "long", first.process.pid), 30, first)
    os.killpg(first.process.pid, signal.SIGKILL)
    first.wait_for_exit(10)

    second = start_worker()
    wait_for_note(notes, ("finished", "long", second.process.pid), RUN_AGAIN_DEADLINE, second)
    assert ("finished", "long", first.process.pid) not in notes_of(notes)
    assert "Put back 1 task(s) a dead worker left running" in second.output, second.output
    assert_stops_cleanly(second)


def test_tasks_queued_while_no_worker_runs_all_run_once_one_starts(start_worker, queue):
    for name in ("one", "two", "three"):
        notes = queue(0, name)
    assert notes_of(notes) == []

    worker = start_worker()
    for name in ("one", "two", "three"):
        wait_for_note(notes, ("finished", name, worker.process.pid), 30, worker)
    assert len(notes_of(notes)) == 6, notes_of(notes)

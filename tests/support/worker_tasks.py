"""What the worker tiers share (Celery's and Django's tasks'): the task a user adds to
welcome/tasks.py, which notes each start and end of a run in a file, those notes read
back, and what a visitor and a live-feed watcher see of the welcome task."""

import json
import shutil
import time
from pathlib import Path

from tests.support.visitors import Visitor

WELCOME_DEADLINE = 30


def user_task(decorator: str, pid: str) -> str:
    """The task's source, appended to welcome/tasks.py (which imports os and the
    decorator): `pid` is how it finds the process that runs it (os.getpid() for the
    worker itself, os.getppid() for Celery's pool, whose parent is the worker)."""
    return f"""

{decorator}
def take_seconds(seconds: float, name: str, notes: str) -> None:
    import time

    with open(notes, "a") as file:
        file.write(f"started {{name}} {{{pid}}}\\n")
    time.sleep(seconds)
    with open(notes, "a") as file:
        file.write(f"finished {{name}} {{{pid}}}\\n")
"""


def with_user_task(project: Path, into: Path, source: str) -> Path:
    """A copy of `project` in `into`, with `source` added to welcome/tasks.py."""
    copy = into / project.name
    shutil.copytree(project, copy)
    with (copy / "welcome" / "tasks.py").open("a") as tasks:
        tasks.write(source)
    return copy


def notes_of(notes: Path) -> list[tuple[str, str, int]]:
    """(event, run, worker's pid) for each line the user's task wrote."""
    lines = notes.read_text().splitlines() if notes.exists() else []
    return [(event, run, int(pid)) for event, run, pid in map(str.split, lines)]


def wait_for_welcome(visitor: Visitor) -> str:
    """The home page once it shows the worker's welcome."""
    deadline = time.monotonic() + WELCOME_DEADLINE
    while time.monotonic() < deadline:
        status, home = visitor.get("/")
        assert status == 200
        if 'id="welcome-status" data-state="done"' in home:
            return home
        time.sleep(0.2)
    raise AssertionError(f"no welcome on the home page {WELCOME_DEADLINE} s after sign-up")


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

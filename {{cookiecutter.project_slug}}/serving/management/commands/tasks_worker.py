"""django-tasks-db's `db_worker`, and what it lacks: a task left RUNNING by a worker
that died (SIGKILL {{ cookiecutter.__worker_kill_seconds }} s after a stop, or out of memory) goes back on the queue
when the next worker starts, or within a minute while others run."""

import logging
import threading
import time

from django.db import connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from serving.checks.startup import problems, stop

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 60
# Each worker holds an advisory lock named after its id on a connection of its own,
# which PostgreSQL drops with the worker: a RUNNING task whose worker's lock is free
# has no worker. The first key sets these locks apart from any others.
# https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
LOCKS = 7314021
HOLD = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"
PUT_BACK = f"""
UPDATE {DBTaskResult._meta.db_table} SET status = 'READY'
WHERE status = 'RUNNING' AND worker_ids ->> -1 <> %s
AND pg_try_advisory_xact_lock(%s, hashtext(worker_ids ->> -1))
"""


def hold(worker_id: str):
    """A connection of its own that holds the worker's lock (a pooled one would drop
    it when idle)."""
    params = connection.get_connection_params()
    params.pop("pool", None)
    held = connection.Database.connect(**params, autocommit=True)
    held.execute(HOLD, [LOCKS, worker_id])
    return held


def put_back(held, worker_id: str) -> int:
    """Put the tasks of workers that are gone back on the queue; how many."""
    return held.execute(PUT_BACK, [worker_id, LOCKS]).rowcount


def hold_and_put_back(worker_id: str, first: threading.Event) -> None:
    held = None
    while True:
        try:
            if held is None or held.closed:
                held = hold(worker_id)
            if count := put_back(held, worker_id):
                logger.warning("Put back %d task(s) a dead worker left running", count)
        except connection.Database.Error as error:  # tried again on a new connection
            logger.warning("Could not look for tasks a dead worker left: %s", error)
            held = None
        first.set()
        time.sleep(SWEEP_SECONDS)


class Command(db_worker.Command):
    help = "Run queued tasks, and put back those a dead worker left running."

    def handle(self, *args, **options):
        if found := problems():
            stop(found[0])
        if connection.vendor == "postgresql":  # SQLite has one machine, no dead workers
            first = threading.Event()
            threading.Thread(
                target=hold_and_put_back,
                args=(options["worker_id"], first),
                daemon=True,
            ).start()
            first.wait(timeout=30)
        super().handle(*args, **options)

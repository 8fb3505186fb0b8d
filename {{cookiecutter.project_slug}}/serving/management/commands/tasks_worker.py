"""django-tasks-db's `db_worker`, and what it lacks: a task left RUNNING by a worker
that died (SIGKILL {{ cookiecutter.__worker_kill_seconds }} s after a stop, or out of memory) goes back on the queue
when the next worker starts, or within a minute while others run; and a database that
goes away (maintenance, a failover) pauses the worker instead of crashing it."""

import itertools
import logging
import threading
import time

from django.db import InterfaceError, OperationalError, connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from serving.checks.startup import problems, stop

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 60
AWAY = 5  # seconds between tries while the database is away
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


class Sweeper(threading.Thread):
    """Holds the worker's lock and puts back dead workers' tasks, every SWEEP_SECONDS,
    until stopped (which lets go of the lock)."""

    def __init__(self, worker_id: str):
        super().__init__(daemon=True)
        self.worker_id = worker_id
        self.stopped, self.first = threading.Event(), threading.Event()

    def run(self) -> None:
        held = None
        while not self.stopped.is_set():
            try:
                if held is None or held.closed:
                    held = hold(self.worker_id)
                if count := put_back(held, self.worker_id):
                    logger.warning(
                        "Put back %d task(s) a dead worker left running", count
                    )
            except connection.Database.Error as error:  # a new connection next time
                logger.warning("Could not look for tasks a dead worker left: %s", error)
                held = None
            self.first.set()
            self.stopped.wait(SWEEP_SECONDS)
        if held is not None:
            held.close()


class Command(db_worker.Command):
    help = "Run queued tasks, and put back those a dead worker left running."

    def handle(self, *args, **options):
        if found := problems():
            stop(found[0])
        for attempt in itertools.count():
            # A new id after an outage: the task it cut short had the old one, whose
            # lock is gone, so the sweep puts it back.
            worker_id = f"{options['worker_id']}-{attempt}"
            sweeper = None
            if connection.vendor == "postgresql":  # SQLite: one machine, none dead
                sweeper = Sweeper(worker_id)
                sweeper.start()
                sweeper.first.wait(timeout=30)
            try:
                return super().handle(*args, **{**options, "worker_id": worker_id})
            except (OperationalError, InterfaceError) as error:
                logger.warning("The database is away, trying in %d s: %s", AWAY, error)
                time.sleep(AWAY)
            finally:
                if sweeper:
                    sweeper.stopped.set()
                    sweeper.join(timeout=5)  # its lock gone before the next one sweeps

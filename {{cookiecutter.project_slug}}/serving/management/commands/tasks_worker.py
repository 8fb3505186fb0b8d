"""django-tasks-db's `db_worker`, which puts back tasks a killed worker left RUNNING and
waits out a database outage instead of crashing."""

import itertools
import logging
import threading
import time

from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from serving.checks.startup import problems, stop

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 3
# A task is put back once its worker's lock has been free this long: a live worker whose
# lock's connection dropped takes the lock again within two sweeps.
GRACE_SECONDS = 12
AWAY = 5  # seconds between tries while the database is away
# A worker's advisory lock dies with it: a RUNNING task whose worker's lock is free
# has no worker. https://www.postgresql.org/docs/current/explicit-locking.html
LOCKS = 7314021  # the first key, setting these locks apart from others
HOLD = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"
# Another worker's running task whose worker's lock is free now.
ORPHANED = """status = 'RUNNING' AND worker_ids ->> -1 <> %(worker)s
AND pg_try_advisory_xact_lock(%(locks)s, hashtext(worker_ids ->> -1))"""
FREE = f"SELECT id FROM {DBTaskResult._meta.db_table} WHERE {ORPHANED}"
# A task whose workers all died running it (out of memory, say) fails on the last.
TRIES = 3
PUT_BACK = f"""
UPDATE {DBTaskResult._meta.db_table}
SET status = CASE WHEN jsonb_array_length(worker_ids) < %(tries)s THEN 'READY'
    ELSE 'FAILED' END,
finished_at = CASE WHEN jsonb_array_length(worker_ids) < %(tries)s THEN NULL
    ELSE now() END
WHERE id = ANY(%(ids)s) AND {ORPHANED}
RETURNING status
"""


def hold(worker_id: str):
    """A connection of its own (not pooled, which drops idle ones) holding the lock."""
    params = connection.get_connection_params()
    held = connection.Database.connect(**params, autocommit=True)
    if not held.execute(HOLD, [LOCKS, worker_id]).fetchone()[0]:
        held.close()  # the session that lost it holds it still: try again
        raise connection.Database.OperationalError(f"{worker_id}'s lock is held")
    return held


def sweep(held, worker_id: str, free_since: dict, now: float) -> list[str]:
    """Put back the tasks whose worker's lock has been free GRACE_SECONDS: their new
    statuses. `free_since` (task id -> when first seen free) is kept between sweeps."""
    values = {"tries": TRIES, "worker": worker_id, "locks": LOCKS}
    free = [task_id for (task_id,) in held.execute(FREE, values)]
    for task_id in set(free_since) - set(free):
        del free_since[task_id]  # its worker holds its lock again, or it ended
    due = [i for i in free if now - free_since.setdefault(i, now) >= GRACE_SECONDS]
    if not due:
        return []
    return [status for (status,) in held.execute(PUT_BACK, {**values, "ids": due})]


class Sweeper(threading.Thread):
    """Holds the worker's lock, putting back dead workers' tasks."""

    def __init__(self, worker_id: str):
        super().__init__(daemon=True)
        self.worker_id = worker_id
        self.stopped, self.first = threading.Event(), threading.Event()

    def run(self) -> None:
        held, free_since = None, {}
        while not self.stopped.is_set():
            try:
                if held is None or held.closed:
                    held = hold(self.worker_id)
                statuses = sweep(held, self.worker_id, free_since, time.monotonic())
                if count := statuses.count("READY"):
                    logger.warning(
                        "Put back %d task(s) a dead worker left running", count
                    )
                if count := statuses.count("FAILED"):
                    logger.error(
                        "%d task(s) failed: %d workers died running each", count, TRIES
                    )
            except connection.Database.Error as error:  # a new connection next time
                if held is not None:  # once an outage, not once a sweep
                    logger.warning("Could not sweep for dead workers' tasks: %s", error)
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
            # A new id after an outage, so the sweep puts back the task it cut short.
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
            except ProgrammingError as error:
                # db_worker's SIGTERM handler exits mid-query; the rollback then fails.
                if isinstance(error.__context__, SystemExit):
                    raise error.__context__ from None
                raise
            finally:
                if sweeper:
                    sweeper.stopped.set()
                    sweeper.join(timeout=5)  # its lock gone before the next one sweeps

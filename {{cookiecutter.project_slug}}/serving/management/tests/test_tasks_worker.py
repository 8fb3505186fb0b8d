import time

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from serving.management.commands import tasks_worker

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


def running(worker_id: str, earlier=("earlier",)) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="welcome.tasks.welcome",
        backend_name="default",
        run_after=now,
        started_at=now,
        worker_ids=[*earlier, worker_id],
    )


def sweep_after_the_grace(held, free_since: dict) -> list[str]:
    return tasks_worker.sweep(held, "this", free_since, tasks_worker.GRACE_SECONDS)


@pytest.mark.django_db(transaction=True)
def test_only_the_tasks_of_a_worker_that_is_gone_go_back_on_the_queue():
    alive, this = tasks_worker.hold("alive"), tasks_worker.hold("this")
    try:
        left = running("gone")  # its worker holds no lock: it died
        kept = running("alive")
        own = running("this")

        free_since = {}
        assert tasks_worker.sweep(this, "this", free_since, now=0) == []
        assert sweep_after_the_grace(this, free_since) == ["READY"]
        assert sweep_after_the_grace(this, free_since) == []

        statuses = dict(DBTaskResult.objects.values_list("id", "status"))
        assert statuses == {left.id: "READY", kept.id: "RUNNING", own.id: "RUNNING"}
    finally:
        alive.close()
        this.close()


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_that_takes_its_lock_again_keeps_its_task():
    """Its lock's connection dropped (a failover, a network blip) while it runs the
    task: put back meanwhile, the task would run twice at once."""
    this, dropped = tasks_worker.hold("this"), tasks_worker.hold("alive")
    try:
        task = running("alive")
        free_since = {}
        dropped.close()
        assert tasks_worker.sweep(this, "this", free_since, now=0) == []
        again = tasks_worker.hold("alive")

        assert sweep_after_the_grace(this, free_since) == []
        again.close()
        task.refresh_from_db()
        assert task.status == "RUNNING" and free_since == {}
    finally:
        this.close()


@pytest.mark.django_db(transaction=True)
def test_a_lock_still_held_elsewhere_is_not_taken_for_granted():
    first = tasks_worker.hold("twice")
    try:
        with pytest.raises(connection.Database.OperationalError, match="is held"):
            tasks_worker.hold("twice")
    finally:
        first.close()


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_takes_its_lock_again_once_its_connection_is_cut(monkeypatch):
    monkeypatch.setattr(tasks_worker, "SWEEP_SECONDS", 0.1)
    sweeper = tasks_worker.Sweeper("cut")
    sweeper.start()
    try:
        assert sweeper.first.wait(timeout=10)
        first = lock_holder("cut")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        deadline = time.monotonic() + 10
        while lock_holder("cut") in (None, first) and time.monotonic() < deadline:
            time.sleep(0.1)

        assert lock_holder("cut") not in (None, first)
    finally:
        sweeper.stopped.set()
        sweeper.join(timeout=5)


def lock_holder(worker_id: str) -> int | None:
    """The pid of the session holding `worker_id`'s lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
            " AND objid = hashtext(%s)::oid AND granted",
            [tasks_worker.LOCKS, worker_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


@pytest.mark.django_db(transaction=True)
def test_a_task_that_every_worker_died_running_fails_on_the_last():
    """One that kills its worker (out of memory, say) would otherwise be put back and
    kill the next one, forever, holding up every task behind it."""
    this = tasks_worker.hold("this")
    try:
        earlier = [f"died-{n}" for n in range(tasks_worker.TRIES - 1)]
        deadly = running("gone", earlier=earlier)

        free_since = {}
        tasks_worker.sweep(this, "this", free_since, now=0)
        assert sweep_after_the_grace(this, free_since) == ["FAILED"]

        deadly.refresh_from_db()
        assert deadly.status == "FAILED" and deadly.finished_at is not None
    finally:
        this.close()


@pytest.mark.django_db(transaction=True)
def test_a_stop_that_cuts_a_query_short_exits_as_the_stop_asked(monkeypatch, settings):
    """db_worker's SIGTERM handler calls sys.exit() from inside whatever runs, a
    query too; the transaction's rollback then fails on the busy connection."""

    def stopped_mid_query(self, *args, **options):
        try:
            raise SystemExit(0)
        finally:
            raise ProgrammingError("can't change 'autocommit' now")

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker.Command, "handle", stopped_mid_query)

    with pytest.raises(SystemExit) as stop:
        call_command("tasks_worker")

    assert stop.value.code == 0

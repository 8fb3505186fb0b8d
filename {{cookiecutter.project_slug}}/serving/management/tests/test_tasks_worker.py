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


@pytest.mark.django_db(transaction=True)
def test_only_the_tasks_of_a_worker_that_is_gone_go_back_on_the_queue():
    alive, this = tasks_worker.hold("alive"), tasks_worker.hold("this")
    try:
        left = running("gone")  # its worker holds no lock: it died
        kept = running("alive")
        own = running("this")

        assert tasks_worker.put_back(this, "this") == ["READY"]
        assert tasks_worker.put_back(this, "this") == []

        statuses = dict(DBTaskResult.objects.values_list("id", "status"))
        assert statuses == {left.id: "READY", kept.id: "RUNNING", own.id: "RUNNING"}
    finally:
        alive.close()
        this.close()


@pytest.mark.django_db(transaction=True)
def test_a_task_that_every_worker_died_running_fails_on_the_last():
    """One that kills its worker (out of memory, say) would otherwise be put back and
    kill the next one, forever, holding up every task behind it."""
    this = tasks_worker.hold("this")
    try:
        earlier = [f"died-{n}" for n in range(tasks_worker.TRIES - 1)]
        deadly = running("gone", earlier=earlier)

        assert tasks_worker.put_back(this, "this") == ["FAILED"]

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

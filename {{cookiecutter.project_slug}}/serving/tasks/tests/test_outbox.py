import os
import subprocess
import sys
import threading
import time

import pytest
from celery import shared_task
from kombu.pools import ProducerPool

from config.celery import app
from serving.models import QueuedTask
from serving.tasks import outbox

NOTHING_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connections refused


@shared_task
def remember(value: str, *, times: int) -> None:
    pass


@pytest.fixture
def broker_away(monkeypatch):
    """Tasks sent as in production (not run here and now), to a broker that is away.
    The app's pool of broker connections is made anew for it, and dropped after."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", NOTHING_LISTENS)
    monkeypatch.setattr(app, "_pool", None)  # a pool of connections to that broker
    monkeypatch.setattr(app.amqp, "_producer_pool", None)  # and of producers on them
    monkeypatch.setattr(outbox, "broker_away_until", 0.0)


@pytest.mark.django_db
def test_a_task_queued_while_the_broker_is_away_waits_in_the_database(
    broker_away, caplog
):
    started = time.monotonic()
    first = remember.delay("first", times=1)
    second = remember.apply_async(args=["second"], kwargs={"times": 2}, countdown=5)
    took = time.monotonic() - started

    assert took < 2  # one try of the broker, refused at once
    waiting = list(QueuedTask.objects.order_by("pk"))
    assert [task.name for task in waiting] == [remember.name] * 2
    assert first.id != second.id
    warnings = [r for r in caplog.records if r.name == outbox.__name__]
    assert len(warnings) == 1 and "cannot be reached" in warnings[0].getMessage()


@pytest.mark.django_db
def test_the_worker_sends_them_once_it_can_and_forgets_them(broker_away, monkeypatch):
    remember.delay("first", times=1)
    remember.apply_async(args=["second"], kwargs={"times": 2}, countdown=5)
    sent = []

    def send_task(name, args, kwargs, **options):
        sent.append((name, args, kwargs, options.get("countdown")))

    monkeypatch.setattr(app, "send_task", send_task)

    assert outbox.send_queued(app) == 2
    assert sent == [
        (remember.name, ["first"], {"times": 1}, None),
        (remember.name, ["second"], {"times": 2}, 5),
    ]
    assert not QueuedTask.objects.exists()


@pytest.mark.django_db
def test_a_task_the_broker_still_refuses_stays(broker_away):
    remember.delay("first", times=1)

    with pytest.raises(outbox.BROKER_ERRORS):  # the broker is still away
        outbox.send_queued(app)

    assert QueuedTask.objects.count() == 1


def test_threads_that_queue_their_first_tasks_at_once_make_one_pool(
    broker_away, monkeypatch
):
    """A burst of requests in a new web process: Celery makes its pool of broker
    connections once, not once per thread (each pool with connections of its own)."""
    made = []
    make = ProducerPool.__init__

    def slow_make(pool, *args, **kwargs):  # a busy machine: other threads run meanwhile
        made.append(pool)
        time.sleep(0.01)
        make(pool, *args, **kwargs)

    monkeypatch.setattr(ProducerPool, "__init__", slow_make)
    monkeypatch.setattr(outbox, "keep", lambda *args: None)  # no database here
    # A broker this process has no pool for yet, as a new web process has none.
    monkeypatch.setitem(app.conf, "broker_url", NOTHING_LISTENS.replace("/0", "/1"))
    together = threading.Barrier(8)

    def queue_one() -> None:
        together.wait(timeout=10)
        remember.delay("burst", times=1)

    threads = [threading.Thread(target=queue_one) for _ in range(together.parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(made) == 1


QUEUE_A_TASK = """
import django
from celery import shared_task

django.setup()
import config.celery

@shared_task
def nothing():
    pass

nothing.delay()
"""


def test_a_task_run_locally_looks_for_no_broker():
    local = {**os.environ, "DJANGO_DEBUG": "1"}
    for name in ("REDIS_URL", "DATABASE_URL"):
        local.pop(name, None)
    queued = subprocess.run(
        [sys.executable, "-c", QUEUE_A_TASK],
        env=local,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert queued.returncode == 0, queued.stderr
    assert "WARNING" not in queued.stdout + queued.stderr

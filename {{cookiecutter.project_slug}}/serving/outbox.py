"""Tasks queued while the broker is away wait in the database, and the worker sends
them once it is back: no page waits for Redis, and no task (a welcome, a password
reset's mail) is lost because Redis restarted or failed over at that moment.

Every task of the project's Celery app is an OutboxTask (config/celery.py). Queuing
one sends it to the broker as Celery does, without retrying. If the broker cannot be
reached, the task is written to the database instead (QueuedTask, serving/models.py),
and for OUTAGE_SECONDS the process writes every task there without trying the broker
again, so that a page queuing several waits for the broker once at most (its connect
timeout, settings.CELERY_BROKER_TRANSPORT_OPTIONS). The worker, which reconnects to
the broker by itself, sends the waiting tasks every SEND_SECONDS and deletes each once
sent: each is sent at least once (twice, if the worker stops between the two).
Locally, with tasks run eagerly, nothing goes through the database.
"""

import logging
import threading
import time

from celery import Task
from django.db import close_old_connections, transaction
from kombu.exceptions import OperationalError
from kombu.utils import json
from kombu.utils.uuid import uuid

logger = logging.getLogger(__name__)

OUTAGE_SECONDS = 10
SEND_SECONDS = 2
# What a broker that cannot be reached raises: kombu's connection errors, and its
# pool's when no connection came free in time.
BROKER_ERRORS = (OperationalError, OSError, TimeoutError)
# Celery makes a process's pools of broker connections when it first queues a task,
# with no lock: threads that queue their first tasks at once can each make a pool,
# and each pool connections of its own, past CELERY_BROKER_POOL_LIMIT. One thread at
# a time makes them.
making_pools = threading.Lock()


class Outage:
    """Whether this process found the broker away in the last OUTAGE_SECONDS."""

    def __init__(self):
        self.until = 0.0

    def __bool__(self) -> bool:
        return time.monotonic() < self.until

    def begin(self, error: Exception) -> None:
        if not self:
            logger.warning(
                "The broker cannot be reached (%s: %s): tasks wait in the database"
                " for the worker to send them.",
                type(error).__name__,
                error,
            )
        self.until = time.monotonic() + OUTAGE_SECONDS


outage = Outage()


class OutboxTask(Task):
    def apply_async(self, args=None, kwargs=None, **options):
        if self.app.conf.task_always_eager:  # run here and now
            return super().apply_async(args, kwargs, **options)
        options["task_id"] = options.get("task_id") or uuid()
        if not outage:
            with making_pools:
                self.app.producer_pool  # noqa: B018 (made on first use, then kept)
            try:
                return super().apply_async(args, kwargs, **{"retry": False, **options})
            except BROKER_ERRORS as error:
                outage.begin(error)
        keep(self.name, args, kwargs, options)
        return self.AsyncResult(options["task_id"])


def keep(name: str, args, kwargs, options: dict) -> None:
    from serving.models import QueuedTask

    message = {"args": list(args or ()), "kwargs": kwargs or {}, "options": options}
    QueuedTask.objects.create(name=name, message=json.dumps(message))


def send_queued(app) -> int:
    """Send the tasks that wait in the database, oldest first: how many were sent.
    Each is deleted in the transaction that sent it; a broker that fails leaves it,
    and the rest, for the next round."""
    from serving.models import QueuedTask

    sent = 0
    while True:
        with transaction.atomic():
            waiting = QueuedTask.objects.select_for_update(skip_locked=True)
            task = waiting.order_by("pk").first()
            if task is None:
                return sent
            message = json.loads(task.message)
            app.send_task(
                task.name,
                args=message["args"],
                kwargs=message["kwargs"],
                **{"retry": False, **message["options"]},
            )
            task.delete()
        sent += 1


def send_while_running(app) -> None:
    """In the worker: a thread that sends the waiting tasks every SEND_SECONDS."""

    def run() -> None:
        while True:
            time.sleep(SEND_SECONDS)
            try:
                if sent := send_queued(app):
                    logger.info("Sent %d task(s) that waited for the broker", sent)
            except Exception as error:  # the broker or the database is away: later
                logger.debug("Queued tasks not sent yet: %r", error)
            finally:
                close_old_connections()

    threading.Thread(target=run, name="outbox", daemon=True).start()

"""Tasks wait in the database while the broker is away; the worker sends them on."""

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
BROKER_ERRORS = (OperationalError, OSError, TimeoutError)
# Celery makes its broker pools on first use, unlocked: one each for threads at once.
making_pools = threading.Lock()
broker_away_until = 0.0


class OutboxTask(Task):
    def apply_async(self, args=None, kwargs=None, **options):
        global broker_away_until
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, **options)
        options["task_id"] = options.get("task_id") or uuid()
        if time.monotonic() >= broker_away_until:
            with making_pools:
                self.app.producer_pool  # noqa: B018 (made on first use)
            try:
                return super().apply_async(args, kwargs, **{"retry": False, **options})
            except BROKER_ERRORS as error:
                if time.monotonic() >= broker_away_until:
                    logger.warning(
                        "The broker cannot be reached (%s: %s): tasks wait in the"
                        " database for the worker to send them.",
                        type(error).__name__,
                        error,
                    )
                broker_away_until = time.monotonic() + OUTAGE_SECONDS
        keep(self.name, args, kwargs, options)
        return self.AsyncResult(options["task_id"])


def keep(name: str, args, kwargs, options: dict) -> None:
    from serving.models import QueuedTask

    message = {"args": list(args or ()), "kwargs": kwargs or {}, "options": options}
    QueuedTask.objects.create(name=name, message=json.dumps(message))


def send_queued(app) -> int:
    """Send what waits, oldest first, each deleted in the transaction that sent it."""
    from serving.models import QueuedTask

    sent = 0
    while True:
        with transaction.atomic():
            task = (
                QueuedTask.objects.select_for_update(skip_locked=True)
                .order_by("pk")
                .first()
            )
            if task is None:
                return sent
            message = json.loads(task.message)
            options = {"retry": False, **message["options"]}
            app.send_task(task.name, message["args"], message["kwargs"], **options)
            task.delete()
        sent += 1


def send_while_running(app) -> None:
    """In the worker: a thread that sends what waits every SEND_SECONDS."""

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

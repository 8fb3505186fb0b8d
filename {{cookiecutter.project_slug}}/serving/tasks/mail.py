"""Mail sent by the worker, as JSON, and retried (mail/messages.py)."""

from celery import shared_task
from kombu.utils import json

from ..mail.backends import transport
from ..mail.messages import QueueingBackend, from_fields, next_try


@shared_task(bind=True, name="serving.tasks.send_email")  # queued under this name
def send_email(self, fields: dict) -> int:
    message = from_fields(fields)
    try:
        return transport().send_messages([message]) or 0
    except Exception as error:  # whatever the provider's library raises
        attempt = self.request.retries
        if (delay := next_try(message, error, attempt)) is not None:
            raise self.retry(countdown=delay, max_retries=attempt + 1) from None
        return 0


class QueuedEmailBackend(QueueingBackend):
    dumps = staticmethod(json.dumps)  # Celery's JSON, which carries a date too

    def queue(self, fields: dict) -> None:
        send_email.delay(fields)  # waits in the database while the broker is away

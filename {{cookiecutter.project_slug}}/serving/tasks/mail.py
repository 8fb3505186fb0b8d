"""Mail goes out from the worker, so a slow or down provider never holds a page. The
message crosses the queue as JSON (never a pickle, which whoever can write to Redis
could make run code), every attribute a backend reads included; a provider that fails
is tried again, each wait twice the last, for EMAIL_RETRY_SECONDS.
"""

import logging

from anymail.utils import UNSET
from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailAlternative, EmailAttachment
from kombu.utils import json

from ..mail.backends import EmailBackend, transport, warn_not_sent

logger = logging.getLogger(__name__)

NOT_CARRIED = {"connection", "anymail_status"}  # what sending writes, not reads
FIRST_DELAY = 2
LONGEST_DELAY = 300


def as_fields(message) -> dict | None:
    """The message as JSON-ready fields; None if JSON cannot carry it (a MIME part)."""
    fields = {
        name: value
        for name, value in vars(message).items()
        if not name.startswith("_") and name not in NOT_CARRIED and value is not UNSET
    }
    try:
        json.dumps(fields)
    except TypeError:
        return None
    return fields


def from_fields(fields: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives()
    vars(message).update(fields)
    message.alternatives = [EmailAlternative(*part) for part in message.alternatives]
    message.attachments = [EmailAttachment(*part) for part in message.attachments]
    return message


def retry_delays(seconds: int) -> list[int]:
    delays, delay = [], FIRST_DELAY
    while sum(delays) + delay <= seconds:
        delays.append(delay)
        delay = min(delay * 2, LONGEST_DELAY)
    return delays


@shared_task(bind=True, name="serving.tasks.send_email")  # queued under this name
def send_email(self, fields: dict) -> int:
    message = from_fields(fields)
    try:
        return transport().send_messages([message]) or 0
    except Exception as error:  # whatever the provider's library raises
        delays = retry_delays(settings.EMAIL_RETRY_SECONDS)
        attempt, why = self.request.retries, f"{type(error).__name__}: {error}"
        recipients = len(message.recipients())
        if attempt < len(delays):
            logger.warning(
                "E-mail to %d recipient(s) not sent, trying again in %d s: %s",
                recipients,
                delays[attempt],
                why,
            )
            raise self.retry(
                countdown=delays[attempt], max_retries=len(delays)
            ) from None
        logger.error(
            "E-mail to %d recipient(s) not sent in %d attempts over %d s: %s",
            recipients,
            attempt + 1,
            sum(delays),
            why,
        )
        return 0


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        if settings.EMAIL_TRANSPORT is None:
            return 0  # the web process said at start that mail is off
        queued = 0
        for message in email_messages:
            if (fields := as_fields(message)) is None:
                queued += EmailBackend().send_messages([message])
                continue
            try:
                send_email.delay(
                    fields
                )  # waits in the database while the broker is away
                queued += 1
            except Exception as error:  # the database is away too
                warn_not_sent([message], "queued", error)
        return queued

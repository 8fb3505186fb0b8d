"""Workers' mail: messages as JSON fields (a pickle in the queue could run code)."""

import json
import logging

from anymail.utils import UNSET
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailAlternative, EmailAttachment

from .backends import EmailBackend, warn_not_sent

logger = logging.getLogger(__name__)
NOT_CARRIED = {"connection", "anymail_status"}  # what sending writes, not reads
FIRST_DELAY = 2
LONGEST_DELAY = 300


def as_fields(message, dumps=json.dumps) -> dict | None:
    """Every attribute a backend reads; None if `dumps` cannot carry them."""
    fields = {
        name: value
        for name, value in vars(message).items()
        if not name.startswith("_") and name not in NOT_CARRIED and value is not UNSET
    }
    try:
        dumps(fields)
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


def next_try(message, error: Exception, attempt: int, can_wait=True) -> int | None:
    """Seconds until the next try, logged; None once EMAIL_RETRY_SECONDS are spent."""
    delays = retry_delays(settings.EMAIL_RETRY_SECONDS) if can_wait else []
    why, recipients = f"{type(error).__name__}: {error}", len(message.recipients())
    if attempt < len(delays):
        logger.warning(
            "E-mail to %d recipient(s) not sent, trying again in %d s: %s",
            recipients,
            delays[attempt],
            why,
        )
        return delays[attempt]
    logger.error(
        "E-mail to %d recipient(s) not sent in %d attempts over %d s: %s",
        recipients,
        attempt + 1,
        sum(delays),
        why,
    )
    return None


class QueueingBackend(BaseEmailBackend):
    """Queues each message for the worker; one JSON cannot carry is sent from here."""

    dumps = staticmethod(json.dumps)

    def queue(self, fields: dict) -> None:
        raise NotImplementedError

    def send_messages(self, email_messages) -> int:
        if settings.EMAIL_TRANSPORT is None:
            return 0  # the web process said at start that mail is off
        queued = 0
        for message in email_messages:
            if (fields := as_fields(message, self.dumps)) is None:
                queued += EmailBackend().send_messages([message])
                continue
            try:
                self.queue(fields)
                queued += 1
            except Exception as error:  # the database is away too
                warn_not_sent([message], "queued", error)
        return queued

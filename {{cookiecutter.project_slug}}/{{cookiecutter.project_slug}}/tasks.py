"""Mail goes out from the worker: a page only queues it, so a provider that is slow
or down never holds a request, and a stopped worker only delays the mail.

The message crosses the queue as JSON (Celery's serializer, which also carries bytes
and datetimes): every attribute the sending backend reads, django-anymail's `tags`,
`metadata`, `template_id`, `merge_data` and the rest included. JSON rather than a
pickle, since whoever can write to Redis could make a pickle run code in the worker.
A provider that fails is tried again, a little later each time, for
EMAIL_RETRY_SECONDS (config/settings.py).
"""

import logging

from anymail.utils import UNSET
from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailAlternative, EmailAttachment
from kombu.utils import json

from . import mail

logger = logging.getLogger(__name__)

# What the sending writes on the message, rather than reads from it (django-anymail
# also leaves UNSET in the attributes a message does not use).
NOT_CARRIED = {"connection", "anymail_status"}
FIRST_DELAY = 2  # seconds before the second attempt; each next one waits twice as long
LONGEST_DELAY = 300


def as_fields(message) -> dict | None:
    """The message's attributes as JSON-ready fields, or None for a message that
    cannot cross as JSON (a MIME part attached as such), which only the process
    that built it can send."""
    fields = {
        name: value
        for name, value in vars(message).items()
        if not name.startswith("_") and name not in NOT_CARRIED and value is not UNSET
    }
    try:
        json.dumps(fields)
    except TypeError:  # a value JSON cannot carry
        return None
    return fields


def from_fields(fields: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives()
    vars(message).update(fields)
    # JSON turned the named tuples into lists.
    message.alternatives = [EmailAlternative(*part) for part in message.alternatives]
    message.attachments = [EmailAttachment(*part) for part in message.attachments]
    return message


def retry_delays(seconds: int) -> list[int]:
    """The waits before each attempt after the first: doubling, at most
    LONGEST_DELAY each, and `seconds` in all at most."""
    delays = []
    delay = FIRST_DELAY
    while sum(delays) + delay <= seconds:
        delays.append(delay)
        delay = min(delay * 2, LONGEST_DELAY)
    return delays


@shared_task(bind=True)
def send_email(self, fields: dict) -> int:
    message = from_fields(fields)
    try:
        return mail.transport().send_messages([message]) or 0
    except Exception as error:  # whatever the provider's library raises
        delays = retry_delays(settings.EMAIL_RETRY_SECONDS)
        attempt = self.request.retries
        if attempt < len(delays):
            delay = delays[attempt]
            logger.warning(
                "E-mail to %d recipient(s) not sent, trying again in %d s: %s: %s",
                len(message.recipients()),
                delay,
                type(error).__name__,
                error,
            )
            raise self.retry(countdown=delay, max_retries=len(delays)) from None
        logger.error(
            "E-mail to %d recipient(s) not sent in %d attempts over %d s: %s: %s",
            len(message.recipients()),
            attempt + 1,
            sum(delays),
            type(error).__name__,
            error,
        )
        return 0


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        if not mail.is_set_up():
            return 0  # the web process said at start-up that mail is off
        queued = 0
        for message in email_messages:
            fields = as_fields(message)
            if fields is None:
                queued += mail.EmailBackend().send_messages([message])
                continue
            try:
                # While the broker is away, it waits in the database (serving/outbox.py)
                send_email.delay(fields)
            except Exception as error:  # the database is away too
                mail.warn_not_sent([message], "queued", error)
            else:
                queued += 1
        return queued

"""Mail goes out from the worker: a page only queues it, so a provider that is slow
or down never holds a request, and a stopped worker only delays the mail.

The message crosses the queue as JSON: its addresses, headers, text, alternative
parts (HTML) and attachments given as (name, content, type).
"""

import base64

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from . import mail

ADDRESS_FIELDS = ("to", "cc", "bcc", "reply_to")


def as_fields(message) -> dict | None:
    """The message as JSON-ready fields, or None for one with a MIME part attached
    as such, which only the process that built it can send."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            return None
        name, content, mimetype = attachment
        if isinstance(content, bytes):
            content = {"base64": base64.b64encode(content).decode()}
        attachments.append([name, content, mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        **{field: list(getattr(message, field)) for field in ADDRESS_FIELDS},
        "headers": message.extra_headers,
        "alternatives": [list(part) for part in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def from_fields(fields: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=fields["subject"],
        body=fields["body"],
        from_email=fields["from_email"],
        headers=fields["headers"],
        **{field: fields[field] for field in ADDRESS_FIELDS},
    )
    for content, mimetype in fields["alternatives"]:
        message.attach_alternative(content, mimetype)
    for name, content, mimetype in fields["attachments"]:
        if isinstance(content, dict):
            content = base64.b64decode(content["base64"])
        message.attach(name, content, mimetype)
    return message


@shared_task
def send_email(fields: dict) -> int:
    return mail.EmailBackend().send_messages([from_fields(fields)])


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
                # No retries: a page must not wait for a broker that is away.
                send_email.apply_async(args=[fields], retry=False)
            except Exception as error:  # the broker is down or unreachable
                mail.warn_not_sent([message], "queued", error)
            else:
                queued += 1
        return queued

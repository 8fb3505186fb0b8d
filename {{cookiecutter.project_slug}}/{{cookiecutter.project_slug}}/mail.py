"""Sending e-mail without letting the provider take a page down with it.

EmailBackend hands each message to the backend that EMAIL_URL chose
(settings.EMAIL_TRANSPORT: Django's SMTP backend or one of django-anymail's), which
gives up on a provider that does not answer within seconds. A provider that is
down, slow or refuses the login costs one WARNING line and a count of 0 messages
sent, never an exception, so the page that sent the mail can say so in a sentence.
"""

import copy
import logging

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter

logger = logging.getLogger(__name__)


def is_set_up() -> bool:
    """Whether mail goes anywhere: EMAIL_URL is set, or DEBUG prints it."""
    return settings.EMAIL_TRANSPORT is not None


def transport() -> BaseEmailBackend:
    backend = import_string(settings.EMAIL_TRANSPORT["BACKEND"])
    # Named as an entry of Django 6.1's MAILERS would be, so that the backend takes
    # its options from these arguments alone; Django 5.2 ignores the name.
    return backend(alias="transport", **settings.EMAIL_TRANSPORT.get("OPTIONS", {}))


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        if not email_messages or not is_set_up():
            return 0  # the web process said at start-up that mail is off
        try:
            return transport().send_messages(email_messages) or 0
        except Exception as error:  # whatever the provider's library raises
            warn_not_sent(email_messages, "sent", error)
            return 0


def warn_not_sent(email_messages, what: str, error: Exception) -> None:
    """The one WARNING line for messages that were not `what` ("sent", "queued")."""
    recipients = sum(len(message.recipients()) for message in email_messages)
    logger.warning(
        "E-mail to %d recipient(s) not %s: %s: %s",
        recipients,
        what,
        type(error).__name__,
        error,
    )


class ErrorReport(ExceptionReporter):
    """What the admins get for an error page (settings.LOGGING's mail_admins):
    Django's report, without the values of local variables, and naming the user only
    if the request had already looked them up. Either can query the database (a
    QuerySet's repr runs its query), and when the database is what failed, each
    query waits out its timeout while the visitor waits for the error page."""

    def __init__(self, request, *args, **kwargs):
        # AuthenticationMiddleware keeps the user it has looked up in _cached_user.
        if request is not None and not hasattr(request, "_cached_user"):
            request = copy.copy(request)
            request.user = "[not looked up by this request]"
        super().__init__(request, *args, **kwargs)

    def get_traceback_frames(self):
        frames = super().get_traceback_frames()
        for frame in frames:
            frame.pop("vars", None)
        return frames

"""Sending e-mail without letting the provider take a page down with it, or tell
anyone what the page did.

EmailBackend hands each message to a thread of the web process's own, which sends it
through the backend that EMAIL_URL chose (settings.EMAIL_TRANSPORT: Django's SMTP
backend or one of django-anymail's) once the page has been answered. So no page
waits for the provider, and a page that sends mail (a password reset for an address
that has an account) takes as long as one that does not (the same page for an
address that has none), however slow the provider. The transport gives up on a
provider that does not answer within seconds; a provider that is down, slow or
refuses the login costs one WARNING line, never an exception.
"""

import atexit
import copy
import logging
import queue
import threading
import time

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter

logger = logging.getLogger(__name__)
# How long a stopping process waits for the messages it has not sent yet.
SECONDS_TO_SEND_AT_EXIT = 5


def is_set_up() -> bool:
    """Whether mail goes anywhere: EMAIL_URL is set, or DEBUG prints it."""
    return settings.EMAIL_TRANSPORT is not None


def transport() -> BaseEmailBackend:
    backend = import_string(settings.EMAIL_TRANSPORT["BACKEND"])
    # Named as an entry of Django 6.1's MAILERS would be, so that the backend takes
    # its options from these arguments alone; Django 5.2 ignores the name.
    return backend(alias="transport", **settings.EMAIL_TRANSPORT.get("OPTIONS", {}))


def send_now(email_messages) -> int:
    """Send through the transport, here and now: how many were sent."""
    try:
        return transport().send_messages(email_messages) or 0
    except Exception as error:  # whatever the provider's library raises
        warn_not_sent(email_messages, "sent", error)
        return 0


class Sender:
    """The process's thread that sends the messages pages hand it, in turn."""

    def __init__(self):
        self.queue = queue.Queue()
        self.lock = threading.Lock()
        self.thread = None

    def put(self, email_messages) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, daemon=True)
                self.thread.start()
        self.queue.put(list(email_messages))

    def run(self) -> None:
        while True:
            email_messages = self.queue.get()
            try:
                send_now(email_messages)
            finally:
                self.queue.task_done()

    def wait(self, timeout: float) -> bool:
        """Whether every message handed over so far has been dealt with within
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.queue.unfinished_tasks


sender = Sender()
# A process that stops (a restart, a deploy) sends what it was handed first.
atexit.register(sender.wait, SECONDS_TO_SEND_AT_EXIT)


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        if not email_messages or not is_set_up():
            return 0  # the web process said at start-up that mail is off
        sender.put(email_messages)
        return len(email_messages)


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

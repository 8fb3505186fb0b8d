"""EMAIL_BACKEND: a thread sends through EMAIL_TRANSPORT, so no page waits on mail."""

import atexit
import logging
import queue
import threading
import time

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
SECONDS_TO_SEND_AT_EXIT = 5


def transport() -> BaseEmailBackend:
    """EMAIL_TRANSPORT's backend, shaped as an entry of Django 6.1's MAILERS."""
    backend = import_string(settings.EMAIL_TRANSPORT["BACKEND"])
    return backend(alias="transport", **settings.EMAIL_TRANSPORT.get("OPTIONS", {}))


def warn_not_sent(email_messages, what: str, error: Exception) -> None:
    recipients = sum(len(message.recipients()) for message in email_messages)
    name = type(error).__name__
    logger.warning(
        "E-mail to %d recipient(s) not %s: %s: %s", recipients, what, name, error
    )


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
                transport().send_messages(email_messages)
            except Exception as error:  # whatever the provider's library raises
                warn_not_sent(email_messages, "sent", error)
            finally:
                self.queue.task_done()

    def wait(self, timeout: float) -> bool:
        """Whether all it was handed is dealt with within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.queue.unfinished_tasks


sender = Sender()
atexit.register(sender.wait, SECONDS_TO_SEND_AT_EXIT)  # a restart sends what it holds


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        if not email_messages or settings.EMAIL_TRANSPORT is None:
            return 0  # the web process said at start that mail is off
        sender.put(email_messages)
        return len(email_messages)

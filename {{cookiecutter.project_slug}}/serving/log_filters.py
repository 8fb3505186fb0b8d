"""Logging filters that config/settings.py's LOGGING uses."""

import logging
import time
import traceback
from collections import deque

REPEAT_SECONDS = 600


class WithoutTraceback(logging.Filter):
    """The error's one line instead of its traceback, for causes outside the code."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and str(error) not in record.getMessage():
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = ()
        record.exc_info = record.exc_text = None
        return True


class LostConnectionWithoutTraceback(WithoutTraceback):
    """A lost connection's one line; uvloop reports a TLS handshake reset twice, the
    second time as a future never retrieved (MagicStack/uvloop#437)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, OSError) or super().filter(record)


class OncePerError(logging.Filter):
    """An error's first report in REPEAT_SECONDS a process: a bot asking for a broken
    page would otherwise queue a mail a hit, ahead of password resets."""

    def __init__(self):
        super().__init__()
        self.quiet_until = {}  # (type, where it was raised) -> monotonic time

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        kind, _, raised = record.exc_info
        last = deque(traceback.walk_tb(raised), maxlen=1)  # where it was raised
        error = (kind, *[(frame.f_code.co_filename, line) for frame, line in last])
        now = time.monotonic()
        if now < self.quiet_until.get(error, 0):
            return False
        self.quiet_until[error] = now + REPEAT_SECONDS
        return True

"""Logging filters that config/settings.py's LOGGING uses."""

import logging


class WithoutTraceback(logging.Filter):
    """Keeps a record's message and drops its traceback, for errors that the
    message already explains and that strangers can cause at will."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True

"""Logging filters that config/settings.py's LOGGING uses."""

import logging


class WithoutTraceback(logging.Filter):
    """The error's one line instead of its traceback, for causes outside the code."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and str(error) not in record.getMessage():
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


class LostConnectionWithoutTraceback(WithoutTraceback):
    """A lost connection's one line; uvloop reports a TLS handshake reset twice, the
    second time as a future never retrieved (MagicStack/uvloop#437)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, OSError) or super().filter(record)

"""How a process stops when it cannot run: a value from the environment it cannot
run with (serving/env_values.py's SettingError) or a database it cannot reach ends
it with one sentence on stderr, saying what is wrong and how to fix it, and a
non-zero exit status, with no traceback for the platform's log to bury it in. Any
other error keeps its traceback.

manage.py (the release step and every command), the web process
(serving/web_process.py) and a Celery worker, where the project has one, run inside it.
"""

import contextlib
import sys

from django.db import OperationalError

from serving.database_reach import why_unreachable
from serving.env_values import SettingError


@contextlib.contextmanager
def stop_in_one_sentence(status: int = 1):
    try:
        yield
    except SettingError as error:
        stop(str(error), status)
    except OperationalError:
        reason = why_unreachable()
        if reason is None:
            raise
        stop(reason, status)


def stop(sentence: str, status: int):
    print(sentence, file=sys.stderr, flush=True)
    raise SystemExit(status) from None

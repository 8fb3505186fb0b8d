"""One run of the suite at a time on a machine: runs share its PostgreSQL, Redis
databases and port blocks, and the timed tiers need its CPUs. The standard library
alone, so that .ci/run can ask before it builds anything:

    python3 -m tests.support.run_lock
"""

import fcntl
import os
import sys
from pathlib import Path

# In /tmp, not TMPDIR, which .ci/run sets to a directory of each run's own.
RUN_LOCK = Path("/tmp/cookiecutter-django-paas-suite.lock")


class MachineBusy(Exception):
    pass


def take() -> int:
    """Hold the machine for this process (the lock goes with the process, however it
    ends): the lock's descriptor. MachineBusy, in one sentence, while another holds it."""
    descriptor = os.open(RUN_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(descriptor, 32).decode().strip() or "unknown"
        os.close(descriptor)
        raise MachineBusy(
            f"Another run of this suite (pid {holder}) is using this machine's PostgreSQL,"
            " Redis and test ports; run again once it has finished."
        ) from None
    os.ftruncate(descriptor, 0)
    os.write(descriptor, str(os.getpid()).encode())
    return descriptor


if __name__ == "__main__":
    try:
        os.close(take())
    except MachineBusy as busy:
        sys.exit(str(busy))

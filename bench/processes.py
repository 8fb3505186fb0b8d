"""What a server's processes use, read from /proc: memory (RSS, PSS) and CPU time."""

import os
import re
from pathlib import Path

from tests.support.machine import process_group  # serve.py puts the template on the path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def memory_mib(pgid: int) -> dict[str, float]:
    """RSS and PSS of the whole group, in MiB. PSS shares each page between the
    processes that map it, so a copy-on-write page of the master counts once."""
    totals = {"RSS": 0, "PSS": 0}
    for pid in process_group(pgid):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for key, name in (("RSS", "Rss"), ("PSS", "Pss")):
            match = re.search(rf"^{name}:\s+(\d+) kB", rollup, re.M)
            totals[key] += int(match.group(1)) if match else 0
    return {key: kib / 1024 for key, kib in totals.items()}


def cpu_seconds(pgid: int) -> dict[int, float]:
    """CPU time (user + system) of each process in the group but the leader, which
    for gunicorn is the master that serves nothing."""
    seconds = {}
    for pid in process_group(pgid):
        if pid == pgid:
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND
    return seconds


def busiest_share(before: dict[int, float], after: dict[int, float]) -> float | None:
    """The largest share of the CPU time the workers spent between two readings;
    None for a server with a single process."""
    spent = {pid: after[pid] - before.get(pid, 0.0) for pid in after}
    total = sum(spent.values())
    if len(spent) < 2 or total <= 0:
        return None
    return max(spent.values()) / total

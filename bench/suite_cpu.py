"""Where the test suite's CPU goes, by tier: runs pytest with this module as a plugin,
which records each test's CPU (the worker's own, and its child processes' once they
are reaped: the web servers a module starts count at its last test), then prints the
CPU and the worker-seconds of each test file, largest first. Processes that only a
session's end reaps (the suite's S3 and mail servers) are not counted.

    .venv/bin/python bench/suite_cpu.py              # the whole suite, as CI runs it
    .venv/bin/python bench/suite_cpu.py tests/test_browser.py
"""

import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

RECORDS = "SUITE_CPU_RECORDS"


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = cpu_seconds(), time.monotonic()
    yield
    record = {
        "file": item.path.name,
        "test": item.originalname,
        "cpu": cpu_seconds() - cpu,
        "wall": time.monotonic() - wall,
        "ended": time.time(),
    }
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with open(Path(os.environ[RECORDS]) / f"{worker}.jsonl", "a") as records:
        records.write(json.dumps(record) + "\n")


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        path = os.pathsep.join(
            filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])
        )
        env = {**os.environ, RECORDS: directory, "PYTHONPATH": path}
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "suite_cpu", *sys.argv[1:]], env=env
        )
        took = time.monotonic() - started
        tiers: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0])
        for records in Path(directory).glob("*.jsonl"):
            for line in records.read_text().splitlines():
                record = json.loads(line)
                tier = tiers[record["file"]]
                tier[0] += 1
                tier[1] += record["cpu"]
                tier[2] += record["wall"]
    total = sum(cpu for _, cpu, _ in tiers.values()) or 1
    print(f"\n{'tier':<28} {'tests':>6} {'CPU s':>8} {'share':>6} {'worker s':>9}")
    for name, (tests, cpu, wall) in sorted(tiers.items(), key=lambda item: -item[1][1]):
        print(f"{name:<28} {tests:>6} {cpu:>8.0f} {cpu / total:>6.1%} {wall:>9.0f}")
    print(
        f"{'all':<28} {sum(t[0] for t in tiers.values()):>6} {total:>8.0f}   in {took / 60:.1f} min"
    )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())

"""The suite itself: a second run on the machine is refused in one sentence, and the
worker count comes from one variable."""

import os
import subprocess
import sys

import pytest

from tests.fixtures import workers
from tests.support import run_lock
from tests.support.combinations import TEMPLATE_DIR


def test_a_second_run_is_refused_in_one_sentence_naming_the_first():
    holder = run_lock.RUN_LOCK.read_text().strip()
    # As a person starts it: not as one of this run's xdist workers.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    second = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "tests/test_suite.py"],
        cwd=TEMPLATE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert second.returncode == pytest.ExitCode.USAGE_ERROR, second.stdout + second.stderr
    assert second.stderr.strip() == (
        f"ERROR: Another run of this suite (pid {holder}) is using this machine's PostgreSQL,"
        " Redis and test ports; run again once it has finished."
    )
    assert second.stdout == ""


def test_ci_asks_before_it_builds_anything():
    holder = run_lock.RUN_LOCK.read_text().strip()
    asked = subprocess.run(
        ["python3", "-m", "tests.support.run_lock"],
        cwd=TEMPLATE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert asked.returncode == 1
    assert asked.stderr.strip() == (
        f"Another run of this suite (pid {holder}) is using this machine's PostgreSQL,"
        " Redis and test ports; run again once it has finished."
    )
    ci_run = (TEMPLATE_DIR / ".ci" / "run").read_text()
    assert ci_run.index("tests.support.run_lock") < ci_run.index("tests.support.venvs")


@pytest.mark.parametrize(
    ("value", "workers_wanted"),
    [(None, 4), ("1", 1), ("7", 7), ("0", None), ("8", None), ("two", None)],
)
def test_the_worker_count_is_four_or_the_variable(monkeypatch, value, workers_wanted):
    if value is None:
        monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    else:
        monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", value)
    if workers_wanted is None:
        with pytest.raises(pytest.UsageError, match="set it to a number of workers from 1 to 7"):
            workers.pytest_xdist_auto_num_workers(None)
    else:
        assert workers.pytest_xdist_auto_num_workers(None) == workers_wanted

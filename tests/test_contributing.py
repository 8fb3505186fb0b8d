"""The contributing guide held: its one-combination check, run as CONTRIBUTING.md writes
it, and its commit subjects."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.combinations import TEMPLATE_DIR

GUIDE = TEMPLATE_DIR / "CONTRIBUTING.md"
# The last commit whose subject ran past the guide's 72 characters; each later one fits.
LAST_LONG_SUBJECT = "902185315477cac373cee7a0805fa960d90f8e05"
MAX_SUBJECT = 72
CHECK = re.compile(r"^\.venv/bin/python (scripts/check_one\.py(?: \S+=\S+)*)$", re.M)


def check_one(*arguments: str, temporary: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(temporary)} if temporary else None
    return subprocess.run(
        [sys.executable, *arguments], cwd=TEMPLATE_DIR, env=env, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip


def test_the_guides_check_passes_and_says_where_the_project_is():
    (command,) = CHECK.findall(GUIDE.read_text())
    result = check_one(*command.split())

    assert result.returncode == 0, result.stdout + result.stderr
    steps = re.findall(r"^ok  (.+?)(?: \(\d+ s\))?$", result.stdout, re.M)
    assert steps[1:] == [
        "ruff check",
        "ruff format --check",
        "the project's tests",
        "migrate",
        "web command, home page 200",
    ], result.stdout
    checked = Path(result.stdout.splitlines()[-1].removeprefix("checked "))
    assert (checked / "manage.py").exists()
    shutil.rmtree(checked.parent)


def test_a_bad_answer_stops_it_with_a_sentence_and_leaves_nothing(tmp_path):
    for answer in ("interface=wsgii", "platfrom=heroku", "project_slug=Bad Slug"):
        result = check_one("scripts/check_one.py", answer, temporary=tmp_path)

        assert result.returncode == 1, answer
        assert "Traceback" not in result.stderr, result.stderr
        assert result.stderr.strip().endswith("."), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_commit_subjects_fit_the_guides_72_characters():
    """Every commit after the last that broke the convention (a shallow clone: those it
    has)."""
    if not (TEMPLATE_DIR / ".git").exists():
        pytest.skip("not a git checkout")
    git = ["git", "-C", str(TEMPLATE_DIR)]
    known = subprocess.run([*git, "cat-file", "-e", f"{LAST_LONG_SUBJECT}^{{commit}}"])
    revisions = f"{LAST_LONG_SUBJECT}..HEAD" if known.returncode == 0 else "HEAD"
    log = subprocess.run(
        [*git, "log", "--format=%h %s", revisions], capture_output=True, text=True, check=True
    )
    subjects = log.stdout.splitlines()

    assert subjects
    assert [s for s in subjects if len(s.split(" ", 1)[1]) > MAX_SUBJECT] == []

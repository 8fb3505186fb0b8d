"""The contributing guide's one-combination check, run as CONTRIBUTING.md writes it."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from combinations import TEMPLATE_DIR

GUIDE = TEMPLATE_DIR / "CONTRIBUTING.md"
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

"""The contributing guide held: its one-combination check, run as CONTRIBUTING.md writes
it, its commit subjects, and a changelog entry for every change to the template."""

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
CHANGELOG = TEMPLATE_DIR / "CHANGELOG.md"
# What generated projects are made of: a commit that changes one says in CHANGELOG.md
# what it brings, or "Changelog: none" in its body when it brings nothing.
TEMPLATE_PATHS = (
    "{{cookiecutter.project_slug}}", "cookiecutter.json", "hooks", "local_extensions.py",
    "templates", "installed_modules.json",
)  # fmt: skip
NO_ENTRY = re.compile(r"^Changelog: none\b", re.M)
# The last commit before the rule; each later one that changes the template keeps it.
LAST_UNCHECKED_CHANGE = "ff90ed2f147b2735444956222ba781d11ef46ecf"
VERSION_HEADING = re.compile(r"^## (\S+)$", re.M)
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


def git(*arguments: str) -> str:
    if not (TEMPLATE_DIR / ".git").exists():
        pytest.skip("not a git checkout")
    command = ["git", "-C", str(TEMPLATE_DIR), *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def since(commit: str) -> str:
    """The revisions after `commit` (a shallow clone without it: those it has)."""
    known = subprocess.run(
        ["git", "-C", str(TEMPLATE_DIR), "cat-file", "-e", f"{commit}^{{commit}}"]
    )
    if known.returncode == 0:
        return f"{commit}..HEAD"
    if git("rev-parse", "--is-shallow-repository").strip() != "true":
        pytest.fail(f"{commit} is not in this clone's history: correct the test's hash.")
    return "HEAD"


def version(commit_date: str) -> str:
    """A commit's calendar version: its date (git's %cs), with dots."""
    return commit_date.replace("-", ".")


def test_commit_subjects_fit_the_guides_72_characters():
    """Every commit after the last that broke the convention."""
    subjects = git("log", "--format=%h %s", since(LAST_LONG_SUBJECT)).splitlines()

    assert subjects
    assert [s for s in subjects if len(s.split(" ", 1)[1]) > MAX_SUBJECT] == []


def test_the_changelog_has_a_version_for_every_day_the_template_changed():
    """From the first commit: CHANGELOG.md's headings are calendar versions, newest first,
    one for each day a commit changed what projects are generated from."""
    headings = VERSION_HEADING.findall(CHANGELOG.read_text())
    days = git("log", "--format=%cs", "--", *TEMPLATE_PATHS).split()

    assert all(re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", h) for h in headings), headings
    assert headings == sorted(set(headings), reverse=True)
    assert sorted({version(day) for day in days}, reverse=True) == headings


def test_every_change_to_the_template_has_a_changelog_entry():
    """Each commit after the rule came in that changes the template changes CHANGELOG.md,
    under its own day's version, or says "Changelog: none" in its body."""
    missing = []
    for line in git("log", "--format=%H %cs", since(LAST_UNCHECKED_CHANGE)).splitlines():
        commit, day = line.split()
        changed = git("show", "--format=", "--name-only", commit).splitlines()
        if not any(path.startswith(TEMPLATE_PATHS) for path in changed):
            continue
        if NO_ENTRY.search(git("show", "-s", "--format=%b", commit)):
            continue
        entries = git("show", f"{commit}:CHANGELOG.md")
        if "CHANGELOG.md" not in changed or f"\n## {version(day)}\n" not in entries:
            missing.append(f"{commit[:7]} {git('show', '-s', '--format=%s', commit).strip()}")

    assert missing == [], "no entry under the commit's day in CHANGELOG.md"

"""Upgrade tier: a project made with cruft takes the template's later fixes.

From a git repository of the template as it is now (a temporary copy of its tracked
and untracked files), for a pair of platform and interface per test:
1. `cruft create` makes the project, which its user commits to a git repository;
2. the user edits it (a setting, and a section of the README) and commits;
3. a later template commit changes the settings, the base template and the README;
4. `cruft update`, installed exactly as the README's "Updating a project" says, and
   answered "y" on standard input at its prompt, brings that commit in: the
   template's changes arrive, the user's edits are still there, no `.rej` file is
   left, `.env` keeps the project's own secret, the project's own tests pass, and
   `cruft check` says it is up to date.
And a project made without a worker takes one with the README's `cruft update` line.
"""

import hashlib
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from tests.support.combinations import TEMPLATE_DIR, copy_template

GIT_USER = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
PROJECT_TEMPLATE = "{{cookiecutter.project_slug}}"

# The later template commit: (file in the template, a line it has, the lines that
# follow it after the commit). Each stands for a fix a project should receive.
TEMPLATE_FIXES = [
    (
        f"{PROJECT_TEMPLATE}/config/settings.py",
        'LOG_LEVEL = choice("DJANGO_LOG_LEVEL", "INFO", "DEBUG", "WARNING", "ERROR", "CRITICAL")',
        "# Django's default is 1000; the admin's bulk actions need more.\n"
        "DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000",
    ),
    (
        f"{PROJECT_TEMPLATE}/{PROJECT_TEMPLATE}/templates/base.html",
        '  <meta name="viewport" content="width=device-width, initial-scale=1">',
        '  <meta name="color-scheme" content="light">',
    ),
    (
        f"{PROJECT_TEMPLATE}/README.md",
        "## Run it locally",
        "\nA line the template added to its README after the project was made.",
    ),
]
# The user's own edits: (file in the project, a line it has, what replaces it).
USER_EDITS = [
    ("config/settings.py", 'TIME_ZONE = "UTC"', 'TIME_ZONE = "Europe/Paris"'),
    (
        "README.md",
        "## Run it locally",
        "## Our own notes\n\nDeploys on Tuesdays.\n\n## Run it locally",
    ),
]


def run(args: list, cwd: Path, env_path: str | None = None, timeout: float = 300, input=None):
    env = {"HOME": "/tmp", "PATH": env_path or "/usr/bin:/bin"}
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def succeeded(result) -> str:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}{result.stderr}"
    return result.stdout


def replace_line(path: Path, line: str, new: str) -> None:
    text = path.read_text()
    assert f"{line}\n" in text, f"{path} no longer has {line!r}: choose another line to edit"
    path.write_text(text.replace(f"{line}\n", f"{new}\n", 1))


def readme_cruft_packages() -> list[str]:
    """What the README's "Updating a project" block tells a user to pip install."""
    section = (TEMPLATE_DIR / "README.md").read_text().split("\n## Updating a project", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    (line,) = [line for line in block.splitlines() if line.startswith("pip install ")]
    return shlex.split(line)[2:]


@pytest.fixture(scope="session")
def cruft(tools_dir) -> Path:
    """cruft installed into a venv of its own exactly as the README installs it."""
    packages = readme_cruft_packages()
    key = hashlib.sha256(" ".join(packages).encode()).hexdigest()[:12]
    path = tools_dir / f"cruft-{key}"
    with FileLock(f"{path}.lock"):
        if not (path / "built").exists():
            succeeded(run([sys.executable, "-m", "venv", "--clear", path], tools_dir))
            pip = [path / "bin/python", "-m", "pip", "install", "-q", *packages]
            succeeded(run(pip, tools_dir, env_path="/usr/bin:/bin"))
            (path / "built").touch()
    return path / "bin/cruft"


def test_readme_installs_the_same_cruft_for_create_and_update():
    create = re.search(r"pip install -q (cruft==.*?) &&", (TEMPLATE_DIR / "README.md").read_text())
    assert create, "README.md no longer installs cruft before `cruft create`"
    assert create.group(1).split() == readme_cruft_packages()


@pytest.fixture
def template_repo(tmp_path) -> Path:
    """A git repository of the template's files as they are in this checkout."""
    repo = copy_template(tmp_path / "template")
    succeeded(run(["git", "init", "-q", "-b", "main"], repo))
    succeeded(run(["git", "add", "-A"], repo))
    succeeded(run(["git", *GIT_USER, "commit", "-q", "-m", "The template"], repo))
    return repo


def committed_project(cruft, template_repo: Path, options: dict, tmp_path: Path) -> Path:
    """`cruft create` with `options`, committed to a git repository of its own."""
    create = [cruft, "create", "--no-input", "--output-dir", tmp_path / "out"]
    succeeded(run([*create, "--extra-context", json.dumps(options), template_repo], tmp_path))
    (project,) = (tmp_path / "out").iterdir()
    succeeded(run(["git", "init", "-q", "-b", "main"], project))
    succeeded(run(["git", "add", "-A"], project))
    succeeded(run(["git", *GIT_USER, "commit", "-q", "-m", "Generated"], project))
    return project


@pytest.mark.parametrize(
    "options",
    [
        {"platform": "heroku", "interface": "asgi", "django_version": "5.2"},
        {"platform": "digitalocean", "interface": "wsgi", "django_version": "6.1"},
    ],
    ids=["heroku-asgi", "digitalocean-wsgi"],
)
def test_cruft_update_brings_the_templates_fixes_and_keeps_the_users_edits(
    options, cruft, template_repo, venv_for, tmp_path
):
    project = committed_project(cruft, template_repo, options, tmp_path)
    secret = (project / ".env").read_text()
    for name, line, new in USER_EDITS:
        replace_line(project / name, line, new)
    succeeded(run(["git", *GIT_USER, "commit", "-q", "-a", "-m", "Our edits"], project))
    for name, line, added in TEMPLATE_FIXES:
        replace_line(template_repo / name, line, f"{line}\n{added}")
    succeeded(run(["git", *GIT_USER, "commit", "-q", "-a", "-m", "A fix"], template_repo))

    # As a user answers its prompt; with typer 0.29 cruft 2.16.0 fails right there.
    update = succeeded(run([cruft, "update"], project, input="y\n"))
    assert "Apply diff and update?" in update, update

    slug = project.name
    for name, _, added in TEMPLATE_FIXES:
        name = name.removeprefix(f"{PROJECT_TEMPLATE}/").replace(PROJECT_TEMPLATE, slug)
        assert added.strip() in (project / name).read_text(), f"{name}: the fix did not arrive"
    for name, _, new in USER_EDITS:
        assert new in (project / name).read_text(), f"{name}: the user's edit was lost"
    assert not list(project.rglob("*.rej")), "cruft left a rejected hunk"
    assert "<<<<<<<" not in (project / "config/settings.py").read_text()
    assert (project / ".env").read_text() == secret
    venv_bin = venv_for(options["django_version"])
    pytest_command = [venv_bin / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    tests = run(pytest_command, project, env_path=f"{venv_bin}:/usr/bin:/bin")
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    succeeded(run([cruft, "check"], project))


def test_a_worker_added_later_as_the_readme_says(cruft, template_repo, venv_for, tmp_path):
    """A project made without a worker takes one with the README's `cruft update`: the
    Procfile gets the worker the template gives, and the project's tests pass."""
    options = {"platform": "heroku", "interface": "wsgi", "django_version": "6.1"}
    project = committed_project(cruft, template_repo, options, tmp_path)
    readme = (project / "README.md").read_text()
    section = readme.split("\n## A background worker\n")[1].split("\n## ")[0]
    (command,) = re.findall(r"^cruft update .*$", section, re.M)
    assert "worker:" not in (project / "Procfile").read_text()

    succeeded(run([cruft, *shlex.split(command)[1:]], project, input="y\n"))

    worker = (project / "Procfile").read_text().split("worker: ", 1)[1].strip()
    assert worker == "python manage.py tasks_worker"
    assert not list(project.rglob("*.rej")), "cruft left a rejected hunk"
    venv_bin = venv_for(options["django_version"])
    pytest_command = [venv_bin / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    tests = run(pytest_command, project, env_path=f"{venv_bin}:/usr/bin:/bin")
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert "test_tasks_worker" in run([*pytest_command, "--co", "-q"], project).stdout

"""Removing the live app as the generated README says leaves a working project.

The README promises that the feature goes with its directory and the lines that
name it: `"live"` in INSTALLED_APPS, the `live.urls` path, and `import live.routing`
with its routes. This does exactly that to a copy of the project, then runs what the
project's own CI runs (ruff, `check --deploy`, its tests) on the result.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.support import yaml_reader
from tests.support.combinations import runtime_groups

RUFF_BIN = Path(sys.executable).parent
# file -> (text that marks each line to delete, how many lines carry it)
LINES_TO_DELETE = {
    "config/settings.py": ('"live",', 1),
    "config/urls.py": ("live.urls", 1),
    "config/routing.py": ("live.routing", 2),
}


def succeeded(result) -> bool:
    if result.returncode != 0:
        print(result.stdout, result.stderr)
    return result.returncode == 0


@pytest.fixture(scope="module")
def without_live(deployed_project, tmp_path_factory) -> Path:
    readme = (deployed_project / "README.md").read_text()
    instructions = " ".join(readme[readme.index("To remove the feature") :].split())
    for name, (marker, _) in LINES_TO_DELETE.items():
        assert name in instructions and marker.strip(",") in instructions, name

    copy = tmp_path_factory.mktemp("without-live") / deployed_project.name
    shutil.copytree(deployed_project, copy)
    shutil.rmtree(copy / "live")
    for name, (marker, count) in LINES_TO_DELETE.items():
        path = copy / name
        lines = path.read_text().splitlines(keepends=True)
        kept = [line for line in lines if marker not in line]
        assert len(lines) - len(kept) == count, f"{name}: {marker} is on {count} line(s)"
        path.write_text("".join(kept))
    return copy


# One daphne group on Django 6.1 per channel layer, the platforms and Celery taking
# turns: what the removal touches differs by layer (settings, routing) and by Celery
# (live/signals.py hands the broadcast to a task), not by platform or server.
REMOVAL_GROUPS = {
    "heroku-asgi-daphne-redis-dj6.1-celery-s3",
    "digitalocean-asgi-daphne-redis-pubsub-dj6.1",
    "heroku-asgi-daphne-in-memory-dj6.1-s3",
}


def test_the_removal_groups_are_runtime_groups():
    assert set(runtime_groups()) >= REMOVAL_GROUPS


@pytest.mark.only(groups=REMOVAL_GROUPS)
def test_project_without_the_live_app_passes_its_own_ci(
    without_live, production_env, database_url, redis_url, run
):
    job = yaml_reader.read(without_live / ".github/workflows/ci.yml")["jobs"]["test"]
    path = f"{production_env['PATH']}:{RUFF_BIN}"
    ci_env = {**job["env"], "DATABASE_URL": database_url, "REDIS_URL": redis_url, "PATH": path}
    ci_env["HOME"] = os.environ.get("HOME", "/tmp")
    env = {**production_env, "PATH": path}

    lint = run(["bash", "-c", "ruff check . && ruff format --check ."], cwd=without_live, env=env)
    assert succeeded(lint)
    deploy_check = ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    assert succeeded(run(deploy_check, cwd=without_live, env=env))
    tests = run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], without_live, ci_env)
    assert succeeded(tests)
    assert " passed" in tests.stdout and "live" not in tests.stdout
    home = run(
        ["python", "-c", HOME_PAGE_PROBE], cwd=without_live, env={**ci_env, "DJANGO_DEBUG": "1"}
    )
    assert succeeded(home)
    assert home.stdout.split() == ["200", "no-live-link"]


# The home page and the navigation link to the live page only while its route exists.
HOME_PAGE_PROBE = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/", secure=True)
print(response.status_code, "has-live-link" if b"/live/" in response.content else "no-live-link")
"""

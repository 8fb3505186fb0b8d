"""README sections tier: the generated README's later sections, followed as written.

On one Heroku ASGI project (daphne, Redis layer, Django 5.2: the defaults) and one App
Platform WSGI project (gunicorn, no Redis, Django 6.1), each a copy of the generation:
- a user's first app, as "Run it locally" says where it goes: `startapp`, a model, the
  app in INSTALLED_APPS, `makemigrations`, an `async def` test in startapp's tests.py;
  then the lint commands the README gives as CI's pass, untouched (migrations and
  startapp's stub files included), and `pytest`, which runs that test;
- "Production settings locally": its block, run by bash -e with `.env`'s DEBUG on in
  the directory, with only the placeholders replaced (the database, Redis and the
  port): without its `collectstatic` line the web command stops with one sentence that
  names it; in full, `collectstatic`, the release step and `check --deploy` pass and
  the web command serves the home page and its static files to a request that carries
  the router's `X-Forwarded-Proto`;
- "Run it locally"'s line for Django's deployment checks, as written, in the directory
  with `.env`'s DEBUG on: they pass.
"""

import re
import shutil
from pathlib import Path

import pytest

import machine
from combinations import DEFAULTS, VENV_PYTHON, combination_id
from servers import Server, request

CASES = [
    DEFAULTS,
    {**DEFAULTS, "platform": "digitalocean", "interface": "wsgi", "django_version": "6.1"},
]
CASES = [{**case, "python_version": VENV_PYTHON[case["django_version"]]} for case in CASES]
# What the README writes for the user to replace, and the port it names.
DATABASE_PLACEHOLDER = "postgres://USER:PASSWORD@127.0.0.1:5432/DATABASE"
REDIS_PLACEHOLDER = "redis://127.0.0.1:6379/0"
README_PORT = "PORT=8000"
COLLECTSTATIC = "python manage.py collectstatic --noinput"
NOT_COLLECTED = "The static files are not collected: run `python manage.py collectstatic --noinput`"
HTTPS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
FIRST_MODEL = """\
from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title
"""
# The app's first test, in the tests.py startapp wrote, as an `async def` with no marker.
FIRST_TEST = """\
from notes.models import Note


async def test_a_note_is_named_by_its_title():
    assert str(Note(title="first")) == "first"
"""


@pytest.fixture(scope="module", params=CASES, ids=[combination_id(c) for c in CASES])
def case(request) -> dict:
    return request.param


@pytest.fixture(scope="module")
def readme(bake, case) -> str:
    return (bake(case) / "README.md").read_text()


@pytest.fixture
def project(bake, case, tmp_path) -> Path:
    """A copy of the generated project, with the .env generation wrote."""
    return Path(shutil.copytree(bake(case), tmp_path / "project"))


@pytest.fixture
def bin_dir(venv_for, case) -> Path:
    return venv_for(case["django_version"])


def run(args: list[str], cwd: Path, bin_dir: Path, **kwargs):
    import subprocess

    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )


def section(readme: str, heading: str) -> str:
    return readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_a_first_app_passes_the_lint_commands_ci_runs(readme, project, bin_dir):
    local = section(readme, "Run it locally")
    assert "startapp notes" in local and "INSTALLED_APPS" in local
    lint = re.findall(r"`(ruff [^`]+)`", local)
    assert lint == ["ruff check .", "ruff format --check ."], lint

    manage = ["python", "manage.py"]
    assert run([*manage, "startapp", "notes"], project, bin_dir).returncode == 0
    (project / "notes/models.py").write_text(FIRST_MODEL)
    settings = project / "config/settings.py"
    settings.write_text(
        settings.read_text().replace(
            "INSTALLED_APPS = [\n", 'INSTALLED_APPS = [\n    "notes",\n', 1
        )
    )
    made = run([*manage, "makemigrations", "notes"], project, bin_dir)
    assert made.returncode == 0 and "Create model Note" in made.stdout, made.stdout + made.stderr
    assert (project / "notes/migrations/0001_initial.py").exists()

    (project / "notes/tests.py").write_text(FIRST_TEST)

    for command in lint:
        result = run(command.split(), project, bin_dir)
        assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"
    tests = run(["python", "-m", "pytest", "-p", "no:cacheprovider", "notes"], project, bin_dir)
    assert "1 passed" in tests.stdout, tests.stdout + tests.stderr


DEPLOY_CHECKS = "python manage.py check --deploy --fail-level WARNING"


def test_the_deploy_checks_pass_locally_as_written(readme, project, bin_dir):
    """`.env` turns DEBUG on, which fails the checks; the README's line gives them
    production values on its command line."""
    local = section(readme, "Run it locally")
    (line,) = [line for line in local.splitlines() if line.endswith(DEPLOY_CHECKS)]
    assert "DJANGO_DEBUG=1" in (project / ".env").read_text().splitlines()

    result = run(["bash", "-e", "-c", line], project, bin_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


def production_block(readme: str, database_url: str, redis_url: str, port: int) -> str:
    block = re.search(r"```sh\n(.*?)```", section(readme, "Production settings locally"), re.S)
    script = block.group(1)
    for placeholder in (DATABASE_PLACEHOLDER, README_PORT):
        assert placeholder in script, f"the block no longer has {placeholder}"
    return (
        script.replace(DATABASE_PLACEHOLDER, database_url)
        .replace(REDIS_PLACEHOLDER, redis_url)
        .replace(README_PORT, f"PORT={port}")
    )


@pytest.fixture
def database(case):
    name = f"ccdp_readme_{combination_id(case, versions=False)[:40]}".replace("-", "_")
    yield machine.create_database(name)
    machine.drop_database(name)


def serve(script: str, project: Path, bin_dir: Path, log: Path) -> Server:
    (project / "block.sh").write_text(script)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(project)}
    return Server("bash -e block.sh", project, env, log)


def test_production_settings_locally_runs_as_written(
    readme, project, bin_dir, postgres, redis_url, database, tmp_path
):
    port = machine.free_port()
    script = production_block(readme, database, redis_url, port)
    assert COLLECTSTATIC in script and "check --deploy" in script

    without_static = serve(
        script.replace(COLLECTSTATIC, "true"), project, bin_dir, tmp_path / "a.log"
    )
    returncode = without_static.refusal()
    assert returncode != 0
    assert NOT_COLLECTED in without_static.output, without_static.output[-3000:]

    server = serve(script, project, bin_dir, tmp_path / "b.log")
    try:
        server.wait_until_answering(port)
        home = request(port, "/", HTTPS)
        assert home.status == 200, server.output[-3000:]
        assert request(port, "/").status == 301  # plain HTTP, as the router never sends
        static = re.findall(r'(?:href|src)="(/static/[^"]+)"', home.body.decode())
        assert static, "the home page links no static file"
        for path in static:
            assert request(port, path, HTTPS).status == 200, path
    finally:
        server.stop()
    assert "Traceback" not in server.output, server.output[-3000:]

"""Check one combination in about a minute, with no services: generate it, lint it,
run its own tests, start its web command and load its home page.

    .venv/bin/python scripts/check_one.py platform=digitalocean interface=wsgi

Answers are cookiecutter's NAME=VALUE; the others keep cookiecutter.json's
defaults. The project runs in the suite's venv for its Django version
(TEST_VENVS_DIR, else ~/.cache/ccdp-venvs), built on first use, and as a new owner
runs it locally: DEBUG from the .env that generation writes, SQLite, no Redis. It is
left in a temporary directory for a look; the last line names it.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE_DIR))

from cookiecutter.exceptions import CookiecutterException, FailedHookException  # noqa: E402
from cookiecutter.main import cookiecutter  # noqa: E402

from tests.support import (  # noqa: E402
    platform_env,
    venvs,
)
from tests.support.combinations import DEFAULTS  # noqa: E402

START_SECONDS = 60
# What would point the project at this machine's services instead of its local defaults.
SERVICE_VARIABLES = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SENTRY_DSN", "PORT"}


def answers_from(arguments: list[str]) -> dict[str, str]:
    questions = [
        name
        for name in json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
        if not name.startswith("_")
    ]
    answers = {}
    for argument in arguments:
        name, equals, value = argument.partition("=")
        if not equals or name not in questions:
            sys.exit(
                f"check_one.py: {argument!r} is not NAME=VALUE with a question of"
                f" cookiecutter.json ({', '.join(questions)})."
            )
        answers[name] = value
    return answers


def step(name: str, command: list[str], project: Path, env: dict[str, str]) -> None:
    started = time.monotonic()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-4000:] + result.stderr[-4000:])
        sys.exit(f"check_one.py: {name} failed in {project}")
    print(f"ok  {name} ({time.monotonic() - started:.0f} s)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def home_page_status(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def serve_home_page(project: Path, env: dict[str, str]) -> None:
    """Start the platform's web command, as the manifests give it, and load /."""
    started, port = time.monotonic(), free_port()
    command = platform_env.commands(project)["web"]
    log = project.parent / "web.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=project,
            env={**env, "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        status = None
        while status is None and time.monotonic() - started < START_SECONDS:
            if server.poll() is not None:
                break
            time.sleep(0.5)
            status = home_page_status(port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if status != 200:
        print(log.read_text()[-4000:])
        sys.exit(f"check_one.py: the web command's home page answered {status} ({log})")
    print(f"ok  web command, home page 200 ({time.monotonic() - started:.0f} s)")


def main() -> None:
    answers = answers_from(sys.argv[1:])
    output = Path(tempfile.mkdtemp(prefix="ccdp-check-"))
    try:
        project = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, extra_context=answers,
                                    output_dir=str(output)))  # fmt: skip
    except (CookiecutterException, ValueError, SystemExit) as refused:
        shutil.rmtree(output)
        # The answers' own check has printed its sentence; a choice not offered has not.
        reason = "" if isinstance(refused, (FailedHookException, SystemExit)) else refused
        sys.exit(f"check_one.py: generation refused the answers. {reason}".rstrip())
    print(f"ok  generated {project.name}")
    base = Path(os.environ.get("TEST_VENVS_DIR") or Path.home() / ".cache" / "ccdp-venvs")
    base.mkdir(parents=True, exist_ok=True)
    venv = venvs.ensure(base, answers.get("django_version", DEFAULTS["django_version"]))
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    step("ruff check", ["ruff", "check", "."], project, env)
    step("ruff format --check", ["ruff", "format", "--check", "."], project, env)
    step("the project's tests", ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
         project, env)  # fmt: skip
    step("migrate", ["python", "manage.py", "migrate", "--noinput"], project, env)
    serve_home_page(project, env)
    print(f"checked {project}")


if __name__ == "__main__":
    main()

"""HTTP speed of generated projects, each next to a bare Django project on the same server.

For each server choice (gunicorn for WSGI, gunicorn with uvicorn workers, daphne),
the generated project (Heroku, core Redis layer, Django 6.1) runs its own web
command with the environment its manifests give, on this machine's PostgreSQL and
Redis; the baseline is `django-admin startproject` with a home page, /healthz and
the same static files behind the same WhiteNoise storage, run by the same server
with the same worker count (and, for gunicorn, the generated gunicorn.conf.py).
Both serve two static files made for the run (24 kB and 1 MB).

Runs are interleaved (generated, bare, then bare, generated, ...) and every figure
is the median of the rounds with min-max, next to the ratio generated / bare from
the same run. wrk drives the load (-t2 -c32), with X-Forwarded-Proto: https as the
platform's router sends it. Not part of the test suite: this machine is shared and
noisy, and the figures are for reading, not for asserting.

    .venv/bin/python bench/serve.py [--rounds 3] [--seconds 10]
    .venv/bin/python bench/serve.py --short     # one round of 2 s: proves it runs

Needs wrk, Python 3.13, PostgreSQL and Redis (as the test suite does). The projects,
the venv and the logs are kept in a temporary directory that the last line names.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
# The suite's helpers, and local_extensions.py for rendering the template's pins.
sys.path[:0] = [str(TEMPLATE_DIR / "tests"), str(TEMPLATE_DIR)]

import machine  # noqa: E402
import platform_env  # noqa: E402
import venvs  # noqa: E402
from servers import Server, request  # noqa: E402

DJANGO, PYTHON = "6.1", "3.13"
COMMON_ANSWERS = {"platform": "heroku", "channel_layer": "redis", "django_version": DJANGO}
SERVER_ANSWERS = {
    "gunicorn": {"interface": "wsgi"},
    "uvicorn": {"interface": "asgi", "asgi_server": "uvicorn"},
    "daphne": {"interface": "asgi", "asgi_server": "daphne"},
}
STATIC_FILES = {"bench/small.bin": 24 * 1024, "bench/large.bin": 1024 * 1024}
PATHS = {"/": "/", "/healthz": "/healthz", "24 kB static": None, "1 MB static": None}
REDIS_DB = 9
HEADERS = {"Host": platform_env.HOST, "X-Forwarded-Proto": "https"}

BARE_SETTINGS = """
# Added by bench/serve.py: production-like, with static files as the generated project
# serves them.
import os

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
TEMPLATES[0]["DIRS"] = [BASE_DIR / "templates"]
"""
BARE_URLS = """from django.http import HttpResponse
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html")),
    path("healthz", lambda request: HttpResponse("ok")),
]
"""
BARE_HOME = "<!doctype html><title>Home</title><h1>Home</h1><p>A bare Django page.</p>\n"


@dataclass
class Project:
    name: str
    directory: Path
    command: str
    env: dict[str, str]
    static_urls: dict[str, str] = field(default_factory=dict)


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: `{' '.join(command)}` failed:\n{result.stdout}{result.stderr}")


def write_static_files(static_dir: Path) -> None:
    for name, size in STATIC_FILES.items():
        path = static_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))


def hashed_urls(directory: Path) -> dict[str, str]:
    """The URL each bench static file has after collectstatic (hashed names)."""
    manifest = json.loads((directory / "staticfiles" / "staticfiles.json").read_text())
    names = dict(zip(STATIC_FILES, ("24 kB static", "1 MB static"), strict=True))
    return {names[name]: f"/static/{manifest['paths'][name]}" for name in STATIC_FILES}


def generated_project(server: str, root: Path, venv: Path, database_url: str) -> Project:
    answers = {**COMMON_ANSWERS, **SERVER_ANSWERS[server], "project_name": f"Bench {server}"}
    output = root / f"generated-{server}"
    cli = [str(Path(sys.executable).parent / "cookiecutter"), "--no-input", str(TEMPLATE_DIR)]
    run([*cli, "-o", str(output), *(f"{k}={v}" for k, v in answers.items())], cwd=root)
    (directory,) = output.iterdir()
    slug = directory.name
    write_static_files(directory / slug / "static")
    build_env = {"PATH": f"{venv}/bin:{os.environ['PATH']}"}
    run(["python", "manage.py", "collectstatic", "--noinput"], directory, build_env)
    redis_url = f"redis://{machine.REDIS_HOST}:{machine.REDIS_PORT}/{REDIS_DB}"
    env = platform_env.environment(directory, database_url=database_url, redis_url=redis_url)
    env = {**env, **build_env, "HOME": os.environ.get("HOME", "/tmp")}
    run(["python", "manage.py", "migrate", "--noinput"], directory, env)
    command = platform_env.commands(directory)["web"]
    project = Project(f"generated {server}", directory, command, env)
    project.static_urls = hashed_urls(directory)
    return project


def bare_project(server: str, root: Path, venv: Path, generated: Project) -> Project:
    """django-admin startproject, run by the generated project's server settings."""
    directory = root / f"bare-{server}"
    directory.mkdir()
    run([f"{venv}/bin/django-admin", "startproject", "bare", str(directory)], root)
    settings = directory / "bare" / "settings.py"
    settings.write_text(settings.read_text() + BARE_SETTINGS)
    (directory / "bare" / "urls.py").write_text(BARE_URLS)
    (directory / "templates").mkdir()
    (directory / "templates" / "home.html").write_text(BARE_HOME)
    for name in STATIC_FILES:  # the very same bytes as the generated project's
        source = generated.directory / generated.directory.name / "static" / name
        (directory / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, directory / "static" / name)
    env = {
        "PATH": f"{venv}/bin:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "WEB_CONCURRENCY": generated.env["WEB_CONCURRENCY"],
    }
    run(["python", "manage.py", "collectstatic", "--noinput"], directory, env)
    if server != "daphne":  # the very same gunicorn settings
        shutil.copyfile(generated.directory / "gunicorn.conf.py", directory / "gunicorn.conf.py")
    command = {
        "gunicorn": "gunicorn --config gunicorn.conf.py bare.wsgi",
        "uvicorn": "gunicorn --config gunicorn.conf.py"
        " --worker-class uvicorn_worker.UvicornWorker bare.asgi:application",
        "daphne": "daphne --bind 0.0.0.0 --port $PORT bare.asgi:application",
    }[server]
    project = Project(f"bare {server}", directory, command, env)
    project.static_urls = hashed_urls(directory)
    return project


def group_rss_mib(pgid: int) -> float:
    """Resident memory of every process in the server's process group, in MiB."""
    total_kib = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total_kib += int(match.group(1)) if match else 0
    return total_kib / 1024


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port: int, path: str, seconds: int) -> dict[str, float]:
    headers = [arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            *headers,
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    parsed = {}
    for key in ("50", "99"):
        number, unit = re.match(r"([\d.]+)(us|ms|s)", latency[key]).groups()
        parsed[f"p{key} ms"] = to_ms(number, unit)
    parsed["req/s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    parsed["errors"] = float(errors.group(1) if errors else 0) + (1 if socket_errors else 0)
    return parsed


def measure(project: Project, seconds: int, log_dir: Path) -> dict[str, float]:
    port = machine.free_port()
    log = log_dir / f"{project.name.replace(' ', '-')}-{port}.log"
    started = time.monotonic()
    server = Server(project.command, project.directory, {**project.env, "PORT": str(port)}, log)
    figures: dict[str, float] = {}
    try:
        server.wait_until_answering(port)
        figures["cold start s"] = time.monotonic() - started
        time.sleep(1)
        figures["RSS idle MiB"] = group_rss_mib(server.process.pid)
        paths = {**{k: v for k, v in PATHS.items() if v}, **project.static_urls}
        for label, path in paths.items():
            status = request(port, path, HEADERS).status
            if status != 200:
                sys.exit(f"bench: {project.name} answered {status} on {path}; see {log}")
            for metric, value in wrk(port, path, seconds).items():
                figures[f"{label} {metric}"] = value
        figures["RSS after load MiB"] = group_rss_mib(server.process.pid)
    finally:
        server.stop()
    return figures


def spread(values: list[float]) -> str:
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:,.1f}" if median < 100 else f"{median:,.0f}"
    low, high = min(values), max(values)
    fmt = "{:,.1f}" if median < 100 else "{:,.0f}"
    return f"{fmt.format(median)} ({fmt.format(low)}-{fmt.format(high)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="of wrk per path")
    parser.add_argument("--short", action="store_true", help="one round of 2 s per path")
    parser.add_argument("--servers", default=",".join(SERVER_ANSWERS))
    args = parser.parse_args()
    rounds, seconds = (1, 2) if args.short else (args.rounds, args.seconds)
    servers = args.servers.split(",")
    if unknown := set(servers) - set(SERVER_ANSWERS):
        sys.exit(
            f"bench: unknown server {', '.join(sorted(unknown))};"
            f" choose from {', '.join(SERVER_ANSWERS)}."
        )
    missing = [tool for tool in ("wrk",) if not shutil.which(tool)]
    python = machine.find_python(PYTHON)
    if missing or python is None:
        sys.exit(f"bench: install {', '.join(missing) or f'Python {PYTHON}'} first.")
    if not (machine.postgres_answers() and machine.redis_answers()):
        sys.exit("bench: PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 must answer.")

    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    venv = root / "venv"
    print(f"building a Django {DJANGO} venv from the generated pins ...", flush=True)
    venvs.build(venv, python, venvs.pins_for(DJANGO))
    databases, pairs = [], {}
    try:
        for server in servers:
            database = f"bench_{server}"
            databases.append(database)
            generated = generated_project(server, root, venv, machine.create_database(database))
            pairs[server] = (generated, bare_project(server, root, venv, generated))
        machine.redis_command("FLUSHDB", db=REDIS_DB)
        results: dict[str, list[dict[str, float]]] = {}
        for round_number in range(rounds):
            for server in servers:
                order = pairs[server] if round_number % 2 == 0 else pairs[server][::-1]
                for project in order:
                    print(f"round {round_number + 1}/{rounds}: {project.name}", flush=True)
                    results.setdefault(project.name, []).append(measure(project, seconds, root))
    finally:
        for database in databases:
            machine.drop_database(database)

    print(
        f"\nwrk -t2 -c32 -d{seconds}s per path, {rounds} interleaved round(s);"
        " median (min-max); ratio = generated / bare"
    )
    for server in servers:
        generated, bare = (results[p.name] for p in pairs[server])
        print(f"\n| {server} | generated | bare Django | ratio |\n| --- | --- | --- | --- |")
        for metric in generated[0]:
            ours = [r[metric] for r in generated]
            theirs = [r[metric] for r in bare]
            base = statistics.median(theirs)
            ratio = f"{statistics.median(ours) / base:.2f}" if base else "-"
            print(f"| {metric} | {spread(ours)} | {spread(theirs)} | {ratio} |")
    print(f"\nprojects, venv and server logs: {root}")


if __name__ == "__main__":
    main()

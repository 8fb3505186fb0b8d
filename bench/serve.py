"""Serving speed of generated projects, each next to a bare Django project on the same server.

For each server choice (gunicorn for WSGI, gunicorn with uvicorn workers, daphne),
the generated project (Heroku, core Redis layer, Django 6.1, production settings)
runs its own web command with the environment its manifests give, on this machine's
PostgreSQL and Redis; the baseline is `django-admin startproject` with a home page,
/healthz and the same static files behind the same WhiteNoise storage, on the same
database, run by the same server with the same worker count (and, for gunicorn, the
generated gunicorn.conf.py); with ASGI, Django's own ASGI handler and a consumer
doing /ws/ping/'s channel-layer round trip. Both serve two static files made for the
run (24 kB and 1 MB). Also measured in the same rounds: the generated WSGI project
with one worker (daphne's baseline) and each ASGI server's ceiling (an ASGI app
without Django). Per project: HTTP throughput and latency (wrk), cold start, RSS and
PSS, the busiest worker's CPU share, WebSocket round trips and, for the generated
ASGI projects, the live feed's login broadcast to many watchers on another process.
For each generated project, last, the memory of its process tree while four 150 MB
request bodies arrive at once (tests/support/large_bodies.py), as anyone can send them.

Runs are interleaved (generated, bare, then bare, generated, ...) and every figure
is the median of the rounds with min-max, next to the ratio generated / bare from
the same run; a last table checks issue 9's targets against this run. wrk drives the
load (-t2 -c32), with X-Forwarded-Proto: https as the platform's router sends it.
Not part of the test suite: this machine is shared and noisy, and the figures are
for reading, not for asserting.

    .venv/bin/python bench/serve.py [--rounds 3] [--seconds 10]
    .venv/bin/python bench/serve.py --short     # one round of 2 s: proves it runs
    .venv/bin/python bench/serve.py --bodies-only   # the large bodies' memory alone

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
sys.path.insert(0, str(TEMPLATE_DIR))

import processes  # noqa: E402
import websocket_load  # noqa: E402

from tests.support import (  # noqa: E402
    large_bodies,
    machine,
    platform_env,
    stored_accounts,
    user_views,
    venvs,
)
from tests.support.servers import Server, request  # noqa: E402
from tests.support.visitors import HASH_PASSWORD, Visitor  # noqa: E402

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
# Large bodies, two with a declared length and two chunked, to a sync view and to the
# probe (under ASGI, Django's own ASGI handler serves it).
BODY_PATHS = ["/accounts/login/", "/healthz"]
BODIES = "4 x 150 MB bodies"
HEADERS = {"Host": platform_env.HOST, "X-Forwarded-Proto": "https"}

BARE_SETTINGS = """
# Added by bench/serve.py: production-like, with static files as the generated project
# serves them.
import os

import environ

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
# The generated project's database, as the generated project reaches it.
DATABASES = {"default": environ.Env.db_url_config(os.environ["DATABASE_URL"])}
DATABASES["default"]["CONN_MAX_AGE"] = 600
"""
BARE_URLS = """from django.http import HttpResponse
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html")),
    path("healthz", lambda request: HttpResponse("ok")),
]
"""
BARE_ASGI_SETTINGS = """
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ["REDIS_URL"]]},
    }
}
"""
# The same round trip as the generated project's /ws/ping/: the consumer sends the
# ping to its own channel through the layer and answers when it comes back.
BARE_ASGI = """import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")
django_asgi_app = get_asgi_application()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class Ping(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        message = {"type": "pong", "ping": content["ping"]}
        await self.channel_layer.send(self.channel_name, message)

    async def pong(self, event):
        await self.send_json({"pong": event["ping"]})


application = ProtocolTypeRouter(
    {"http": django_asgi_app, "websocket": URLRouter([path("ws/ping/", Ping.as_asgi())])}
)
"""
PASSWORD = "bench-password-not-secret"
WATCHERS, LOGINS = 50, 10
# The server's own ceiling: an ASGI application that answers every path from
# memory, with the body sizes of the measured paths, and no Django at all.
RAW_ASGI = """SIZES = {"/static/small.bin": 24 * 1024, "/static/large.bin": 1024 * 1024}
BLOCK = 256 * 1024
BODIES = {path: b"x" * size for path, size in SIZES.items()}


async def application(scope, receive, send):
    if scope["type"] != "http":
        return
    body = BODIES.get(scope["path"], b"ok")
    headers = [(b"content-type", b"application/octet-stream")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for start in range(0, len(body), BLOCK):
        chunk = body[start : start + BLOCK]
        more = start + BLOCK < len(body)
        await send({"type": "http.response.body", "body": chunk, "more_body": more})
"""
RAW_COMMANDS = {
    "uvicorn": "gunicorn --worker-class uvicorn_worker.UvicornWorker raw:application",
    "daphne": "daphne --bind 0.0.0.0 --port $PORT raw:application",
}
BARE_HOME = "<!doctype html><title>Home</title><h1>Home</h1><p>A bare Django page.</p>\n"


@dataclass
class Project:
    name: str
    directory: Path
    command: str
    env: dict[str, str]
    static_urls: dict[str, str] = field(default_factory=dict)
    websockets: bool = False  # serves /ws/ping/
    live_feed: bool = False  # and the live login feed, through Redis
    async_views: bool = False  # has tests/support/user_views.py's views added
    large_bodies: bool = False  # is sent four large request bodies at once
    generation_seconds: float = 0.0


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """The command's output; the bench stops with it if the command fails."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: `{' '.join(command)}` failed:\n{result.stdout}{result.stderr}")
    return result.stdout


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
    started = time.monotonic()
    run([*cli, "-o", str(output), *(f"{k}={v}" for k, v in answers.items())], cwd=root)
    generation_seconds = time.monotonic() - started
    (directory,) = output.iterdir()
    # The platform never sees .env (git ignores it); its DJANGO_DEBUG=1 would make
    # this a local development server.
    (directory / ".env").unlink()
    slug = directory.name
    write_static_files(directory / slug / "static")
    asgi = server != "gunicorn"
    if asgi:
        user_views.add_views(directory / slug, directory / "config" / "urls.py")
    build_env = {"PATH": f"{venv}/bin:{os.environ['PATH']}"}
    run(["python", "manage.py", "collectstatic", "--noinput"], directory, build_env)
    redis_url = f"redis://{machine.REDIS_HOST}:{machine.REDIS_PORT}/{REDIS_DB}"
    env = platform_env.environment(directory, database_url=database_url, redis_url=redis_url)
    env = {**env, **build_env, "HOME": os.environ.get("HOME", "/tmp")}
    run(["python", "manage.py", "migrate", "--noinput"], directory, env)
    command = platform_env.commands(directory)["web"]
    project = Project(f"generated {server}", directory, command, env, websockets=asgi)
    project.live_feed = project.async_views = asgi
    project.large_bodies = True
    project.generation_seconds = generation_seconds
    project.static_urls = hashed_urls(directory)
    if asgi:
        names = ["watcher", *(f"bench{i}" for i in range(LOGINS))]
        encoded = run(["python", "-c", HASH_PASSWORD, PASSWORD], directory, env).strip()
        stored_accounts.create(database_url, f"{directory.name}_user", names, encoded)
    return project


def raw_project(server: str, root: Path, generated: Project) -> Project:
    """The server's ceiling: RAW_ASGI with the generated project's worker count."""
    directory = root / f"raw-{server}"
    directory.mkdir()
    (directory / "raw.py").write_text(RAW_ASGI)
    env = {key: generated.env[key] for key in ("PATH", "HOME", "WEB_CONCURRENCY")}
    project = Project(f"raw ASGI on {server}", directory, RAW_COMMANDS[server], env)
    project.static_urls = {"24 kB static": "/static/small.bin", "1 MB static": "/static/large.bin"}
    return project


def one_worker(project: Project) -> Project:
    """The same project run with one process, as daphne runs."""
    env = {**project.env, "WEB_CONCURRENCY": "1"}
    one = Project(f"{project.name}, 1 worker", project.directory, project.command, env)
    one.static_urls = project.static_urls
    one.generation_seconds = project.generation_seconds
    return one


def bare_project(server: str, root: Path, venv: Path, generated: Project) -> Project:
    """django-admin startproject, run by the generated project's server settings."""
    directory = root / f"bare-{server}"
    directory.mkdir()
    started = time.monotonic()
    run([f"{venv}/bin/django-admin", "startproject", "bare", str(directory)], root)
    generation_seconds = time.monotonic() - started
    asgi = server != "gunicorn"
    settings = directory / "bare" / "settings.py"
    settings.write_text(settings.read_text() + BARE_SETTINGS + (BARE_ASGI_SETTINGS if asgi else ""))
    if asgi:
        (directory / "bare" / "asgi.py").write_text(BARE_ASGI)
    (directory / "bare" / "urls.py").write_text(BARE_URLS)
    if asgi:
        user_views.add_views(directory / "bare", directory / "bare" / "urls.py")
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
        "DATABASE_URL": generated.env["DATABASE_URL"],
    }
    if asgi:
        env["REDIS_URL"] = generated.env["REDIS_URL"]
    run(["python", "manage.py", "collectstatic", "--noinput"], directory, env)
    threads = None
    if server != "daphne":  # the very same gunicorn settings; the worker class below
        shutil.copyfile(generated.directory / "gunicorn.conf.py", directory / "gunicorn.conf.py")
        threads = run(
            ["python", "-c", "from config.settings import WEB_THREADS; print(WEB_THREADS)"],
            generated.directory,
            generated.env,
        ).strip()
    command = {
        # Django's WSGI handler as gunicorn usually serves it: its threaded worker, as
        # many threads as the generated project's bridge has.
        "gunicorn": f"gunicorn --config gunicorn.conf.py --worker-class gthread --threads {threads}"
        " bare.wsgi",
        "uvicorn": "gunicorn --config gunicorn.conf.py"
        " --worker-class uvicorn_worker.UvicornWorker bare.asgi:application",
        "daphne": "daphne --bind 0.0.0.0 --port $PORT bare.asgi:application",
    }[server]
    project = Project(f"bare {server}", directory, command, env, websockets=asgi)
    project.async_views = asgi
    project.generation_seconds = generation_seconds
    project.static_urls = hashed_urls(directory)
    return project


def to_ms(value: str, unit: str) -> float:
    milliseconds = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
    return float(value) * milliseconds[unit]


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
    latency = {
        percent: to_ms(number, unit)
        for percent, number, unit in re.findall(
            r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", out, re.M
        )
    }
    if set(latency) != {"50", "99"}:
        sys.exit(f"bench: wrk gave no latency distribution for {path}:\\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    parsed = {f"p{percent} ms": milliseconds for percent, milliseconds in latency.items()}
    parsed["req/s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    parsed["errors"] = float(errors.group(1) if errors else 0) + (1 if socket_errors else 0)
    return parsed


def log_path(log_dir: Path, name: str, port: int) -> Path:
    return log_dir / f"{name.replace(' ', '-').replace(',', '')}-{port}.log"


def measure(
    project: Project, seconds: int, log_dir: Path, bodies_only: bool = False
) -> dict[str, float]:
    port = machine.free_port()
    log = log_path(log_dir, project.name, port)
    started = time.monotonic()
    server = Server(project.command, project.directory, {**project.env, "PORT": str(port)}, log)
    pgid = server.process.pid
    figures: dict[str, float] = {"generation s": project.generation_seconds}
    try:
        server.wait_until_answering(port)
        figures["cold start s"] = time.monotonic() - started
        time.sleep(1)
        figures.update({f"{k} idle MiB": v for k, v in processes.memory_mib(pgid).items()})
        if bodies_only:
            return {**figures, **large_body_figures(port, pgid)}
        paths = {**{k: v for k, v in PATHS.items() if v}, **project.static_urls}
        cpu_before = processes.cpu_seconds(pgid)
        for label, path in paths.items():
            status = request(port, path, HEADERS).status
            if status != 200:
                sys.exit(f"bench: {project.name} answered {status} on {path}; see {log}")
            for metric, value in wrk(port, path, seconds).items():
                figures[f"{label} {metric}"] = value
            if label == "1 MB static":
                figures["RSS after 1 MB static MiB"] = processes.memory_mib(pgid)["RSS"]
        share = processes.busiest_share(cpu_before, processes.cpu_seconds(pgid))
        if share is not None:
            figures["busiest worker %"] = 100 * share
        if project.async_views:
            figures.update(async_view_figures(port))
        if project.websockets:
            figures.update(websocket_load.ping_round_trips(port, seconds))
        if project.live_feed:
            figures.update(login_broadcast(project, port, log_dir))
        figures.update({f"{k} after load MiB": v for k, v in processes.memory_mib(pgid).items()})
        if project.large_bodies:
            figures.update(large_body_figures(port, pgid))
    finally:
        server.stop()
    return figures


def large_body_figures(port: int, pgid: int) -> dict[str, float]:
    """The process tree's RSS before and at its peak (sampled every 50 ms) while four
    150 MB bodies arrive at once, and how many of them the server stopped reading
    within 64 MB (the rest it read whole)."""
    before = processes.memory_mib(pgid)["RSS"]
    bodies = [
        large_bodies.LargeBody(port, path, chunked)
        for path in BODY_PATHS
        for chunked in (False, True)
    ]
    peak = before
    deadline = time.monotonic() + 180
    while any(body.thread.is_alive() for body in bodies) and time.monotonic() < deadline:
        peak = max(peak, processes.memory_mib(pgid)["RSS"])
        time.sleep(0.05)
    for body in bodies:
        body.join()
    cut = sum(body.sent < 64 * 1024 * 1024 for body in bodies)
    return {
        f"RSS before {BODIES} MiB": before,
        f"RSS peak during {BODIES} MiB": peak,
        f"{BODIES} cut short": cut,
    }


def async_view_figures(port: int) -> dict[str, float]:
    """The async code a user adds (tests/support/user_views.py): one-second async views sent
    all at once, the home page asked for while 40 of them wait, and the first event
    of a server-sent-events stream."""
    figures = {}
    for count in (40, 400):
        answers, took = user_views.all_at_once(port, "/wait/", count, timeout=60)
        figures[f"{count} async views at once s"] = took
        figures[f"{count} async views failed"] = sum(a.status != 200 for a in answers)
    (page,), _ = user_views.while_busy(port, "/wait/", 40, ["/"], delay=0.2)
    figures["/ during 40 async views ms"] = page.seconds * 1000
    firsts = [user_views.event_times(port, "/events/?count=1", 10)[0] for _ in range(5)]
    figures["first event ms"] = statistics.median(firsts) * 1000
    return figures


def login_broadcast(project: Project, watch_port: int, log_dir: Path) -> dict[str, float]:
    """WATCHERS sockets on this process watch LOGINS logins made on a second web
    process of the same project: each event crosses Redis."""
    login_port = machine.free_port()
    log = log_path(log_dir, f"{project.name} logins", login_port)
    env = {**project.env, "PORT": str(login_port)}
    logins = Server(project.command, project.directory, env, log)
    try:
        logins.wait_until_answering(login_port)
        watcher = Visitor(watch_port)
        watcher.log_in("watcher", PASSWORD)
        names = [f"bench{i}" for i in range(LOGINS)]
        return websocket_load.broadcast_latency(
            watch_port,
            watcher.cookies["sessionid"],
            lambda name: Visitor(login_port).log_in(name, PASSWORD),
            names,
            WATCHERS,
            timeout=60,
        )
    finally:
        logins.stop()


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
    parser.add_argument(
        "--bodies-only",
        action="store_true",
        help=f"only the generated projects' memory under {BODIES}",
    )
    args = parser.parse_args()
    rounds, seconds = (1, 2) if args.short else (args.rounds, args.seconds)
    servers = args.servers.split(",")
    if unknown := set(servers) - set(SERVER_ANSWERS):
        sys.exit(
            f"bench: unknown server {', '.join(sorted(unknown))};"
            f" choose from {', '.join(SERVER_ANSWERS)}."
        )
    tools = () if args.bodies_only else ("wrk",)
    missing = [tool for tool in tools if not shutil.which(tool)]
    python = venvs.find_python(PYTHON)
    if missing or python is None:
        sys.exit(f"bench: install {', '.join(missing) or f'Python {PYTHON}'} first.")
    if not (machine.postgres_answers() and machine.redis_answers()):
        sys.exit("bench: PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 must answer.")

    root = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    venv = root / "venv"
    print(f"building a Django {DJANGO} venv from the generated pins ...", flush=True)
    venvs.build(venv, python, venvs.pins_for(DJANGO))
    databases, groups = [], {}
    try:
        for server in servers:
            database = f"bench_{server}"
            databases.append(database)
            generated = generated_project(server, root, venv, machine.create_database(database))
            if args.bodies_only:
                groups[server] = [generated]
                continue
            groups[server] = [generated, bare_project(server, root, venv, generated)]
            if server == "gunicorn" and "daphne" in servers:  # daphne's WSGI baseline
                groups[server].append(one_worker(generated))
            if server in RAW_COMMANDS:
                groups[server].append(raw_project(server, root, generated))
        machine.redis_command("FLUSHDB", db=REDIS_DB)
        results: dict[str, list[dict[str, float]]] = {}
        for round_number in range(rounds):
            for server in servers:
                order = groups[server] if round_number % 2 == 0 else groups[server][::-1]
                for project in order:
                    print(f"round {round_number + 1}/{rounds}: {project.name}", flush=True)
                    figures = measure(project, seconds, root, args.bodies_only)
                    results.setdefault(project.name, []).append(figures)
    finally:
        for database in databases:
            machine.drop_database(database)

    if args.bodies_only:
        print_bodies(servers, results)
        print(f"\nprojects, venv and server logs: {root}")
        return
    print(
        f"\nwrk -t2 -c32 -d{seconds}s per path, {rounds} interleaved round(s);"
        " median (min-max); ratio = generated / bare"
    )
    for server in servers:
        print_pair(server, results[f"generated {server}"], results[f"bare {server}"])
    pairs = {f"{kind} {server}" for kind in ("generated", "bare") for server in servers}
    print_others([name for name in results if name not in pairs], results)
    print_targets(servers, {name: median_figures(runs) for name, runs in results.items()})
    print(f"\nprojects, venv and server logs: {root}")


def median_figures(runs: list[dict[str, float]]) -> dict[str, float]:
    return {metric: statistics.median(run[metric] for run in runs) for metric in runs[0]}


def print_pair(server: str, generated: list[dict], bare: list[dict]) -> None:
    print(f"\n| {server} | generated | bare Django | ratio |\n| --- | --- | --- | --- |")
    for metric in generated[0]:
        ours = [r[metric] for r in generated]
        theirs = [r[metric] for r in bare if metric in r]
        base = statistics.median(theirs) if theirs else 0
        ratio = f"{statistics.median(ours) / base:.2f}" if base else "-"
        print(f"| {metric} | {spread(ours)} | {spread(theirs) if theirs else '-'} | {ratio} |")


def print_bodies(servers: list[str], results: dict[str, list[dict]]) -> None:
    print(f"\n| {BODIES}, generated | RSS before MiB | peak MiB | growth MiB | cut short |")
    print("| --- | --- | --- | --- | --- |")
    for server in servers:
        runs = results[f"generated {server}"]
        before = [r[f"RSS before {BODIES} MiB"] for r in runs]
        peak = [r[f"RSS peak during {BODIES} MiB"] for r in runs]
        growth = [p - b for p, b in zip(peak, before, strict=True)]
        cut = [r[f"{BODIES} cut short"] for r in runs]
        print(
            f"| {server} | {spread(before)} | {spread(peak)} | {spread(growth)}"
            f" | {min(cut):.0f} of 4 |"
        )


def print_others(names: list[str], results: dict[str, list[dict]]) -> None:
    """The baselines that are not a bare Django: one-worker WSGI, the servers' ceilings."""
    if not names:
        return
    print(f"\n| other baselines | {' | '.join(names)} |\n| --- |{' --- |' * len(names)}")
    metrics = [m for m in results[names[0]][0] if "req/s" in m or "cold" in m or "RSS" in m]
    for metric in metrics:
        cells = [spread([r[metric] for r in results[name]]) for name in names]
        print(f"| {metric} | {' | '.join(cells)} |")


def print_targets(servers: list[str], medians: dict[str, dict[str, float]]) -> None:
    """Issue 9's targets, each as its figure from this run against its threshold."""
    rows = []

    def ratio(name, ours, base, metric, at_least=None, at_most=None):
        if ours in medians and base in medians and metric in medians[ours]:
            value = medians[ours][metric] / medians[base][metric]
            rows.append((name, value, at_least, at_most))

    http = ("/ req/s", "24 kB static req/s", "1 MB static req/s")
    wsgi, wsgi_one = "generated gunicorn", "generated gunicorn, 1 worker"
    for metric in http:
        ratio(f"uvicorn / WSGI, {metric}", "generated uvicorn", wsgi, metric, at_least=0.70)
        ratio(f"daphne / WSGI 1 worker, {metric}", "generated daphne", wsgi_one, metric, 0.70)
        ratio(f"WSGI / bare, {metric}", wsgi, "bare gunicorn", metric, at_least=0.95)
    for server in ("uvicorn", "daphne"):
        name = f"generated {server}"
        if name not in medians:
            continue
        figures = medians[name]
        ping = "/ws/ping/ round trips/s"
        ratio(f"{server} ping / bare consumer", name, f"bare {server}", ping, at_least=0.90)
        after, idle = figures["RSS after 1 MB static MiB"], figures["RSS idle MiB"]
        rows.append((f"{server} RSS after 1 MB static / idle", after / idle, None, 1.10))
        delivered = figures["broadcast delivered %"]
        rows.append((f"{server} broadcast delivered %", delivered, 100, None))
        rows.append((f"{server} broadcast p99 ms", figures["broadcast p99 ms"], None, 50))
    for server in ("uvicorn", "daphne"):  # issue 18: async views and streams
        figures = medians.get(f"generated {server}", {})
        if "40 async views at once s" in figures:
            rows.append(
                (f"{server} 40 async views s", figures["40 async views at once s"], None, 2.5)
            )
            rows.append(
                (f"{server} 400 async views s", figures["400 async views at once s"], None, 5)
            )
            during = figures["/ during 40 async views ms"]
            rows.append((f"{server} / during 40 async views ms", during, None, 500))
            rows.append((f"{server} first event ms", figures["first event ms"], None, 500))
    for server in servers:  # issue 28: large request bodies
        figures = medians.get(f"generated {server}", {})
        if f"RSS peak during {BODIES} MiB" in figures:
            growth = figures[f"RSS peak during {BODIES} MiB"] - figures[f"RSS before {BODIES} MiB"]
            rows.append((f"{server} RSS growth under {BODIES} MiB", growth, None, 64))
    idle = "RSS idle MiB"
    ratio("uvicorn idle RSS / bare", "generated uvicorn", "bare uvicorn", idle, at_most=1.15)
    for name, figures in medians.items():
        rows.append((f"{name} cold start s", figures["cold start s"], None, 1.5))
        if "busiest worker %" in figures:
            rows.append((f"{name} busiest worker %", figures["busiest worker %"], None, 65))

    print("\n| target | this run | needs | met |\n| --- | --- | --- | --- |")
    for name, value, at_least, at_most in rows:
        met = (at_least is None or value >= at_least) and (at_most is None or value <= at_most)
        needs = f">= {at_least}" if at_least is not None else f"<= {at_most}"
        print(f"| {name} | {value:,.2f} | {needs} | {'yes' if met else 'no'} |")


if __name__ == "__main__":
    main()

"""The generated ASGI project's own server code next to a maintained library doing its job.

Two comparisons, each on the generated project (as bench/serve.py generates and runs
it) and on a copy of it with one piece swapped for the library, interleaved:

- static: serving/http/static_files.py against ServeStatic's ASGI app (`ServeStaticASGI`
  over STATIC_ROOT, with the page's security headers added by its
  `add_headers_function` and plain HTTP left to Django's redirect as ours leaves it),
  on the two static files of bench/serve.py;
- sync-views: serving/http/bridge.py against a2wsgi's `WSGIMiddleware` running
  Django's WSGI handler on WEB_THREADS threads, on `/` and the log-in page (both sync
  views; async views still go to Django's ASGI handler).

    .venv/bin/python bench/libraries.py [--compare static,sync-views] [--rounds 3] [--seconds 5]

Needs what bench/serve.py needs. The libraries are installed into the bench's own
venv next to the generated pins; the generated project does not carry them.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import serve

from tests.support import (
    machine,  # noqa: E402  (serve.py put the template on sys.path)
    venvs,  # noqa: E402
)
from tests.support.servers import Server, request  # noqa: E402

LIBRARIES = ["servestatic==4.4.0", "a2wsgi==1.10.10"]
SERVERS = ["uvicorn", "daphne"]

SERVESTATIC_STATIC_FILES = """
from django.conf import settings
from servestatic import ServeStaticASGI

from serving.http.headers import is_secure, security_headers, wsgi_headers


def add_security_headers(headers, path, url):
    for name, value in security_headers(secure=True):
        headers[name] = value


class StaticFiles(ServeStaticASGI):
    def __init__(self, application):
        super().__init__(
            application,
            root=settings.STATIC_ROOT,
            prefix=settings.STATIC_URL,
            max_age=60,  # WhiteNoise's without DEBUG, as ours serves them
            add_headers_function=add_security_headers,
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and settings.SECURE_SSL_REDIRECT:
            if not is_secure(scope, wsgi_headers(scope)):
                return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)
"""
OUR_BRIDGE = "sync_views = WSGIBridge(django_application, threads=settings.WEB_THREADS)"
A2WSGI_BRIDGE = (
    "from a2wsgi import WSGIMiddleware\n\n"
    "    sync_views = WSGIMiddleware(django_application, workers=settings.WEB_THREADS)"
)


def with_servestatic(directory: Path) -> None:
    (directory / "serving" / "http" / "static_files.py").write_text(SERVESTATIC_STATIC_FILES)


def with_a2wsgi(directory: Path) -> None:
    factories = directory / "serving" / "__init__.py"
    text = factories.read_text()
    if OUR_BRIDGE not in text:
        sys.exit(f"bench: {factories} no longer builds the bridge as `{OUR_BRIDGE}`.")
    factories.write_text(text.replace(OUR_BRIDGE, A2WSGI_BRIDGE))


COMPARISONS = {
    "static": ("ServeStatic", with_servestatic, None),
    "sync-views": ("a2wsgi", with_a2wsgi, {"/": "/", "log-in page": "/accounts/login/"}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", default=",".join(COMPARISONS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    compare = args.compare.split(",")
    if unknown := set(compare) - set(COMPARISONS):
        sys.exit(
            f"bench: unknown comparison {', '.join(sorted(unknown))}; choose from"
            f" {', '.join(COMPARISONS)}."
        )
    python = venvs.find_python(serve.PYTHON)
    if not shutil.which("wrk") or python is None:
        sys.exit(f"bench: install wrk and Python {serve.PYTHON} first.")
    if not (machine.postgres_answers() and machine.redis_answers()):
        sys.exit("bench: PostgreSQL and Redis must answer (tests/support/machine.py says where).")

    root = Path(tempfile.mkdtemp(prefix="bench-libraries-"))
    venv = root / "venv"
    print(f"building a Django {serve.DJANGO} venv from the generated pins ...", flush=True)
    venvs.build(venv, python, [*venvs.pins_for(serve.DJANGO), *LIBRARIES])
    pairs, databases = [], []
    try:
        for server in SERVERS:
            databases.append(f"bench_libraries_{server}")
            ours = serve.generated_project(
                server, root, venv, machine.create_database(databases[-1])
            )
            for name in compare:
                library, swap, paths = COMPARISONS[name]
                directory = root / f"{name}-{library}-{server}"
                shutil.copytree(ours.directory, directory, symlinks=True)
                swap(directory)
                theirs = serve.Project(f"{library} {server}", directory, ours.command, ours.env)
                paths = paths or ours.static_urls
                pairs.append(
                    (
                        name,
                        paths,
                        serve.Project(f"ours {server}", ours.directory, ours.command, ours.env),
                        theirs,
                    )
                )
        results: dict[tuple[str, str, str], list[float]] = {}
        for round_number in range(args.rounds):
            for name, paths, *projects in pairs:
                for project in projects if round_number % 2 == 0 else projects[::-1]:
                    print(
                        f"round {round_number + 1}/{args.rounds}: {name}, {project.name}",
                        flush=True,
                    )
                    for label, rate in requests_per_second(project, paths, args.seconds, root):
                        results.setdefault((name, project.name, label), []).append(rate)
    finally:
        for database in databases:
            machine.drop_database(database)
    print(
        f"\nwrk -t2 -c32 -d{args.seconds}s per path, {args.rounds} interleaved round(s);"
        " req/s, median (min-max)"
    )
    print("\n| comparison | project | path | req/s |\n| --- | --- | --- | --- |")
    for (name, project, label), rates in results.items():
        print(f"| {name} | {project} | {label} | {serve.spread(rates)} |")
    print(f"\nprojects, venv and server logs: {root}")


def requests_per_second(project, paths: dict[str, str], seconds: int, log_dir: Path):
    port = machine.free_port()
    log = serve.log_path(log_dir, project.name, port)
    server = Server(project.command, project.directory, {**project.env, "PORT": str(port)}, log)
    try:
        server.wait_until_answering(port)
        time.sleep(1)
        for label, path in paths.items():
            status = request(port, path, serve.HEADERS).status
            if status != 200:
                sys.exit(f"bench: {project.name} answered {status} on {path}; see {log}")
            yield label, serve.wrk(port, path, seconds)["req/s"]
    finally:
        server.stop()


if __name__ == "__main__":
    main()

"""How many threads for sync views an ASGI project's processes should run: the
generated project's pages and a 24 kB static file under each WEB_THREADS, interleaved,
next to the generated WSGI project (gunicorn, same worker count).

The default of WEB_THREADS for daphne comes from this: daphne's reactor parses each
request in Python and has to win the GIL back from the pool's threads, so more threads
than requests waiting on I/O cost it throughput. Each run sets WEB_THREADS in the
environment, as a user would on the platform.

    .venv/bin/python bench/http_threads.py [--server daphne] [--threads 5,2,1]
        [--rounds 3] [--seconds 4]

Needs what bench/serve.py needs (wrk, Python 3.13, PostgreSQL, Redis).
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import serve
from serve import Server, machine, venvs


def requests_per_second(
    project: serve.Project, paths: dict[str, str], seconds: int, log: Path, **variables: str
):
    port = machine.free_port()
    env = {**project.env, **variables, "PORT": str(port)}
    server = Server(project.command, project.directory, env, log)
    try:
        server.wait_until_answering(port)
        return {label: serve.wrk(port, path, seconds)["req/s"] for label, path in paths.items()}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--threads", default="5,2,1")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    args = parser.parse_args()
    counts = [int(count) for count in args.threads.split(",")]

    root = Path(tempfile.mkdtemp(prefix="bench-threads-"))
    venv = root / "venv"
    print(f"building a Django {serve.DJANGO} venv from the generated pins ...", flush=True)
    venvs.build(venv, venvs.find_python(serve.PYTHON), venvs.pins_for(serve.DJANGO))
    databases = [f"bench_threads_{args.server}", "bench_threads_gunicorn"]
    try:
        asgi = serve.generated_project(
            args.server, root, venv, machine.create_database(databases[0])
        )
        wsgi = serve.generated_project(
            "gunicorn", root, venv, machine.create_database(databases[1])
        )
        if args.server == "daphne":  # one process: compare with one WSGI worker
            wsgi = serve.one_worker(wsgi)
        runs: dict[str, list[dict[str, float]]] = {}
        for round_number in range(args.rounds):
            order = counts if round_number % 2 == 0 else counts[::-1]
            for count in order:
                name = f"{args.server}, WEB_THREADS={count}"
                print(f"round {round_number + 1}/{args.rounds}: {name}", flush=True)
                paths = {"/": "/", "24 kB static": asgi.static_urls["24 kB static"]}
                log = root / f"{args.server}-{count}-{round_number}.log"
                runs.setdefault(name, []).append(
                    requests_per_second(asgi, paths, args.seconds, log, WEB_THREADS=str(count))
                )
            print(f"round {round_number + 1}/{args.rounds}: {wsgi.name}", flush=True)
            paths = {"/": "/", "24 kB static": wsgi.static_urls["24 kB static"]}
            log = root / f"wsgi-{round_number}.log"
            runs.setdefault(wsgi.name, []).append(
                requests_per_second(wsgi, paths, args.seconds, log)
            )
    finally:
        for database in databases:
            machine.drop_database(database)

    labels = ["/", "24 kB static"]
    baseline = {label: statistics.median(r[label] for r in runs[wsgi.name]) for label in labels}
    print(f"\nwrk -t2 -c32 -d{args.seconds}s, {args.rounds} interleaved round(s);")
    print(f"median (min-max) req/s; ratio = median / {wsgi.name}\n")
    print("| project | / req/s | ratio | 24 kB static req/s | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for name, results in runs.items():
        cells = []
        for label in labels:
            values = [result[label] for result in results]
            ratio = statistics.median(values) / baseline[label]
            cells += [serve.spread(values), f"{ratio:.2f}"]
        print(f"| {name} | {' | '.join(cells)} |")
    print(f"\nprojects and server logs: {root}")


if __name__ == "__main__":
    sys.exit(main())

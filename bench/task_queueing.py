"""Whether one broker connection a process (CELERY_BROKER_POOL_LIMIT = 1) holds up a web
process's threads that queue tasks at once: each of THREADS threads queues tasks as
fast as it can, through the project's own task class, for each pool limit, and the
figures are the time one `delay()` takes and how many tasks went to the database
instead of the broker (which happens when a thread waits past
CELERY_BROKER_POOL_ACQUIRE_TIMEOUT for the connection).

    .venv/bin/python bench/task_queueing.py [--limits 1,2,5] [--threads 5,10]
        [--tasks 300] [--rounds 3]

Needs PostgreSQL and Redis on 127.0.0.1 and Python 3.13, as bench/serve.py does.
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import serve
from serve import machine, platform_env, venvs

ANSWERS = {
    "platform": "heroku",
    "interface": "wsgi",
    "background_worker": "celery",
    "django_version": serve.DJANGO,
    "project_name": "Bench tasks",
}
REDIS_DB = 10

# Runs in the project's venv and directory: THREADS threads start together and each
# queues TASKS tasks; prints the seconds each delay() took and the tasks kept in the
# database.
QUEUE_TASKS = r"""
import json, os, sys, threading, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from config.celery import app
from serving.models import QueuedTask
from serving.tasks import send_email

limit, threads, tasks = map(int, sys.argv[1:])
app.conf.broker_pool_limit = limit
QueuedTask.objects.all().delete()
start = threading.Barrier(threads)
took = []

def queue():
    start.wait()
    for _ in range(tasks):
        began = time.perf_counter()
        send_email.delay({"subject": "bench", "body": "", "to": ["a@example.org"]})
        took.append(time.perf_counter() - began)

running = [threading.Thread(target=queue) for _ in range(threads)]
for thread in running:
    thread.start()
for thread in running:
    thread.join()
print(json.dumps({"took": took, "kept": QueuedTask.objects.count()}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", default="1,2,5")
    parser.add_argument("--threads", default="5,10")
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    limits = [int(limit) for limit in args.limits.split(",")]
    thread_counts = [int(count) for count in args.threads.split(",")]

    root = Path(tempfile.mkdtemp(prefix="bench-tasks-"))
    venv = root / "venv"
    print(f"building a Django {serve.DJANGO} venv from the generated pins ...", flush=True)
    venvs.build(venv, venvs.find_python(serve.PYTHON), venvs.pins_for(serve.DJANGO))
    cli = [str(Path(sys.executable).parent / "cookiecutter"), "--no-input"]
    serve.run(
        [*cli, str(serve.TEMPLATE_DIR), "-o", str(root / "generated")]
        + [f"{k}={v}" for k, v in ANSWERS.items()],
        cwd=root,
    )
    (directory,) = (root / "generated").iterdir()
    (directory / ".env").unlink()  # the platform's environment, not .env's DEBUG
    database = "bench_task_queueing"
    redis_url = f"redis://{machine.REDIS_HOST}:{machine.REDIS_PORT}/{REDIS_DB}"
    runs: dict[tuple[int, int], list[dict]] = {}
    try:
        env = platform_env.environment(
            directory, database_url=machine.create_database(database), redis_url=redis_url
        )
        env = {**env, "PATH": f"{venv}/bin:/usr/bin:/bin", "HOME": str(root)}
        serve.run(["python", "manage.py", "migrate", "--noinput"], directory, env)
        for round_number in range(args.rounds):
            for limit in limits if round_number % 2 == 0 else limits[::-1]:
                for threads in thread_counts:
                    print(f"round {round_number + 1}: limit {limit}, {threads} threads", flush=True)
                    command = [
                        "python",
                        "-c",
                        QUEUE_TASKS,
                        str(limit),
                        str(threads),
                        str(args.tasks),
                    ]
                    output = serve.run(command, directory, env)
                    runs.setdefault((limit, threads), []).append(
                        json.loads(output.splitlines()[-1])
                    )
                    serve.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], directory, env)
    finally:
        machine.drop_database(database)

    print(f"\n{args.tasks} tasks a thread, {args.rounds} interleaved round(s); median (min-max)")
    print("of the rounds' figures\n")
    print("| pool limit | threads | delay() median ms | p99 ms | slowest ms | kept in database |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (limit, threads), results in runs.items():

        def figure(of, results=results) -> str:
            return serve.spread([of(sorted(result["took"])) * 1000 for result in results])

        median = figure(statistics.median)
        p99 = figure(lambda took: took[int(len(took) * 0.99)])
        slowest = figure(lambda took: took[-1])
        kept = sum(result["kept"] for result in results)
        print(f"| {limit} | {threads} | {median} | {p99} | {slowest} | {kept} |")
    print(f"\nproject: {directory}")


if __name__ == "__main__":
    sys.exit(main())

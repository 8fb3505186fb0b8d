"""Housekeeping tier: the daily job run as each platform runs it.

On App Platform, the run_command of the spec's SCHEDULED job, with the environment
the spec gives it; on Heroku, the command the README has the owner give the
Scheduler, with app.json's environment (the Scheduler runs it in a one-off dyno).
Against the group's real PostgreSQL, migrated by the release step, holding sessions
and cache rows written by the site, some of them expired, and with Django's tasks,
finished tasks, some of them over 14 days old, and a waiting one as old.
"""

import re
import secrets
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.support import platform_env

# One Heroku and one App Platform group, both built for other tiers already, and a
# group of Django's tasks, whose finished tasks go after 14 days.
pytestmark = pytest.mark.only(
    groups={
        "heroku-asgi-daphne-redis-pubsub-dj6.1-celery",
        "digitalocean-wsgi-dj6.1",
        "heroku-wsgi-dj5.2-django-tasks",
    }
)
TASKS_TABLE = "django_tasks_database_dbtaskresult"
SCHEDULER_JOB = re.compile(r"Run Command `([^`]+)`")


def scheduled_command(project, platform: str) -> str:
    if platform == "heroku":
        (command,) = SCHEDULER_JOB.findall((project / "README.md").read_text())
        return command
    spec = platform_env.do_spec(project)
    (job,) = [job for job in spec["jobs"] if job["kind"] == "SCHEDULED"]
    return job["run_command"]


def test_the_daily_job_deletes_what_expired_and_nothing_else(
    released, deployed_project, production_env, database_url, run, runtime_answers
):
    now = datetime.now(UTC)
    rows = {  # name: expired?
        f"{kind}-{secrets.token_hex(8)}-{state}": state == "expired"
        for kind in ("session", "cache")
        for state in ("expired", "live")
    }
    with psycopg.connect(database_url, autocommit=True) as db:
        for name, expired in rows.items():
            when = now + timedelta(days=-1 if expired else 1)
            if name.startswith("session"):
                db.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date)"
                    " VALUES (%s, '', %s)",
                    (name, when),
                )
            else:
                db.execute(
                    "INSERT INTO django_cache (cache_key, value, expires) VALUES (%s, '', %s)",
                    (f":1:{name}", when),
                )

    tasks = {}  # id: deleted?
    if runtime_answers["background_worker"] == "django-tasks":
        with psycopg.connect(database_url, autocommit=True) as db:
            for status, days, deleted in (
                ("SUCCESSFUL", 15, True),
                ("FAILED", 15, True),
                ("SUCCESSFUL", 13, False),
                ("READY", 15, False),
            ):
                tasks[add_task(db, status, now - timedelta(days=days))] = deleted

    command = scheduled_command(deployed_project, runtime_answers["platform"])
    for _ in range(2):  # a repeated run deletes nothing more
        result = run(["bash", "-c", command], cwd=deployed_project, env=production_env)
        assert result.returncode == 0, result.stdout + result.stderr

    with psycopg.connect(database_url) as db:
        kept = {key for (key,) in db.execute("SELECT session_key FROM django_session")}
        kept |= {
            key.removeprefix(":1:") for (key,) in db.execute("SELECT cache_key FROM django_cache")
        }
    assert {name for name in rows if name in kept} == {n for n, e in rows.items() if not e}
    if tasks:
        with psycopg.connect(database_url) as db:
            left = {str(id) for (id,) in db.execute(f"SELECT id FROM {TASKS_TABLE}")}
        assert {id for id in tasks if id in left} == {i for i, d in tasks.items() if not d}


def add_task(db, status: str, when: datetime) -> str:
    """A row of Django's tasks, enqueued, run and finished (unless READY) at `when`."""
    finished = None if status == "READY" else when
    (id,) = db.execute(
        f"INSERT INTO {TASKS_TABLE} (id, status, enqueued_at, started_at, finished_at,"
        " args_kwargs, priority, task_path, worker_ids, queue_name, backend_name, run_after,"
        " return_value, exception_class_path, traceback)"
        ' VALUES (gen_random_uuid(), %s, %s, %s, %s, \'{"args": [], "kwargs": {}}\', 0,'
        " 'welcome.tasks.welcome', '[]', 'default', 'default', %s, 'null', '', '')"
        " RETURNING id",
        (status, when, finished, finished, when),
    ).fetchone()
    return str(id)

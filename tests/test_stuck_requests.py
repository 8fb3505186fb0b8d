"""Stuck requests: a view a user adds that waits on the database for longer than
the router waits for an answer (30 s, Heroku's H12) gets an error answer before
then, under every server, and its thread and its connection serve the next
request; the release step's processes have no such limit (migrations may take
longer). serving/web_process.py sets it.

One group per server (Heroku, Django 6.1): gunicorn's threads, a uvicorn worker's
and daphne's threads for sync views. The web command runs as one process of one
thread, so that the next request needs the very thread the stuck one held.
"""

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.support import machine, user_views
from tests.support.servers import request

pytestmark = pytest.mark.only(platform="heroku", django_version="6.1", channel_layer="redis")

ROUTER_SECONDS = 30
VIEWS = """from django.db import connection
from django.http import HttpResponse


def sleep_in_database(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(40)")
    return HttpResponse("slept")


def statement_timeout(request):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return HttpResponse(cursor.fetchone()[0])
"""
ROUTES = {"/sleep/": "sleep_in_database", "/statement-timeout/": "statement_timeout"}
SHOW_TIMEOUT = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('SHOW statement_timeout')\n"
    "    print(cursor.fetchone()[0])"
)


@pytest.fixture(scope="module")
def user_project(deployed_project, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("stuck-views") / deployed_project.name
    shutil.copytree(deployed_project, copy)
    package, urls = copy / copy.name, copy / "config" / "urls.py"
    user_views.add_views(package, urls, VIEWS, ROUTES, module="database_views")
    return copy


def test_a_query_the_router_would_give_up_on_ends_and_frees_its_thread(
    start_web, user_project, database_url, web_servers
):
    port = start_web(project=user_project, WEB_CONCURRENCY="1", WEB_THREADS="1")

    stuck = asyncio.run(user_views.get(port, "/sleep/", timeout=ROUTER_SECONDS + 15))

    assert stuck.status == 500, f"{stuck.status} after {stuck.seconds:.1f} s"
    assert stuck.seconds < ROUTER_SECONDS, f"the answer took {stuck.seconds:.1f} s"
    # The one thread, and its connection, serve the next request; nothing still runs.
    database = database_url.rsplit("/", 1)[1]
    assert not [query for query in machine.active_queries(database) if "pg_sleep" in query]
    after = request(port, "/statement-timeout/", user_views.HEADERS)
    assert after.status == 200, web_servers[port].output[-3000:]


def test_the_release_step_has_no_time_limit_on_queries(deployed_project, production_env, run):
    """Migrations may take longer than a request: the release command's processes
    (manage.py with the platform's environment) leave statement_timeout at 0."""
    shown = run(
        ["python", "manage.py", "shell", "-c", SHOW_TIMEOUT], deployed_project, production_env
    )

    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert shown.stdout.splitlines()[-1] == "0"

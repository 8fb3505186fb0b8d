"""What only a web process does: the web command's entry point
({% if cookiecutter.interface == "asgi" %}config/asgi.py{% else %}serving/wsgi_server.py{% endif %}), and config/wsgi.py for any other WSGI server, load
Django with django_application(). The release command, the worker and other
manage.py commands never import them.

The platform's router gives up on a request that has not started to answer within
30 seconds (Heroku's H12, https://devcenter.heroku.com/articles/request-timeout),
and the visitor gets an error page, but the request itself runs on: nothing in
gunicorn, uvicorn or daphne stops a view (README.md, Configuration). A query
still running holds its thread and its connection. So PostgreSQL cancels any query
of a web process after QUERY_TIMEOUT_SECONDS ("canceling statement due to statement
timeout"), and the request ends with the 500 page, its thread free again.
Migrations in the release step, and the worker's tasks, may take longer.
"""

import atexit
import os

from django.db import connections

from serving.startup_errors import stop_in_one_sentence

QUERY_TIMEOUT_SECONDS = 20
# Whether this process is a web process: set before it reads the settings, which give
# a web process alone a pool of database connections.
running = False
# gunicorn's status for an app that failed to load. Its master, which loads the app
# (preload_app), exits with it; a worker that loaded the app and exited otherwise
# would be started again and again. daphne just exits with it.
APP_LOAD_ERROR = 4


def limit_database_queries() -> None:
    """Set PostgreSQL's statement_timeout on every connection this process opens:
    libpq reads PGOPTIONS when it connects, whenever settings were imported.
    https://www.postgresql.org/docs/current/libpq-envars.html
    https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT
    """
    limit = f"-c statement_timeout={QUERY_TIMEOUT_SECONDS}s"
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} {limit}".strip()


def django_application():
    """Django's WSGI handler, loaded for a web process: its queries limited, and a
    setting it cannot run with stopping it in one sentence
    (serving/startup_errors.py)."""
    # Imported here, not above: the settings import this module, and every command
    # would load Django's request handling with it.
    from django.core.wsgi import get_wsgi_application

    global running
    running = True
    limit_database_queries()
    with stop_in_one_sentence(status=APP_LOAD_ERROR):
        application = get_wsgi_application()
    atexit.register(close_database_pools)
    return application


def close_database_pools() -> None:
    """Stop the threads of the database's pool, if it has one, while the interpreter
    still runs them: left to the pool's finalizer, each holds up the process's exit
    for 5 seconds. https://github.com/psycopg/psycopg/issues/930"""
    for alias in connections:
        if close_pool := getattr(connections[alias], "close_pool", None):
            close_pool()  # PostgreSQL's; SQLite has no pool

"""What only a web process does: the web command's entry point
({% if cookiecutter.interface == "asgi" %}config/asgi.py{% else %}serving/wsgi_server.py{% endif %}), and config/wsgi.py for any other WSGI server, call
limit_database_queries() before Django loads. The release command, the worker and
other manage.py commands never import them.

The platform's router gives up on a request that has not started to answer within
30 seconds (Heroku's H12, https://devcenter.heroku.com/articles/request-timeout),
and the visitor gets an error page, but the request itself runs on: nothing in
gunicorn, uvicorn or daphne stops a view (README.md, Configuration). A query
still running holds its thread and its connection. So PostgreSQL cancels any query
of a web process after QUERY_TIMEOUT_SECONDS ("canceling statement due to statement
timeout"), and the request ends with the 500 page, its thread free again.
Migrations in the release step, and the worker's tasks, may take longer.
"""

import os

QUERY_TIMEOUT_SECONDS = 20


def limit_database_queries() -> None:
    """Set PostgreSQL's statement_timeout on every connection this process opens:
    libpq reads PGOPTIONS when it connects, whenever settings were imported.
    https://www.postgresql.org/docs/current/libpq-envars.html
    https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT
    """
    limit = f"-c statement_timeout={QUERY_TIMEOUT_SECONDS}s"
    os.environ["PGOPTIONS"] = f"{os.environ.get('PGOPTIONS', '')} {limit}".strip()

"""What a process needs to start; without it, one sentence on stderr, no traceback."""

import atexit
import contextlib
import logging
import os
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error
from django.db import OperationalError, connection, connections

from ..environment import ENV_FILE, SettingError

logger = logging.getLogger(__name__)

# The router gives up at 30 s: https://devcenter.heroku.com/articles/request-timeout
QUERY_TIMEOUT_SECONDS = 20
# gunicorn's status for an app that failed to load: its master stops, not retries.
APP_LOAD_ERROR = 4
# What libpq says, and what to do about it.
DATABASE_FIXES = [
    ("Connection refused", "check its host and port, and that PostgreSQL is running"),
    ("role", "correct the user in DATABASE_URL, or copy it again from the platform"),
    ("does not exist", "create that database, or correct its name in DATABASE_URL"),
    ("password authentication failed", "copy DATABASE_URL again from the platform"),
    ("timeout expired", "check its host, and that it accepts this app's connections"),
    ("could not translate host name", "check the host name in DATABASE_URL"),
]
{%- if cookiecutter.platform == "heroku" %}
PLATFORM_FIX = "set {it} with `heroku config:set NAME=value`"
{%- else %}
# A secret not in .do/app.yaml, where git would commit it.
PLATFORM_FIX = "set {it} in the app's settings on App Platform (encrypted, if secret)"
{%- endif %}
STATIC_FILES_MISSING = (
    "The static files are not collected: run `python manage.py collectstatic"
    " --noinput` before starting the web process (the platform's build runs it)."
)
VERIFICATION_WITHOUT_MAIL = (
    "ACCOUNT_EMAIL_VERIFICATION is mandatory but EMAIL_URL is not set, so no new"
    " account could confirm its address and log in: set EMAIL_URL (README.md, under"
    " E-mail), or set ACCOUNT_EMAIL_VERIFICATION to optional."
)
# Django's deploy check's bar (security.W009): a shorter or plainer key can be guessed.
WEAK_KEY = (
    "DJANGO_SECRET_KEY is too short or too plain to keep sessions safe: set it to 50 or"
    " more random characters, as `python -c 'import secrets;"
    " print(secrets.token_urlsafe(50))'` prints."
)
MAIL_OFF = (
    "EMAIL_URL is not set, so the site sends no e-mail (password resets, address"
    " confirmations, error reports to ADMINS): README.md says how to set it, under"
    " E-mail."
)


@contextlib.contextmanager
def stop_in_one_sentence(status: int = 1):
    try:
        yield
    except SettingError as error:
        stop(str(error), status)
    except OperationalError:
        if (reason := why_unreachable()) is None:
            raise
        stop(reason, status)


def stop(sentence: str, status: int = 1):
    print(sentence, file=sys.stderr, flush=True)
    raise SystemExit(status) from None


def why_unreachable() -> str | None:
    """Why a connection of its own to PostgreSQL fails; None if it connects."""
    if connection.vendor != "postgresql":
        return None
    params = connection.get_connection_params()
    try:
        connection.Database.connect(**params).close()
    except connection.Database.OperationalError as error:
        return unreachable(params, str(error))


def unreachable(params: dict, error: str) -> str:
    """libpq's reason, which comes last, and a fix; never the password."""
    reason = error.rpartition(" failed: ")[2].splitlines()[0]
    reason = reason.removeprefix("FATAL:").strip().rstrip(".")
    fixes = [fix for known, fix in DATABASE_FIXES if known in reason]
    host, port = params.get("host", "localhost"), params.get("port", 5432)
    return (
        f"The database at {host}:{port}/{params.get('dbname', '')} (DATABASE_URL)"
        f" cannot be reached: {reason}; {(fixes or ['check DATABASE_URL'])[0]}."
    )


def local_fix() -> str:
    """A fresh clone has no .env (git ignores it), and `install` would overwrite one."""
    if ENV_FILE.exists():
        return "for local development, set DJANGO_DEBUG=1 in .env"
    return "for local development, run `install -m 600 .env.example .env`"


def problems(web_process: bool = False) -> list[str]:
    """What stops a production process, each in one sentence."""
    found = []
    required = settings.REQUIRED_ENVIRONMENT
    if missing := [n for n in required if not os.environ.get(n, "").strip()]:
        one = len(missing) == 1
        names = missing[0] if one else f"{', '.join(missing[:-1])} and {missing[-1]}"
        verb, it = ("is", "it") if one else ("are", "them")
        fix = f"{PLATFORM_FIX.format(it=it)}, or {local_fix()}"
        found.append(f"{names} {verb} not set: {fix}.")
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if settings.REQUIRED_ENVIRONMENT and key and (len(key) < 50 or len(set(key)) < 5):
        found.append(WEAK_KEY)
    mandatory = settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    if mandatory and not settings.EMAIL_TRANSPORT:
        found.append(VERIFICATION_WITHOUT_MAIL)
    hashed = isinstance(staticfiles_storage, ManifestFilesMixin) and not settings.DEBUG
    if web_process and hashed and not staticfiles_storage.read_manifest():
        found.append(STATIC_FILES_MISSING)
    return found


def check_environment(app_configs, **kwargs) -> list[Error]:
    """The system check, which the release step's `migrate` reports first."""
    return [Error(problem, id="serving.E001") for problem in problems()]


def load_web_process():
    """Django's WSGI handler for a web process, which stops without what it needs."""
    from django.core.wsgi import get_wsgi_application

    with stop_in_one_sentence(status=APP_LOAD_ERROR):
        limit_queries(settings.DATABASES)
        if found := problems(web_process=True):  # before WhiteNoise warns of no files
            raise SettingError(found[0])
        application = get_wsgi_application()
    if settings.EMAIL_TRANSPORT is None:
        logger.warning(MAIL_OFF)
    # Left to its finalizer, a pool holds up the exit 5 s: psycopg/psycopg#930
    atexit.register(close_database_pools)
    return application


def limit_queries(databases: dict) -> None:
    """A web process's statement_timeout, in its connections' options: PGOPTIONS would
    reach the release step and child processes too."""
    limit = f"-c statement_timeout={QUERY_TIMEOUT_SECONDS}s"
    for database in databases.values():
        if database.get("ENGINE", "").endswith("postgresql"):
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} {limit}".strip()


def close_database_pools() -> None:
    for alias in connections:
        if close_pool := getattr(connections[alias], "close_pool", None):
            close_pool()  # PostgreSQL's; SQLite has none

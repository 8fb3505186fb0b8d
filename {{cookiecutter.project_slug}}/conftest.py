import os

import pytest


def pytest_configure(config):
    """Without .env's DEBUG the settings are production's, which need DATABASE_URL:
    one sentence, as `manage.py` gives, rather than an error in every test."""
    from django.conf import settings

    from serving.checks.startup import local_fix

    if not settings.DEBUG and not os.environ.get("DATABASE_URL"):
        pytest.exit(
            f"DATABASE_URL is not set and DEBUG is off: {local_fix()}, or set"
            " DATABASE_URL (README.md).",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.fixture(autouse=True)
def unhashed_static_files(settings):
    """Serve static files by name: the manifest of hashed names exists only after
    `collectstatic`, which the buildpack runs on deploy but tests do not."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def mail_is_set_up(settings):
    """Tests run as if EMAIL_URL were set: Django's test runner keeps the messages
    in django.core.mail.outbox instead of sending them."""
    settings.EMAIL_TRANSPORT = {
        "BACKEND": "django.core.mail.backends.locmem.EmailBackend"
    }


@pytest.fixture
def mail_as_in_production(settings):
    """Mail goes through the project's own backend{% if cookiecutter.background_worker != "none" %} (the one the worker sends with){% endif %}, then
    through EMAIL_TRANSPORT, instead of straight to the test runner's outbox. The
    backend sends on a thread of its own: its sender, whose wait() lets a test wait
    for what it has been handed."""
    from serving.mail import backends

    backend = "serving.mail.backends.EmailBackend"
{%- if cookiecutter.django_version == "5.2" %}
    settings.EMAIL_BACKEND = backend
{%- else %}
    settings.MAILERS = {"default": {"BACKEND": backend}}
{%- endif %}
    return backends.sender


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create and log in users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
{%- if cookiecutter.background_worker == "celery" %}


@pytest.fixture(autouse=True)
def tasks_run_as_queued(monkeypatch):
    """Each task runs inside the test that queues it, with REDIS_URL or without: the
    same locally and in CI, and nothing left in a broker."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
{%- elif cookiecutter.background_worker == "django-tasks" %}


@pytest.fixture(autouse=True)
def tasks_run_as_queued(settings):
    """Each task runs inside the test that queues it, with DATABASE_URL or without:
    the same locally and in CI."""
    from config.tasks_settings import immediate

    settings.TASKS = {"default": immediate}
{%- endif %}


@pytest.fixture(scope="session", autouse=True)
def close_connections_of_other_threads(django_db_setup):
    """Threads other than the tests' own open connections of their own and keep them:
    the readiness check's for CONN_MAX_AGE, asgiref's for the
    queries of async code. pytest-django closes only its own thread's, and PostgreSQL
    refuses to drop the test database while a session is open on it (pytest-django
    then warns that the teardown failed). Each connection is closed here, first."""
    from django.db.backends.signals import connection_created

    opened = set()

    def note(sender, connection, **kwargs):
        opened.add(connection)

    connection_created.connect(note)
    yield
    connection_created.disconnect(note)
    for connection in opened:
        # From this thread: the one that opened it is idle by now.
        connection.inc_thread_sharing()
        try:
            connection.close()
        finally:
            connection.dec_thread_sharing()
{%- if cookiecutter.interface == "asgi" %}


@pytest.fixture
def application():
    """The project's ASGI application, for WebsocketCommunicator.

    Imported only when a test asks, once pytest-django has set up the settings.
    """
    from config.asgi import application

    return application


@pytest.fixture
def page_headers():
    """page_headers(origin) -> the headers of a WebSocket that a page of `origin`
    opens to the site, as they reach the web process: the page's Origin, the site's
    Host, and the router's X-Forwarded-Proto. By default the page is the site's own."""

    def page_headers(
        origin: bytes = b"https://testserver",
    ) -> list[tuple[bytes, bytes]]:
        return [
            (b"origin", origin),
            (b"host", b"testserver"),
            (b"x-forwarded-proto", b"https"),
        ]

    return page_headers

{%- endif %}

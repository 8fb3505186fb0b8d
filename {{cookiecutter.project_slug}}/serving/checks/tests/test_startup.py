import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

import config.settings
from serving.checks.startup import (
    QUERY_TIMEOUT_SECONDS,
    check_environment,
    limit_queries,
    problems,
    stop_in_one_sentence,
    unreachable,
)
from serving.environment import SettingError

LIBPQ_SAYS = (
    'connection failed: connection to server at "10.0.0.2", port 5432 failed:'
    ' FATAL:  password authentication failed for user "app"'
)


@pytest.fixture
def production_without_environment(settings, monkeypatch):
    settings.REQUIRED_ENVIRONMENT = settings.PRODUCTION_ENVIRONMENT
    for name in settings.PRODUCTION_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return settings.PRODUCTION_ENVIRONMENT


@pytest.fixture
def production_environment(production_without_environment, monkeypatch):
    for name in production_without_environment:
        monkeypatch.setenv(name, secrets.token_urlsafe(50))


@pytest.fixture
def env_file(tmp_path, monkeypatch):
    """Where .env would be: absent until a test writes it."""
    path = tmp_path / ".env"
    monkeypatch.setattr("serving.checks.startup.ENV_FILE", path)
    return path


def test_the_missing_variables_are_named_in_one_sentence(
    production_without_environment, env_file
):
    (error,) = check_environment(app_configs=None)

    assert error.msg.startswith(", ".join(production_without_environment[:-1]))
    assert "\n" not in error.msg
    assert error.msg.endswith("run `install -m 600 .env.example .env`.")


def test_a_variable_of_only_spaces_is_missing(
    production_without_environment, production_environment, monkeypatch
):
    name = production_without_environment[0]
    monkeypatch.setenv(name, " ")

    first = check_environment(app_configs=None)[0]

    assert first.msg.startswith(f"{name} is not set")


def test_an_existing_env_file_is_not_to_be_overwritten(
    production_without_environment, env_file
):
    env_file.write_text("DJANGO_DEBUG=0\n")

    (error,) = check_environment(app_configs=None)

    assert error.msg.endswith("set DJANGO_DEBUG=1 in .env.")


def test_runserver_says_what_to_copy_before_django_complains(
    production_without_environment, env_file
):
    # Django's own runserver would stop first, on the empty ALLOWED_HOSTS.
    with pytest.raises(CommandError, match=r"install -m 600 \.env\.example \.env"):
        call_command("runserver")


def test_nothing_stops_a_process_once_everything_is_set(production_environment):
    assert check_environment(app_configs=None) == []
    assert problems(web_process=True) == []


@pytest.mark.parametrize("key", ["changeme", "a" * 60])
def test_a_short_or_plain_secret_key_is_refused(
    production_environment, monkeypatch, key
):
    monkeypatch.setenv("DJANGO_SECRET_KEY", key)

    (error,) = check_environment(app_configs=None)

    assert error.msg.startswith("DJANGO_SECRET_KEY is too short or too plain")


def test_a_web_process_without_collected_static_files_is_stopped(
    production_environment, settings, tmp_path
):
    # The project's own storage (the tests' fixture swaps it), and no collectstatic.
    settings.STORAGES = config.settings.STORAGES
    settings.STATIC_ROOT = tmp_path

    (problem,) = problems(web_process=True)

    assert "`python manage.py collectstatic --noinput`" in problem
    assert "\n" not in problem
    assert problems() == []  # the release step has no use for them


def test_mandatory_verification_without_mail_is_refused(
    production_environment, settings
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.EMAIL_TRANSPORT = None

    (error,) = check_environment(app_configs=None)

    assert problems(web_process=True) == [error.msg]
    assert error.msg.startswith("ACCOUNT_EMAIL_VERIFICATION is mandatory but EMAIL_URL")
    settings.EMAIL_TRANSPORT = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend"
    }
    assert check_environment(app_configs=None) == []


def test_a_bad_setting_stops_the_process_with_its_sentence_alone(capsys):
    with pytest.raises(SystemExit) as stopped, stop_in_one_sentence(status=4):
        raise SettingError("DJANGO_DEBUG is 'ture': set it to 1 or 0.")

    assert stopped.value.code == 4
    assert capsys.readouterr().err == "DJANGO_DEBUG is 'ture': set it to 1 or 0.\n"


def test_any_other_error_keeps_its_traceback():
    with pytest.raises(KeyError), stop_in_one_sentence():
        raise KeyError("a bug in a command")


def test_an_unreachable_database_is_named_by_libpqs_reason_without_its_password():
    params = {"host": "db.internal", "port": 5432, "dbname": "app", "password": "pw9"}

    sentence = unreachable(params, LIBPQ_SAYS)

    assert sentence.startswith("The database at db.internal:5432/app (DATABASE_URL)")
    assert 'authentication failed for user "app"; copy DATABASE_URL' in sentence
    assert "pw9" not in sentence and "\n" not in sentence


def test_an_unknown_verification_is_refused_in_one_sentence():
    answer = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env={**os.environ, "ACCOUNT_EMAIL_VERIFICATION": "always"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert answer.returncode != 0
    assert answer.stderr == (
        "ACCOUNT_EMAIL_VERIFICATION is 'always': set it to mandatory, or to optional"
        " (or leave it unset).\n"
    )


def test_the_query_limit_is_the_connections_own_and_keeps_the_owners_options():
    databases = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "OPTIONS": {"options": "-c search_path=app"},
        },
        "local": {"ENGINE": "django.db.backends.sqlite3"},
    }
    environment = dict(os.environ)

    limit_queries(databases)

    assert databases["default"]["OPTIONS"]["options"] == (
        f"-c search_path=app -c statement_timeout={QUERY_TIMEOUT_SECONDS}s"
    )
    assert "OPTIONS" not in databases["local"]
    assert dict(os.environ) == environment  # nothing a child process would inherit

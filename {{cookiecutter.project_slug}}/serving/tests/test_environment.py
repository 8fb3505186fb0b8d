import os
import subprocess
import sys

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.core.management import CommandError, call_command

import config.settings
import serving.env_values
from serving.env_values import SettingError
from serving.environment import (
    RequireEnvironmentMiddleware,
    check_environment,
)


@pytest.fixture
def production_without_environment(settings, monkeypatch):
    settings.REQUIRED_ENVIRONMENT = settings.PRODUCTION_ENVIRONMENT
    for name in settings.PRODUCTION_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return settings.PRODUCTION_ENVIRONMENT


def test_check_names_each_missing_variable(production_without_environment):
    errors = check_environment(app_configs=None)

    reported = [error.msg.split()[0] for error in errors]
    assert reported == production_without_environment


def test_server_refuses_to_start(production_without_environment):
    with pytest.raises(SettingError) as refusal:
        RequireEnvironmentMiddleware(get_response=None)

    message = str(refusal.value)
    assert message.startswith(", ".join(production_without_environment[:-1]))
    assert "\n" not in message
    assert message.endswith("run `install -m 600 .env.example .env`.")


def test_runserver_says_what_to_copy_before_django_complains(
    production_without_environment,
):
    # Django's own runserver would stop first, on the empty ALLOWED_HOSTS.
    with pytest.raises(CommandError, match=r"install -m 600 \.env\.example \.env"):
        call_command("runserver")


def test_nothing_is_required_once_everything_is_set(
    production_without_environment, monkeypatch
):
    for name in production_without_environment:
        monkeypatch.setenv(name, "set")

    assert check_environment(app_configs=None) == []
    with pytest.raises(MiddlewareNotUsed):
        RequireEnvironmentMiddleware(get_response=None)


def test_a_web_process_without_collected_static_files_refuses_to_start(
    production_without_environment, monkeypatch, settings, tmp_path
):
    for name in production_without_environment:
        monkeypatch.setenv(name, "set")
    # The project's own storage (the tests' fixture swaps it), and no collectstatic.
    settings.STORAGES = config.settings.STORAGES
    settings.STATIC_ROOT = tmp_path

    with pytest.raises(SettingError) as refusal:
        RequireEnvironmentMiddleware(get_response=None)

    message = str(refusal.value)
    assert "`python manage.py collectstatic --noinput`" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True),
        (" Yes ", True),
        ("true", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_a_switch_reads_on_and_off(monkeypatch, value, on):
    monkeypatch.setenv("DJANGO_HSTS_PRELOAD", value)

    assert serving.env_values.env_flag("DJANGO_HSTS_PRELOAD") is on


@pytest.mark.parametrize("value", ["ture", "2", "enabled"])
def test_a_switch_that_is_neither_on_nor_off_is_refused(monkeypatch, value):
    monkeypatch.setenv("DJANGO_HSTS_PRELOAD", value)

    with pytest.raises(SettingError) as refusal:
        serving.env_values.env_flag("DJANGO_HSTS_PRELOAD")

    message = str(refusal.value)
    assert message.startswith(f"DJANGO_HSTS_PRELOAD is {value!r}: set it to 1")


def test_mandatory_verification_without_mail_is_refused(
    production_without_environment, monkeypatch, settings
):
    for name in production_without_environment:
        monkeypatch.setenv(name, "set")
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.EMAIL_TRANSPORT = None

    (error,) = check_environment(app_configs=None)
    with pytest.raises(SettingError) as refusal:
        RequireEnvironmentMiddleware(get_response=None)

    assert str(refusal.value) == error.msg
    assert error.msg.startswith("ACCOUNT_EMAIL_VERIFICATION is mandatory but EMAIL_URL")
    assert "\n" not in error.msg

    smtp = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_TRANSPORT = {"BACKEND": smtp}
    assert check_environment(app_configs=None) == []


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

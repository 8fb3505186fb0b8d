import os
import subprocess
import sys

import pytest
import sentry_sdk
from django.conf import settings

from serving import client_address, error_tracking
from serving.env_values import SettingError

{%- if cookiecutter.platform == "heroku" %}

# What Heroku's dyno metadata sets (README.md, Error tracking).
COMMIT_VARIABLE = "HEROKU_SLUG_COMMIT"
{%- else %}

# What .do/app.yaml binds to ${_self.COMMIT_HASH}.
COMMIT_VARIABLE = "COMMIT_HASH"
{%- endif %}
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def test_sentry_is_off_without_a_dsn():
    env = {name: value for name, value in os.environ.items() if "SENTRY" not in name}
    # Not started, nor even loaded.
    code = (
        "import sys, django; django.setup(); from django.conf import settings;"
        " print(settings.SENTRY_STARTED, 'sentry_sdk' in sys.modules)"
    )
    started = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["False", "False"]


def test_the_release_is_the_deployed_commit(monkeypatch):
    for name in error_tracking.RELEASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert error_tracking.release() is None

    monkeypatch.setenv(COMMIT_VARIABLE, COMMIT)
    assert error_tracking.release() == COMMIT


def test_a_dsn_starts_sentry_without_personal_data(monkeypatch):
    options = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **given: options.append(given))
    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.com/1")
    monkeypatch.setenv(COMMIT_VARIABLE, COMMIT)
    monkeypatch.delenv("SENTRY_ENVIRONMENT", raising=False)

    assert error_tracking.start(send_default_pii=False)
    (given,) = options
    assert given["dsn"] == "https://key@sentry.example.com/1"
    assert (given["release"], given["environment"]) == (COMMIT, "production")
    assert "send_default_pii" not in given  # unset: off, and no DeprecationWarning
    assert given["include_local_variables"] is False
    assert client_address.HEADER.lower() in given["event_scrubber"].denylist


def test_a_dsn_that_is_not_one_is_refused_with_a_sentence(monkeypatch):
    monkeypatch.setenv("SENTRY_DSN", "sentry.example.com/1")

    with pytest.raises(SettingError, match="^SENTRY_DSN is not a Sentry DSN"):
        error_tracking.start(send_default_pii=False)
    assert sentry_sdk.get_client().dsn is None

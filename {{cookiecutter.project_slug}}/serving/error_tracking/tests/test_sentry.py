import json
import logging
import os
import secrets
import subprocess
import sys
import warnings

import pytest
import sentry_sdk
from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path
from sentry_sdk.transport import Transport

from serving import error_tracking
from serving.environment import SettingError


class ViewFailed(Exception):
    pass


def fail(request, key):
    request.POST.get("password1")  # a view reads the form, then fails
    raise ViewFailed(f"no account for {request.POST.get('email')}")


def ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("fail/<str:key>/", fail),
    path("ok/", ok),
    path("", include("config.urls")),  # the error page's links
]


class KeptEnvelopes(Transport):
    """Keeps every envelope sentry-sdk would send, serialized as it would send it."""

    def __init__(self, options=None):
        super().__init__(options)
        self.sent: list[bytes] = []

    def capture_envelope(self, envelope):
        self.sent.append(envelope.serialize())


@pytest.fixture
def sent(monkeypatch):
    """Sentry started as SENTRY_DSN starts it, its envelopes kept here."""
    transport = KeptEnvelopes()
    init = sentry_sdk.init
    monkeypatch.setattr(sentry_sdk, "init", lambda **o: init(**o, transport=transport))
    monkeypatch.setenv("SENTRY_DSN", "https://key@sentry.example.com/1")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # no retired option
        error_tracking.start()
    yield transport.sent
    # No client: what sentry-sdk patched (Django's handlers) passes everything on.
    sentry_sdk.get_global_scope().set_client(None)


def test_sentry_is_not_even_loaded_without_a_dsn():
    env = {name: value for name, value in os.environ.items() if "SENTRY" not in name}
    code = "import sys, django; django.setup(); print('sentry_sdk' in sys.modules)"
    started = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (started.returncode, started.stdout.split()) == (0, ["False"]), started


def test_a_dsn_that_is_not_one_is_refused_in_one_sentence(monkeypatch):
    monkeypatch.setenv("SENTRY_DSN", "not-a-dsn")

    with pytest.raises(SettingError, match="^SENTRY_DSN is not a Sentry DSN"):
        error_tracking.start()


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_nothing_a_visitor_sent_reaches_sentry(client, sent):
    values = {
        "password1": secrets.token_hex(8),
        "code": secrets.token_hex(8),
        "email": f"{secrets.token_hex(6)}@example.net",
    }
    key, token, cookie = (secrets.token_hex(8) for _ in range(3))
    client.raise_request_exception = False
    client.cookies["sessionid"] = cookie
    client.get("/ok/", secure=True)  # an earlier request, its breadcrumbs kept

    response = client.post(
        f"/fail/{key}/?token={token}",
        values,
        headers={"authorization": f"Bearer {token}"},
        secure=True,
    )
    sentry_sdk.flush()

    assert response.status_code == 500
    report = b"".join(sent).decode()
    assert "ViewFailed" in report and "/fail/{key}/" in report
    for value in [*values.values(), key, token, cookie]:
        assert value not in report


def test_an_e_mail_address_in_a_message_is_left_out(sent):
    address = f"{secrets.token_hex(6)}@example.org"
    try:
        raise ValueError(json.dumps({"detail": f"Key (email)=({address}) exists"}))
    except ValueError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush()

    report = b"".join(sent).decode()
    assert "Key (email)" in report and address not in report


def test_a_forged_host_is_no_event(sent):
    logging.getLogger("django.security.DisallowedHost").error(
        "Invalid HTTP_HOST header: 'forged.example'"
    )
    sentry_sdk.flush()

    assert b"forged.example" not in b"".join(sent)

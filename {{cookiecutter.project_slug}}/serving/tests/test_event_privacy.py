import json
import secrets
import warnings

import pytest
import sentry_sdk
from django.http import HttpResponse
from django.urls import include, path
from sentry_sdk.transport import Transport

from serving import error_tracking


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
        assert error_tracking.start(send_default_pii=False)
    yield transport.sent
    # No client: what sentry-sdk patched (Django's handlers) passes everything on.
    sentry_sdk.get_global_scope().set_client(None)


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

import logging
import re
import socket
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

PASSWORD = "a-long-enough-test-password"
NEW_PASSWORD = "a-new-and-long-password"
LINK = re.compile(r"https://testserver(/accounts/password/reset/key/\S+/)")


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice", email="alice@example.com", password=PASSWORD
    )


def ask_for_a_reset(client, email: str):
    return client.post("/accounts/password/reset/", {"email": email}, secure=True)


def test_the_log_in_page_links_to_the_reset(client, db):
    login = client.get("/accounts/login/", secure=True)
    assert b'href="/accounts/password/reset/"' in login.content


def test_a_reset_mails_one_https_link_that_sets_a_new_password(client, alice, settings):
    response = ask_for_a_reset(client, "Alice@Example.com")

    assert response["Location"] == "/accounts/password/reset/done/"
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")
    link = LINK.search(message.body).group(1)
    form = client.get(link, secure=True, follow=True)
    assert b'name="password1"' in form.content
    fields = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    done = client.post(form.redirect_chain[-1][0], fields, secure=True)
    assert done["Location"] == "/accounts/password/reset/key/done/"

    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) and not alice.check_password(PASSWORD)
    used_again = client.get(link, secure=True, follow=True)
    assert b"possibly because it has already been used" in used_again.content


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, alice):
    known = ask_for_a_reset(client, "alice@example.com")
    mail.outbox.clear()
    unknown = ask_for_a_reset(client, "nobody@example.com")

    assert (unknown.status_code, unknown["Location"]) == (302, known["Location"])
    assert mail.outbox == []


def test_without_email_url_the_reset_page_says_so(client, alice, settings):
    settings.EMAIL_TRANSPORT = None
    page = client.get("/accounts/password/reset/", secure=True)
    answer = ask_for_a_reset(client, "alice@example.com")
    assert answer["Location"] == "/accounts/password/reset/done/"
    answer = client.get(answer["Location"], secure=True)

    for response in (page, answer):
        assert response.status_code == 200
        assert b"This site cannot send e-mail yet" in response.content


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_provider_that_is_down_changes_nothing_but_the_log(
    client, alice, settings, caplog, mail_as_in_production
):
    """A known address whose mail fails gets what an unknown one gets: otherwise
    anyone could tell which addresses have accounts while the provider is down."""
    nobody_there = {"host": "127.0.0.1", "port": free_port(), "timeout": 5}
    settings.EMAIL_TRANSPORT = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": nobody_there,
    }

    with caplog.at_level(logging.WARNING):
        known = ask_for_a_reset(client, "alice@example.com")
        assert mail_as_in_production.wait(timeout=10)
    unknown = ask_for_a_reset(client, "nobody@example.com")

    done = (302, "/accounts/password/reset/done/")
    assert (known.status_code, known["Location"]) == done
    assert (unknown.status_code, unknown["Location"]) == done
    warnings = [
        record for record in caplog.records if record.levelno >= logging.WARNING
    ]
    assert [record.getMessage()[:40] for record in warnings] == [
        "E-mail to 1 recipient(s) not sent: Conne"
    ]
    assert all(record.exc_info is None for record in warnings)


class SlowProvider(LocmemBackend):
    """A provider that takes two seconds to accept each message."""

    DELAY = 2.0

    def send_messages(self, messages):
        time.sleep(self.DELAY)
        return super().send_messages(messages)


def test_a_slow_provider_keeps_no_page_waiting(
    client, alice, settings, mail_as_in_production
):
    """The page of a known address takes as long as that of an unknown one: the
    message goes once the page has been answered."""
    settings.EMAIL_TRANSPORT = {"BACKEND": f"{__name__}.SlowProvider"}

    started = time.monotonic()
    known = ask_for_a_reset(client, "alice@example.com")
    answered = time.monotonic() - started

    assert known["Location"] == "/accounts/password/reset/done/"
    # A page that waited for the provider would take its whole delay, on any machine.
    assert answered < SlowProvider.DELAY and mail.outbox == []
    assert mail_as_in_production.wait(timeout=10)
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]

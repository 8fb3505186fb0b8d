"""The accounts' rate limits (settings.ACCOUNT_RATE_LIMITS), counted per visitor's
address (REMOTE_ADDR, the router-seen address of CLIENT_ADDRESS_HEADER)
and per account, in the database cache."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

PASSWORD = "a-long-enough-test-password"
REFUSED = b"Too many failed login attempts"


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice", email="alice@example.com", password=PASSWORD
    )


def log_in(client, login: str, password: str, address: str = "192.0.2.1"):
    fields = {"login": login, "password": password}
    return client.post("/accounts/login/", fields, secure=True, REMOTE_ADDR=address)


def fail_until_refused(client, logins, address: str = "192.0.2.1") -> int:
    """Wrong passwords for `logins` in turn, until one is refused: how many failed."""
    for failed, login in enumerate(logins):
        if REFUSED in log_in(client, login, "wrong", address).content:
            return failed
    pytest.fail(f"{len(logins)} failed logins in a row were never refused")


def test_failed_logins_for_one_account_refuse_even_the_right_password(client, alice):
    failed = fail_until_refused(client, ["alice"] * 12)
    assert 1 <= failed <= 10

    # From another address too: the count is the account's.
    refused = log_in(client, "alice", PASSWORD, address="198.51.100.7")
    assert (refused.status_code, REFUSED in refused.content) == (200, True)
    assert "_auth_user_id" not in client.session


def test_every_name_of_an_account_shares_its_count(client, alice):
    failed = fail_until_refused(client, ["alice"] * 12)
    assert 1 <= failed <= 10

    for name in ("alice@example.com", "ALICE", "Alice@Example.com"):
        refused = log_in(client, name, PASSWORD, address="198.51.100.7")
        assert REFUSED in refused.content, name
    assert "_auth_user_id" not in client.session


def test_right_passwords_are_not_counted(client, alice):
    for _ in range(8):
        assert log_in(client, "alice", PASSWORD).status_code == 302
        client.logout()
    fail_until_refused(client, ["alice"] * 4 + ["alice@example.com"] * 8)


def test_a_flood_of_other_counts_leaves_the_account_locked(client, alice, settings):
    """Django's database cache deletes a third of its entries once it holds
    MAX_ENTRIES, live counts included; the site's deletes only expired ones."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 20}}
    }
    fail_until_refused(client, ["alice"] * 12)

    for n in range(60):  # reset requests from as many addresses
        fields = {"email": f"stranger{n}@example.net"}
        reset = client.post(
            "/accounts/password/reset/",
            fields,
            secure=True,
            REMOTE_ADDR=f"203.0.113.{n}",
        )
        assert reset.status_code == 302

    assert REFUSED in log_in(client, "alice", PASSWORD, address="198.51.100.7").content


def test_the_refusal_ends_once_the_failures_are_five_minutes_old(
    client, alice, monkeypatch
):
    fail_until_refused(client, ["alice"] * 12)
    assert REFUSED in log_in(client, "alice", PASSWORD).content

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 5 * 60 + 1)
    response = log_in(client, "alice", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_failed_logins_from_one_address_refuse_every_account(client, alice):
    failed = fail_until_refused(client, [f"guess{n}" for n in range(12)])
    assert 1 <= failed <= 11

    assert REFUSED in log_in(client, "alice", PASSWORD).content
    elsewhere = log_in(client, "alice", PASSWORD, address="198.51.100.7")
    assert (elsewhere.status_code, elsewhere["Location"]) == (302, "/")


def test_reset_requests_for_one_address_are_limited(client, alice):
    statuses = [
        client.post(
            "/accounts/password/reset/", {"email": "alice@example.com"}, secure=True
        ).status_code
        for _ in range(8)
    ]

    assert statuses[0] == 302 and statuses[-1] == 429, statuses
    assert 1 <= len(mail.outbox) < 8


@pytest.mark.django_db
def test_sign_ups_from_one_address_are_limited(client):
    fields = {"username": "x", "email": "x@example.com", "password1": "a"}
    statuses = [
        client.post("/accounts/signup/", fields, secure=True).status_code
        for _ in range(25)
    ]
    other = client.post(
        "/accounts/signup/", fields, secure=True, REMOTE_ADDR="198.51.100.7"
    )

    assert statuses[0] == 200 and statuses[-1] == 429, statuses
    assert other.status_code == 200
    refused = client.post("/accounts/signup/", fields, secure=True)
    assert b"Too many attempts" in refused.content


def test_a_username_cannot_be_an_address(client, alice, admin_client):
    fields = {"username": "alice@example.com", "email": "mallory@example.net"}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    sign_up = client.post("/accounts/signup/", fields, secure=True)
    admin = admin_client.post(
        f"/admin/{get_user_model()._meta.app_label}/user/add/",
        {"username": "alice@example.com", "usable_password": "false"},
        secure=True,
    )

    assert b"letters, digits and ./+/-/_ only" in sign_up.content
    assert b"letters, digits and ./+/-/_ only" in admin.content
    assert not get_user_model().objects.filter(username__contains="@").exists()


def test_a_name_of_two_accounts_counts_against_each(client, alice):
    """One made before usernames could not hold "@": its username is alice's address."""
    get_user_model().objects.create_user("alice@example.com", password=PASSWORD)

    fail_until_refused(client, ["alice"] * 12)

    # The look-alike's name reaches alice's account, whose lock holds.
    refused = log_in(client, "alice@example.com", PASSWORD, address="198.51.100.7")
    assert REFUSED in refused.content
    assert "_auth_user_id" not in client.session


def test_resets_are_limited_per_account_over_its_addresses(client, alice):
    from allauth.account.models import EmailAddress

    for address in ("alice@example.com", "alice@example.org"):
        EmailAddress.objects.update_or_create(
            user=alice, email=address, defaults={"verified": True}
        )
    for n in range(5):
        for address in ("alice@example.com", "alice@example.org"):
            reset = client.post(
                "/accounts/password/reset/",
                {"email": address},
                secure=True,
                REMOTE_ADDR=f"203.0.113.{n}",
            )
            assert reset.status_code == 302  # as any other: nothing tells

    assert len(mail.outbox) == 5


def test_a_reset_for_an_address_on_several_accounts_mails_it_once(client, alice):
    """An unverified address can be on many accounts (added on the E-mail page)."""
    from allauth.account.models import EmailAddress

    for name in ("mallory", "trudy"):
        user = get_user_model().objects.create_user(name, password=PASSWORD)
        EmailAddress.objects.create(user=user, email="alice@example.com")

    client.post(
        "/accounts/password/reset/", {"email": "alice@example.com"}, secure=True
    )

    assert len(mail.outbox) == 1
    assert "alice" in mail.outbox[0].body, "the oldest account's"


@pytest.mark.django_db
def test_sign_ups_for_one_address_are_limited(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # each answered as a new one

    def sign_up(n: int):
        fields = {"username": f"user{n}", "email": "taken@example.com"}
        fields |= {"password1": PASSWORD, "password2": PASSWORD}
        return client.post(
            "/accounts/signup/", fields, secure=True, REMOTE_ADDR=f"203.0.113.{n}"
        )

    statuses = [sign_up(n).status_code for n in range(8)]

    assert statuses[:5] == [302] * 5 and statuses[5:] == [429] * 3, statuses


def test_a_new_password_from_the_mailed_link_ends_the_lock(client, alice):
    from allauth.account.signals import password_reset

    fail_until_refused(client, ["alice"] * 12)
    request = client.get("/", secure=True).wsgi_request

    password_reset.send(sender=type(alice), request=request, user=alice)

    response = log_in(client, "alice", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")


def add_address(client, email: str, address: str = "192.0.2.1"):
    fields = {"email": email, "action_add": ""}
    return client.post("/accounts/email/", fields, secure=True, REMOTE_ADDR=address)


def test_an_account_holds_at_most_two_addresses(client, alice):
    client.force_login(alice)
    add_address(client, "alice@example.net")
    add_address(client, "alice@example.org")

    assert list(alice.emailaddress_set.values_list("email", flat=True)) == [
        "alice@example.com",
        "alice@example.net",
    ]


def test_addresses_added_from_one_address_are_limited(client, db):
    """Each address added is mailed: accounts made for it cannot flood strangers."""
    statuses = []
    for account in range(3):
        user = get_user_model().objects.create_user(f"u{account}", f"u{account}@a.test")
        client.force_login(user)
        statuses += [add_address(client, f"x{n}@b.test").status_code for n in range(8)]
    other = add_address(client, "y@b.test", address="198.51.100.7")

    assert 429 not in statuses[:20] and statuses[20:] == [429] * 4, statuses
    assert other.status_code != 429

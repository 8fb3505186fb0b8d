"""What a page's time tells of who has an account: nothing. A login's password is
hashed once whether or not the name it gives has an account, and so is a sign-up's
(with mandatory verification) whether or not its address has one."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Every password hashed from now on (by the tests' hasher), to check it against
    a stored one or to store it."""
    hashed = []
    encode = MD5PasswordHasher.encode

    def counted_encode(self, password, salt):
        hashed.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted_encode)
    return hashed


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice", email="alice@example.com", password=PASSWORD
    )


@pytest.mark.parametrize(
    "login",
    ["alice", "alice@example.com", "nobody", "nobody@example.com"],
)
def test_a_wrong_password_is_hashed_once(client, alice, hashes, login):
    fields = {"login": login, "password": "not-the-password"}
    response = client.post("/accounts/login/", fields, secure=True)

    assert response.status_code == 200
    assert len(hashes) == 1, hashes


def test_the_right_password_by_e_mail_address_logs_in(client, alice, hashes):
    fields = {"login": "alice@example.com", "password": PASSWORD}
    response = client.post("/accounts/login/", fields, secure=True)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert hashes == [PASSWORD]


def sign_up(client, username: str, email: str):
    fields = {"username": username, "email": email}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", fields, secure=True)


@pytest.mark.parametrize("email", ["alice@example.com", "bob@example.com"])
def test_a_sign_up_hashes_its_password_whether_or_not_the_address_is_taken(
    client, alice, hashes, settings, email
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"

    response = sign_up(client, "newcomer", email)

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/confirm-email/",
    )
    assert hashes == [PASSWORD]

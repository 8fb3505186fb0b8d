"""A login's password is hashed once, whether or not the name it gives has an
account: the time a wrong password takes tells nothing."""

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

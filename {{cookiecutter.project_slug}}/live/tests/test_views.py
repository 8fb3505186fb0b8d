import pytest
from django.contrib.auth import get_user_model


@pytest.mark.django_db
def test_live_page_for_anonymous_visitors(client):
    response = client.get("/live/", secure=True)

    assert response.status_code == 200
    assert b'id="live-events"' in response.content
    assert b"Log in to see who it is" in response.content


@pytest.mark.django_db
def test_sign_up_signs_in_and_opens_the_live_page(client):
    password = "a-long-enough-test-password"
    response = client.post(
        "/accounts/signup/",
        {"username": "alice", "password1": password, "password2": password},
        secure=True,
    )

    assert response.status_code == 302
    assert response["Location"] == "/live/"
    assert get_user_model().objects.filter(username="alice").exists()
    assert b"Signed in as alice" in client.get("/live/", secure=True).content


@pytest.mark.django_db
def test_login_page(client):
    response = client.get("/accounts/login/", secure=True)

    assert response.status_code == 200
    assert b'name="username"' in response.content

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD)


@pytest.mark.django_db
def test_sign_up_signs_in_and_says_so(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "bob", "password1": PASSWORD, "password2": PASSWORD},
        secure=True,
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    assert get_user_model().objects.filter(username="bob").exists()
    home = client.get("/", secure=True).content
    assert b"Signed in as <strong>bob</strong>" in home
    assert b"Welcome, bob" in home


@pytest.mark.django_db
def test_sign_up_shows_each_error_beside_its_field(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "bob", "password1": PASSWORD, "password2": "something else"},
        secure=True,
    )

    assert response.status_code == 200
    assert b'class="errorlist' in response.content
    assert b"didn" in response.content  # "The two password fields didn't match."
    assert not get_user_model().objects.filter(username="bob").exists()


def test_log_in_and_out_each_say_so(client, alice):
    fields = {"username": "alice", "password": PASSWORD}
    response = client.post("/accounts/login/", fields, secure=True)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert b"Signed in as alice." in client.get("/", secure=True).content

    response = client.post("/accounts/logout/", secure=True)
    assert (response.status_code, response["Location"]) == (302, "/")
    home = client.get("/", secure=True).content
    assert b"You have signed out." in home
    assert b'href="/accounts/login/"' in home


def test_wrong_password_is_refused_on_the_page(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "wrong"}, secure=True
    )

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


@pytest.mark.django_db
def test_every_page_names_the_site_in_its_title(client):
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"):
        html = client.get(path, secure=True).content.decode()
        title = html[html.index("<title>") : html.index("</title>")]
        assert " · " in title, path

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user(
        "alice", email="alice@example.com", password=PASSWORD
    )


def sign_up(client, username: str, email: str):
    fields = {"username": username, "email": email}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", fields, secure=True)


@pytest.mark.django_db
def test_sign_up_keeps_the_address_signs_in_and_greets_once(client):
    response = sign_up(client, "bob", "bob@example.com")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert get_user_model().objects.get(username="bob").email == "bob@example.com"
    home = client.get("/", secure=True).content.decode()
    assert "Signed in as <strong>bob</strong>" in home
    assert home.count("Welcome") == 1, home


@pytest.mark.django_db
def test_sign_up_needs_an_address_that_no_account_uses(client, alice):
    without = sign_up(client, "bob", "")
    taken = sign_up(client, "bob", "ALICE@example.com")

    assert without.status_code == taken.status_code == 200
    assert b"This field is required" in without.content
    assert b"An account already uses this address" in taken.content
    assert not get_user_model().objects.filter(username="bob").exists()


@pytest.mark.django_db
def test_sign_up_shows_each_error_beside_its_field(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "bob",
            "email": "bob@example.com",
            "password1": PASSWORD,
            "password2": "something else",
        },
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
    pages = ["/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"]
    pages += ["/accounts/logout/", "/accounts/password_reset/"]
    for path in pages:
        html = client.get(path, secure=True).content.decode()
        title = html[html.index("<title>") : html.index("</title>")]
        assert " · " in title, path


def test_logout_opened_directly_shows_a_button_and_keeps_you_in(client, alice):
    client.force_login(alice)
    page = client.get("/accounts/logout/", secure=True)

    assert page.status_code == 200
    assert b'<button type="submit">Log out</button>' in page.content
    assert (
        b"Signed in as <strong>alice</strong>" in client.get("/", secure=True).content
    )


def test_password_change_for_a_signed_in_user(client, alice):
    client.force_login(alice)
    assert b'href="/accounts/password_change/"' in client.get("/", secure=True).content
    fields = {"old_password": PASSWORD}
    fields |= {
        "new_password1": "another-long-password",
        "new_password2": "another-long-password",
    }
    response = client.post("/accounts/password_change/", fields, secure=True)

    assert response["Location"] == "/accounts/password_change/done/"
    alice.refresh_from_db()
    assert alice.check_password("another-long-password")

"""The accounts' pages as a visitor uses them: django-allauth's views, the site's
templates and wording."""

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


def log_in(client, login: str, password: str):
    fields = {"login": login, "password": password}
    return client.post("/accounts/login/", fields, secure=True)


@pytest.mark.django_db
def test_sign_up_keeps_the_address_and_signs_in_at_once(client):
    response = sign_up(client, "bob", "bob@example.com")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert get_user_model().objects.get(username="bob").email == "bob@example.com"
    home = client.get("/", secure=True).content.decode()
    assert "Signed in as <strong>bob</strong>" in home
    assert home.count("Signed in as bob.") == 1, home


@pytest.mark.django_db
@pytest.mark.parametrize("sends_mail", [True, False])
def test_sign_up_says_a_confirmation_was_sent_only_if_mail_goes_out(
    client, settings, sends_mail
):
    locmem = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    settings.EMAIL_TRANSPORT = locmem if sends_mail else None  # None: no EMAIL_URL
    sign_up(client, "bob", "bob@example.com")

    home = client.get("/", secure=True).content.decode()
    assert ("Confirmation email sent to bob@example.com." in home) is sends_mail


@pytest.mark.django_db
def test_sign_up_needs_an_address_that_no_account_uses(client, alice):
    without = sign_up(client, "bob", "")
    taken = sign_up(client, "bob", "ALICE@example.com")

    assert without.status_code == taken.status_code == 200
    assert b"This field is required" in without.content
    assert b"already registered with this email address" in taken.content
    assert not get_user_model().objects.filter(username="bob").exists()


@pytest.mark.django_db
def test_sign_up_shows_each_error_beside_its_field(client):
    fields = {"username": "bob", "email": "bob@example.com"}
    fields |= {"password1": PASSWORD, "password2": "something else"}
    response = client.post("/accounts/signup/", fields, secure=True)

    assert response.status_code == 200
    assert b'class="errorlist' in response.content
    assert b"same password each time" in response.content
    assert not get_user_model().objects.filter(username="bob").exists()


@pytest.mark.parametrize("login", ["alice", "Alice@Example.com"])
def test_log_in_by_name_or_address_and_out_each_say_so(client, alice, login):
    response = log_in(client, login, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert b"Signed in as alice." in client.get("/", secure=True).content

    response = client.post("/accounts/logout/", secure=True)
    assert (response.status_code, response["Location"]) == (302, "/")
    home = client.get("/", secure=True).content
    assert b"You have signed out." in home
    assert b'href="/accounts/login/"' in home


def test_wrong_password_is_refused_on_the_page(client, alice):
    response = log_in(client, "alice", "wrong")

    assert response.status_code == 200
    assert b"password you specified are not correct" in response.content


def test_every_page_names_the_site_in_its_title(client, alice):
    pages = ["/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"]
    pages += ["/accounts/password/reset/", "/accounts/password/change/"]
    for path in pages:
        if path == "/accounts/password/change/":
            client.force_login(alice)
        html = client.get(path, secure=True).content.decode()
        title = html[html.index("<title>") + 7 : html.index("</title>")]
        page_name, _, site_name = title.partition(" · ")
        assert page_name.strip() and site_name, path


def test_logout_opened_directly_shows_a_button_and_keeps_you_in(client, alice):
    client.force_login(alice)
    page = client.get("/accounts/logout/", secure=True)

    assert page.status_code == 200
    assert b"Are you sure you want to sign out?" in page.content
    assert (
        b"Signed in as <strong>alice</strong>" in client.get("/", secure=True).content
    )


def test_password_change_for_a_signed_in_user(client, alice):
    client.force_login(alice)
    home = client.get("/", secure=True).content
    assert b'href="/accounts/password/change/"' in home
    fields = {"oldpassword": PASSWORD}
    new_password = "another-long-password"
    fields |= {"password1": new_password, "password2": new_password}
    response = client.post("/accounts/password/change/", fields, secure=True)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)


HERE = "https://my-app.herokuapp.com/profile/"


@pytest.mark.parametrize(
    ("next_url", "destination"),
    [(HERE, HERE), ("https://another-app.herokuapp.com/", "/")],
)
def test_next_leads_to_this_site_only(client, alice, settings, next_url, destination):
    """ALLOWED_HOSTS may match another app, as .herokuapp.com does every Heroku app."""
    settings.ALLOWED_HOSTS = [".herokuapp.com"]
    client.force_login(alice)

    host = "my-app.herokuapp.com"
    response = client.get(
        "/accounts/login/", {"next": next_url}, secure=True, HTTP_HOST=host
    )

    assert (response.status_code, response["Location"]) == (302, destination)


def test_an_address_with_capitals_logs_in(client, db):
    """As `createsuperuser` takes it: allauth looks addresses up lowercased."""
    get_user_model().objects.create_superuser("boss", "Boss@Example.com", PASSWORD)

    assert log_in(client, "Boss@Example.com", PASSWORD).status_code == 302

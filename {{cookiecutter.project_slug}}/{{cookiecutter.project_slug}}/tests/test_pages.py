import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.utils.html import escape
from django.views.defaults import bad_request, permission_denied, server_error


@pytest.mark.django_db
def test_home_page(client):
    response = client.get("/", secure=True)

    assert response.status_code == 200
    assert b'<a class="brand" href="/">' in response.content
    assert b"<h1>" in response.content


@pytest.mark.django_db
def test_the_admin_sends_visitors_to_the_sites_login(client):
    response = client.get("/admin/login/?next=/admin/", secure=True)

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=%2Fadmin%2F",
    )


@pytest.mark.django_db
def test_the_admins_login_takes_no_password(client, django_user_model):
    django_user_model.objects.create_superuser("root", password="a-long-admin-password")
    fields = {"username": "root", "password": "a-long-admin-password"}

    response = client.post("/admin/login/?next=/admin/", fields, secure=True)

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=%2Fadmin%2F",
    )
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_with_mandatory_verification_an_admin_confirms_an_address_first(
    client, django_user_model, mailoutbox, settings
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    django_user_model.objects.create_superuser(
        "root", email="root@example.com", password="a-long-admin-password"
    )
    fields = {"login": "root", "password": "a-long-admin-password"}

    response = client.post("/accounts/login/?next=/admin/", fields, secure=True)

    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/confirm-email/",
    )
    assert [message.to for message in mailoutbox] == [["root@example.com"]]
    assert "_auth_user_id" not in client.session


def test_production_redirects_plain_http_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_forwarded_proto_from_the_router_counts_as_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_missing_page_gets_the_sites_404_page(client):
    response = client.get("/no-such-page/", secure=True)

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'href="/accounts/login/"' in response.content  # the site's navigation


def test_server_error_page_needs_no_database(rf):
    # No django_db mark: a query here would fail the test, as it would fail the page
    # when the database is what broke.
    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_a_form_without_its_csrf_cookie_gets_the_sites_403_page():
    # Django's own page for this has an inline style, which the policy refuses.
    client = Client(enforce_csrf_checks=True)
    form = {"username": "someone", "password": "not-a-password"}
    response = client.post("/accounts/login/", form, secure=True)

    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert b'href="/accounts/login/"' in response.content


@pytest.mark.parametrize(
    ("view", "exception", "status", "heading"),
    [
        (bad_request, SuspiciousOperation(), 400, b"<h1>Bad request</h1>"),
        (permission_denied, PermissionDenied(), 403, b"<h1>Not allowed</h1>"),
    ],
)
def test_refused_requests_get_the_sites_pages(rf, view, exception, status, heading):
    response = view(rf.get("/", secure=True), exception)

    assert response.status_code == status
    assert heading in response.content
    assert b'href="/accounts/login/"' in response.content


def test_favicon_is_named_by_every_page_and_answers_at_the_root(client, db):
    home = client.get("/", secure=True).content.decode()
    icon = client.get("/favicon.ico", secure=True)

    assert '<link rel="icon" href="/static/favicon.svg"' in home
    assert (icon.status_code, icon["Location"]) == (302, "/static/favicon.svg")


@pytest.mark.parametrize("debug", [False, True])
def test_developer_links_only_with_debug(client, db, settings, debug):
    settings.DEBUG = debug
    home = client.get("/", secure=True).content.decode()

    assert ("For developers" in home) is debug


def test_the_admin_header_names_the_site(admin_client, settings):
    page = admin_client.get("/admin/", secure=True).content.decode()

    assert f">{escape(settings.SITE_NAME)}</a>" in page
    assert "Django administration" not in page


async def test_an_async_test_runs_as_written(async_client):
    # No marker: pyproject.toml's asyncio_mode = "auto" runs every async test.
    response = await async_client.get("/healthz", secure=True)

    assert response.status_code == 200

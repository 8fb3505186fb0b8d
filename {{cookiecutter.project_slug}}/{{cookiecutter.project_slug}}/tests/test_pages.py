import pytest
from django.db import OperationalError
from django.views.defaults import server_error

from {{ cookiecutter.project_slug }} import health


@pytest.mark.django_db
def test_home_page(client):
    response = client.get("/", secure=True)

    assert response.status_code == 200
    assert b'<a class="brand" href="/">' in response.content
    assert b"<h1>" in response.content


@pytest.mark.django_db
def test_admin_login_page(client):
    response = client.get("/admin/login/", secure=True)

    assert response.status_code == 200


def test_health_check_answers_the_platform_probe(client, settings):
    # The probe comes by IP address over plain HTTP, which production refuses.
    settings.ALLOWED_HOSTS = ["app.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz", headers={"host": "10.0.0.7"})

    assert response.status_code == 200
    assert response.content == b"ok"


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


@pytest.fixture
def production_host_checks(settings):
    # The platform probes by IP address over plain HTTP, which production refuses.
    settings.ALLOWED_HOSTS = ["app.example.com"]
    settings.SECURE_SSL_REDIRECT = True


@pytest.mark.django_db
def test_readiness_probe_checks_what_requests_need(client, production_host_checks):
    response = client.get("/readyz", headers={"host": "10.0.0.7"})

    assert response.status_code == 200
    assert response.json() == {name: "ok" for name in health.CHECKS}


def test_readiness_probe_names_what_failed(client, production_host_checks, monkeypatch):
    def database_is_down():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", database_is_down)

    response = client.get("/readyz", headers={"host": "10.0.0.7"})

    assert response.status_code == 503
    assert response.json()["database"] == "OperationalError: connection refused"

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from {{ cookiecutter.project_slug }}.models import User


def test_users_are_the_projects_own_model():
    assert settings.AUTH_USER_MODEL == "{{ cookiecutter.project_slug }}.User"
    assert get_user_model() is User


def test_the_projects_first_migration_creates_it():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    first = loader.get_migration("{{ cookiecutter.project_slug }}", "0001_initial")

    created = [getattr(operation, "name", None) for operation in first.operations]
    assert "User" in created


def test_the_admin_adds_a_user(admin_client):
    assert admin.site.is_registered(User)
    url = reverse("admin:{{ cookiecutter.project_slug }}_user_add")
    password = "a-long-test-password"

    response = admin_client.post(
        url,
        {"username": "erin", "password1": password, "password2": password},
        secure=True,
    )

    assert response.status_code == 302, response.content[-2000:]
    assert User.objects.get(username="erin").check_password(password)

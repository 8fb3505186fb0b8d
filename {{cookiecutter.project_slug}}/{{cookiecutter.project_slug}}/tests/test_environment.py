import pytest
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed

from {{ cookiecutter.project_slug }}.environment import (
    RequireEnvironmentMiddleware,
    check_environment,
)


@pytest.fixture
def production_without_environment(settings, monkeypatch):
    settings.REQUIRED_ENVIRONMENT = settings.PRODUCTION_ENVIRONMENT
    for name in settings.PRODUCTION_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return settings.PRODUCTION_ENVIRONMENT


def test_check_names_each_missing_variable(production_without_environment):
    errors = check_environment(app_configs=None)

    reported = [error.msg.split()[0] for error in errors]
    assert reported == production_without_environment


def test_server_refuses_to_start(production_without_environment):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is not set"):
        RequireEnvironmentMiddleware(get_response=None)


def test_nothing_is_required_once_everything_is_set(
    production_without_environment, monkeypatch
):
    for name in production_without_environment:
        monkeypatch.setenv(name, "set")

    assert check_environment(app_configs=None) == []
    with pytest.raises(MiddlewareNotUsed):
        RequireEnvironmentMiddleware(get_response=None)

"""Refuse to run without the variables that settings.REQUIRED_ENVIRONMENT names.

Settings import without those values on purpose (builds run collectstatic with no
secrets or database), so the refusal happens here instead, at two doors:
- a system check, which `manage.py migrate` (the release step) and every other
  command that runs checks report before doing anything;
- a middleware that the web server builds when it loads the app, which stops the
  server at start-up rather than on its first request.
"""

import os

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed

CHECK_ID = "{{ cookiecutter.project_slug }}.E001"
HOW_TO_FIX = (
{%- if cookiecutter.platform == "heroku" %}
    "set it with `heroku config:set {name}=...`"
{%- else %}
    "add it to the envs in .do/app.yaml or the app's settings"
{%- endif %}
    " (or set DJANGO_DEBUG=1 for local development)"
)


def missing_environment() -> list[str]:
    return [name for name in settings.REQUIRED_ENVIRONMENT if not os.environ.get(name)]


def describe(name: str) -> str:
    return f"{name} is not set: {HOW_TO_FIX.format(name=name)}."


@register()
def check_environment(app_configs, **kwargs) -> list[Error]:
    return [Error(describe(name), id=CHECK_ID) for name in missing_environment()]


class RequireEnvironmentMiddleware:
    def __init__(self, get_response):
        if missing := missing_environment():
            raise ImproperlyConfigured(" ".join(describe(name) for name in missing))
        # Nothing to do per request: Django drops this middleware from the chain.
        raise MiddlewareNotUsed

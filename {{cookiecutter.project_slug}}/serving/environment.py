"""Refuse to run without the variables that settings.REQUIRED_ENVIRONMENT names,
or a web process without the collected static files its pages link to.

Settings import without those values on purpose (builds run collectstatic with no
secrets or database), so the refusal happens here instead, at two doors:
- a system check, which `manage.py migrate` (the release step) and every other
  command that runs checks report before doing anything;
- a middleware that the web server builds when it loads the app, which stops the
  server at start-up rather than on its first request;
and `manage.py runserver` (management/commands/runserver.py) says it before Django
complains about ALLOWED_HOSTS, as it would first in a fresh clone without .env.
The middleware also stops a production web process whose static files were never
collected: every page would otherwise be a 500 ("Missing staticfiles manifest
entry"). And it says, in one line, when EMAIL_URL is missing: the site runs without
it, but sends no mail, unless accounts must confirm their address by e-mail, which
would lock every new account out: then both doors refuse.
"""

import functools
import logging
import os

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, register
from django.core.exceptions import MiddlewareNotUsed

from .env_values import SettingError
from .mail import is_set_up as mail_is_set_up

CHECK_ID = "serving.E001"
{%- if cookiecutter.platform == "heroku" %}
PLATFORM_FIX = "set {it} with `heroku config:set NAME=value`"
{%- else %}
PLATFORM_FIX = "add {it} to the envs in .do/app.yaml or in the app's settings"
{%- endif %}
# A fresh clone has no .env (git ignores it): the committed example turns DEBUG on.
LOCAL_FIX = "for local development, run `install -m 600 .env.example .env`"
STATIC_FILES_MISSING = (
    "The static files are not collected: run `python manage.py collectstatic"
    " --noinput` before starting the web process (the platform's build runs it)."
)
MAIL_OFF = (
    "EMAIL_URL is not set, so the site sends no e-mail (password resets, address"
    " confirmations, error reports to ADMINS): README.md says how to set it, under"
    " E-mail."
)
VERIFICATION_WITHOUT_MAIL = (
    "ACCOUNT_EMAIL_VERIFICATION is mandatory but EMAIL_URL is not set, so no new"
    " account could confirm its address and log in: set EMAIL_URL (README.md, under"
    " E-mail), or set ACCOUNT_EMAIL_VERIFICATION to optional."
)

logger = logging.getLogger(__name__)


def missing_environment() -> list[str]:
    return [name for name in settings.REQUIRED_ENVIRONMENT if not os.environ.get(name)]


def describe(missing: list[str]) -> str:
    """One sentence: what is missing, and how to set it."""
    if len(missing) == 1:
        names, verb, it = missing[0], "is", "it"
    else:
        names, verb, it = f"{', '.join(missing[:-1])} and {missing[-1]}", "are", "them"
    return f"{names} {verb} not set: {PLATFORM_FIX.format(it=it)}, or {LOCAL_FIX}."


def static_files_missing() -> bool:
    """Whether pages would link to hashed names that collectstatic never wrote (with
    DEBUG on, the storage links to the files by name instead)."""
    return (
        not settings.DEBUG
        and isinstance(staticfiles_storage, ManifestFilesMixin)
        and staticfiles_storage.read_manifest() is None
    )


def verification_without_mail() -> bool:
    return settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory" and not mail_is_set_up()


@register()
def check_environment(app_configs, **kwargs) -> list[Error]:
    errors = [Error(describe([name]), id=CHECK_ID) for name in missing_environment()]
    if verification_without_mail():
        errors.append(Error(VERIFICATION_WITHOUT_MAIL, id=CHECK_ID))
    return errors


@functools.cache
def say_mail_is_off() -> None:
    """Once per process, though an ASGI process builds two middleware chains."""
    logger.warning(MAIL_OFF)


class RequireEnvironmentMiddleware:
    # Never in the chain (see below), so it suits a sync or an async handler alike.
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        if missing := missing_environment():
            raise SettingError(describe(missing))
        if static_files_missing():
            raise SettingError(STATIC_FILES_MISSING)
        if verification_without_mail():
            raise SettingError(VERIFICATION_WITHOUT_MAIL)
        if not mail_is_set_up():
            say_mail_is_off()
        # Nothing to do per request: Django drops this middleware from the chain.
        raise MiddlewareNotUsed

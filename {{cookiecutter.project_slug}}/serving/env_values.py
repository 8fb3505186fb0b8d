"""How the settings read the environment: text with os.environ.get, and every other
value with one of the readers below, which refuse a value they cannot read in one
sentence that says what to write instead.

Not django-environ's Env (installed for EMAIL_URL, serving/email_url.py): its
Env.bool reads any word it does not know, such as DJANGO_DEBUG=ture, as False.

Importing this module first loads the project's .env (locally; the platform has none
and sets every value in the app's config), so every settings module sees its values.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

load_dotenv(Path(__file__).resolve().parent.parent / ".env")

DATABASE_SCHEMES = {"postgres", "postgresql", "sqlite"}


class SettingError(ImproperlyConfigured):
    """A value from the environment the project cannot run with. Its message is one
    sentence naming the variable and what to write instead, which every entry point
    prints alone (serving/startup_errors.py)."""


def env_flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    raise SettingError(
        f"{name} is {os.environ[name]!r}: set it to 1 to turn it on, or to 0 (or leave"
        " it unset) to turn it off."
    )


def env_whole_number(name: str, default: int, unit: str, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        at_least = f", at least {minimum}" if minimum else ""
        raise SettingError(
            f"{name} is {value!r}: set it to a whole number of {unit}{at_least},"
            f" like {default}."
        )
    return int(value)


def env_list(name: str) -> list[str]:
    """Comma-separated items, spaces around each ignored."""
    items = os.environ.get(name, "").split(",")
    return [item.strip() for item in items if item.strip()]


def env_choice(name: str, default: str, other: str) -> str:
    """`default` when unset; otherwise exactly `default` or `other`."""
    value = os.environ.get(name, default)
    if value not in {default, other}:
        raise SettingError(
            f"{name} is {value!r}: set it to {other}, or to {default} (or leave it"
            " unset)."
        )
    return value


def env_database(name: str, **options) -> dict:
    """Django's DATABASES entry for the URL in `name`, read by dj-database-url with
    `options`; a value that is not a PostgreSQL (or SQLite) URL is refused in one
    sentence that never repeats it, since it may hold a password."""
    url = os.environ.get(name, "").strip()
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if url and scheme not in DATABASE_SCHEMES:
        raise SettingError(
            f"{name} is not a PostgreSQL URL: copy it from the platform's database, or"
            " write it as postgres://USER:PASSWORD@HOST:5432/NAME."
        )
    try:
        return dj_database_url.config(env=name, **options)
    except ValueError:
        raise SettingError(
            f"{name} is not a URL dj-database-url can read: percent-encode any @, :, /"
            " or # in its password, as postgres://USER:PASSWORD@HOST:5432/NAME."
        ) from None

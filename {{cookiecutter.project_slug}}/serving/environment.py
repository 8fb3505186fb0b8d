"""The settings' reader: django-environ, and readers refusing what it reads wrong (its
Env.bool reads `ture` as False). https://django-environ.readthedocs.io/"""

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

# Locally; the platform has no .env, and sets each value in the app's config.
ENV_FILE = Path(__file__).resolve().parent.parent / ".env"
if ENV_FILE.exists():  # else django-environ logs, on each start, to create one
    environ.Env.read_env(ENV_FILE)


class SettingError(ImproperlyConfigured):
    """A value from the environment the project cannot run with, in one sentence."""


def flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    raise SettingError(
        f"{name} is {os.environ[name]!r}: set it to 1 to turn it on, or to 0 (or leave"
        " it unset) to turn it off."
    )


def whole_number(name: str, default: int, unit: str, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        at_least = f", at least {minimum}" if minimum else ""
        raise SettingError(
            f"{name} is {value!r}: set it to a whole number of {unit}{at_least},"
            f" like {default}."
        )
    return int(value)


def items(name: str, wrong=lambda item: False, fix: str = "") -> list[str]:
    """Comma-separated items; the first that is `wrong` refused with `fix`."""
    values = [item.strip() for item in os.environ.get(name, "").split(",")]
    if bad := [item for item in values if item and wrong(item)]:
        raise SettingError(f"{name} has {bad[0]!r}: {fix}.")
    return [item for item in values if item]


def hosts(name: str) -> list[str]:
    fix = "write host names alone, without a scheme, port or path, like example.com"
    # Django matches a host without its port; "[::1]" has colons of its own.
    return items(name, lambda host: re.search(r"[/\s]|^[^:]*:[^:]*$|]:", host), fix)


def origins(name: str) -> list[str]:
    fix = "write each origin as a scheme and a host, like https://www.example.com"
    return items(name, lambda origin: not re.fullmatch(r"\w+://[^/\s]+", origin), fix)


def addresses(name: str) -> list[str]:
    fix = "write e-mail addresses separated by commas, like ops@example.com"
    return items(name, lambda item: not re.fullmatch(r"[^@\s;]+@[^@\s;]+", item), fix)


def choice(name: str, default: str, *others: str) -> str:
    value = os.environ.get(name) or default
    if value not in {default, *others}:
        listed = (
            f"{', '.join(others[:-1])} or {others[-1]}" if others[1:] else others[0]
        )
        raise SettingError(
            f"{name} is {value!r}: set it to {listed}, or to {default} (or leave it"
            " unset)."
        )
    return value


def redis_url(name: str) -> str:
    """A Redis URL, or ""; a refusal never repeats it, which may hold a password."""
    url = os.environ.get(name, "").strip()
    try:
        parts = urlsplit(url)
        redis = parts.scheme.lower() in {"redis", "rediss"}
        readable = redis and (parts.port or parts.hostname)  # .port raises if no number
    except ValueError:
        readable = False
    if url and not readable:
        raise SettingError(
            f"{name} is not a Redis URL: copy it from the platform's Redis, or write it"
            " as redis://HOST:6379/0 (rediss:// over TLS)."
        )
    return url


def database(name: str, default: str = "", **settings) -> dict:
    """DATABASES' entry for the URL in `name`; a refusal never repeats its password."""
    url = os.environ.get(name, "").strip() or default
    if not url:
        return {}
    if url.partition("://")[0].lower() not in {"postgres", "postgresql", "sqlite"}:
        raise SettingError(
            f"{name} is not a PostgreSQL URL: copy it from the platform's database, or"
            " write it as postgres://USER:PASSWORD@HOST:5432/NAME."
        )
    try:
        config = environ.Env.db_url_config(url)
    except ValueError:
        raise SettingError(
            f"{name} is not a URL django-environ can read: percent-encode any / or ?"
            " in its password, as postgres://USER:PASSWORD@HOST:5432/NAME."
        ) from None
    if not config["NAME"]:
        raise SettingError(
            f"{name} names no database: write it as postgres://USER:PASSWORD@HOST:5432/NAME."
        )
    return {**config, **settings}


SMTP = "django.core.mail.backends.smtp.EmailBackend"
SMTP_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "smtp+insecure"}
THIS_MACHINE = {"localhost", "127.0.0.1", "::1"}
MAIL_FORMS = "smtp://, smtps://, smtp+ssl://, postmark:// or mailgun://"
API_FORMS = {
    "postmark": "postmark://SERVER_TOKEN@",
    "mailgun": "mailgun://API_KEY@DOMAIN",
}


def yes(value) -> bool:  # dj-email-url's true query values
    return str(value).lower() in {"1", "y", "yes", "t", "true", "on"}


def email_url(name: str, timeout: int) -> dict | None:
    """The mail backend of the URL in `name`, as {"BACKEND", "OPTIONS"}, or None."""
    url = os.environ.get(name, "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SettingError(
            f"{name} has a host or port this project cannot read: write it as"
            " smtps://USER:PASSWORD@HOST:587, the port a number from 1 to 65535."
        ) from None
    said = (
        f"{name} ({parts.scheme}://{parts.hostname or ''}…)" if parts.scheme else name
    )
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    user = unquote(parts.username or "")
    api = {"api_url": query["api_url"]} if "api_url" in query else {}
    if parts.scheme in SMTP_SCHEMES:
        config = environ.Env.email_url_config(url, backend=SMTP)  # smtp+insecure too
        return smtp(said, config, port or 25, query, timeout)
    if parts.scheme in API_FORMS and not user:
        raise SettingError(
            f"{said} has no key: write it as {API_FORMS[parts.scheme]}, the key"
            " percent-encoded where it holds @, : or /."
        )
    if parts.scheme == "postmark":
        options = {"server_token": user, **api, "requests_timeout": timeout}
        return {"BACKEND": "anymail.backends.postmark.EmailBackend", "OPTIONS": options}
    if parts.scheme == "mailgun":
        options = {"api_key": user, **api, "requests_timeout": timeout}
        if parts.hostname:
            options["sender_domain"] = parts.hostname
        return {"BACKEND": "anymail.backends.mailgun.EmailBackend", "OPTIONS": options}
    raise SettingError(
        f"{said} is not a mail URL this project reads: write it as {MAIL_FORMS}, as"
        " README.md shows under E-mail."
    )


def smtp(said: str, config: dict, port: int, query: dict, timeout: int) -> dict:
    ssl = yes(config.get("EMAIL_USE_SSL")) or yes(query.get("ssl"))
    tls = not ssl and (yes(config.get("EMAIL_USE_TLS")) or yes(query.get("tls")))
    if (port == 465 and tls) or (port in (25, 587) and ssl):
        raise SettingError(
            f"{said} asks for {'STARTTLS' if tls else 'implicit TLS'} on port {port},"
            " which cannot work: write smtps://…:587 for STARTTLS or smtp+ssl://…:465"
            " for implicit TLS."
        )
    host = config["EMAIL_HOST"] or "localhost"
    login = config["EMAIL_HOST_USER"] or "", config["EMAIL_HOST_PASSWORD"] or ""
    in_clear = any(login) and not (tls or ssl) and host not in THIS_MACHINE
    if in_clear and not yes(query.get("plaintext_login")):
        raise SettingError(
            f"{said} would send its login over the network unencrypted: write smtps://"
            " (STARTTLS) or smtp+ssl:// (implicit TLS), or add ?plaintext_login=yes if"
            " that network is private."
        )
    options = {"host": host, "port": port, "username": login[0], "password": login[1]}
    options |= {"use_tls": tls, "use_ssl": ssl, "timeout": timeout}
    return {"BACKEND": SMTP, "OPTIONS": options}

"""EMAIL_URL: the one variable that says how the site sends e-mail.

    smtp://USER:PASSWORD@HOST:PORT     SMTP, unencrypted
    smtps://USER:PASSWORD@HOST:587     SMTP with STARTTLS (also smtp+tls://, ?tls=True)
    smtp+ssl://USER:PASSWORD@HOST:465  SMTP with implicit TLS (also smtp://…?ssl=True)
    postmark://SERVER_TOKEN@           Postmark's HTTPS API
    mailgun://API_KEY@SENDER_DOMAIN    Mailgun's HTTPS API

The SMTP forms mean what they mean to django-environ, which reads them
(https://django-environ.readthedocs.io/en/latest/types.html#environ-env-email-url),
and to dj-email-url, whose ?ssl= and ?tls= are read as it reads them
(https://github.com/migonzalvar/dj-email-url#smtp-backend): port 25 if none is given,
USER and PASSWORD percent-decoded ("@" is %40, ":" %3A, "/" %2F, "?" %3F, "#" %23).
smtp+insecure:// is this project's older spelling of smtp://. Refused at start:
STARTTLS on port 465 and implicit TLS on 25 or 587, which never connect
(https://www.rfc-editor.org/rfc/rfc8314#section-3.3), and a login over unencrypted
SMTP to a host other than this machine unless the URL adds ?plaintext_login=yes (a
key neither library reads). An API form sends through django-anymail
(https://anymail.dev/en/stable/esps/) and takes ?api_url= for another base URL, such
as Mailgun's EU region (?api_url=https://api.eu.mailgun.net/v3).
"""

from urllib.parse import parse_qs, unquote, urlparse

from environ import Env

from serving.env_values import SettingError

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "smtp+insecure"}
THIS_MACHINE = {"localhost", "127.0.0.1", "::1"}
FORMS = "smtp://, smtps://, smtp+ssl://, postmark:// or mailgun://"


def yes(value) -> bool:
    """dj-email-url's true query values (1, y, yes, t, true, on), in any case."""
    return str(value).lower() in {"1", "y", "yes", "t", "true", "on"}


def parse(url: str, timeout: int) -> dict | None:
    """The mail backend EMAIL_URL stands for, as {"BACKEND": path, "OPTIONS": the
    backend's keyword arguments} (the shape of an entry of Django's MAILERS), giving
    up on a provider after `timeout` seconds; None for an empty URL.
    SettingError, in one sentence that never repeats the password, for a URL
    that is not one of the forms above or that the notes above refuse."""
    url = url.strip()
    if not url:
        return None
    parts = urlparse(url)  # the scheme in lowercase
    scheme = parts.scheme
    # Named by its scheme and host only: the rest may hold a password.
    name = f"EMAIL_URL ({scheme}://{parts.hostname or ''}…)" if scheme else "EMAIL_URL"
    try:
        port = parts.port
    except ValueError:
        raise SettingError(
            f"{name} has a port that is not a number from 1 to 65535:"
            " write it as smtps://USER:PASSWORD@HOST:587."
        ) from None
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme in SMTP_SCHEMES:  # smtp+insecure:// is smtp://
        smtp_url = parts._replace(scheme=scheme.removesuffix("+insecure"))
        return smtp(name, Env.email_url_config(smtp_url), port or 25, query, timeout)

    user = unquote(parts.username or "")
    api = {"api_url": query["api_url"]} if "api_url" in query else {}
    if scheme == "postmark" and user:
        options = {"server_token": user, **api, "requests_timeout": timeout}
        return {"BACKEND": "anymail.backends.postmark.EmailBackend", "OPTIONS": options}
    if scheme == "mailgun" and user:
        options = {"api_key": user, **api, "requests_timeout": timeout}
        if parts.hostname:
            options["sender_domain"] = parts.hostname
        return {"BACKEND": "anymail.backends.mailgun.EmailBackend", "OPTIONS": options}
    raise SettingError(
        f"{name} is not a mail URL this project reads: write it as"
        f" {FORMS}, as README.md shows under E-mail."
    )


def smtp(name: str, config: dict, port: int, query: dict, timeout: int) -> dict:
    """Django's SMTP backend, from what django-environ read (`config`)."""
    ssl = yes(config.get("EMAIL_USE_SSL")) or yes(query.get("ssl"))
    tls = not ssl and (yes(config.get("EMAIL_USE_TLS")) or yes(query.get("tls")))
    if (port == 465 and tls) or (port in (25, 587) and ssl):
        raise SettingError(
            f"{name} asks for {'STARTTLS' if tls else 'implicit TLS'} on port {port},"
            " which cannot work: write smtps://…:587 for STARTTLS or smtp+ssl://…:465"
            " for implicit TLS."
        )
    host = config["EMAIL_HOST"] or "localhost"
    login = config["EMAIL_HOST_USER"] or "", config["EMAIL_HOST_PASSWORD"] or ""
    in_clear = any(login) and not (tls or ssl) and host not in THIS_MACHINE
    if in_clear and not yes(query.get("plaintext_login")):
        raise SettingError(
            f"{name} would send its login over the network unencrypted: write smtps://"
            " (STARTTLS) or smtp+ssl:// (implicit TLS), or add ?plaintext_login=yes if"
            " that network is private."
        )
    options = {"host": host, "port": port, "username": login[0], "password": login[1]}
    options |= {"use_tls": tls, "use_ssl": ssl, "timeout": timeout}
    return {"BACKEND": SMTP_BACKEND, "OPTIONS": options}

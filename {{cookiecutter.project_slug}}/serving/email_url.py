"""EMAIL_URL: the one variable that says how the site sends e-mail.

    smtp://USER:PASSWORD@HOST:PORT    SMTP with STARTTLS (port 587 if none given)
    smtps://USER:PASSWORD@HOST:PORT   SMTP with implicit TLS (port 465 if none given)
    smtp+insecure://HOST:PORT         SMTP with no encryption (port 25 if none given),
                                      only for a relay on a private network
    postmark://SERVER_TOKEN@          Postmark's HTTPS API
    mailgun://API_KEY@SENDER_DOMAIN   Mailgun's HTTPS API

The ports are those of RFC 8314 (465, implicit TLS) and RFC 6409 (587, submission
with STARTTLS): https://www.rfc-editor.org/rfc/rfc8314#section-3.3
USER, PASSWORD and tokens are percent-decoded, as in any URL: write "@" as %40,
":" as %3A, "/" as %2F, "?" as %3F and "#" as %23. An API form takes ?api_url= to
change the provider's base URL, such as Mailgun's EU region
(?api_url=https://api.eu.mailgun.net/v3).
The API forms send through django-anymail: https://anymail.dev/en/stable/esps/
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# scheme: (default port, STARTTLS, implicit TLS)
SMTP_SCHEMES = {
    "smtp": (587, True, False),
    "smtps": (465, False, True),
    "smtp+insecure": (25, False, False),
}
FORMS = "smtp://, smtps://, smtp+insecure://, postmark:// or mailgun://"


def parse(url: str, timeout: float) -> dict | None:
    """The mail backend EMAIL_URL stands for, as {"BACKEND": path, "OPTIONS": the
    backend's keyword arguments} (the shape of an entry of Django's MAILERS), giving
    up on a provider after `timeout` seconds; None for an empty URL.
    ImproperlyConfigured, in one sentence that never repeats the password, for a URL
    that is not one of the forms above."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    # Named by its scheme and host only: the rest may hold a password.
    name = "EMAIL_URL"
    if parts.scheme:
        name += f" ({parts.scheme}://{parts.hostname or ''}…)"
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} has a port that is not a number from 1 to 65535:"
            " write it as smtp://USER:PASSWORD@HOST:587 or leave the port out."
        ) from None
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    api = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    api = {"api_url": api["api_url"]} if "api_url" in api else {}

    if scheme in SMTP_SCHEMES and parts.hostname:
        default_port, use_tls, use_ssl = SMTP_SCHEMES[scheme]
        options = {"host": parts.hostname, "port": port or default_port}
        options |= {"username": user, "password": password}
        options |= {"use_tls": use_tls, "use_ssl": use_ssl, "timeout": timeout}
        return {"BACKEND": SMTP_BACKEND, "OPTIONS": options}
    if scheme == "postmark" and user:
        options = {"server_token": user, **api, "requests_timeout": timeout}
        return {"BACKEND": "anymail.backends.postmark.EmailBackend", "OPTIONS": options}
    if scheme == "mailgun" and user:
        options = {"api_key": user, **api, "requests_timeout": timeout}
        if parts.hostname:
            options["sender_domain"] = parts.hostname
        return {"BACKEND": "anymail.backends.mailgun.EmailBackend", "OPTIONS": options}

    raise ImproperlyConfigured(
        f"{name} is not a mail URL this project reads: write it as"
        f" {FORMS}, as README.md shows under E-mail."
    )

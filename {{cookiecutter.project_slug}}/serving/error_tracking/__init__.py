"""Sentry with SENTRY_DSN: nothing a visitor sent unless SENTRY_SEND_DEFAULT_PII=1.
https://docs.sentry.io/platforms/python/configuration/options/"""

import os
import re

from ..environment import SettingError, flag

PRIVATE = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "off"}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HTTP_DATA = {"url", "http.method", "http.response.status_code", "reason"}
# What any request can make Django log at ERROR: a forged Host, too many fields or
# files, too large a body, a malformed multipart form.
VISITORS_SUSPICIOUS_OPERATIONS = (
    "DisallowedHost",
    "TooManyFieldsSent",
    "TooManyFilesSent",
    "RequestDataTooBig",
    "SuspiciousMultipartForm",
)


def start() -> None:
    """Start reporting to SENTRY_DSN, if it is set, naming the deployed commit."""
    dsn = os.environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.logging import ignore_logger
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)
    except BadDsn as error:
        raise SettingError(
            f"SENTRY_DSN is not a Sentry DSN ({error}): copy it from your Sentry"
            " project's Settings, Client Keys; it reads https://<key>@<host>/<project>."
        ) from None
    personal = flag("SENTRY_SEND_DEFAULT_PII")
    sentry_sdk.init(
        dsn=dsn,
{%- if cookiecutter.platform == "heroku" %}
        # Heroku's dyno metadata (README.md), before a .git that sentry-sdk would read.
        release=os.environ.get("HEROKU_BUILD_COMMIT")
        or os.environ.get("HEROKU_SLUG_COMMIT"),
{%- endif %}
        environment=os.environ.get("SENTRY_ENVIRONMENT") or "production",
        data_collection={} if personal else PRIVATE,
        before_send=None if personal else before_send,
        before_breadcrumb=None if personal else before_breadcrumb,
    )
    # A request Django refuses with a 400 is a visitor's doing, not an error: no event,
    # and no quota spent. Sentry's Django guide ignores DisallowedHost alike.
    for refused in VISITORS_SUSPICIOUS_OPERATIONS:
        ignore_logger(f"django.security.{refused}")


def redacted(text):
    return EMAIL_ADDRESS.sub("[Filtered]", text) if isinstance(text, str) else text


def before_breadcrumb(breadcrumb, hint):
    if (record := (hint or {}).get("log_record")) is not None:
        breadcrumb["message"] = str(record.msg)  # the template, not its arguments
    data = breadcrumb.pop("data", None) or {}
    if breadcrumb.get("category") == "httplib":
        breadcrumb["data"] = {key: data[key] for key in data.keys() & HTTP_DATA}
    if "message" in breadcrumb:
        breadcrumb["message"] = redacted(breadcrumb["message"])
    return breadcrumb


def before_send(event, hint):
    if request := event.get("request"):
        url = request.get("url") or ""
        if url and (event.get("transaction_info") or {}).get("source") == "route":
            url = "/".join(url.split("/", 3)[:3]) + event["transaction"]  # its pattern
        kept = {"method": request.get("method"), "url": url}
        event["request"] = {name: value for name, value in kept.items() if value}
    event.pop("user", None)
    event.pop("extra", None)  # a log record's extras (Django's holds the request)
    if isinstance(event.get("logentry"), dict):
        event["logentry"] = {"message": redacted(event["logentry"].get("message"))}
    if "message" in event:
        event["message"] = redacted(event["message"])
    for value in (event.get("exception") or {}).get("values") or []:
        value["value"] = redacted(value.get("value"))
    for breadcrumb in (event.get("breadcrumbs") or {}).get("values") or []:
        before_breadcrumb(breadcrumb, None)
    return event
{%- if cookiecutter.interface == "asgi" %}


def isolated(application):
    """Each WebSocket in a Sentry scope of its own, as Django's HTTP requests are."""
    import sentry_sdk

    if not sentry_sdk.get_client().is_active():
        return application
    from sentry_sdk.integrations.asgi import SentryAsgiMiddleware
    from sentry_sdk.integrations.logging import ignore_logger

    for server_logger in ("daphne.server", "uvicorn.error"):
        ignore_logger(server_logger)  # the error the middleware reported, a second time
    return SentryAsgiMiddleware(application)
{%- endif %}

"""Error tracking with Sentry, switched on by SENTRY_DSN alone.

With SENTRY_DSN set, every unhandled exception in a view{% if cookiecutter.interface == "asgi" %}, a WebSocket consumer{% endif %}{% if cookiecutter.background_worker == "celery" %} or a task{% endif %}
reaches the Sentry project the DSN names, filed under the commit the platform deployed
and SENTRY_ENVIRONMENT, with nothing a visitor submitted or carried unless
SENTRY_SEND_DEFAULT_PII asks for it (serving/event_privacy.py). sentry-sdk turns on its
integrations for the libraries it finds installed (Django{% if cookiecutter.background_worker == "celery" %}, Celery{% endif %}, logging):
https://docs.sentry.io/platforms/python/integrations/#auto-enabled-integrations
Without SENTRY_DSN nothing starts and nothing is sent.
"""

import os

from serving import client_address
from serving.env_values import SettingError

{%- if cookiecutter.platform == "heroku" %}

# The commit of the running build: Heroku sets these once the app has dyno metadata
# (`heroku labs:enable runtime-dyno-metadata`, README.md, Error tracking):
# https://devcenter.heroku.com/articles/dyno-metadata
RELEASE_VARIABLES = ("HEROKU_BUILD_COMMIT", "HEROKU_SLUG_COMMIT")
{%- else %}

# The commit of the running deployment, which .do/app.yaml binds from App Platform's
# ${_self.COMMIT_HASH}:
# https://docs.digitalocean.com/products/app-platform/how-to/use-environment-variables/
RELEASE_VARIABLES = ("COMMIT_HASH",)
{%- endif %}


def release() -> str | None:
    """The deployed commit, or None (sentry-sdk then looks for one itself)."""
    values = (os.environ.get(name) for name in RELEASE_VARIABLES)
    return next((value for value in values if value), None)


def start(send_default_pii: bool) -> bool:
    """Start reporting to SENTRY_DSN, if it is set: whether it started."""
    dsn = os.environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    # Imported only here, so that a process without a DSN does not load sentry-sdk.
    import sentry_sdk
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)  # as sentry_sdk.init() reads it
    except BadDsn as error:
        raise SettingError(
            f"SENTRY_DSN is not a Sentry DSN ({error}): copy it from your Sentry"
            " project's Settings, Client Keys; it reads https://<key>@<host>/<project>."
        ) from None
    # Unset, send_default_pii sends no personal data; sentry-sdk warns that the option
    # is deprecated whenever it is given, so it is given only when the owner asks.
    personal = {"send_default_pii": True}
    private = personal if send_default_pii else without_personal_data()
    sentry_sdk.init(
        dsn=dsn,
        release=release(),
        environment=os.environ.get("SENTRY_ENVIRONMENT") or "production",
        include_local_variables=send_default_pii,
        **private,
    )
    return True


def without_personal_data() -> dict:
    """sentry_sdk.init()'s options that keep out of events whatever a visitor
    submitted or carried (serving/event_privacy.py): no request bodies, the frames'
    local variables are off already, and the hooks drop the rest. The header in
    which the platform's router names the visitor's address is scrubbed too, which
    sentry-sdk does not know as one."""
    from sentry_sdk.scrubber import DEFAULT_PII_DENYLIST, EventScrubber

    from serving import event_privacy

    denylist = [*DEFAULT_PII_DENYLIST, client_address.HEADER.lower()]
    return {
        "max_request_body_size": "never",
        "before_send": event_privacy.before_send,
        "before_breadcrumb": event_privacy.before_breadcrumb,
        "event_scrubber": EventScrubber(send_default_pii=False, pii_denylist=denylist),
    }
{%- if cookiecutter.interface == "asgi" %}


def isolated(application):
    """The ASGI application, each request and WebSocket in a Sentry scope of its own
    once Sentry has started. Django's ASGI handler would get one from sentry-sdk, but
    config/asgi.py serves HTTP and WebSockets through its own parts: without this,
    what sentry-sdk attaches to one request would go with every later event of the
    process."""
    from django.conf import settings

    if not settings.SENTRY_STARTED:
        return application
    from sentry_sdk.integrations.asgi import SentryAsgiMiddleware
    from sentry_sdk.integrations.logging import ignore_logger

    tracked = SentryAsgiMiddleware(application)
    # The middleware reports an exception the application raises; the server then
    # logs it too ("Exception inside application"), which would be a second event.
    for server_logger in ("daphne.server", "uvicorn.error"):
        ignore_logger(server_logger)

    async def isolated_application(scope, receive, send):
        # Not the server's lifespan messages, which config/asgi.py does not take.
        run = tracked if scope["type"] in ("http", "websocket") else application
        return await run(scope, receive, send)

    return isolated_application
{%- endif %}

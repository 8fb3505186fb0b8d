"""Error tracking with Sentry, switched on by SENTRY_DSN alone.

With SENTRY_DSN set, every unhandled exception in a view{% if cookiecutter.interface == "asgi" %}, a WebSocket consumer{% endif %}{% if cookiecutter.background_worker == "celery" %} or a task{% endif %}
reaches the Sentry project the DSN names, filed under the commit the platform deployed
and SENTRY_ENVIRONMENT. sentry-sdk turns on its integrations for the libraries it
finds installed (Django{% if cookiecutter.background_worker == "celery" %}, Celery{% endif %}, logging{% if cookiecutter.interface == "asgi" %}: a consumer's exception reaches it through
the error the server logs{% endif %}):
https://docs.sentry.io/platforms/python/integrations/#auto-enabled-integrations
Without SENTRY_DSN nothing starts and nothing is sent.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from serving import client_address

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
    from sentry_sdk.scrubber import DEFAULT_PII_DENYLIST, EventScrubber
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)  # as sentry_sdk.init() reads it
    except BadDsn as error:
        raise ImproperlyConfigured(
            f"SENTRY_DSN is not a Sentry DSN ({error}): copy it from your Sentry"
            " project's Settings, Client Keys; it reads https://<key>@<host>/<project>."
        ) from None
    sentry_sdk.init(
        dsn=dsn,
        release=release(),
        environment=os.environ.get("SENTRY_ENVIRONMENT") or "production",
        # No cookies, user names, e-mail addresses or IP addresses in events unless
        # SENTRY_SEND_DEFAULT_PII asks for them: nor the frames' local variables, which
        # hold whatever a request carried (its headers, its user), nor the header in
        # which the platform's router names the visitor's address, which sentry-sdk
        # does not know as one.
        send_default_pii=send_default_pii,
        include_local_variables=send_default_pii,
        event_scrubber=EventScrubber(
            send_default_pii=send_default_pii,
            pii_denylist=[*DEFAULT_PII_DENYLIST, client_address.HEADER.lower()],
        ),
    )
    return True

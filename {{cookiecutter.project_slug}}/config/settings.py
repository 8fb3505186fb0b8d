"""Settings, read from the environment.

Locally, the .env file (written when the project was generated, or copied from
.env.example in a fresh clone) turns DEBUG on; on the platform every value comes
from the app's config. serving/env.py loads .env and reads the values.
Each option the project was generated with brings a config/*_settings.py module of
its own, imported whole below.
Builds import this module with none of the runtime values set (the buildpack runs
collectstatic before any secret or database is attached), so nothing here may
fail on a missing variable. Instead, the project's `environment` module stops a
server or a manage.py command that starts without PRODUCTION_ENVIRONMENT.
"""

import os
from email.utils import quote
from pathlib import Path
{%- if cookiecutter.media_storage == "s3" %}
from urllib.parse import urlsplit
{%- endif %}

import dj_database_url
{%- if cookiecutter.django_version == "5.2" %}
from csp import constants as CSP
{%- else %}
from django.utils.csp import CSP
{%- endif %}

{% if cookiecutter.background_worker == "celery" -%}
from config.celery_settings import *  # noqa: F403
{% endif -%}
{% if cookiecutter.interface == "asgi" -%}
from config.channel_layer_settings import *  # noqa: F403
{% endif -%}
from serving import email_url, error_tracking
from serving.env import env_choice, env_flag, env_list, env_whole_number

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_flag("DJANGO_DEBUG")

# What a production process must get from the platform. Local development runs
# without any of it, and so do its tests, which Django runs with DEBUG off.
{%- if cookiecutter.__uses_redis or cookiecutter.media_storage == "s3" %}
PRODUCTION_ENVIRONMENT = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
{%- if cookiecutter.__uses_redis %}
    "REDIS_URL",
{%- endif %}
{%- if cookiecutter.media_storage == "s3" %}
    # The bucket that keeps uploads, and the key that opens it.
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
{%- endif %}
]
{%- else %}
PRODUCTION_ENVIRONMENT = ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"]
{%- endif %}
REQUIRED_ENVIRONMENT = [] if DEBUG else PRODUCTION_ENVIRONMENT
# Local development may run without a key of its own (DEBUG alone serves pages);
# production never does, since DJANGO_SECRET_KEY is in PRODUCTION_ENVIRONMENT.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "django-insecure-local-development-only" if DEBUG else ""
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
# Origins other than the site's own whose pages may post forms{% if cookiecutter.interface == "asgi" %} and open WebSockets
# (serving/websocket_origins.py){% endif %}, e.g. https://www.example.com.
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First, so that its runserver command (which names missing variables{% if cookiecutter.interface == "asgi" %} and
    # serves WebSockets through daphne{% endif %}) wins.
    "{{ cookiecutter.project_slug }}",
    # The site's pages for django-allauth's accounts: before allauth, whose templates
    # of the same names its own replace.
    "accounts",
    "allauth",
    "allauth.account",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
{%- if cookiecutter.interface == "asgi" %}
    "live",  # the live login feed: README.md says how to remove it
{%- endif %}
{%- if cookiecutter.background_worker == "celery" %}
    "welcome",  # a task the worker runs for each new user: README.md
    "serving",  # the tasks that wait while the broker is away: serving/outbox.py
{%- endif %}
{%- if cookiecutter.media_storage == "s3" %}
    "profiles",  # a picture upload, kept in the S3 bucket: README.md
{%- endif %}
]

# The middleware that add the security headers (the HTTPS redirect too) to every
# response, static files included:
{%- if cookiecutter.interface == "wsgi" %} they come before WhiteNoise's, which answers
# static URLs.
{%- else %} serving/static_files.py, which answers static
# URLs before Django, sends the headers they add.
{%- endif %}
# SecurityMiddleware comes last, so that the others' headers go on its own answers
# too: the redirect to HTTPS, and the 400 for a Host that ALLOWED_HOSTS refuses.
SECURITY_HEADERS_MIDDLEWARE = [
{%- if cookiecutter.django_version == "5.2" %}
    # django-csp, the maintained Content Security Policy for Django 5.2 (Django 6.0
    # has its own).
    "csp.middleware.CSPMiddleware",
{%- else %}
    # Django's own, except on its debug pages (see security_headers.py).
    "{{ cookiecutter.project_slug }}.security_headers.ContentSecurityPolicyMiddleware",
{%- endif %}
    "{{ cookiecutter.project_slug }}.security_headers.cross_origin_resource_policy",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
]

MIDDLEWARE = [
    # Refuses to start a production server without REQUIRED_ENVIRONMENT.
    "{{ cookiecutter.project_slug }}.environment.RequireEnvironmentMiddleware",
    # Answers /healthz and /readyz before the Host check and HTTPS redirect.
    "{{ cookiecutter.project_slug }}.health.HealthCheckMiddleware",
    *SECURITY_HEADERS_MIDDLEWARE,
{%- if cookiecutter.interface == "wsgi" %}
    # Right after them, so static files get the security headers and skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
{%- else %}
    # No WhiteNoiseMiddleware: serving/static_files.py answers static URLs with its
    # files before Django, and a sync-only middleware here would take every async
    # view's request through a thread hop.
{%- endif %}
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
{%- if cookiecutter.interface == "asgi" %}
ASGI_APPLICATION = "config.asgi.application"
{%- endif %}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The request's nonce, for an inline <script> or <style>: README.md.
{%- if cookiecutter.django_version == "5.2" %}
                "csp.context_processors.nonce",
{%- else %}
                "django.template.context_processors.csp",
{%- endif %}
            ],
        },
    },
]

# Requests each web process serves at once with sync views, each on a thread of
{%- if cookiecutter.interface == "wsgi" %}
# its own (serving/wsgi_server.py). While one waits on the database
{%- else %}
# its own (config/asgi.py; async views wait on the event loop instead). While one
# waits on the database
{%- endif %}
# or another service, another runs; each holds a database connection of its own.
# README.md says when to raise it.
{%- if cookiecutter.interface == "asgi" and cookiecutter.asgi_server == "daphne" %} Two by default, not gunicorn's five: daphne
# reads each request in Python on its event loop's thread, which has to win the
# GIL back from the busy threads between steps, so more threads slow pages down.
{%- endif %}
WEB_THREADS = env_whole_number("WEB_THREADS", {{ cookiecutter.__threads_per_process }}, "threads", minimum=1)

# The largest request body the site accepts, enforced by every server before it reads
# the body (serving/request_bodies.py): anything larger gets 413 at once. 10 MB leaves
# room for forms and uploads, and lets a file a little over a form's own limit get
# that form's error instead. Django's own limits stay within it: form fields are read
# into memory up to 2.5 MB, and an uploaded file past that goes to a temporary file.
MAX_REQUEST_BODY_BYTES = env_whole_number(
    "DJANGO_MAX_REQUEST_BODY_BYTES", 10 * 1024 * 1024, "bytes", minimum=1
)
DATA_UPLOAD_MAX_MEMORY_SIZE = min(2_621_440, MAX_REQUEST_BODY_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = min(2_621_440, MAX_REQUEST_BODY_BYTES)

# DATABASE_URL comes from the Postgres add-on or managed database. Without it, DEBUG
# uses SQLite; production never does, since the platform's disk is wiped on restart.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEBUG else None,
{%- if cookiecutter.interface == "wsgi" %}
        conn_max_age=600,
{%- else %}
        conn_max_age=0,  # under ASGI, the pool below keeps the connections
{%- endif %}
        conn_health_checks=True,
{%- if cookiecutter.platform == "heroku" %}
        # Heroku Postgres only accepts TLS, but its DATABASE_URL does not say so;
        # Heroku marks every dyno with DYNO.
        ssl_require="DYNO" in os.environ,
{%- endif %}
    )
}
{%- if cookiecutter.platform == "digitalocean" %}
# App Platform's DATABASE_URL ends in ?sslmode=require, which dj-database-url keeps.
{%- endif %}

if DATABASES["default"].get("ENGINE", "").endswith("postgresql"):
    # Give up on a connection after 3 s (libpq waits forever by default), so that a
    # database that is down fails requests, and /readyz, instead of hanging them.
    # A web process's queries give up too, after 20 s: serving/web_process.py.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
{%- if cookiecutter.interface == "asgi" %}
    # Under ASGI, Django runs an async view's queries on a thread made for its request,
    # so a persistent connection would be left open on a thread that is gone, and a
    # few concurrent async views would use up the database's connections. Django's
    # advice is a pool: each process keeps up to WEB_THREADS + 2 connections (one per
    # sync-view thread, two more for async views and /readyz), and a request waits up
    # to 5 s for one, then fails with the 500 page rather than queue on.
    # https://docs.djangoproject.com/en/stable/ref/databases/#persistent-connections
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": WEB_THREADS + 2,
        "timeout": 5,
    }
{%- endif %}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The project's own user model (models.py of the project's app), there from the
# first migration.
AUTH_USER_MODEL = "{{ cookiecutter.project_slug }}.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Accounts: django-allauth's sign-up, log-in, e-mail verification and passwords,
# under /accounts/ in the site's own templates (accounts/templates).
# https://docs.allauth.org/en/latest/account/configuration.html
# allauth's backend, checking each login's password once (accounts/backends.py),
# alone: every log-in, the admin's too (config/urls.py), goes through allauth's form.
AUTHENTICATION_BACKENDS = ["accounts.backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
# "optional": a new account is signed in at once and asked to confirm its address,
# so a site that sends no mail yet (EMAIL_URL unset) still takes sign-ups.
# "mandatory": nobody logs in before confirming; the web process refuses to start
# without EMAIL_URL, which would lock every new account out (environment.py).
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "ACCOUNT_EMAIL_VERIFICATION", "optional", "mandatory"
)
# A reset asked for an address without an account mails nobody, so the form cannot
# be used to send mail to strangers; the page looks the same either way.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Rate limits, counted in the cache (CACHES) per visitor's address (REMOTE_ADDR,
# which serving/client_address.py sets to the address the platform's router saw; a
# header the client wrote never counts) and per "key": the account a login names
# (accounts/adapter.py), or the e-mail address a reset asked for. Failed logins: 10 a
# minute from one address, and 5 in 5 minutes for one account, by any of its names;
# while either is over, even the right password is refused. These replace allauth's
# defaults; its other limits stay as they are:
# https://docs.allauth.org/en/latest/account/rate_limits.html
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "signup": "20/m/ip",
}

# The cache keeps the rate limits' counts in the database, which every web process
# and {{ cookiecutter.__unit }} shares, so the limits hold across them all; a login needs nothing
# that it did not need before, so it goes on while Redis is away. No count is deleted
# before it expires, however many a flood adds (accounts/cache.py). The table comes
# from a migration (accounts/migrations).
CACHES = {
    "default": {
        "BACKEND": "accounts.cache.DatabaseCache",
        "LOCATION": "django_cache",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies that WhiteNoise serves with far-future cache headers.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
{%- if cookiecutter.media_storage == "s3" %}

# Uploads. The {{ cookiecutter.__unit }}'s disk is wiped on every deploy and restart, so in
# production they are kept in an S3 bucket (AWS S3, DigitalOcean Spaces or any
# S3-compatible store), private, and pages link to them with URLs signed for an
# hour. boto3 reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY itself. Locally,
# with DEBUG and no bucket, they go to MEDIA_ROOT and runserver serves them.
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"
# Where pages load the pictures from, for the Content Security Policy below: locally
# this site, in production the signed URLs' origin.
MEDIA_ORIGINS = []
if bucket := os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    # Spaces and other S3-compatible stores name their endpoint (and region).
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "signature_version": "s3v4",
            "querystring_auth": True,
            "querystring_expire": 3600,
            # Objects take the bucket's own (private) access; never overwrite one.
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    # boto3 signs URLs to the endpoint itself (https://ENDPOINT/BUCKET/KEY), and on
    # AWS to the bucket's own host.
    if endpoint:
        MEDIA_ORIGINS = ["{0.scheme}://{0.netloc}".format(urlsplit(endpoint))]
    else:
        MEDIA_ORIGINS = [f"https://{bucket}.s3.amazonaws.com"]
{%- endif %}

# The platform's router terminates TLS and always sets (or overwrites)
# X-Forwarded-Proto, so Django can trust it to know a request came over HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# HSTS tells browsers to refuse plain HTTP to this host for SECURE_HSTS_SECONDS, and
# cannot be taken back before then. Django's advice: start small (an hour), raise it
# to a year (31536000) once the site works over HTTPS, and set includeSubDomains only
# when every subdomain serves HTTPS; a preload listing takes months to undo. So both
# are opt-in, and check --deploy's reminders about them are silenced. README.md says
# how to raise each. https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security
SECURE_HSTS_SECONDS = (
    0 if DEBUG else env_whole_number("DJANGO_HSTS_SECONDS", 3600, "seconds")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

# Content Security Policy: browsers run scripts and styles only from the site's own
# files, or inline where the tag carries the request's nonce, connect only back to
# the site, load nothing from elsewhere{% if cookiecutter.media_storage == "s3" %} but the uploads' pictures{% endif %}, and let no other
# site frame the pages. An injected <script> then does not run.
# DJANGO_CSP_REPORT_ONLY=1 only reports what the policy would block, in the browser's
# console, while you try a third-party script; README.md shows how to allow one.
# https://docs.djangoproject.com/en/stable/ref/csp/
CSP_DIRECTIVES = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
{%- if cookiecutter.media_storage == "s3" %}
    "img-src": [CSP.SELF, *MEDIA_ORIGINS],
{%- else %}
    "img-src": [CSP.SELF],
{%- endif %}
{%- if cookiecutter.interface == "asgi" %}
    # 'self' matches the site's own WebSocket URLs (wss://) as well:
    # https://www.w3.org/TR/CSP3/#match-url-to-source-expression
{%- endif %}
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
{%- if cookiecutter.django_version == "5.2" %}
if env_flag("DJANGO_CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}
{%- else %}
if env_flag("DJANGO_CSP_REPORT_ONLY"):
    SECURE_CSP_REPORT_ONLY = CSP_DIRECTIVES
else:
    SECURE_CSP = CSP_DIRECTIVES
{%- endif %}

# The site's name, as the admin's header and the e-mail it sends show it.
SITE_NAME = {{ cookiecutter.project_name | python_string }}

# E-mail: password resets, and a report to ADMINS of every error page (500). EMAIL_URL
# names the provider in one of the forms serving/email_url.py lists, as the backend
# that sends (EMAIL_TRANSPORT). Without it, DEBUG prints each message on the console
# and production sends none: the web process logs so when it starts, and the
# password-reset page tells visitors. Python's SMTP waits forever by default; a
# provider that does not answer is given up on after 5 s.
EMAIL_TRANSPORT = email_url.parse(os.environ.get("EMAIL_URL", ""), timeout=5)
if EMAIL_TRANSPORT is None and DEBUG:
    EMAIL_TRANSPORT = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
{%- if cookiecutter.background_worker == "celery" %}
# Django sends through this backend, which queues each message for the worker; the
# worker sends it through EMAIL_TRANSPORT, so no page waits on the provider, and
# tries again, a little later each time, for EMAIL_RETRY_SECONDS while the provider
# fails: {{ cookiecutter.project_slug }}/tasks.py.
EMAIL_RETRY_SECONDS = env_whole_number("EMAIL_RETRY_SECONDS", 1800, "seconds")
{%- set email_backend = cookiecutter.project_slug ~ ".tasks.QueuedEmailBackend" %}
{%- else %}
# Django sends through this backend, which sends through EMAIL_TRANSPORT on a thread
# of its own once the page is answered, so that no page waits for the provider or
# tells by its time that it sent mail; a provider that is down or refuses the login
# costs one WARNING line: {{ cookiecutter.project_slug }}/mail.py.
{%- set email_backend = cookiecutter.project_slug ~ ".mail.EmailBackend" %}
{%- endif %}
{%- if cookiecutter.django_version == "5.2" %}
EMAIL_BACKEND = "{{ email_backend }}"
{%- else %}
MAILERS = {
    "default": {
        "BACKEND": "{{ email_backend }}",
    },
}
{%- endif %}
author_email = {{ cookiecutter.author_email | python_string }}
# The sender of the mail, by default the author's address under the site's name.
# Providers send only from addresses (or domains) you have verified with them.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL") or (
    f'"{quote(SITE_NAME)}" <{author_email}>'
)
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL") or DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX  # allauth's would be the host
# Who gets the error reports: comma-separated addresses.
ADMINS = env_list("DJANGO_ADMINS") or [author_email]
{%- if cookiecutter.django_version == "5.2" %}
ADMINS = [("", address) for address in ADMINS]  # Django 5.2 takes (name, address)
{%- endif %}

# The platform collects whatever the processes write to stdout.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "without_traceback": {
            "()": "{{ cookiecutter.project_slug }}.log_filters.WithoutTraceback",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
        # Mails each error (a 500, with its traceback) to ADMINS, as Django's default
        # logging does, which this replaces; the report leaves out what could wait
        # on the database ({{ cookiecutter.project_slug }}/mail.py).
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "reporter_class": "{{ cookiecutter.project_slug }}.mail.ErrorReport",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's default handler for its loggers, which would print every
        # message a second time on top of the root logger's.
        "django": {
            "handlers": ["stdout", "mail_admins"],
            "level": LOG_LEVEL,
            "propagate": False,
        },
        # A request for a host not in ALLOWED_HOSTS gets 400: one line that names the
        # host (which tells you what to add after attaching a custom domain), not a
        # traceback per scanner that tries an IP address or a made-up name.
        "django.security.DisallowedHost": {
            "handlers": ["stdout"],
            "filters": ["without_traceback"],
            "propagate": False,
        },
        # A readiness check that starts to fail: one line, and one mail, an outage.
        "{{ cookiecutter.project_slug }}.health": {
            "handlers": ["stdout", "mail_admins"],
            "propagate": False,
        },
{%- if cookiecutter.interface == "asgi" and cookiecutter.channel_layer == "redis-pubsub" %}
        # While Redis is away, the Pub/Sub layer's reader logs its failure to
        # reconnect once a second: one line each, naming the cause, not a traceback.
        "channels_redis.pubsub": {"filters": ["without_traceback"]},
{%- endif %}
    },
}

# Error tracking: with SENTRY_DSN set, unhandled exceptions also go to Sentry, without
# personal data unless SENTRY_SEND_DEFAULT_PII=1 (serving/error_tracking.py). Always
# installed, and off without a DSN, so any project can turn it on with one variable.
SENTRY_STARTED = error_tracking.start(
    send_default_pii=env_flag("SENTRY_SEND_DEFAULT_PII")
)

"""Settings, from the environment (serving/environment.py reads it, and loads .env).

Each option the project was generated with adds a config/*_settings.py, imported whole.
Builds import this before secrets exist, so nothing here fails on a missing one:
serving stops a server or manage.py command that lacks them (REQUIRED_ENVIRONMENT).
"""

import os
from email.utils import quote
from pathlib import Path

{% if cookiecutter.django_version == "5.2" -%}
from csp import constants as CSP
{%- else -%}
from django.utils.csp import CSP
{%- endif %}

{% if cookiecutter.background_worker == "celery" -%}
from config.celery_settings import *  # noqa: F403
{% endif -%}
{% if cookiecutter.interface == "asgi" -%}
from config.channel_layer_settings import *  # noqa: F403
{% endif -%}
{% if cookiecutter.media_storage == "s3" -%}
from config.media_settings import *  # noqa: F403
{% endif -%}
{% if cookiecutter.background_worker == "django-tasks" -%}
from config.tasks_settings import *  # noqa: F403
{% endif -%}
from serving.environment import (
    addresses,
    choice,
    database,
    email_url,
    flag,
    hosts,
    origins,
    whole_number,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = flag("DJANGO_DEBUG")

# What a production process must get from the platform; local development needs none.
PRODUCTION_ENVIRONMENT = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
{%- if cookiecutter.__uses_redis %}
    "REDIS_URL",
{%- endif %}
{%- if cookiecutter.media_storage == "s3" %}
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
{%- endif %}
]
REQUIRED_ENVIRONMENT = [] if DEBUG else PRODUCTION_ENVIRONMENT
# DEBUG may run without a key of its own; production requires DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "django-insecure-local-development-only" if DEBUG else ""
)
ALLOWED_HOSTS = hosts("DJANGO_ALLOWED_HOSTS")
# Other origins allowed to post forms{% if cookiecutter.interface == "asgi" %} and open WebSockets{% endif %}, e.g. https://example.com
CSRF_TRUSTED_ORIGINS = origins("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The template's code first, so that its runserver command (which names missing
    # variables{% if cookiecutter.interface == "asgi" %} and serves WebSockets through daphne{% endif %}) wins.
    "serving",
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
{%- if cookiecutter.background_worker == "django-tasks" %}
{%- if cookiecutter.django_version == "5.2" %}
    "django_tasks",  # Django 6.0's tasks API, for 5.2
{%- endif %}
    "django_tasks_db",  # the tasks' table, and the worker
{%- endif %}
{%- if cookiecutter.background_worker != "none" %}
    "welcome",  # a task the worker runs for each new user: README.md
{%- endif %}
{%- if cookiecutter.media_storage == "s3" %}
    "profiles",  # a picture upload, kept in the S3 bucket: README.md
{%- endif %}
]

# On every response, static files' too; SecurityMiddleware last, so its own get them.
SECURITY_HEADERS_MIDDLEWARE = [
{%- if cookiecutter.django_version == "5.2" %}
    # django-csp, the maintained Content Security Policy for Django 5.2 (Django 6.0
    # has its own).
    "csp.middleware.CSPMiddleware",
{%- else %}
    # Django's own, which its debug pages (inline scripts, no nonce) opt out of.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
{%- endif %}
    "serving.http.headers.CrossOriginResourcePolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
]

MIDDLEWARE = [
    # Answers /healthz and /readyz before the Host check and HTTPS redirect.
    "serving.checks.probes.probe_middleware",
    *SECURITY_HEADERS_MIDDLEWARE,
{%- if cookiecutter.interface == "wsgi" %}
    # Right after them, so static files get the security headers and skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
{%- else %}
    # Not WhiteNoiseMiddleware, which is sync-only: serving answers static files first.
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

# Threads per web process for sync views, each with a database connection: README.md.
{%- if cookiecutter.interface == "asgi" and cookiecutter.asgi_server == "daphne" %}
# Two, not five: more busy threads would starve daphne's event loop of the GIL.
{%- endif %}
WEB_THREADS = whole_number("WEB_THREADS", {{ cookiecutter.__threads_per_process }}, "threads", minimum=1)
{%- if cookiecutter.__runs_web_concurrency %}

# gunicorn.conf.py's worker processes, refused here where `check` and `migrate` see it.
WEB_CONCURRENCY = whole_number("WEB_CONCURRENCY", 2, "processes", minimum=1)
{%- endif %}

# Larger bodies get 413 before they are read (serving/http/body_limit.py).
MAX_REQUEST_BODY_BYTES = whole_number(
    "DJANGO_MAX_REQUEST_BODY_BYTES", 10 * 1024 * 1024, "bytes", minimum=1
)
DATA_UPLOAD_MAX_MEMORY_SIZE = min(2_621_440, MAX_REQUEST_BODY_BYTES)
FILE_UPLOAD_MAX_MEMORY_SIZE = min(2_621_440, MAX_REQUEST_BODY_BYTES)

# The platform's Postgres; SQLite for DEBUG alone, since the platform's disk is wiped.
DATABASES = {
    "default": database(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEBUG else "",
{%- if cookiecutter.interface == "wsgi" %}
        CONN_MAX_AGE=600,
{%- else %}
        CONN_MAX_AGE=0,  # a pool (below): async views query on per-request threads
{%- endif %}
        CONN_HEALTH_CHECKS=True,
    )
}
{%- if cookiecutter.platform == "digitalocean" %}
# App Platform's DATABASE_URL ends in ?sslmode=require, which django-environ keeps.
{%- endif %}

if DATABASES["default"].get("ENGINE", "").endswith("postgresql"):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # libpq waits forever: a database that is down fails requests and /readyz in 3 s.
    options["connect_timeout"] = 3
{%- if cookiecutter.platform == "heroku" %}
    # Heroku Postgres requires TLS, which its DATABASE_URL omits; DYNO marks a dyno.
    if "DYNO" in os.environ:
        options.setdefault("sslmode", "require")  # or the URL's, as verify-full
{%- endif %}
{%- if cookiecutter.interface == "asgi" %}
    # A connection goes back to the pool after each query outside a transaction, so an
    # async view that awaits holds none; at most 10 a process, of a small plan's 20.
    # https://docs.djangoproject.com/en/stable/ref/databases/#connection-pool
    options["pool"] = {
        "min_size": 1,
        "max_size": min(WEB_THREADS + 2, 10),
        "timeout": 5,
    }
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
{%- endif %}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The project's own user model (its app's models.py), there from the first migration.
AUTH_USER_MODEL = "{{ cookiecutter.project_slug }}.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: https://docs.allauth.org/en/latest/account/configuration.html
# Its backend alone: every log-in, the admin's too, goes through allauth's form.
AUTHENTICATION_BACKENDS = ["accounts.backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
# "optional" takes sign-ups without EMAIL_URL; "mandatory" will not start without it.
ACCOUNT_EMAIL_VERIFICATION = choice(
    "ACCOUNT_EMAIL_VERIFICATION", "optional", "mandatory"
)
# A reset for an address without an account mails nobody, and looks the same.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Per visitor address (CLIENT_ADDRESS_HEADER), per address asked for, and per account
# (accounts/adapter.py, accounts/forms.py):
# https://docs.allauth.org/en/latest/account/rate_limits.html
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_account": "5/m/key",
    "signup": "20/m/ip",
    "signup_address": "5/h/key",
    "manage_email": "10/m/user,20/m/ip",  # each address added is mailed
}
ACCOUNT_MAX_EMAIL_ADDRESSES = 2

# In the shared database, so rate limits hold across {{ cookiecutter.__unit }}s without Redis.
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
{%- if cookiecutter.media_storage == "s3" %}
    "default": MEDIA_STORAGE,  # noqa: F405 (uploads: config/media_settings.py)
{%- else %}
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
{%- endif %}
    # Hashed, compressed copies that WhiteNoise serves with far-future cache headers.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The platform's router terminates TLS, and always sets (or overwrites) this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
{%- if cookiecutter.platform == "heroku" %}
# Where the router writes the visitor's address, last, after any the client wrote:
# https://devcenter.heroku.com/articles/http-routing#heroku-headers
{%- else %}
# Where App Platform's edge writes the visitor's address:
# https://docs.digitalocean.com/support/where-can-i-find-the-client-ip-address-of-a-request-connecting-to-my-app/
{%- endif %}
CLIENT_ADDRESS_HEADER = "{{ cookiecutter.__client_address_header }}"
SECURE_SSL_REDIRECT = not DEBUG
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Browsers enforce HSTS for its whole max-age: an hour to start (README.md: raising).
# https://docs.djangoproject.com/en/stable/ref/middleware/#http-strict-transport-security
SECURE_HSTS_SECONDS = (
    0 if DEBUG else whole_number("DJANGO_HSTS_SECONDS", 3600, "seconds")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = flag("DJANGO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]  # the two opt-ins above

# Browsers load only the site's files and nonced tags{% if cookiecutter.media_storage == "s3" %}, and the uploads' pictures{% endif %}.
# README.md: allowing a script from elsewhere, first with DJANGO_CSP_REPORT_ONLY=1.
# {{ "https://django-csp.readthedocs.io/en/latest/configuration.html" if cookiecutter.django_version == "5.2" else "https://docs.djangoproject.com/en/stable/ref/csp/" }}
CSP_DIRECTIVES = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
{%- if cookiecutter.media_storage == "s3" %}
    "img-src": [CSP.SELF, *MEDIA_ORIGINS],  # noqa: F405 (config/media_settings.py)
{%- else %}
    "img-src": [CSP.SELF],
{%- endif %}
{%- if cookiecutter.interface == "asgi" %}
    # 'self' covers wss:// too: https://www.w3.org/TR/CSP3/#match-url-to-source-expression
{%- endif %}
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
{%- if cookiecutter.django_version == "5.2" %}
if flag("DJANGO_CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}
{%- else %}
if flag("DJANGO_CSP_REPORT_ONLY"):
    SECURE_CSP_REPORT_ONLY = CSP_DIRECTIVES
else:
    SECURE_CSP = CSP_DIRECTIVES
{%- endif %}

# The site's name, as the admin's header and the e-mail it sends show it.
SITE_NAME = {{ cookiecutter.project_name | python_string }}

# EMAIL_URL's provider, given up on after 5 s; without it, DEBUG prints each message and
# production sends none.
EMAIL_TRANSPORT = email_url("EMAIL_URL", timeout=5)
if EMAIL_TRANSPORT is None and DEBUG:
    EMAIL_TRANSPORT = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
{%- if cookiecutter.background_worker != "none" %}
{%- set queued = "tasks/mail.py" if cookiecutter.background_worker == "celery" else "mail/queued.py" %}
# Django queues each message for the worker, which sends it through EMAIL_TRANSPORT and
# tries again for EMAIL_RETRY_SECONDS while the provider fails: serving/{{ queued }}.
EMAIL_RETRY_SECONDS = whole_number("EMAIL_RETRY_SECONDS", 1800, "seconds")
{%- set email_backend = "serving." ~ queued[:-3].replace("/", ".") ~ ".QueuedEmailBackend" %}
{%- else %}
# Django sends through EMAIL_TRANSPORT on a thread once the page is answered, so no
# page waits for the provider or tells by its time that it sent mail (serving/mail/).
{%- set email_backend = "serving.mail.backends.EmailBackend" %}
{%- endif %}
{%- if cookiecutter.django_version == "5.2" %}
EMAIL_BACKEND = "{{ email_backend }}"
{%- else %}
MAILERS = {"default": {"BACKEND": "{{ email_backend }}"}}
{%- endif %}
author_email = {{ cookiecutter.author_email | python_string }}
# Providers send only from addresses (or domains) verified with them.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL") or (
    f'"{quote(SITE_NAME)}" <{author_email}>'
)
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL") or DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX  # allauth's would be the host
# Who gets the error reports: comma-separated addresses, or the author's, unless it is
# at example.com, which receives no mail (RFC 2606), as the question's placeholder is.
ADMINS = addresses("DJANGO_ADMINS") or [
    address for address in [author_email] if not address.endswith("@example.com")
]
{%- if cookiecutter.django_version == "5.2" %}
ADMINS = [("", address) for address in ADMINS]  # Django 5.2 takes (name, address)
{%- endif %}

# The platform collects whatever the processes write to stdout.
LOG_LEVEL = choice("DJANGO_LOG_LEVEL", "INFO", "DEBUG", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "without_traceback": {"()": "serving.log_filters.WithoutTraceback"},
        "lost_connection": {"()": "serving.log_filters.LostConnectionWithoutTraceback"},
        "once_per_error": {"()": "serving.log_filters.OncePerError"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
        # Mails each error to ADMINS, as Django's default logging does, once in ten
        # minutes, without what could wait on the database (serving/mail/reports.py).
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "once_per_error"],
            "reporter_class": "serving.mail.reports.ErrorReport",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own handler, which would print every line twice.
        "django": {
            "handlers": ["stdout", "mail_admins"],
            "level": LOG_LEVEL,
            "propagate": False,
        },
        # A Host not in ALLOWED_HOSTS: one line naming it, not a traceback per scanner.
        "django.security.DisallowedHost": {
            "handlers": ["stdout"],
            "filters": ["without_traceback"],
            "propagate": False,
        },
{%- if cookiecutter.interface == "asgi" %}
        # The pool retries a database that is away; /readyz says why, once.
        "psycopg.pool": {"level": "ERROR"},
{%- endif %}
        # A connection the event loop lost: one line; a bug keeps its traceback.
        "asyncio": {"filters": ["lost_connection"]},
        # A readiness check that starts to fail: one line, and one mail, an outage.
        "serving.checks.probes": {
            "handlers": ["stdout", "mail_admins"],
            "propagate": False,
        },
{%- if cookiecutter.interface == "asgi" and cookiecutter.channel_layer == "redis-pubsub" %}
        # The Pub/Sub reader's failures, once a second while Redis is away: a line each.
        "channels_redis.pubsub": {"filters": ["without_traceback"]},
{%- endif %}
    },
}

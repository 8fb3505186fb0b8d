"""Celery's settings, which config/settings.py takes in whole: web requests queue tasks
in Redis and the worker process runs them (config/celery.py), on a 512 MB {{ cookiecutter.__unit }}.
https://docs.celeryq.dev/en/stable/userguide/configuration.html
"""

import ssl

from serving.environment import flag, redis_url, whole_number

# Heroku Key-Value Store or App Platform's managed Valkey.
REDIS_URL = redis_url("REDIS_URL")
# Locally, without REDIS_URL, DEBUG runs each task inside the request that queued it,
# and kombu, given no broker's host, warns that it will look on localhost.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost//"
CELERY_TASK_ALWAYS_EAGER = flag("DJANGO_DEBUG") and not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # no result backend: tasks report through the database
# Acknowledged once run, so that a task cut short by a restart goes back on the queue;
# one task at a time per worker process, so that none waits behind a slow one.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task nobody acknowledged (its worker killed) is redelivered after an hour:
    # longer than any task's time limit.
    "visibility_timeout": 3600,
    # A request gives up at once on a broker that is away, and after a few seconds on
    # one that does not answer: its task waits in the database (OutboxTask).
    "max_retries": 0,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "socket_keepalive": True,
}
# One broker connection per process (README.md, Scale out): a thread that waits 2 s
# for it (a stalled broker) keeps its task in the database instead.
CELERY_BROKER_POOL_LIMIT = 1
CELERY_BROKER_POOL_ACQUIRE_TIMEOUT = 2
# The worker waits for the broker however long it is away (Celery stops after ~50 min).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
{%- if cookiecutter.platform == "heroku" %}
# Heroku sends SIGTERM to every process of the dyno, and SIGKILL {{ cookiecutter.__worker_kill_seconds }} s later:
# https://devcenter.heroku.com/articles/dyno-shutdown-behavior
{%- else %}
# App Platform sends SIGTERM, and SIGKILL {{ cookiecutter.__worker_kill_seconds }} s later (the worker's
# termination.grace_period_seconds in .do/app.yaml):
# https://docs.digitalocean.com/products/app-platform/reference/app-spec/
{%- endif %}
# REMAP_SIGTERM=SIGQUIT makes SIGTERM a soft shutdown: tasks get this long, then go
# back on the queue. https://docs.celeryq.dev/en/stable/userguide/workers.html#soft-shutdown
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = whole_number(
    "WORKER_SHUTDOWN_SECONDS", {{ cookiecutter.__worker_shutdown_seconds }}, "seconds", minimum=1
)
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True  # puts countdown tasks back too
# A hung task gets SoftTimeLimitExceeded at 4 minutes and is killed at 5 (README.md),
# far beyond the shutdown window, in which Celery reads no results.
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Two worker processes fit the {{ cookiecutter.__unit }}; one past 200 MB is replaced after its task.
CELERY_WORKER_CONCURRENCY = 2
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 200_000  # KiB
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # settings.py's LOGGING writes its lines
if REDIS_URL.startswith("rediss://"):
{%- if cookiecutter.platform == "heroku" %}
    # Heroku Key-Value Store's certificate is self-signed.
    CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": ssl.CERT_NONE}
{%- else %}
    # App Platform's managed Valkey has a publicly trusted certificate: verify it.
    CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
{%- endif %}

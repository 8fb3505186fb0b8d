"""The Celery app that the worker process runs (`worker` in {% if cookiecutter.platform == "heroku" %}the Procfile{% else %}.do/app.yaml{% endif %}).

The form Celery's Django guide gives: settings come from the CELERY_* names of
Django's settings (config/celery_settings.py), and tasks from each installed app's
tasks.py.
https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os
import sys

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task waits in the database while the broker is away (serving/outbox.py).
app = Celery("config", task_cls="serving.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def require_environment(**kwargs):
    """Stop a worker that starts without the platform's variables, in one sentence,
    as the web process does, rather than retrying a broker that is not there."""
    from serving import environment

    if missing := environment.missing_environment():
        sys.exit(f"Error: {environment.describe(missing)}")


@worker_ready.connect
def send_tasks_queued_while_the_broker_was_away(**kwargs):
    from serving import outbox

    outbox.send_while_running(app)

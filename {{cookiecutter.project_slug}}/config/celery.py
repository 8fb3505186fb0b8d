"""The Celery app that the worker process runs (`worker` in {% if cookiecutter.platform == "heroku" %}the Procfile{% else %}.do/app.yaml{% endif %}).

The form Celery's Django guide gives: settings come from the CELERY_* names of
Django's settings (config/celery_settings.py), and tasks from each installed app's
tasks.py.
https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task waits in the database while the broker is away (serving/outbox.py).
app = Celery("config", task_cls="serving.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def load_django_settings(**kwargs):
    """Celery first reads Django's settings as it parses the worker's options: load
    them here, where a setting the worker cannot run with stops it in one sentence
    (serving/startup_errors.py), not in a traceback."""
    from django.conf import settings

    from serving.startup_errors import stop_in_one_sentence

    with stop_in_one_sentence():
        settings.INSTALLED_APPS  # noqa: B018 (imports the settings module)


@worker_init.connect
def require_environment(**kwargs):
    """Stop a worker that starts without the platform's variables, in one sentence,
    as the web process does, rather than retrying a broker that is not there."""
    from serving import environment
    from serving.startup_errors import stop

    if missing := environment.missing_environment():
        stop(environment.describe(missing), status=1)


@worker_ready.connect
def send_tasks_queued_while_the_broker_was_away(**kwargs):
    from serving import outbox

    outbox.send_while_running(app)

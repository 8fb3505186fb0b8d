"""The worker's Celery app, as Celery's Django guide writes it.
https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
"""

import os

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task waits in the database while the broker is away (serving/tasks/outbox.py).
app = Celery("config", task_cls="serving.tasks.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def set_up_django(**kwargs):
    """Django set up where a bad setting stops the worker in one sentence."""
    import django
    from django.apps import apps

    from serving.checks.startup import stop_in_one_sentence

    with stop_in_one_sentence():
        if not apps.ready:  # a web process that queues a task has set it up
            django.setup()


@worker_init.connect
def require_environment(**kwargs):
    """A worker without the platform's variables stops, as the web process does."""
    from serving.checks.startup import problems, stop

    if found := problems():
        stop(found[0])


@worker_ready.connect
def send_tasks_queued_while_the_broker_was_away(**kwargs):
    from serving.tasks import outbox

    outbox.send_while_running(app)

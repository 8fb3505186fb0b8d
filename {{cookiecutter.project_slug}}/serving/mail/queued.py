"""Mail sent by the worker, queued in the database, retried (messages.py)."""

import datetime

from django.dispatch import receiver
{% if cookiecutter.django_version != "5.2" -%}
from django.tasks import task
from django.tasks.signals import task_finished
{% endif -%}
from django.utils import timezone
{%- if cookiecutter.django_version == "5.2" %}
from django_tasks import task
from django_tasks.signals import task_finished
{%- endif %}
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .backends import transport
from .messages import QueueingBackend, from_fields, next_try


@task
def send_email(fields: dict, attempt: int = 0) -> int:
    message = from_fields(fields)
    try:
        return transport().send_messages([message]) or 0
    except Exception as error:  # whatever the provider's library raises
        # Run inside the request (no worker, locally), it cannot wait: it gives up.
        can_wait = send_email.get_backend().supports_defer
        if (delay := next_try(message, error, attempt, can_wait)) is not None:
            later = timezone.now() + datetime.timedelta(seconds=delay)
            send_email.using(run_after=later).enqueue(fields, attempt + 1)
        return 0


@receiver(task_finished)
def forget_the_message(sender, task_result, **kwargs):
    """A message's row keeps no copy once it is dealt with: a password reset's link."""
    in_a_row = isinstance(task_result.task.get_backend(), DatabaseBackend)
    if in_a_row and task_result.task.func is send_email.func:
        rows = DBTaskResult.objects.filter(id=task_result.id)
        rows.update(args_kwargs={"args": [], "kwargs": {}})


class QueuedEmailBackend(QueueingBackend):
    def queue(self, fields: dict) -> None:
        send_email.enqueue(fields)

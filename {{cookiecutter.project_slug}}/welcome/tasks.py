import os
import socket

{% if cookiecutter.background_worker == "celery" -%}
from celery import shared_task
{% endif -%}
from django.contrib.auth import get_user_model
{%- if cookiecutter.interface == "asgi" %}
from django.dispatch import Signal
{%- endif %}
{%- if cookiecutter.background_worker == "django-tasks" %}
{%- if cookiecutter.django_version == "5.2" %}
from django_tasks import task
{%- else %}
from django.tasks import task
{%- endif %}
{%- endif %}

from .models import Welcome
{%- if cookiecutter.interface == "asgi" %}

# Sent in the worker process once a user is welcomed: the live feed announces it.
user_welcomed = Signal()
{%- endif %}


{{ "@shared_task" if cookiecutter.background_worker == "celery" else "@task" }}
def welcome(user_id: int) -> None:
    """Record that the worker welcomed a new user{% if cookiecutter.interface == "asgi" %}, and say so to whoever listens{% endif %}.
    Safe to run twice: a task cut short by a restart runs again."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:  # deleted before the worker got to it
        return
    {% if cookiecutter.interface == "asgi" %}_, created = {% endif %}Welcome.objects.get_or_create(
        user=user, defaults={"worker": f"{socket.gethostname()} pid {os.getpid()}"}
    )
{%- if cookiecutter.interface == "asgi" %}
    if created:
        user_welcomed.send(sender=Welcome, user=user)
{%- endif %}

import os
import socket

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import Welcome


@shared_task
def welcome(user_id: int) -> None:
    """Record that the worker welcomed a new user, and say so to whoever listens
    (the live feed, in ASGI projects). Safe to run twice: with acks_late, a task
    cut short by a restart runs again."""
    from .signals import user_welcomed

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:  # deleted before the worker got to it
        return
    _, created = Welcome.objects.get_or_create(
        user=user, defaults={"worker": f"{socket.gethostname()} pid {os.getpid()}"}
    )
    if created:
        user_welcomed.send(sender=Welcome, user=user)

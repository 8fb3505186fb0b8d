"""Queue the welcome task for each new user, once the user is saved for good."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .tasks import welcome

logger = logging.getLogger(__name__)


def queue_welcome(user_id: int) -> None:
    try:
{%- if cookiecutter.background_worker == "celery" %}
        # While the broker is away, it waits in the database (serving/tasks/outbox.py).
        welcome.delay(user_id)
{%- else %}
        welcome.enqueue(user_id)
{%- endif %}
    except Exception as error:  # the database is away too
        logger.warning("Could not queue the welcome of user %s: %r", user_id, error)


@receiver(post_save, sender=get_user_model())
def welcome_new_user(sender, instance, created, **kwargs):
    if created:
        # After the commit, so that the worker finds the user in the database.
        transaction.on_commit(lambda: queue_welcome(instance.pk))

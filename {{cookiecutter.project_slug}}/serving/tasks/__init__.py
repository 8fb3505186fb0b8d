"""Celery: tasks wait in the database while the broker is away (outbox.py), and mail
goes out from the worker (mail.py). Celery's autodiscover_tasks() imports this."""

from .mail import send_email

__all__ = ["send_email"]

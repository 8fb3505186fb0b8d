"""Celery's tasks of serving, which autodiscover_tasks() imports."""

from .mail import send_email

__all__ = ["send_email"]

from django.apps import AppConfig


class ServingConfig(AppConfig):
    """The template's code as an app, for its table of the tasks that wait for the
    broker (serving/outbox.py)."""

    name = "serving"
    default_auto_field = "django.db.models.BigAutoField"

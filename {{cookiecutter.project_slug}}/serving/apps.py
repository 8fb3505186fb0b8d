import logging

from django.apps import AppConfig
from django.core.checks import register


class ServingConfig(AppConfig):
    """serving as an app: its system check, commands and error tracking."""

    name = "serving"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import error_tracking
        from .checks import probes, startup

        register(startup.check_environment)
        logging.getLogger("django.request").addFilter(probes.answered_by_probe)
        error_tracking.start()

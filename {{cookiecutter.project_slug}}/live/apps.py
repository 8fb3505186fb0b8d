from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live login feed"

    def ready(self):
        # Connects the login and logout receivers.
        from . import signals  # noqa: F401

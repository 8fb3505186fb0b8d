from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from . import adapter  # noqa: F401 (its receiver ends a lock on reset)

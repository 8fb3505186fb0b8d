from django.apps import AppConfig


class {{ cookiecutter.project_slug.title().replace("_", "") }}Config(AppConfig):
    name = "{{ cookiecutter.project_slug }}"

    def ready(self):
        # Registers the system check that reports missing production settings.
        from . import environment  # noqa: F401

from django.apps import AppConfig


class {{ cookiecutter.project_slug.title().replace("_", "") }}Config(AppConfig):
    name = "{{ cookiecutter.project_slug }}"

    def ready(self):
        # Register the system checks: missing production settings{% if cookiecutter.interface == "asgi" and cookiecutter.channel_layer == "redis" %}, and the parts of
        # channels-redis that the channel layer overrides{% endif %}.
{%- if cookiecutter.interface == "asgi" and cookiecutter.channel_layer == "redis" %}
        import config.channel_layers  # noqa: F401
{% endif %}
        from . import environment  # noqa: F401

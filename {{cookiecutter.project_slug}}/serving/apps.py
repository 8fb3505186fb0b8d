{%- set asgi = cookiecutter.interface == "asgi" -%}
{%- set core_redis_layer = asgi and cookiecutter.channel_layer == "redis" -%}
from django.apps import AppConfig
{%- if core_redis_layer %}
from django.core.checks import register
{%- endif %}


class ServingConfig(AppConfig):
    """The template's code as an app: its system checks, its runserver command and,
    in a project with a worker, the table of the tasks that wait for the broker."""

    name = "serving"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the system check that reports missing production settings.
        from . import environment  # noqa: F401
{%- if core_redis_layer %}

        register(check_channels_redis)
{%- endif %}
{%- if core_redis_layer %}


def check_channels_redis(app_configs, **kwargs):
    """What serving/channel_layers.py overrides of channels-redis, for `manage.py
    check` and the release's `migrate`. Imported only then: the web process loads
    channels-redis when it first uses the layer."""
    from .channel_layers import upstream_problems

    return upstream_problems()
{%- endif %}

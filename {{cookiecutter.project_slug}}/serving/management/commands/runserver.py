"""`manage.py runserver`, naming missing variables before Django's ALLOWED_HOSTS."""

{% if cookiecutter.interface == "asgi" -%}
# daphne's, serving WebSockets; its app would load Twisted into every process.
from daphne.management.commands.runserver import Command as RunserverCommand
{%- else -%}
from django.contrib.staticfiles.management.commands.runserver import (
    Command as RunserverCommand,
)
{%- endif %}
from django.core.management import CommandError

from serving.checks.startup import problems


class Command(RunserverCommand):
    def handle(self, *args, **options):
        if found := problems():
            raise CommandError(found[0])
        super().handle(*args, **options)

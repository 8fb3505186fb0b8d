"""`manage.py runserver`, saying which variables are missing before Django complains
of ALLOWED_HOSTS (in a fresh clone, which has no .env)."""

{% if cookiecutter.interface == "asgi" -%}
# daphne's, which serves WebSockets too; daphne stays out of INSTALLED_APPS, whose
# app would load Twisted into every process for this one command.
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

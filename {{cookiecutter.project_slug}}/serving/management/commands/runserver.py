"""`manage.py runserver`, refusing to start without the production variables.

Django's own runserver stops first with "You must set settings.ALLOWED_HOSTS if DEBUG
is False", which does not say what to do; this says which variables are missing and
how to set them (in a fresh clone: copy .env.example to .env).
"""

{% if cookiecutter.interface == "asgi" -%}
# daphne's runserver serves WebSockets too. daphne itself stays out of INSTALLED_APPS:
# its app imports Twisted (a quarter of a second of start-up) into every process that
# sets up Django, for the sake of this one command.
from daphne.management.commands.runserver import Command as RunserverCommand
{%- else -%}
from django.contrib.staticfiles.management.commands.runserver import (
    Command as RunserverCommand,
)
{%- endif %}
from django.core.management import CommandError

from serving.environment import describe, missing_environment


class Command(RunserverCommand):
    def handle(self, *args, **options):
        if missing := missing_environment():
            raise CommandError(describe(missing))
        super().handle(*args, **options)

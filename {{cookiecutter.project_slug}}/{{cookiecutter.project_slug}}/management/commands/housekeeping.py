{% if cookiecutter.background_worker == "django-tasks" -%}
"""Deletes what nothing else deletes: expired sessions, which Django keeps until
`clearsessions` runs, the database cache's expired entries, and tasks that finished
over 14 days ago. The platform runs it daily (README.md, Scheduled jobs); it is safe to
run at any time, and twice."""
{%- else -%}
"""Deletes what nothing else deletes: expired sessions, which Django keeps until
`clearsessions` runs, and the database cache's expired entries. The platform runs it
daily (README.md, Scheduled jobs); it is safe to run at any time, and twice."""
{%- endif %}

{% if cookiecutter.background_worker == "django-tasks" -%}
from django.conf import settings
{% endif -%}
from django.core.cache import caches
from django.core.management import BaseCommand, call_command


class Command(BaseCommand):
    help = "Delete expired sessions{{ ", expired cache entries and old tasks" if cookiecutter.background_worker == "django-tasks" else " and expired cache entries" }}."

    def handle(self, *args, **options):
        call_command("clearsessions")
        entries = caches["default"].delete_expired()
{%- if cookiecutter.background_worker == "django-tasks" %}
        if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
            call_command("prune_db_task_results", queue_name="*", min_age_days=14)
{%- endif %}
        self.stdout.write(f"Deleted expired sessions and {entries} expired cache rows.")

"""Django's tasks, which config/settings.py takes in whole: web requests queue tasks
in PostgreSQL and the worker process runs them (`python manage.py tasks_worker`).
https://docs.djangoproject.com/en/stable/topics/tasks/
"""

import os

from serving.environment import flag

# Each task run inside the code that queues it, as conftest.py runs them in tests.
immediate = {"BACKEND": "{{ 'django_tasks' if cookiecutter.django_version == '5.2' else 'django.tasks' }}.backends.immediate.ImmediateBackend"}

# Locally, without DATABASE_URL (SQLite), DEBUG runs each task inside the request.
if flag("DJANGO_DEBUG") and not os.environ.get("DATABASE_URL"):
    TASKS = {"default": immediate}
else:
    # https://github.com/RealOrangeOne/django-tasks-db
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

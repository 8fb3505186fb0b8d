{%- if cookiecutter.background_worker == "celery" -%}
# Loaded with Django, so that the tasks' @shared_task finds the Celery app.
from .celery import app as celery_app

__all__ = ("celery_app",)
{% endif -%}

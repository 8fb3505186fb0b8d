"""The project's user model, there from the first migration.

Django recommends a custom user model for every new project: a field added here
later is one migration away, while replacing auth.User once the database has its
tables is a manual job
(https://docs.djangoproject.com/en/stable/topics/auth/customizing/#using-a-custom-user-model-when-starting-a-project).
Refer to it as settings.AUTH_USER_MODEL in models and get_user_model() elsewhere.
"""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """Django's user, with its username, e-mail address and password; add the
    project's own fields here (README.md, "Run it locally")."""

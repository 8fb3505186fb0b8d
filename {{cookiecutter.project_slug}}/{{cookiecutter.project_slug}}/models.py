"""The project's user model, there from the first migration.

Django recommends a custom user model for every new project: a field added here
later is one migration away, while replacing auth.User once the database has its
tables is a manual job
(https://docs.djangoproject.com/en/stable/topics/auth/customizing/#using-a-custom-user-model-when-starting-a-project).
Refer to it as settings.AUTH_USER_MODEL in models and get_user_model() elsewhere.
"""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models


class UsernameValidator(UnicodeUsernameValidator):
    """Django's, without "@": a username that is an e-mail address would be another
    account's name too, and a login by it would reach both accounts."""

    regex = r"^[\w.+-]+\Z"
    message = "Enter a username of letters, digits and ./+/-/_ only."


class User(AbstractUser):
    """Django's user, with its username, e-mail address and password; add the
    project's own fields here (README.md, "Run it locally")."""

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="150 characters or fewer: letters, digits and ./+/-/_ only.",
        validators=[UsernameValidator()],
        error_messages={"unique": "A user with that username already exists."},
    )

"""The user model, there from the first migration, as Django recommends: refer to it as
settings.AUTH_USER_MODEL in models and get_user_model() elsewhere.
https://docs.djangoproject.com/en/stable/topics/auth/customizing/#using-a-custom-user-model-when-starting-a-project
"""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models


class UsernameValidator(UnicodeUsernameValidator):
    """Django's, without "@": a username must never be another account's address."""

    regex = r"^[\w.+-]+\Z"
    message = "Enter a username of letters, digits and ./+/-/_ only."


class User(AbstractUser):
    """Django's user; add the project's own fields here."""

    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        help_text="150 characters or fewer: letters, digits and ./+/-/_ only.",
        validators=[UsernameValidator()],
        error_messages={"unique": "A user with that username already exists."},
    )

    def save(self, *args, **kwargs):
        # allauth looks addresses up lowercased; Django lowercases only the domain.
        self.email = self.email.lower()
        super().save(*args, **kwargs)

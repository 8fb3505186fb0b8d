from django.conf import settings
from django.db import models


class Profile(models.Model):
    """A user's picture, kept in STORAGES["default"]: the S3 bucket in production."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # Stored under a random name, so that a picture's URL says nothing of its user.
    picture = models.ImageField(upload_to="pictures/")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}'s profile"

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver


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


@receiver(post_delete, sender=Profile)
def delete_the_picture(sender, instance, **kwargs):
    """A deleted account's picture leaves the bucket too, once the deletion commits."""
    name, storage = instance.picture.name, instance.picture.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))

from django.conf import settings
from django.db import models


class Welcome(models.Model):
    """Written by the worker, once per new user: the proof that it ran."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="welcome"
    )
    welcomed_at = models.DateTimeField(auto_now_add=True)
    # The worker process's host name and pid, to show which process ran the task.
    worker = models.CharField(max_length=200)

    def __str__(self):
        return f"{self.user} welcomed by {self.worker}"

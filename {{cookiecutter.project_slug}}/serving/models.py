from django.db import models


class QueuedTask(models.Model):
    """A task queued while the broker was away, for the worker to send."""

    name = models.CharField(max_length=200)
    message = models.TextField()  # its arguments and options, as Celery's JSON
    queued_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.name} ({self.queued_at:%Y-%m-%d %H:%M:%S})"

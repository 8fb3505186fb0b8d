import copy

from django.views.debug import ExceptionReporter


class ErrorReport(ExceptionReporter):
    """Django's report to ADMINS, without variables or user: both query the database."""

    def __init__(self, request, *args, **kwargs):
        if request is not None:
            request = copy.copy(request)
            request.user = "[not looked up]"
        super().__init__(request, *args, **kwargs)

    def get_traceback_frames(self):
        frames = super().get_traceback_frames()
        for frame in frames:
            frame.pop("vars", None)
        return frames

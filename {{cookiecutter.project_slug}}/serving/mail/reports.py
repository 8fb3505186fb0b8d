import copy

from django.views.debug import ExceptionReporter


class ErrorReport(ExceptionReporter):
    """The admins' report of an error page (LOGGING's mail_admins): Django's, without
    local variables or the user, whose repr and lookup query the database, which may
    be what failed, while the visitor waits for the error page."""

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

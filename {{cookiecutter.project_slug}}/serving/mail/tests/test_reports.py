import sys

from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from serving.mail.reports import ErrorReport


class QueriesOnRepr:
    """Stands in for a QuerySet, whose repr runs its query."""

    reprs = 0

    def __repr__(self):
        QueriesOnRepr.reprs += 1
        return "<QuerySet []>"


def failing_view(request):
    users = QueriesOnRepr()  # noqa: F841 (a local variable of the failing frame)
    raise RuntimeError("a bug in a view")


def test_the_error_report_runs_no_query_of_its_own():
    request = RequestFactory().get("/broken/")
    request.user = SimpleLazyObject(lambda: 1 / 0)  # not looked up by the request
    try:
        failing_view(request)
    except RuntimeError:
        report = ErrorReport(request, *sys.exc_info(), is_email=True)

    text = report.get_traceback_text()

    assert "RuntimeError at /broken/" in text and "failing_view" in text
    assert "[not looked up]" in text
    assert QueriesOnRepr.reprs == 0

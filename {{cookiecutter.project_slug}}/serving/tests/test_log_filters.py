import logging

from serving.log_filters import OncePerError


def log_on_asyncio(error: Exception) -> None:
    try:
        raise error
    except type(error):
        logging.getLogger("asyncio").exception("Future exception was never retrieved")


def test_a_lost_connection_on_the_event_loop_is_one_line(caplog):
    log_on_asyncio(ConnectionResetError(104, "Connection reset by peer"))

    (record,) = caplog.records
    assert record.exc_info is None
    assert "(ConnectionResetError: [Errno 104] Connection reset by peer)" in record.msg


def test_a_bug_on_the_event_loop_keeps_its_traceback(caplog):
    log_on_asyncio(ValueError("a bug"))

    (record,) = caplog.records
    assert record.exc_info is not None


def broken_view():
    raise KeyError("a missing key")


def other_broken_view():
    raise KeyError("another missing key")


def server_error(view) -> logging.LogRecord:
    """Django's record of an error a view raised, as django.request logs it."""
    try:
        view()
    except KeyError as error:
        exc_info = (KeyError, error, error.__traceback__)
    return logging.makeLogRecord({"msg": "Internal Server Error", "exc_info": exc_info})


def test_an_error_is_mailed_once_however_often_it_is_raised():
    mail = OncePerError()
    again = [mail.filter(server_error(broken_view)) for _ in range(3)]
    elsewhere = mail.filter(server_error(other_broken_view))

    assert again == [True, False, False]
    assert elsewhere is True  # raised on another line: another error
    assert mail.filter(logging.makeLogRecord({"msg": "no error"})) is True

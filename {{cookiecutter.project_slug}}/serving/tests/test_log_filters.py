import logging


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

import pytest

from serving.database_reach import describe
from serving.env_values import SettingError
from serving.startup_errors import stop_in_one_sentence

LIBPQ_SAYS = (
    'connection failed: connection to server at "10.0.0.2", port 5432 failed:'
    ' FATAL:  password authentication failed for user "app"'
)


def test_a_bad_setting_stops_the_process_with_its_sentence_alone(capsys):
    with pytest.raises(SystemExit) as stopped, stop_in_one_sentence(status=4):
        raise SettingError("DJANGO_DEBUG is 'ture': set it to 1 or 0.")

    assert stopped.value.code == 4
    assert capsys.readouterr().err == "DJANGO_DEBUG is 'ture': set it to 1 or 0.\n"


def test_any_other_error_keeps_its_traceback():
    with pytest.raises(KeyError), stop_in_one_sentence():
        raise KeyError("a bug in a command")


def test_an_unreachable_database_is_named_by_libpqs_reason_without_its_password():
    params = {"host": "db.internal", "port": 5432, "dbname": "app", "password": "pw9"}

    sentence = describe(params, LIBPQ_SAYS)

    assert sentence.startswith("The database at db.internal:5432/app (DATABASE_URL)")
    assert 'authentication failed for user "app"; copy DATABASE_URL' in sentence
    assert "pw9" not in sentence
    assert "\n" not in sentence

import pytest
from django.core.exceptions import ImproperlyConfigured

from serving.email_url import parse

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def smtp(host, port, username="", password="", use_tls=False, use_ssl=False):
    options = {"host": host, "port": port, "username": username, "password": password}
    options |= {"use_tls": use_tls, "use_ssl": use_ssl, "timeout": 5}
    return {"BACKEND": SMTP, "OPTIONS": options}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://apikey:p%40ss%3Aw%2Frd@smtp.example.com",
            smtp("smtp.example.com", 587, "apikey", "p@ss:w/rd", use_tls=True),
        ),
        (
            "smtps://user%40example.com:secret@mail.example.com",
            smtp("mail.example.com", 465, "user@example.com", "secret", use_ssl=True),
        ),
        ("smtp+insecure://relay.internal", smtp("relay.internal", 25)),
        ("SMTP://u:p@h.example:2525", smtp("h.example", 2525, "u", "p", use_tls=True)),
    ],
)
def test_smtp_forms(url, expected):
    assert parse(url, timeout=5) == expected


def test_api_forms():
    postmark = parse("postmark://server-token@", timeout=5)
    eu = "https://api.eu.mailgun.net/v3"
    mailgun = parse(f"mailgun://key-1@mg.example.com?api_url={eu}", timeout=5)

    assert postmark == {
        "BACKEND": "anymail.backends.postmark.EmailBackend",
        "OPTIONS": {"server_token": "server-token", "requests_timeout": 5},
    }
    assert mailgun == {
        "BACKEND": "anymail.backends.mailgun.EmailBackend",
        "OPTIONS": {
            "api_key": "key-1",
            "api_url": eu,
            "requests_timeout": 5,
            "sender_domain": "mg.example.com",
        },
    }


def test_no_url_means_no_mail():
    assert parse("  ", timeout=5) is None


@pytest.mark.parametrize(
    "url",
    [
        "smpt://user:hunter2@smtp.example.com",
        "smtp://user:hunter2@smtp.example.com:http",
        "postmark://smtp.example.com",
        "user:hunter2@smtp.example.com",
    ],
)
def test_a_wrong_url_is_one_sentence_without_the_password(url):
    with pytest.raises(ImproperlyConfigured) as refused:
        parse(url, timeout=5)

    message = str(refused.value)
    assert message.startswith("EMAIL_URL") and message.endswith(".")
    assert "hunter2" not in message

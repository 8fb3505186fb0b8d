import pytest

from serving.email_url import parse
from serving.env_values import SettingError

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def smtp(host, port, username="", password="", tls=False, ssl=False):
    options = {"host": host, "port": port, "username": username, "password": password}
    options |= {"use_tls": tls, "use_ssl": ssl, "timeout": 5}
    return {"BACKEND": SMTP, "OPTIONS": options}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # As django-environ and dj-email-url read them: smtps:// is STARTTLS.
        (
            "smtps://apikey:p%40ss%3Aw%2Frd@smtp.example.com:587",
            smtp("smtp.example.com", 587, "apikey", "p@ss:w/rd", tls=True),
        ),
        (
            "smtp://user%40example.com:secret@mail.example.com:465?ssl=True",
            smtp("mail.example.com", 465, "user@example.com", "secret", ssl=True),
        ),
        ("smtp+ssl://u:p@h.example:465", smtp("h.example", 465, "u", "p", ssl=True)),
        ("smtp+tls://u:p@h.example:2525", smtp("h.example", 2525, "u", "p", tls=True)),
        ("smtp://u:p@h.example:25?tls=on", smtp("h.example", 25, "u", "p", tls=True)),
        ("SMTPS://u:p@H.example", smtp("h.example", 25, "u", "p", tls=True)),
        ("smtp://relay.internal", smtp("relay.internal", 25)),
        ("smtp+insecure://relay.internal:2525", smtp("relay.internal", 2525)),
        # A login in clear: to this machine, or to a host the URL says it trusts.
        ("smtp://u:p@127.0.0.1:1025", smtp("127.0.0.1", 1025, "u", "p")),
        ("smtp://u:p@[::1]:1025", smtp("::1", 1025, "u", "p")),
        ("smtp://u:p@relay?plaintext_login=yes", smtp("relay", 25, "u", "p")),
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
        "smtp://user:hunter2@smtp.example.com:587",
        "smtp+insecure://user:hunter2@relay.internal?plaintext_login=no",
        "smtps://user:hunter2@smtp.example.com:465",
        "smtp+ssl://user:hunter2@smtp.example.com",
        "smtp://user:hunter2@smtp.example.com:587?ssl=1",
        "submission://user:hunter2@smtp.example.com",
        "postmark://smtp.example.com",
        "user:hunter2@smtp.example.com",
    ],
)
def test_a_wrong_url_is_one_sentence_without_the_password(url):
    with pytest.raises(SettingError) as refused:
        parse(url, timeout=5)

    message = str(refused.value)
    assert message.startswith("EMAIL_URL") and message.endswith(".")
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("smtp://user:pw@smtp.example.com:587", "would send its login over the"),
        ("smtps://user:pw@smtp.example.com:465", "asks for STARTTLS on port 465"),
        ("smtp+ssl://user:pw@smtp.example.com", "asks for implicit TLS on port 25"),
    ],
)
def test_a_url_that_cannot_send_safely_is_refused_with_its_reason(url, reason):
    with pytest.raises(SettingError, match=reason):
        parse(url, timeout=5)

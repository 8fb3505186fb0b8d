import pytest

from serving import environment
from serving.environment import SettingError

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def parse(url, monkeypatch):
    monkeypatch.setenv("EMAIL_URL", url)
    return environment.email_url("EMAIL_URL", timeout=5)


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
def test_smtp_forms(url, expected, monkeypatch):
    assert parse(url, monkeypatch) == expected


def test_api_forms(monkeypatch):
    postmark = parse("postmark://server-token@", monkeypatch)
    eu = "https://api.eu.mailgun.net/v3"
    mailgun = parse(f"mailgun://key-1@mg.example.com?api_url={eu}", monkeypatch)

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


def test_no_url_means_no_mail(monkeypatch):
    assert parse("  ", monkeypatch) is None


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
        "smtps://user:hunter2@[::1:587",
    ],
)
def test_a_wrong_url_is_one_sentence_without_the_password(url, monkeypatch):
    with pytest.raises(SettingError) as refused:
        parse(url, monkeypatch)

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
def test_a_url_that_cannot_send_safely_is_refused_with_its_reason(
    url, reason, monkeypatch
):
    with pytest.raises(SettingError, match=reason):
        parse(url, monkeypatch)


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True),
        (" Yes ", True),
        ("true", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_a_switch_reads_on_and_off(monkeypatch, value, on):
    monkeypatch.setenv("DJANGO_HSTS_PRELOAD", value)

    assert environment.flag("DJANGO_HSTS_PRELOAD") is on


@pytest.mark.parametrize("value", ["ture", "2", "enabled"])
def test_a_switch_that_is_neither_on_nor_off_is_refused(monkeypatch, value):
    monkeypatch.setenv("DJANGO_HSTS_PRELOAD", value)

    with pytest.raises(SettingError) as refusal:
        environment.flag("DJANGO_HSTS_PRELOAD")

    assert str(refusal.value).startswith(
        f"DJANGO_HSTS_PRELOAD is {value!r}: set it to 1"
    )


@pytest.mark.parametrize("value", ["abc", "-1", "0", "2.5"])
def test_a_whole_number_below_its_minimum_or_not_one_is_refused(monkeypatch, value):
    monkeypatch.setenv("WEB_THREADS", value)

    with pytest.raises(SettingError, match=f"^WEB_THREADS is '{value}': set it to a"):
        environment.whole_number("WEB_THREADS", 2, "threads", minimum=1)


def test_hosts_and_origins_as_django_matches_them_are_read(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", ".example.com,[::1],127.0.0.1")
    monkeypatch.setenv("DJANGO_CSRF_TRUSTED_ORIGINS", "https://*.example.com")
    hosts = environment.hosts("DJANGO_ALLOWED_HOSTS")
    origins = environment.origins("DJANGO_CSRF_TRUSTED_ORIGINS")

    assert hosts == [".example.com", "[::1]", "127.0.0.1"]
    assert origins == ["https://*.example.com"]


def test_addresses_are_read_without_their_spaces(monkeypatch):
    monkeypatch.setenv("DJANGO_ADMINS", " a@example.com, ,b@example.com ")

    assert environment.addresses("DJANGO_ADMINS") == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize("value", ["ops", "a@example.com;b@example.com", "a b@c.com"])
def test_an_entry_that_is_not_an_address_is_refused(monkeypatch, value):
    monkeypatch.setenv("DJANGO_ADMINS", f"a@example.com,{value}")

    with pytest.raises(SettingError) as refusal:
        environment.addresses("DJANGO_ADMINS")

    assert str(refusal.value).startswith(f"DJANGO_ADMINS has {value!r}: write e-mail")


def test_a_database_url_is_read_with_its_password_decoded(monkeypatch):
    url = "postgres://app:p%40ss%23word@db.example.com:5432/app?sslmode=require"
    monkeypatch.setenv("DATABASE_URL", url)

    read = environment.database("DATABASE_URL", CONN_MAX_AGE=0)

    assert read["ENGINE"] == "django.db.backends.postgresql"
    assert (read["HOST"], read["PORT"], read["NAME"]) == ("db.example.com", 5432, "app")
    assert (read["PASSWORD"], read["CONN_MAX_AGE"]) == ("p@ss#word", 0)
    assert read["OPTIONS"]["sslmode"] == "require"


@pytest.mark.parametrize("url", ["garbage", "mysql://u:hunter2@db/app"])
def test_a_database_url_that_is_not_postgresql_is_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)

    with pytest.raises(SettingError) as refusal:
        environment.database("DATABASE_URL")

    assert str(refusal.value).startswith("DATABASE_URL is not a PostgreSQL URL")
    assert "hunter2" not in str(refusal.value)


@pytest.mark.parametrize("url", ["postgres://", "postgres://u:hunter2@db.example.com"])
def test_a_database_url_without_a_database_name_is_refused(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)

    with pytest.raises(SettingError, match="^DATABASE_URL names no") as refusal:
        environment.database("DATABASE_URL")

    assert "hunter2" not in str(refusal.value)


@pytest.mark.parametrize(
    "value",
    ["https://example.com/", "example.com/app", "example.com:443", "[::1]:8000", "a b"],
)
def test_a_host_written_as_a_url_is_refused(monkeypatch, value):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", f"app.example.com,{value}")

    with pytest.raises(SettingError) as refusal:
        environment.hosts("DJANGO_ALLOWED_HOSTS")

    assert str(refusal.value).startswith(f"DJANGO_ALLOWED_HOSTS has {value!r}: write")


@pytest.mark.parametrize(
    "value", ["b.example.com", "https://", "https://b.example.com/", "https://b c.com"]
)
def test_an_origin_without_its_scheme_or_host_is_refused(monkeypatch, value):
    monkeypatch.setenv("DJANGO_CSRF_TRUSTED_ORIGINS", f"https://a.example.com,{value}")

    with pytest.raises(SettingError) as refusal:
        environment.origins("DJANGO_CSRF_TRUSTED_ORIGINS")

    assert str(refusal.value).startswith(
        f"DJANGO_CSRF_TRUSTED_ORIGINS has {value!r}: write each origin as a scheme"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://user:hunter2@cache:6379",
        "cache.internal:6379",
        "redis://:hunter2@cache:port/0",
        "redis://:hunter2@/0",
        "redis://:hunter2@[::1:6379/0",
    ],
)
def test_a_redis_url_that_is_not_one_is_refused_without_its_password(monkeypatch, url):
    monkeypatch.setenv("REDIS_URL", url)

    with pytest.raises(SettingError) as refusal:
        environment.redis_url("REDIS_URL")

    assert str(refusal.value).startswith("REDIS_URL is not a Redis URL")
    assert "hunter2" not in str(refusal.value)


def test_an_empty_choice_is_its_default_as_an_empty_flag_is_off(monkeypatch):
    monkeypatch.setenv("DJANGO_LOG_LEVEL", "")

    assert environment.choice("DJANGO_LOG_LEVEL", "INFO", "DEBUG") == "INFO"


def test_a_choice_names_every_value_it_takes(monkeypatch):
    monkeypatch.setenv("DJANGO_LOG_LEVEL", "loud")

    with pytest.raises(SettingError) as refusal:
        environment.choice("DJANGO_LOG_LEVEL", "INFO", "DEBUG", "WARNING")

    assert str(refusal.value) == (
        "DJANGO_LOG_LEVEL is 'loud': set it to DEBUG or WARNING, or to INFO (or leave"
        " it unset)."
    )

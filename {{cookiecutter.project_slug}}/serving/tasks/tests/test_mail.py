from datetime import UTC, datetime

import pytest
from anymail.message import AnymailMessage
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from kombu.utils import json

from serving.mail.messages import as_fields, retry_delays
from serving.tasks.mail import send_email

FIELDS = (
    "subject",
    "body",
    "from_email",
    "to",
    "cc",
    "bcc",
    "reply_to",
    "extra_headers",
)
ANYMAIL_FIELDS = {
    "tags": ["reset"],
    "metadata": {"user_id": 7},
    "template_id": "welcome-template",
    "merge_data": {"a@example.com": {"name": "A"}},
    "merge_global_data": {"site": "Example"},
    "esp_extra": {"MessageStream": "outbound"},
    "track_clicks": False,
    "send_at": datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
}


@pytest.fixture(autouse=True)
def sent_to_the_outbox(settings):
    backend = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_TRANSPORT = {"BACKEND": backend}


def across_the_queue(message):
    """What the worker gets: the fields as Celery's JSON carries them."""
    return json.loads(json.dumps(as_fields(message, json.dumps)))


def test_the_worker_sends_the_message_a_page_queued():
    original = EmailMultiAlternatives(
        subject="Hello",
        body="Plain text",
        from_email="Site <site@example.com>",
        to=["a@example.com"],
        cc=["b@example.com"],
        bcc=["d@example.com"],
        reply_to=["c@example.com"],
        headers={"X-Kind": "test"},
    )
    original.attach_alternative("<p>HTML</p>", "text/html")
    original.attach("data.bin", b"\x00\xff binary", "application/octet-stream")
    original.attach("note.txt", "some text", "text/plain")

    assert send_email(across_the_queue(original)) == 1

    (sent,) = mail.outbox
    for field in FIELDS:
        assert getattr(sent, field) == getattr(original, field), field
    assert sent.alternatives == original.alternatives
    assert sent.attachments == original.attachments


def test_django_anymail_fields_cross_the_queue():
    original = AnymailMessage(
        subject="Hello", body="Text", to=["a@example.com"], **ANYMAIL_FIELDS
    )

    assert send_email(across_the_queue(original)) == 1

    (sent,) = mail.outbox
    for field, value in ANYMAIL_FIELDS.items():
        assert getattr(sent, field) == value, field


def test_retries_double_and_stop_within_the_time_given():
    delays = retry_delays(1800)

    assert delays[:4] == [2, 4, 8, 16] and max(delays) == 300
    assert sum(delays) <= 1800 < sum(delays) + 300
    assert retry_delays(1) == []

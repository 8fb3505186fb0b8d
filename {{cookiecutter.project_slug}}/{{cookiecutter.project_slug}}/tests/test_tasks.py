from django.core import mail
from django.core.mail import EmailMultiAlternatives

from {{ cookiecutter.project_slug }}.tasks import as_fields, send_email

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


def test_the_worker_sends_the_message_a_page_queued(settings):
    settings.EMAIL_TRANSPORT = {
        "BACKEND": "django.core.mail.backends.locmem.EmailBackend"
    }
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

    assert send_email(as_fields(original)) == 1

    (sent,) = mail.outbox
    for field in FIELDS:
        assert getattr(sent, field) == getattr(original, field), field
    assert list(map(tuple, sent.alternatives)) == list(
        map(tuple, original.alternatives)
    )
    assert list(map(tuple, sent.attachments)) == list(map(tuple, original.attachments))

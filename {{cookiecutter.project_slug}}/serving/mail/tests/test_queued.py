import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from config.tasks_settings import immediate
from serving.mail.queued import QueuedEmailBackend, send_email

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def queued_in_the_database(settings):
    settings.TASKS = DATABASE_BACKEND
    backend = "django.core.mail.backends.locmem.EmailBackend"
    settings.EMAIL_TRANSPORT = {"BACKEND": backend}


def message() -> EmailMultiAlternatives:
    original = EmailMultiAlternatives(
        "Hello", "Text", "site@example.com", ["a@example.com"]
    )
    original.attach_alternative("<p>HTML</p>", "text/html")
    return original


@pytest.mark.django_db
def test_a_page_queues_the_message_and_the_worker_sends_it():
    assert QueuedEmailBackend().send_messages([message()]) == 1

    (queued,) = DBTaskResult.objects.all()
    assert mail.outbox == [] and queued.status == "READY"
    args = queued.args_kwargs["args"]
    assert send_email.call(*args) == 1
    (sent,) = mail.outbox
    assert (sent.subject, sent.to, sent.alternatives) == (
        "Hello",
        ["a@example.com"],
        message().alternatives,
    )


@pytest.mark.django_db
def test_a_sent_message_leaves_no_copy_of_itself_in_the_task_table():
    """Anyone who may read the table (a view-only admin, a backup) would read a
    password reset's link there for the 14 days the row is kept."""
    QueuedEmailBackend().send_messages([message()])
    (queued,) = DBTaskResult.objects.all()

    worker_of("default").run_task(queued)

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and len(mail.outbox) == 1
    assert queued.args_kwargs == {"args": [], "kwargs": {}}


@pytest.mark.django_db
def test_a_message_sent_inside_the_request_is_sent_once_without_a_warning(
    settings, caplog
):
    settings.TASKS = {"default": immediate}  # locally, without DATABASE_URL

    assert QueuedEmailBackend().send_messages([message()]) == 1

    assert len(mail.outbox) == 1
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


def worker_of(backend_name: str) -> Worker:
    """django-tasks-db's worker, as `tasks_worker` runs it, for one task at a time."""
    return Worker(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=1,
        worker_id="test",
        excluded_queue_names=[],
    )


@pytest.mark.django_db
def test_a_provider_that_fails_is_tried_again_later(settings, caplog):
    settings.EMAIL_TRANSPORT = {"BACKEND": "serving.mail.tests.test_queued.Refusing"}
    QueuedEmailBackend().send_messages([message()])
    (first,) = DBTaskResult.objects.all()

    assert send_email.call(*first.args_kwargs["args"]) == 0

    again = DBTaskResult.objects.exclude(id=first.id).get()
    assert again.args_kwargs["args"][1] == 1  # the second attempt
    assert (again.run_after - again.enqueued_at).total_seconds() > 1.5
    assert "trying again in 2 s" in caplog.text


class Refusing:
    def __init__(self, **options):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the provider is down")

import pytest
from django.contrib.auth import get_user_model

from config.celery import app
from welcome.models import Welcome
from welcome.tasks import welcome

PASSWORD = "a-long-enough-test-password"


@pytest.fixture
def celery_settings():
    """celery_settings(name=value, ...): Celery's settings for one test, put back
    afterwards."""
    saved = {}

    def change(**settings):
        for name in settings:
            saved.setdefault(name, app.conf[name])
        app.conf.update(settings)

    yield change
    app.conf.update(saved)


def sign_up(client, username):
    fields = {"username": username, "email": f"{username}@example.com"}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", fields, secure=True)


@pytest.mark.django_db
def test_a_new_user_is_welcomed_and_the_home_page_says_so(
    client, celery_settings, django_capture_on_commit_callbacks
):
    celery_settings(task_always_eager=True)  # the worker's part, in this process

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "bob")

    assert response.status_code == 302
    record = Welcome.objects.get(user__username="bob")
    home = client.get("/", secure=True).content.decode()
    assert 'id="welcome-status" data-state="done"' in home
    assert record.worker in home


@pytest.mark.django_db
def test_until_the_worker_runs_the_home_page_says_it_is_queued(client, celery_settings):
    celery_settings(task_always_eager=True)
    # The test's transaction is never committed, so the task is never queued.
    sign_up(client, "carol")

    home = client.get("/", secure=True).content.decode()
    assert 'data-state="queued"' in home


@pytest.mark.django_db
def test_welcoming_twice_records_one_welcome():
    user = get_user_model().objects.create_user("dave", password=PASSWORD)

    welcome(user.pk)
    welcome(user.pk)

    assert Welcome.objects.filter(user=user).count() == 1

import pytest
from django.contrib.auth import get_user_model

from welcome.models import Welcome
from welcome.tasks import welcome

PASSWORD = "a-long-enough-test-password"


def sign_up(client, username):
    fields = {"username": username, "email": f"{username}@example.com"}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    return client.post("/accounts/signup/", fields, secure=True)


@pytest.mark.django_db
def test_a_new_user_is_welcomed_and_the_home_page_says_so(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, "bob")

    assert response.status_code == 302
    record = Welcome.objects.get(user__username="bob")
    home = client.get("/", secure=True).content.decode()
    assert 'id="welcome-status" data-state="done"' in home
    assert record.worker in home


@pytest.mark.django_db
def test_until_the_worker_runs_the_home_page_says_it_is_queued(client):
    # The test's transaction is never committed, so the task is never queued.
    sign_up(client, "carol")

    home = client.get("/", secure=True).content.decode()
    assert 'data-state="queued"' in home


@pytest.mark.django_db
def test_welcoming_twice_records_one_welcome():
    user = get_user_model().objects.create_user("dave", password=PASSWORD)

    welcome{{ ".call" if cookiecutter.background_worker == "django-tasks" }}(user.pk)
    welcome{{ ".call" if cookiecutter.background_worker == "django-tasks" }}(user.pk)

    assert Welcome.objects.filter(user=user).count() == 1

import asyncio
import logging
import threading
import time

import django
import pytest
from django.db import OperationalError

from serving.checks import probes


@pytest.fixture
def production_host_checks(settings):
    # The platform probes by IP address over plain HTTP, which production refuses.
    settings.ALLOWED_HOSTS = ["app.example.com"]
    settings.SECURE_SSL_REDIRECT = True


def test_health_check_answers_the_platform_probe(client, production_host_checks):
    response = client.get("/healthz", headers={"host": "10.0.0.7"})

    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readiness_probe_checks_what_requests_need(client, production_host_checks):
    response = client.get("/readyz", headers={"host": "10.0.0.7"})

    assert response.status_code == 200
    assert response.json() == {name: "ok" for name in probes.CHECKS}


@pytest.fixture
def an_admin(settings):
    address = "ops@example.org"
    settings.ADMINS = [address] if django.VERSION >= (6,) else [("", address)]


@pytest.fixture(autouse=True)
def no_outage_yet(monkeypatch):
    monkeypatch.setattr(probes, "failing", set())


def test_readiness_probe_names_what_failed_and_logs_why_once(
    client, production_host_checks, an_admin, monkeypatch, caplog, mailoutbox
):
    async def database_is_down():
        raise OperationalError("connection to db.internal:5432 refused")

    async def database_is_back():
        pass

    monkeypatch.setitem(probes.CHECKS, "database", database_is_down)

    with caplog.at_level(logging.INFO):
        for _ in range(3):  # probed again and again through one outage
            response = client.get("/readyz", headers={"host": "10.0.0.7"})
            assert response.status_code == 503
        monkeypatch.setitem(probes.CHECKS, "database", database_is_back)
        assert client.get("/readyz", headers={"host": "10.0.0.7"}).status_code == 200

    assert response.json()["database"] == "unavailable"
    # The reason names hosts: it goes to the log, never to the client.
    assert b"db.internal" not in response.content
    logged = [r.getMessage() for r in caplog.records if r.name == probes.__name__]
    assert logged == [
        "/readyz: the database check fails:"
        " OperationalError: connection to db.internal:5432 refused",
        "/readyz: the database check passes again",
    ]
    # One mail to the admins for the outage, not one for each probe.
    (mail,) = mailoutbox
    assert "the database check fails" in mail.subject


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
@pytest.mark.django_db
def test_the_probes_carry_the_pages_security_headers(
    client, production_host_checks, settings, path
):
    settings.SECURE_HSTS_SECONDS = 3600  # as in production
    plain = client.get(path, headers={"host": "10.0.0.7"})
    secure = client.get(
        path, headers={"host": "10.0.0.7", "x-forwarded-proto": "https"}
    )

    assert plain["X-Content-Type-Options"] == "nosniff"
    assert plain["X-Frame-Options"] == "DENY"
    assert plain["Referrer-Policy"] == "same-origin"
    assert plain["Cross-Origin-Opener-Policy"] == "same-origin"
    assert plain["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "default-src 'none'" in plain["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in plain  # only over HTTPS
    assert secure["Strict-Transport-Security"].startswith("max-age=")


def test_a_check_that_hangs_fails_within_the_timeout(
    client, production_host_checks, monkeypatch
):
    async def hangs():
        await asyncio.sleep(60)

    monkeypatch.setattr(probes, "CHECK_TIMEOUT", 0.2)
    monkeypatch.setitem(probes.CHECKS, "database", hangs)
    started = time.monotonic()

    response = client.get("/readyz", headers={"host": "10.0.0.7"})

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    # Far from the check's 60 s, with room for a busy CI machine.
    assert time.monotonic() - started < 10


async def test_probes_that_come_while_a_check_runs_or_just_ran_share_it(monkeypatch):
    monkeypatch.setattr(probes, "FRESH_SECONDS", 60)
    runs = []

    async def check():
        runs.append("run")
        await asyncio.sleep(0.1)

    shared = probes.Shared(check)
    await asyncio.gather(*(shared() for _ in range(10)))
    await shared()  # within FRESH_SECONDS of the run's end

    assert runs == ["run"]


async def test_a_stale_answer_is_checked_again(monkeypatch):
    monkeypatch.setattr(probes, "FRESH_SECONDS", 0)
    runs = []

    async def check():
        runs.append("run")

    shared = probes.Shared(check)
    await shared()
    await shared()

    assert runs == ["run", "run"]


@pytest.mark.django_db(transaction=True)
async def test_the_database_is_checked_on_a_thread_of_its_own(monkeypatch):
    threads = []
    select_one = probes.select_one

    def noting_the_thread():
        threads.append(threading.current_thread().name)
        select_one()

    monkeypatch.setattr(probes, "select_one", noting_the_thread)

    await probes.check_database()

    assert threads and threads[0].startswith("readiness")


async def test_a_probe_that_gives_up_leaves_the_shared_run_going(monkeypatch):
    monkeypatch.setattr(probes, "FRESH_SECONDS", 0)
    finished = []

    async def slow_check():
        await asyncio.sleep(0.3)
        finished.append("done")

    shared = probes.Shared(slow_check)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await shared()
    await shared()  # the same run, still going

    assert finished == ["done"]

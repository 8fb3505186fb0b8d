import asyncio
import logging
import threading
import time

import pytest
from django.db import OperationalError

from serving import health


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
    assert response.json() == {name: "ok" for name in health.CHECKS}


@pytest.fixture(autouse=True)
def no_outage_yet(monkeypatch):
    monkeypatch.setattr(health, "outages", health.Outages())


def test_readiness_probe_names_what_failed_and_logs_why_once(
    client, production_host_checks, monkeypatch, caplog, mailoutbox
):
    async def database_is_down():
        raise OperationalError("connection to db.internal:5432 refused")

    async def database_is_back():
        pass

    monkeypatch.setitem(health.CHECKS, "database", database_is_down)

    with caplog.at_level(logging.INFO):
        for _ in range(3):  # probed again and again through one outage
            response = client.get("/readyz", headers={"host": "10.0.0.7"})
            assert response.status_code == 503
        monkeypatch.setitem(health.CHECKS, "database", database_is_back)
        assert client.get("/readyz", headers={"host": "10.0.0.7"}).status_code == 200

    assert response.json()["database"] == "unavailable"
    # The reason names hosts: it goes to the log, never to the client.
    assert b"db.internal" not in response.content
    logged = [r.getMessage() for r in caplog.records if r.name == health.__name__]
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

    monkeypatch.setattr(health, "CHECK_TIMEOUT", 0.2)
    monkeypatch.setitem(health.CHECKS, "database", hangs)
    started = time.monotonic()

    response = client.get("/readyz", headers={"host": "10.0.0.7"})

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    # Far from the check's 60 s, with room for a busy CI machine.
    assert time.monotonic() - started < 10


def test_probes_that_come_while_a_run_is_going_share_it():
    release = threading.Event()
    runs = []

    def slow_query():
        runs.append(threading.current_thread().name)
        release.wait(timeout=5)

    shared = health.SharedRun(slow_query, fresh_seconds=0)
    first, second = shared.future(), shared.future()
    release.set()
    first.result(timeout=5)
    third = shared.future()
    third.result(timeout=5)

    assert first is second and third is not first
    assert len(runs) == 2
    # On a thread of its own, never one that serves pages.
    assert all(name.startswith("readiness") for name in runs)


def test_a_recent_answer_is_given_again():
    runs = []
    shared = health.SharedRun(lambda: runs.append("run"), fresh_seconds=60)
    first = shared.future()
    first.result(timeout=5)

    assert shared.future() is first
    assert runs == ["run"]
{%- if cookiecutter.interface == "asgi" %}


def test_probes_on_one_event_loop_share_a_channel_layer_round_trip():
    runs = []

    async def round_trip():
        runs.append("run")
        await asyncio.sleep(0.1)

    shared = health.SharedOnLoop(round_trip, fresh_seconds=60)

    async def flood():
        await asyncio.gather(*(shared() for _ in range(10)))
        await shared()  # within fresh_seconds of the run's end

    asyncio.run(flood())
    assert runs == ["run"]
    asyncio.run(shared())  # another event loop starts its own run
    assert runs == ["run", "run"]


def test_a_probe_that_gives_up_leaves_the_shared_run_going():
    finished = []

    async def slow_round_trip():
        await asyncio.sleep(0.3)
        finished.append("done")

    shared = health.SharedOnLoop(slow_round_trip, fresh_seconds=0)

    async def give_up_then_wait():
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await shared()
        await shared()  # the same run, still going

    asyncio.run(give_up_then_wait())
    assert finished == ["done"]
{%- endif %}

"""Attacker tier: account enumeration by time or wording. Through the exact web
command, with mandatory e-mail verification (allauth's enumeration prevention then
covers sign-ups too) and a mail provider that takes a second to accept each message,
an attacker compares, for addresses that have an account and addresses that have
none:

- a login with a wrong password (by e-mail address, which allauth also tries as a
  username), with the production password hasher;
- a password-reset request;
- a sign-up with a fresh username (a taken username shows, as the README says).

Each pair is tried TRIES times, interleaved, each try from an address of its own and
for an account of its own, so that no rate limit answers instead. The median time of
the known addresses must be close to the unknown ones' (NOISE_SECONDS, NOISE_SHARE: a
second password hash, or a message sent while the page waits, is several times that),
and the answers alike.

One group per server, both platforms, with and without Celery: App Platform's
gunicorn and uvicorn, and Heroku's daphne with Celery, Django 6.1.
"""

import statistics
import time

import pytest

from tests.support import machine, platform_env
from tests.support.mail_servers import SmtpServer
from tests.support.visitors import Visitor

TRIES = 7
PASSWORD = "enumeration-tier-password"
WRONG = "not-the-password"
PROVIDER_DELAY = 1.0  # seconds the provider takes to accept a message
# How far apart the medians may be: a tenth of a second and 30% of the slower one, for
# the noise of a machine shared with other tests. The leaks this looks for are a whole
# password hash more (as long again as a wrong password's page) or the provider's
# second.
NOISE_SECONDS, NOISE_SHARE = 0.1, 0.3


ENUMERATION_GROUPS = {
    "digitalocean-wsgi-dj6.1",
    "digitalocean-asgi-uvicorn-redis-dj6.1",
    "heroku-asgi-daphne-redis-dj6.1-celery-s3",
}
pytestmark = pytest.mark.only(groups=ENUMERATION_GROUPS)


@pytest.fixture(scope="module")
def slow_provider():
    server = SmtpServer(delay=PROVIDER_DELAY)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def task_queue(redis_url, worker_id, database_url) -> str:
    """A Redis database of the module's own, for the mail the site queues with Celery:
    no worker of another tier sends it."""
    yield machine.empty_task_queue(redis_url, worker_id, database_url)
    machine.empty_task_queue(redis_url, worker_id, database_url)


@pytest.fixture(scope="module")
def server(start_web, slow_provider, task_queue) -> int:
    return start_web(
        ACCOUNT_EMAIL_VERIFICATION="mandatory",
        EMAIL_URL=f"smtp+insecure://127.0.0.1:{slow_provider.port}",
        REDIS_URL=task_queue,
    )


@pytest.fixture(scope="module")
def known(create_users) -> list[str]:
    """The e-mail addresses of TRIES accounts, one for each try."""
    names = [f"known{n}" for n in range(TRIES)]
    create_users(names, PASSWORD)
    return [f"{name}@example.com" for name in names]


def unknown(n: int) -> str:
    return f"nobody{n}-{time.monotonic_ns()}@example.com"


def posted(port: int, platform: str, page: str, fields: dict) -> tuple[int, str, float]:
    """Post the form of `page` as a visitor from an address of its own: (status, where
    it redirects, seconds the post took). The form's page is loaded first, untimed."""
    visitor = Visitor(port, platform_env.router_headers(platform, platform_env.visitor_address()))
    assert visitor.get(page)[0] == 200
    started = time.monotonic()
    status, _ = visitor.post_again(page, page, fields)
    return status, visitor.location, time.monotonic() - started


def compare(attempt, known: list[str]) -> tuple[list, list]:
    """attempt(address, n) for each known address and as many unknown ones,
    interleaved, the order turned round on every other try: (answers, answers)."""
    answers = {True: [], False: []}
    for n, address in enumerate(known):
        order = [True, False] if n % 2 == 0 else [False, True]
        for is_known in order:
            answers[is_known].append(attempt(address if is_known else unknown(n), n))
    return answers[True], answers[False]


def assert_alike(known_answers: list, unknown_answers: list) -> None:
    assert {answer[:2] for answer in known_answers} == {answer[:2] for answer in unknown_answers}
    known_median = statistics.median(answer[2] for answer in known_answers)
    unknown_median = statistics.median(answer[2] for answer in unknown_answers)
    noise = NOISE_SECONDS + NOISE_SHARE * max(known_median, unknown_median)
    assert abs(known_median - unknown_median) < noise, (
        f"known {known_median:.3f} s, unknown {unknown_median:.3f} s: "
        f"{[round(a[2], 3) for a in known_answers]} / {[round(a[2], 3) for a in unknown_answers]}"
    )


def test_a_wrong_password_takes_as_long_for_an_address_without_an_account(
    server, known, runtime_answers
):
    platform = runtime_answers["platform"]

    def log_in(address: str, n: int):
        return posted(server, platform, "/accounts/login/", {"login": address, "password": WRONG})

    assert_alike(*compare(log_in, known))


def test_a_reset_takes_as_long_for_an_address_without_an_account(server, known, runtime_answers):
    platform = runtime_answers["platform"]

    def ask_for_reset(address: str, n: int):
        return posted(server, platform, "/accounts/password/reset/", {"email": address})

    known_answers, unknown_answers = compare(ask_for_reset, known)

    assert_alike(known_answers, unknown_answers)
    assert {answer[:2] for answer in known_answers} == {(302, "/accounts/password/reset/done/")}


def test_a_sign_up_takes_as_long_and_says_the_same_for_a_taken_address(
    server, known, runtime_answers
):
    platform = runtime_answers["platform"]

    def sign_up(address: str, n: int):
        fields = {
            "username": f"newcomer-{time.monotonic_ns()}",
            "email": address,
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        return posted(server, platform, "/accounts/signup/", fields)

    known_answers, unknown_answers = compare(sign_up, known)

    assert_alike(known_answers, unknown_answers)
    assert {answer[:2] for answer in known_answers} == {(302, "/accounts/confirm-email/")}

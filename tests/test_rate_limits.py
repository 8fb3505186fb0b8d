"""The accounts' rate limits (settings.ACCOUNT_RATE_LIMITS), through the project's own
web command with the environment its manifests give, on one group per server and
platform: failed logins, password-reset requests and sign-ups, counted per account
or e-mail address and per visitor's address, in the database cache.

The visitor's address is the one the platform's router wrote (tests/
test_client_address.py): on Heroku the last X-Forwarded-For entry, the router
appending the address it saw to whatever the client sent; on App Platform
DO-Connecting-IP, which the edge overwrites, beside an X-Forwarded-For a client
may write. Each test counts under router-seen addresses of its own and accounts of
its own (the counts live in the group's database, which other tiers share).

And as an attacker tries them: wrong passwords by the account's username, then the
right one by its e-mail address or its username in capitals (one lock for every
name); a flood of reset requests from hundreds of addresses, as a botnet would send
them to push a locked account's count out of the cache; logins with the right
password all at once, which must not count as failures.

Each failed login costs a password hash (allauth hashes even for an unknown account,
so that timing tells nothing), a second of PBKDF2 per failure: the copy served here
lists Django's MD5 hasher first, and its accounts' passwords are stored with it. The
limits do not depend on the hasher; the copy is otherwise the deployed project.
"""

import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import machine, platform_env, stored_accounts
from tests.support.combinations import celery, worker
from tests.support.servers import Server
from tests.support.visitors import Visitor


def one_group_per_server(answers: dict) -> bool:
    return answers["django_version"] == "6.1" and (
        answers["interface"] == "wsgi" or answers["channel_layer"] == "redis"
    )


pytestmark = pytest.mark.only.with_args(one_group_per_server)

PASSWORD = "rate-limits-tier-password"
# Stored with the production hasher (HASH_PASSWORD), not the copy's fast one.
CROWD_PASSWORD = "rate-limits-tier-crowd-password"
CROWD = 8
FLOOD = 200  # reset requests: each adds two counts to the cache, Django's culls past 300
FLOOD_CLIENTS = 8
WRONG = "not-the-password"
REFUSED = "Too many failed login attempts"
NOT_CORRECT = "you specified are not correct"
TOO_MANY = "Too many attempts"  # the site's 429.html
NOT_A_USERNAME = "letters, digits and ./+/-/_ only"


def forged_entry() -> str:
    return (
        f"6.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"
    )


@pytest.fixture(scope="module")
def site_env(mail_server, runtime_answers, redis_url, worker_id, database_url) -> dict[str, str]:
    """What the module's web processes and worker get: mail to mail_server and, with
    Celery, a task queue of the module's own, so that no other module's worker sends
    its mail."""
    env = {"EMAIL_URL": f"smtp+insecure://127.0.0.1:{mail_server.port}"}
    if celery(runtime_answers):
        env["REDIS_URL"] = machine.empty_task_queue(redis_url, worker_id, database_url)
    return env


@pytest.fixture(scope="module")
def server(start_web, fast_hashing_project, site_env) -> int:
    return start_web(project=fast_hashing_project, **site_env)


@pytest.fixture
def mail_sent(fast_hashing_project, production_env, site_env, runtime_answers, tmp_path):
    """With a worker, the one that sends the site's mail, for the test's length."""
    process = None
    if worker(runtime_answers):
        command = platform_env.commands(fast_hashing_project)["worker"]
        env = {**production_env, **site_env}
        process = Server(command, fast_hashing_project, env, tmp_path / "worker.log")
        process.wait_until_taking_tasks()
    yield
    if process:
        process.stop()


@pytest.fixture(scope="module")
def accounts(create_users) -> list[str]:
    """Accounts of this tier, their password stored with the copy's first hasher."""
    names = ["throttled", "elsewhere", "forger"]
    create_users(names, PASSWORD, fast=True)
    return names


def log_in(visitor: Visitor, login: str, password: str) -> str:
    """The page a login answers with ("" for a redirect: signed in)."""
    status, page = visitor.post_again(
        "/accounts/login/", "/accounts/login/", {"login": login, "password": password}
    )
    assert status in (200, 302), f"{status}: {page[:500]}"
    return page if status == 200 else ""


def fail_until_refused(attempts) -> int:
    """Wrong passwords, `attempts` being (visitor, login) in turn, until one is
    refused: how many failed before."""
    for failed, (visitor, login) in enumerate(attempts):
        page = log_in(visitor, login, WRONG)
        if REFUSED in page:
            return failed
        assert NOT_CORRECT in page, page[:1000]
    pytest.fail(f"{failed + 1} failed logins in a row were never refused")


def signed_in(visitor: Visitor) -> bool:
    status, page = visitor.get("/")
    assert status == 200, page[:500]
    return "Signed in as" in page


def test_failed_logins_for_one_account_refuse_even_the_right_password(
    server, accounts, runtime_answers
):
    """Twelve wrong passwords, each from an address of its own and by username and
    e-mail address in turn, then the right one: refused at once, from anywhere."""
    platform = runtime_answers["platform"]
    logins = ["throttled", "throttled@example.com"]
    attempts = [
        (Visitor(server, platform_env.router_headers(platform, f"192.0.2.{10 + n}")), logins[n % 2])
        for n in range(12)
    ]
    failed = fail_until_refused(attempts)
    assert 1 <= failed <= 10

    for login in logins:
        visitor = Visitor(server, platform_env.router_headers(platform, "192.0.2.99"))
        assert REFUSED in log_in(visitor, login, PASSWORD)
        assert not signed_in(visitor)
        assert "sessionid" not in visitor.cookies


def test_every_name_of_an_account_shares_its_lock(server, create_users, runtime_answers):
    """Wrong passwords given with the account's username only: then the right one is
    refused by its e-mail address and by its username in capitals too."""
    platform = runtime_answers["platform"]
    create_users(["spelled"], PASSWORD, fast=True)
    attempts = (
        (Visitor(server, platform_env.router_headers(platform, f"192.0.2.{130 + n}")), "spelled")
        for n in range(12)
    )
    failed = fail_until_refused(attempts)
    assert 1 <= failed <= 10

    for login in ("spelled@example.com", "SPELLED", "Spelled@Example.com"):
        visitor = Visitor(server, platform_env.router_headers(platform, "192.0.2.150"))
        assert REFUSED in log_in(visitor, login, PASSWORD), login
        assert "sessionid" not in visitor.cookies


def test_a_flood_from_many_addresses_leaves_a_locked_account_locked(
    server, create_users, runtime_answers
):
    """An account locked by wrong passwords; then FLOOD password-reset requests, each
    from an address of its own for an address of its own (every one counted), as a
    botnet would send them to push the lock out of the cache. The right password is
    still refused."""
    platform = runtime_answers["platform"]
    create_users(["flooded"], PASSWORD, fast=True)
    attempts = (
        (Visitor(server, platform_env.router_headers(platform, f"198.51.100.{130 + n}")), "flooded")
        for n in range(12)
    )
    fail_until_refused(attempts)

    def flood(first: int) -> list[int]:
        visitor = Visitor(server)
        statuses = []
        for n in range(first, FLOOD, FLOOD_CLIENTS):
            visitor.headers = platform_env.router_headers(platform, platform_env.visitor_address())
            statuses.append(ask_for_reset(visitor, f"stranger{n}@example.org")[0])
        return statuses

    with ThreadPoolExecutor(FLOOD_CLIENTS) as clients:
        statuses = [s for batch in clients.map(flood, range(FLOOD_CLIENTS)) for s in batch]
    assert statuses.count(302) >= FLOOD * 0.9, statuses  # counted, not refused

    visitor = Visitor(server, platform_env.router_headers(platform, "198.51.100.250"))
    assert REFUSED in log_in(visitor, "flooded", PASSWORD)
    assert not signed_in(visitor)


def test_concurrent_logins_with_the_right_password_all_sign_in(
    server, create_users, runtime_answers
):
    """CROWD logins to one account at once, each from an address of its own, its
    password stored with the production hasher so that they overlap: none is counted
    as a failure, so none is refused."""
    platform = runtime_answers["platform"]
    create_users(["crowd"], CROWD_PASSWORD)
    visitors = [
        Visitor(server, platform_env.router_headers(platform, f"203.0.113.{140 + n}"))
        for n in range(CROWD)
    ]
    for visitor in visitors:  # each with the form's CSRF token, ready to post
        assert visitor.get("/accounts/login/")[0] == 200
    start = threading.Barrier(CROWD)

    def log_in_at_once(visitor: Visitor) -> str:
        start.wait(timeout=30)
        return log_in(visitor, "crowd", CROWD_PASSWORD)

    with ThreadPoolExecutor(CROWD) as clients:
        pages = list(clients.map(log_in_at_once, visitors))

    refused = [page for page in pages if page]
    assert not refused, [REFUSED in page for page in refused]
    assert all("sessionid" in visitor.cookies for visitor in visitors)


def test_failed_logins_from_one_address_refuse_every_account_from_it(
    server, accounts, runtime_answers
):
    platform = runtime_answers["platform"]
    guesser = Visitor(server, platform_env.router_headers(platform, "198.51.100.20"))
    failed = fail_until_refused((guesser, f"nobody{n}@example.com") for n in range(12))
    assert 1 <= failed <= 10

    assert REFUSED in log_in(guesser, "elsewhere", PASSWORD)
    assert not signed_in(guesser)
    other = Visitor(server, platform_env.router_headers(platform, "198.51.100.21"))
    assert log_in(other, "elsewhere", PASSWORD) == ""
    assert signed_in(other)


def test_forged_forwarded_entries_are_counted_under_the_router_seen_address(
    server, accounts, runtime_answers
):
    """A client that writes a new X-Forwarded-For entry on each attempt (before the
    router's on Heroku; beside DO-Connecting-IP, which it cannot write, on App
    Platform) neither starts a new count nor escapes the one of the address the
    router saw."""
    platform = runtime_answers["platform"]
    forger = Visitor(server)

    def attempts():
        for n in range(12):
            forger.headers = platform_env.router_headers(platform, "203.0.113.30", forged_entry())
            yield forger, f"nobody{n}@example.org"

    failed = fail_until_refused(attempts())
    assert 1 <= failed <= 10

    forger.headers = platform_env.router_headers(platform, "203.0.113.30", forged_entry())
    assert REFUSED in log_in(forger, "forger", PASSWORD)
    assert not signed_in(forger)
    other = Visitor(server, platform_env.router_headers(platform, "203.0.113.31", forged_entry()))
    assert log_in(other, "forger", PASSWORD) == ""


def test_the_admins_login_form_takes_no_password(server, accounts, create_users, runtime_answers):
    """Django's admin login would check passwords past allauth's limits: the right
    password posted to it signs nobody in and sends the visitor to the site's login,
    through which staff reach the admin."""
    platform = runtime_answers["platform"]
    create_users(["keeper"], PASSWORD, staff=True, fast=True)
    fields = {"username": "keeper", "password": PASSWORD}
    admin_login = "/admin/login/?next=/admin/"
    site_login = "/accounts/login/?next=%2Fadmin%2F"

    guesser = Visitor(server, platform_env.router_headers(platform, "192.0.2.120"))
    status, _ = guesser.post_again("/accounts/login/", admin_login, fields)
    assert (status, guesser.location) == (302, site_login)
    assert "sessionid" not in guesser.cookies

    fields = {"login": "keeper", "password": PASSWORD}
    status, page = guesser.post_form(site_login, site_login, fields)
    assert (status, guesser.location) == (302, "/admin/"), page[:1000]
    status, page = guesser.get("/admin/")
    assert status == 200 and "keeper" in page, page[:1000]


def ask_for_reset(visitor: Visitor, email: str) -> tuple[int, str]:
    return visitor.post_again(
        "/accounts/password/reset/", "/accounts/password/reset/", {"email": email}
    )


def statuses_until_refused(answers, limit: int) -> list[int]:
    statuses = []
    for status, page in answers:
        statuses.append(status)
        if status == 429:
            assert TOO_MANY in page, page[:1000]
            return statuses
        assert len(statuses) <= limit, statuses
    pytest.fail(f"never refused: {statuses}")


def test_reset_requests_from_one_address_are_limited(server, runtime_answers):
    platform = runtime_answers["platform"]
    asker = Visitor(server, platform_env.router_headers(platform, "192.0.2.40"))
    statuses = statuses_until_refused(
        (ask_for_reset(asker, f"reset{n}@example.net") for n in range(22)), limit=20
    )
    assert set(statuses[:-1]) == {302}, statuses

    other = Visitor(server, platform_env.router_headers(platform, "192.0.2.41"))
    assert ask_for_reset(other, "reset-other@example.net")[0] == 302


def test_reset_requests_for_one_email_address_are_limited(server, runtime_answers):
    """Counted per e-mail address, from whichever address they come."""
    platform = runtime_answers["platform"]
    statuses = statuses_until_refused(
        (
            ask_for_reset(
                Visitor(server, platform_env.router_headers(platform, f"198.51.100.{50 + n}")),
                "one@example.net",
            )
            for n in range(8)
        ),
        limit=5,
    )
    assert set(statuses[:-1]) == {302}, statuses

    other = Visitor(server, platform_env.router_headers(platform, "198.51.100.49"))
    assert ask_for_reset(other, "another@example.net")[0] == 302


def test_sign_ups_from_one_address_are_limited(server, runtime_answers):
    """Sign-ups that fail validation (the passwords differ) count too."""
    platform = runtime_answers["platform"]

    def sign_up(visitor: Visitor, n: int) -> tuple[int, str]:
        fields = {
            "username": f"newcomer{n}",
            "email": f"newcomer{n}@example.net",
            "password1": PASSWORD,
            "password2": WRONG,
        }
        return visitor.post_again("/accounts/signup/", "/accounts/signup/", fields)

    newcomer = Visitor(server, platform_env.router_headers(platform, "203.0.113.60"))
    statuses = statuses_until_refused((sign_up(newcomer, n) for n in range(22)), limit=20)
    assert set(statuses[:-1]) == {200}, statuses

    other = Visitor(server, platform_env.router_headers(platform, "203.0.113.61"))
    status, page = sign_up(other, 99)
    assert status == 200 and TOO_MANY not in page, page[:1000]


def test_no_username_is_another_accounts_address(server, create_users, runtime_answers):
    """As an attacker tries it: sign up with a username that is another account's
    e-mail address, to guess at that account by the address five times more once its
    username is locked. The sign-up is refused; and a name that does belong to two
    accounts (one made before the rule) counts its failures against both."""
    platform = runtime_answers["platform"]
    create_users(["twin"], PASSWORD, fast=True)
    attacker = Visitor(server, platform_env.router_headers(platform, "203.0.113.70"))
    fields = {"username": "twin@example.com", "email": "attacker70@example.net"}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    status, page = attacker.post_again("/accounts/signup/", "/accounts/signup/", fields)
    assert status == 200 and NOT_A_USERNAME in page, f"{status}: {page[:1000]}"

    create_users(["twin@example.com"], PASSWORD, fast=True)  # the look-alike, made before
    attempts = (
        (Visitor(server, platform_env.router_headers(platform, f"203.0.113.{71 + n}")), "twin")
        for n in range(12)
    )
    assert 1 <= fail_until_refused(attempts) <= 10

    for password in (WRONG, PASSWORD):
        visitor = Visitor(server, platform_env.router_headers(platform, "203.0.113.90"))
        assert REFUSED in log_in(visitor, "twin@example.com", password)
        assert "sessionid" not in visitor.cookies


def test_reset_mails_for_one_account_are_limited_over_all_its_addresses(
    server, create_users, database_url, deployed_project, mail_server, mail_sent, runtime_answers
):
    """An account with two addresses asks for resets through both, from a new address
    each time: at most 5 mails a minute reach it in all (each address alone allows 5),
    and every request reads as any other."""
    platform = runtime_answers["platform"]
    create_users(["twofold"], PASSWORD, fast=True)
    addresses = ["twofold@example.com", "twofold@example.org"]
    stored_accounts.add_addresses(
        database_url, f"{deployed_project.name}_user", "twofold", addresses
    )
    for n in range(5):
        for address in addresses:
            visitor = Visitor(server, platform_env.router_headers(platform, f"198.51.100.{90 + n}"))
            status, page = ask_for_reset(visitor, address)
            assert status == 302, f"{status}: {page[:1000]}"

    def mails() -> int:
        return sum(len(mail_server.to(address)) for address in addresses)

    deadline = time.monotonic() + 30
    while mails() <= 5 and time.monotonic() < deadline:  # for any past the limit
        time.sleep(0.2)
    assert mails() == 5


def test_sign_ups_for_one_address_are_limited_from_any_address(
    start_web, fast_hashing_project, site_env, create_users, runtime_answers
):
    """With mandatory verification a sign-up for a taken address reads as any other
    and hashes its password: from a new address each time, the sixth within the hour
    is refused."""
    platform = runtime_answers["platform"]
    port = start_web(
        project=fast_hashing_project, ACCOUNT_EMAIL_VERIFICATION="mandatory", **site_env
    )
    create_users(["claimed"], PASSWORD, fast=True)

    def sign_up(n: int) -> tuple[int, str]:
        visitor = Visitor(port, platform_env.router_headers(platform, f"203.0.113.{100 + n}"))
        fields = {"username": f"claimant{n}", "email": "claimed@example.com"}
        fields |= {"password1": PASSWORD, "password2": PASSWORD}
        return visitor.post_again("/accounts/signup/", "/accounts/signup/", fields)

    statuses = statuses_until_refused((sign_up(n) for n in range(8)), limit=5)
    assert set(statuses[:-1]) == {302}, statuses


@pytest.mark.only(one_group_per_server, interface="wsgi", platform="heroku")
def test_mandatory_verification_without_mail_refuses_to_start(
    deployed_project, production_env, tmp_path
):
    web = platform_env.commands(deployed_project)["web"]
    env = {
        **production_env,
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
        "PORT": str(machine.free_port()),
    }
    env.pop("EMAIL_URL", None)
    process = Server(web, deployed_project, env, tmp_path / "web.log")
    returncode = process.refusal()

    assert returncode != 0
    assert "ACCOUNT_EMAIL_VERIFICATION is mandatory but EMAIL_URL is not set" in process.output

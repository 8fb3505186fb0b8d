"""E-mail tier: password reset and error reports through real mail servers on
127.0.0.1, for one runtime group per platform and interface (both Django versions,
daphne, uvicorn and gunicorn, and Celery among them), each with its own web command
and production settings.

- A visitor signs up with an address (django-allauth: verification "optional", so the
  sign-up mails a confirmation link) and asks for a reset through the form: exactly
  two messages reach an SMTP server (aiosmtpd), the confirmation and the reset, sent
  by the web process (or, with Celery, by the worker, which may start after the
  request: the page does not wait for it); the reset's https:// link on the site's
  own host sets a new password; the new one logs in, the old one no longer does. An
  unknown address gets the same answer and no message.
- ACCOUNT_EMAIL_VERIFICATION=mandatory: the sign-up gets the confirmation message
  and no session; a login before confirming shows the "verify your address" page
  and signs nobody in; the mailed link's page (GET) confirms on its form (POST), and
  then the login works.
- The same with a login whose password needs percent-encoding, in the spellings
  django-environ and dj-email-url give: smtps:// over STARTTLS, smtp://…?ssl=True
  over implicit TLS, the server's certificate signed by a CA the process trusts
  (SSL_CERT_FILE).
- A login over plain SMTP to a host that is not this machine by name (127.1, which
  the resolver takes for 127.0.0.1): refused at start with one sentence that does
  not repeat the password; with ?plaintext_login=yes, the message goes out.
- A mail server that is stopped, that accepts connections and never answers, or that
  refuses the login (the account made in the database, so that only the reset is
  mailed): the visitor gets, within 10 s, the redirect an unknown address
  gets, the log one WARNING line and no traceback. With Celery, the worker tries
  again (EMAIL_RETRY_SECONDS, short here) and gives up with one WARNING line per
  failed attempt and one ERROR line.
- On every runtime group with Celery (not only the mail group): for an account made
  in the database, the SMTP server stopped when the reset is asked for and started
  again after the worker's second failed attempt: exactly one message arrives, and
  the worker's log has a WARNING line per failed attempt and no ERROR.
- EMAIL_URL unset: start-up says mail is off, and the reset page says so (200).
- A view that raises (added as a user adds one), asked for 20 times: the visitor gets
  the site's 500 page, and the admins (DJANGO_ADMINS) one message naming the error
  from each web process.
- postmark:// and mailgun://: the request django-anymail sends, to an HTTP server
  standing in for the provider's API (the provider cannot exist here).
"""

import base64
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from tests.support import machine, platform_env
from tests.support.combinations import (
    TEMPLATE_DIR,
    celery,
    runtime_groups,
    runtime_key,
    short_hash,
)
from tests.support.combinations import worker as runs_a_worker
from tests.support.mail_servers import ProviderApi, SilentServer, SmtpServer
from tests.support.servers import Server
from tests.support.visitors import HOST, Visitor

# One group per platform and interface; between them Django 5.2 and 6.1, daphne,
# uvicorn and gunicorn, and each worker: Celery's and Django's tasks'.
MAIL_GROUPS = {
    "heroku-asgi-daphne-redis-dj6.1-celery-s3",
    "heroku-wsgi-dj5.2",
    "heroku-wsgi-dj5.2-django-tasks",
    "digitalocean-asgi-uvicorn-redis-dj5.2",
    "digitalocean-wsgi-dj6.1",
}
pytestmark = pytest.mark.only(groups=MAIL_GROUPS)

PASSWORD = "mail-tier-password-1"
NEW_PASSWORD = "mail-tier-password-2"
ADMIN = "admin-of-the-site@example.com"
# The visitor's sentence must come within this; the project gives up after 5 s.
SENTENCE_SECONDS = 10
# With Celery, how long the worker may take to start and send.
DELIVERY_SECONDS = 30
# With Celery: how long the worker tries again before it gives up, here (a first
# attempt, and one more 2 s later), and how long that may take with attempts that
# each wait out the project's 5 s timeout.
RETRY_SECONDS = 2
GIVE_UP_SECONDS = SENTENCE_SECONDS * 2 + RETRY_SECONDS
RESET_LINK = re.compile(rf"https://{re.escape(HOST)}(/accounts/password/reset/key/\S+/)")
# Sign-up mails a link that confirms the address (verification "optional" by default).
CONFIRM_LINK = re.compile(rf"https://{re.escape(HOST)}(/accounts/confirm-email/\S+/)")
RESET_DONE = "/accounts/password/reset/done/"
SITE_NAME = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["project_name"]
BROKEN_VIEW = 'def broken(request):\n    raise RuntimeError("a bug in a view")\n'


def test_the_mail_groups_exist():
    assert set(runtime_groups()) >= MAIL_GROUPS


@pytest.fixture(scope="module")
def user_project(fast_hashing_project) -> Path:
    """The project with a view that raises, routed as a user routes a view: the module's
    copy with a fast password hasher first, which no message depends on."""
    copy = fast_hashing_project
    (copy / copy.name / "broken.py").write_text(BROKEN_VIEW)
    urls = copy / "config" / "urls.py"
    text = urls.read_text().replace(
        "urlpatterns = [\n", 'urlpatterns = [\n    path("broken/", broken.broken),\n', 1
    )
    urls.write_text(f"from {copy.name} import broken\n{text}")
    return copy


@pytest.fixture(scope="module")
def group_env(runtime_answers, redis_url, worker_id, database_url) -> dict[str, str]:
    """What every web process and worker of the module gets: the admins' address and,
    with Celery, a Redis database of the module's own for the task queue, and a short
    shutdown window, since each test stops its worker (which puts back the mail it
    was to try again: worker_for empties the queue after each test)."""
    env = {"DJANGO_ADMINS": ADMIN}
    if celery(runtime_answers):
        env["REDIS_URL"] = machine.empty_task_queue(redis_url, worker_id, database_url)
        env["WORKER_SHUTDOWN_SECONDS"] = "1"
    return env


@pytest.fixture
def site(start_web, user_project, group_env, web_servers):
    """site(**variables) -> the port of the web command run with `variables`, stopped
    at the end of the test (each holds database connections)."""
    ports: list[int] = []

    def site(**variables: str) -> int:
        ports.append(start_web(project=user_project, **{**group_env, **variables}))
        return ports[-1]

    yield site
    for port in ports:
        web_servers[port].stop()


@pytest.fixture
def worker_for(user_project, production_env, group_env, runtime_answers, database_url, tmp_path):
    """worker_for(**variables) -> with Celery, the worker command run with the same
    variables as the web (stopped at the end of the test, so that no other test's
    task reaches it); None without a worker."""
    workers: list[Server] = []

    def worker_for(**variables: str) -> Server | None:
        if not runs_a_worker(runtime_answers):
            return None
        command = platform_env.commands(user_project)["worker"]
        env = {**production_env, **group_env, **variables}
        worker = Server(command, user_project, env, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        worker.wait_until_taking_tasks()
        return worker

    yield worker_for
    for worker in workers:
        worker.stop()
    if workers and "REDIS_URL" in group_env:
        db = group_env["REDIS_URL"].rsplit("/", 1)[1]
        machine.redis_command("FLUSHDB", db=int(db))
    elif workers:  # Django's tasks wait in the database
        machine.empty_outbox(database_url)


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


def sign_up(port: int, name: str) -> str:
    address = f"{name}@example.com"
    fields = {"username": name, "email": address}
    fields |= {"password1": PASSWORD, "password2": PASSWORD}
    Visitor(port).submit("/accounts/signup/", "/accounts/signup/", fields)
    return address


def account_without_mail(create_users, name: str) -> str:
    """An account made in the database (no sign-up, so no confirmation message): for
    the tests that count what a failing mail server costs the reset alone."""
    create_users([name], PASSWORD, fast=True)
    return f"{name}@example.com"


def the_reset(messages: list) -> str:
    """The text of the one reset message among the confirmation and the reset
    that a sign-up and a reset request send."""
    (text,) = [text for text in messages if RESET_LINK.search(text)]
    return text


def ask_for_a_reset(port: int, address: str) -> tuple[int, str, str | None, float]:
    """(status, page, redirect, seconds) of the reset form posted by a new visitor."""
    visitor = Visitor(port)
    started = time.monotonic()
    status, page = visitor.post_form(
        "/accounts/password/reset/", "/accounts/password/reset/", {"email": address}
    )
    return status, page, visitor.location, time.monotonic() - started


def logs_in(port: int, name: str, password: str) -> bool:
    status, _ = Visitor(port).post_form(
        "/accounts/login/", "/accounts/login/", {"login": name, "password": password}
    )
    return status == 302


def sent_by(pid: int | None, process: Server) -> bool:
    """Whether `pid` is the server's process or one of its children (gunicorn's
    workers, Celery's pool)."""
    return pid is not None and process.process.pid in (pid, machine.parent_of(pid))


def new_name(runtime_answers, purpose: str) -> str:
    return f"{purpose}-{short_hash(runtime_key(runtime_answers))[:6]}"


def test_a_reset_mails_one_link_that_sets_a_new_password(
    site, worker_for, smtp, web_servers, runtime_answers
):
    email_url = f"smtp+insecure://127.0.0.1:{smtp.port}"
    port = site(EMAIL_URL=email_url)
    name = new_name(runtime_answers, "reset")
    address = sign_up(port, name)  # mails the link that confirms the address

    # With Celery, the worker starts only after the request: the page does not wait.
    status, _, location, seconds = ask_for_a_reset(port, address.upper())
    assert (status, location) == (302, RESET_DONE)
    assert seconds < 3, seconds
    worker = worker_for(EMAIL_URL=email_url)
    smtp.wait_for(address, DELIVERY_SECONDS, count=2)
    time.sleep(0.5)  # a third message, if one were sent, would be here by now
    (confirmation,) = [m for m in smtp.to(address) if CONFIRM_LINK.search(m.text())]
    (message,) = [m for m in smtp.to(address) if RESET_LINK.search(m.text())]
    assert len(smtp.to(address)) == 2
    for sent in (confirmation, message):
        assert sent_by(sent.pid, worker or web_servers[port]), sent.pid
        assert (sent.tls, sent.login) == (False, None)
        assert SITE_NAME in sent.message["Subject"]

    path = RESET_LINK.search(message.text()).group(1)
    visitor = Visitor(port)
    status, _ = visitor.get(path)
    assert status == 302 and visitor.location.endswith("-set-password/"), visitor.location
    fields = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    status, page = visitor.post_form(visitor.location, visitor.location, fields)
    assert (status, visitor.location) == (302, "/accounts/password/reset/key/done/"), page[:500]
    assert logs_in(port, name, NEW_PASSWORD) and not logs_in(port, name, PASSWORD)

    status, _, location, _ = ask_for_a_reset(port, "nobody-here@example.com")
    assert (status, location) == (302, RESET_DONE)
    assert smtp.wait_for("nobody-here@example.com", 3) == []


def test_with_mandatory_verification_only_a_confirmed_address_logs_in(
    site, worker_for, smtp, runtime_answers
):
    """ACCOUNT_EMAIL_VERIFICATION=mandatory: sign-up mails the confirmation link and
    signs nobody in; a login before the link is opened shows the page that says a
    link was sent, with no session; the link's page asks to confirm (GET), confirms
    (POST), and then the login works."""
    variables = {
        "EMAIL_URL": f"smtp+insecure://127.0.0.1:{smtp.port}",
        "ACCOUNT_EMAIL_VERIFICATION": "mandatory",
    }
    port = site(**variables)
    worker_for(**variables)
    name = new_name(runtime_answers, "verify")
    address = f"{name}@example.com"
    fields = {"username": name, "email": address, "password1": PASSWORD, "password2": PASSWORD}
    newcomer = Visitor(port)
    newcomer.submit("/accounts/signup/", "/accounts/signup/", fields)
    assert newcomer.location == "/accounts/confirm-email/"
    assert "Signed in as" not in newcomer.get("/")[1]

    (message,) = smtp.wait_for(address, DELIVERY_SECONDS)
    path = CONFIRM_LINK.search(message.text()).group(1)

    visitor = Visitor(port)
    status, _ = visitor.post_form(
        "/accounts/login/", "/accounts/login/", {"login": name, "password": PASSWORD}
    )
    assert (status, visitor.location) == (302, "/accounts/confirm-email/")
    status, page = visitor.get(visitor.location)
    assert status == 200 and "Verify Your Email Address" in page, page[:2000]
    assert "Signed in as" not in visitor.get("/")[1]

    status, page = visitor.get(path)
    assert status == 200 and "Confirm Email Address" in page and address in page, page[:2000]
    status, page = visitor.post_form(path, path, {})
    assert status == 302, page[:2000]

    signed_in = Visitor(port)
    signed_in.log_in(name, PASSWORD)
    assert f"Signed in as <strong>{name}</strong>" in signed_in.get("/")[1]


LOGIN = ("mailer@example.com", "p@ss:w/rd#1")
ENCODED_LOGIN = "mailer%40example.com:p%40ss%3Aw%2Frd%231"
# How the ecosystem's libraries spell each TLS (django-environ, dj-email-url).
TLS_URLS = {"starttls": "smtps://{login}@127.0.0.1:{port}",
            "implicit": "smtp://{login}@127.0.0.1:{port}?ssl=True"}  # fmt: skip


@pytest.mark.parametrize("tls", sorted(TLS_URLS))
def test_tls_with_a_login_and_a_trusted_certificate(
    site, worker_for, certificates, runtime_answers, tls
):
    certificate = (certificates.signed, certificates.signed_key)
    server = SmtpServer(certificate, LOGIN, implicit_tls=tls == "implicit")
    try:
        variables = {
            "EMAIL_URL": TLS_URLS[tls].format(login=ENCODED_LOGIN, port=server.port),
            # The platform's processes trust public CAs; this one trusts the test CA.
            "SSL_CERT_FILE": str(certificates.ca),
        }
        port = site(**variables)
        worker_for(**variables)
        address = sign_up(port, new_name(runtime_answers, tls))
        assert ask_for_a_reset(port, address)[:3:2] == (302, RESET_DONE)

        received = server.wait_for(address, DELIVERY_SECONDS, count=2)
        assert len(received) == 2  # the sign-up's confirmation, and the reset
        the_reset([message.text() for message in received])
        for message in received:
            assert (message.tls, message.starttls) == (True, tls == "starttls")
            assert message.login == LOGIN[0]
    finally:
        server.stop()


def test_a_login_in_clear_to_another_host_only_when_the_url_asks_for_it(
    site, worker_for, runtime_answers
):
    server = SmtpServer(login=LOGIN)
    # 127.1 is 127.0.0.1 to the resolver (inet_aton's short form), but not one of
    # the names of this machine (localhost, 127.0.0.1, ::1) that a login in clear may go to.
    email_url = f"smtp://{ENCODED_LOGIN}@127.1:{server.port}"
    try:
        with pytest.raises(AssertionError, match=" exited with ") as refused:
            site(EMAIL_URL=email_url)
        output = str(refused.value)
        assert "?plaintext_login=yes" in output and "EMAIL_URL (smtp://127.1" in output, output
        assert "p@ss" not in output and "p%40ss" not in output, output

        email_url += "?plaintext_login=yes"
        port = site(EMAIL_URL=email_url)
        worker_for(EMAIL_URL=email_url)
        address = sign_up(port, new_name(runtime_answers, "clear"))
        assert ask_for_a_reset(port, address)[:3:2] == (302, RESET_DONE)

        received = server.wait_for(address, DELIVERY_SECONDS, count=2)
        assert len(received) == 2  # the sign-up's confirmation, and the reset
        the_reset([message.text() for message in received])
        assert {(message.tls, message.login) for message in received} == {(False, LOGIN[0])}
    finally:
        server.stop()


@pytest.mark.parametrize("failure", ["stopped", "silent", "login refused"])
def test_a_mail_server_that_fails_costs_one_warning_and_the_usual_answer(
    site, worker_for, web_servers, certificates, create_users, runtime_answers, failure
):
    server = None
    if failure == "stopped":
        variables = {"EMAIL_URL": f"smtp+insecure://127.0.0.1:{machine.free_port()}"}
    elif failure == "silent":
        server = SilentServer()
        variables = {"EMAIL_URL": f"smtp+insecure://127.0.0.1:{server.port}"}
    else:
        login = ("mailer@example.com", "the-right-password")
        server = SmtpServer((certificates.signed, certificates.signed_key), login)
        variables = {
            "EMAIL_URL": f"smtps://mailer%40example.com:a-wrong-one@127.0.0.1:{server.port}",
            "SSL_CERT_FILE": str(certificates.ca),
        }
    try:
        port = site(**variables)
        worker = worker_for(**variables, EMAIL_RETRY_SECONDS=str(RETRY_SECONDS))
        address = account_without_mail(
            create_users, new_name(runtime_answers, failure.replace(" ", "-"))
        )
        logged_before = len(web_servers[port].output)

        status, page, location, seconds = ask_for_a_reset(port, address)

        assert seconds < SENTENCE_SECONDS, seconds
        if worker:  # the page only queued the mail: the worker meets the failure
            assert (status, location) == (302, RESET_DONE)
            gave_up = worker.wait_for_output(" not sent in 2 attempts ", GIVE_UP_SECONDS)
            assert gave_up, worker.output[-3000:]
            log = worker.output
            errors = [line for line in log.splitlines() if "ERROR" in line]
            assert len(errors) == 1 and " not sent in 2 attempts " in errors[0], log[-3000:]
        else:
            # What an unknown address gets: nothing tells that this one has an account.
            # The web process meets the failure once the page is answered.
            assert (status, location) == (302, RESET_DONE), page
            web = web_servers[port]
            deadline = time.monotonic() + SENTENCE_SECONDS
            while " not sent" not in web.output[logged_before:] and time.monotonic() < deadline:
                time.sleep(0.1)
            log = web.output[logged_before:]
            assert "ERROR" not in log, log[-3000:]
        warnings = [line for line in log.splitlines() if "WARNING" in line]
        assert len(warnings) == 1 and " not sent" in warnings[0], log[-3000:]
        assert "Traceback" not in log, log[-3000:]
    finally:
        if server:
            server.stop()


# The worker's retries, the same code whatever serves the site: one group of each Django
# version and platform, and the WSGI one, in place of MAIL_GROUPS.
RETRY_GROUPS = {
    "heroku-asgi-daphne-in-memory-dj5.2-celery",
    "heroku-wsgi-dj5.2-django-tasks",
    "heroku-wsgi-dj6.1-celery-s3",
    "digitalocean-asgi-daphne-redis-dj6.1-celery-s3",
}


@pytest.mark.only(groups=RETRY_GROUPS)
def test_the_worker_sends_once_the_mail_server_is_back(
    site, worker_for, create_users, runtime_answers
):
    stopped = SmtpServer()
    stopped.stop()
    email_url = f"smtp+insecure://127.0.0.1:{stopped.port}"
    port = site(EMAIL_URL=email_url)
    worker = worker_for(EMAIL_URL=email_url)
    address = account_without_mail(create_users, new_name(runtime_answers, "back"))

    ask_for_a_reset(port, address)  # whatever the page says, the worker has the mail
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while worker.output.count(" not sent, trying again in ") < 2:
        assert time.monotonic() < deadline, worker.output[-3000:]
        time.sleep(0.2)
    server = SmtpServer(port=stopped.port)
    try:
        (message,) = server.wait_for(address, DELIVERY_SECONDS)
        time.sleep(0.5)  # a second message, if one were sent, would be here by now
        assert len(server.to(address)) == 1
    finally:
        server.stop()
    assert sent_by(message.pid, worker), message.pid
    assert RESET_LINK.search(message.text())
    log = worker.output
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert len(warnings) >= 2 and all(" not sent, trying again in " in w for w in warnings)
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]


def test_without_email_url_the_site_says_mail_is_off(site, web_servers):
    port = site(EMAIL_URL="")
    status, page = Visitor(port).get("/accounts/password/reset/")

    assert status == 200 and "This site cannot send e-mail yet" in page, page
    assert 'name="email"' not in page
    assert "WARNING" in web_servers[port].output.split("EMAIL_URL is not set", 1)[0][-200:]


BROKEN_HITS = 20


def test_an_error_page_is_mailed_to_the_admins_once(
    site, worker_for, smtp, runtime_answers, production_env
):
    """Asked for again and again, as a bot would, the error is mailed once by each web
    process, not once a hit."""
    email_url = f"smtp+insecure://127.0.0.1:{smtp.port}"
    port = site(EMAIL_URL=email_url)
    worker_for(EMAIL_URL=email_url)
    visitor = Visitor(port)

    answers = [visitor.get("/broken/") for _ in range(BROKEN_HITS)]

    assert {status for status, _ in answers} == {500}
    status, page = answers[0]
    assert "RuntimeError" not in page
    assert '<a class="brand"' in page  # the site's own 500 page
    reports = smtp.wait_for(ADMIN, DELIVERY_SECONDS)
    assert reports, "no error report reached the admins"
    report = reports[0]
    assert "/broken/" in report.message["Subject"]
    assert "RuntimeError at /broken/\r\na bug in a view" in report.text()
    time.sleep(1)
    processes = platform_env.web_processes(runtime_answers, production_env)
    assert 1 <= len(smtp.to(ADMIN)) <= processes, len(smtp.to(ADMIN))


def postmark_answer(body: bytes) -> dict:
    """What Postmark's API answers a message it accepts (its "To" is checked)."""
    sent = json.loads(body)
    return {"To": sent["To"], "SubmittedAt": "2026-11-24T00:00:00Z", "MessageID": "a1",
            "ErrorCode": 0, "Message": "OK"}  # fmt: skip


def mailgun_answer(body: bytes) -> dict:
    return {"id": "<a1@mg.example.com>", "message": "Queued. Thank you."}


PROVIDERS = {
    # scheme: (EMAIL_URL with the stand-in's base URL, its answer, the path it gets)
    "postmark": ("postmark://test-server-token@?api_url={url}", postmark_answer, "/email"),
    "mailgun": (
        "mailgun://key-test@mg.example.com?api_url={url}v3",
        mailgun_answer,
        "/v3/mg.example.com/messages",
    ),
}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_a_provider_api_gets_the_reset_mail(site, worker_for, runtime_answers, provider):
    template, answer, path = PROVIDERS[provider]
    api = ProviderApi(answer)
    try:
        email_url = template.format(url=api.url)
        port = site(EMAIL_URL=email_url)
        worker_for(EMAIL_URL=email_url)
        address = sign_up(port, new_name(runtime_answers, provider))
        assert ask_for_a_reset(port, address)[:3:2] == (302, RESET_DONE)

        requests = api.wait_for(2, DELIVERY_SECONDS)  # the sign-up's confirmation, the reset
    finally:
        api.stop()
    assert len(requests) == 2, requests
    texts = []
    for sent in requests:
        assert sent["path"] == path
        if provider == "postmark":
            assert sent["headers"]["X-Postmark-Server-Token"] == "test-server-token"
            body = json.loads(sent["body"])
            assert body["To"] == address
            texts.append(body["TextBody"])
        else:
            expected = "Basic " + base64.b64encode(b"api:key-test").decode()
            assert sent["headers"]["Authorization"] == expected
            form = parse_qs(sent["body"].decode())
            assert form["to"] == [address]
            texts.append(form["text"][0])
    the_reset(texts)

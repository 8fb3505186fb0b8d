"""README tier: a new user who follows the generated README literally.

For two combinations (between them both platforms and both interfaces, on the Pythons
this machine has), the ```sh block under "## Run it locally" runs exactly as written, with
bash -e, a PATH that holds only the chosen Python and the system, and no DJANGO_*
variable: it makes the venv, installs requirements-dev.txt, copies .env.example when there
is no .env, migrates and starts `python manage.py runserver` on 127.0.0.1:8000. One
runs in a copy as generated (with the .env that generation writes), the other in a
fresh git clone (no .env, as a teammate gets it). The block's lines differ only by
the Python version; the platform and the interface change what they install and serve,
so the two runs try each platform and each interface once (each run is a fresh venv
and a full install, the tier's main cost).

On the server it starts, this proves that:
- every page reachable by links from the home page answers without a 5xx, anonymous
  or signed in, and the links reach sign-up, log-in and the admin (and /live/ for ASGI);
- a visitor signs up, signs out and signs in again through the site's own forms, with
  the CSRF token and cookies a browser would use over plain http.

Every run needs port 8000, the one the README names, so runs are serialized across
xdist workers by a file lock, and each server's process group is stopped by its pid.
The block's lines run in order, as written, in two shells: every line up to
runserver (the venv, the install, .env, migrate) before taking the lock, then, under
it, the line that activates the venv and runserver.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from filelock import FileLock, Timeout
from markdown_it import MarkdownIt
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support import crawler, machine, venvs
from tests.support.combinations import (
    DEFAULTS,
    LATER_ANSWERS,
    OPTIONS,
    all_combinations,
    combination_id,
    runtime_key,
)

HOST, PORT = "127.0.0.1", 8000
ORIGIN = f"http://{HOST}:{PORT}"
LOCAL_HEADING = "Run it locally"
RUNSERVER = "python manage.py runserver"
INSTALLED_PYTHONS = ("3.12", "3.13")
# The block makes a venv and installs requirements-dev.txt before serving: ~10 s with a
# warm pip cache, much more on a cold one.
START_TIMEOUT = 180
STOP_TIMEOUT = 15
# Every run holds port 8000 while its module's tests use it: wait for the others.
PORT_LOCK = Path(tempfile.gettempdir()) / f"ccdp-readme-steps-port-{PORT}.lock"
PORT_LOCK_TIMEOUT = 1800
MAX_PAGES = 60
# What a project directory holds only once something ran in it (all gitignored):
# a copy "as generated" leaves out what other tests may have left in the bake.
RUN_ARTEFACTS = ("__pycache__", ".pytest_cache", ".ruff_cache", ".venv", "db.sqlite3")


# (platform, interface) of each run, and where it runs: in the project as generated
# (the creator's first steps) or in a fresh clone (a teammate's).
PLACES = {("heroku", "asgi"): "generated", ("digitalocean", "wsgi"): "fresh-clone"}


def readme_sample() -> list[dict]:
    """One combination per (platform, interface) of PLACES, on an installed Python,
    with the default version file. Within a pair, the one that adds the most answers
    not yet in the sample, so the two together cover as many option values as they
    can; among those, one with an answer of LATER_ANSWERS, then the one furthest from
    the defaults (a worker over none)."""
    candidates = [
        answers
        for answers in all_combinations()
        if answers["python_version"] in INSTALLED_PYTHONS
        and answers["python_version_file"] == DEFAULTS["python_version_file"]
    ]
    sample: list[dict] = []
    covered: set[tuple[str, str]] = set()
    for platform, interface in PLACES:
        members = [
            answers
            for answers in candidates
            if (answers["platform"], answers["interface"]) == (platform, interface)
        ]
        best = max(
            members,
            key=lambda answers: (
                len(set(answers.items()) - covered),
                bool(set(answers.items()) & set(LATER_ANSWERS) - covered),
                sum(value != DEFAULTS[name] for name, value in answers.items()),
            ),
        )
        sample.append(best)
        covered |= set(best.items())
    return sample


SAMPLE = readme_sample()


RUNS = [(answers, PLACES[answers["platform"], answers["interface"]]) for answers in SAMPLE]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(
            run,
            id=f"{combination_id(run[0])}-{run[1]}",
            marks=pytest.mark.xdist_group(runtime_key(run[0])),
        )
        for run in RUNS
    ],
)
def readme_run(request) -> tuple[dict, str]:
    return request.param


@pytest.fixture(scope="module")
def readme_answers(readme_run) -> dict:
    return readme_run[0]


@pytest.fixture(scope="module")
def where(readme_run) -> str:
    return readme_run[1]


def test_sample_has_every_platform_and_interface_on_an_installed_python():
    assert {a["platform"] for a in SAMPLE} == set(OPTIONS["platform"])
    assert {a["interface"] for a in SAMPLE} == set(OPTIONS["interface"])
    assert all(a["python_version"] in INSTALLED_PYTHONS for a in SAMPLE)
    assert sorted(where for _, where in RUNS) == ["fresh-clone", "generated"]


def local_steps(readme: str) -> str:
    """The first ```sh block after the "## Run it locally" heading, as a CommonMark
    parser reads it."""
    tokens = MarkdownIt("commonmark").parse(readme)
    after_heading = None
    for index, token in enumerate(tokens):
        if (
            token.type == "heading_open"
            and token.tag == "h2"
            and tokens[index + 1].content == LOCAL_HEADING
        ):
            after_heading = index
            break
    assert after_heading is not None, f"README.md has no '## {LOCAL_HEADING}' heading"
    block = next(
        (t for t in tokens[after_heading:] if t.type == "fence" and t.info.strip() == "sh"),
        None,
    )
    assert block is not None, f"no ```sh block after '## {LOCAL_HEADING}'"
    return block.content


@pytest.fixture(scope="module")
def checkout(bake, readme_answers, where, tmp_path_factory) -> Path:
    """The project where the user runs the README: generated, or a fresh clone."""
    source = bake(readme_answers)
    work = tmp_path_factory.mktemp(f"readme-{where}")
    tree = work / source.name
    if where == "generated":
        shutil.copytree(source, tree, ignore=shutil.ignore_patterns(*RUN_ARTEFACTS))
        assert (tree / ".env").is_file(), "generation wrote no .env"
    else:
        git = ["git", f"--git-dir={work / 'repo.git'}", f"--work-tree={source}"]
        git += ["-c", "user.name=test", "-c", "user.email=test@example.com"]
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True, timeout=60)
        subprocess.run([*git, "add", "-A"], check=True, timeout=60)
        subprocess.run([*git, "commit", "-q", "-m", "first"], check=True, timeout=60)
        subprocess.run(
            ["git", "clone", "-q", str(work / "repo.git"), str(tree)], check=True, timeout=60
        )
        assert not (tree / ".env").exists(), ".env was committed"
    return tree


def port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:port, as runserver does (with
    SO_REUSEADDR, so a previous run's closed connections do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def healthy() -> bool:
    try:
        return crawler.Browser(HOST, PORT).get("/healthz", follow=False).status == 200
    except (OSError, http.client.HTTPException):  # not listening yet, or starting
        return False


def group_is_gone(process: subprocess.Popen, timeout: float) -> bool:
    """Wait, at most `timeout` seconds, until no process of the group is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.poll()  # reap bash, so that a zombie does not count as left
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen) -> None:
    """Stop the block's process group (bash, runserver and its autoreloader child)
    by its id: SIGTERM, then SIGKILL if anything of it is left after STOP_TIMEOUT."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        if group_is_gone(process, STOP_TIMEOUT):
            break
    process.wait(timeout=STOP_TIMEOUT)


@dataclass
class LocalServer:
    project: Path
    steps: str
    log: Path


@pytest.fixture(scope="module")
def local_server(checkout, readme_answers, where):
    """The README's local block, run as written, serving on 127.0.0.1:8000."""
    steps = local_steps((checkout / "README.md").read_text())
    assert steps.strip().splitlines()[-1] == RUNSERVER, steps
    version = readme_answers["python_version"]
    python = venvs.find_python(version)
    if python is None:
        machine.unavailable(venvs.python_missing(version))
    env = {"PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin", "HOME": os.environ["HOME"]}
    log = checkout.parent / "readme-steps.log"
    lines = steps.strip().splitlines()
    activate = [line for line in lines if line.startswith(". ") and line.endswith("/activate")]
    assert len(activate) == 1, f"the block activates no venv, or more than one: {steps}"
    before_runserver, serve = "\n".join(lines[:-1]), "\n".join([*activate, lines[-1]])
    prepared = subprocess.run(
        ["bash", "-e", "-c", before_runserver],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        check=False,
    )
    if prepared.returncode != 0:
        pytest.fail(f"the README block ({where}) failed:\n{prepared.stdout}{prepared.stderr}")
    try:
        lock = FileLock(PORT_LOCK, timeout=PORT_LOCK_TIMEOUT)
        lock.acquire()
    except Timeout:
        pytest.fail(f"port {PORT} stayed locked by other runs for {PORT_LOCK_TIMEOUT}s")
    try:
        if not port_is_free(PORT):
            pytest.fail(
                f"{HOST}:{PORT} is already in use, and the README's runserver needs it:"
                f" stop whatever listens there (ss -ltnp 'sport = :{PORT}')."
            )
        with log.open("wb") as out:
            process = subprocess.Popen(
                ["bash", "-e", "-c", serve],
                cwd=checkout,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not healthy():
                if process.poll() is not None:
                    pytest.fail(
                        f"the README block ({where}) exited with {process.returncode}"
                        f" before serving:\n{tail(log)}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"the README block ({where}) did not serve {ORIGIN}/healthz"
                        f" within {START_TIMEOUT}s:\n{tail(log)}"
                    )
                time.sleep(0.5)
            yield LocalServer(checkout, steps, log)
        finally:
            stop(process)
    finally:
        lock.release()


def server_errors(pages: list[crawler.Page]) -> list[str]:
    return [
        f"{hop.method} {hop.url} -> {hop.status}"
        for page in pages
        for hop in page.hops
        if hop.status >= 500
    ]


def test_the_env_file_is_readable_by_its_owner_only(local_server):
    """Written by generation, or copied by the block's `install -m 600`: it holds the
    local secret key, and the settings a person adds (EMAIL_URL, keys)."""
    assert stat.S_IMODE((local_server.project / ".env").stat().st_mode) == 0o600


def test_every_page_linked_from_home_answers_without_a_server_error(local_server, readme_answers):
    """Anonymous, breadth first from /, along every same-site link (at most 60 pages,
    redirects followed): no response is a 5xx, and the links lead to sign-up, log-in,
    the admin's login (through /admin/'s redirect) and, with ASGI, the live page."""
    pages = crawler.Browser(HOST, PORT).crawl("/", max_pages=MAX_PAGES)
    reached = {urlsplit(hop.url).path for page in pages for hop in page.hops}

    assert pages[0].status == 200, pages[0].body[:2000]
    assert not server_errors(pages), f"{server_errors(pages)}\n{tail(local_server.log)}"
    expected = {"/accounts/signup/", "/accounts/login/", "/admin/", "/admin/login/"}
    if readme_answers["interface"] == "asgi":
        expected.add("/live/")
    assert expected <= reached, f"not reached: {sorted(expected - reached)}; {sorted(reached)}"


def new_account() -> tuple[str, str]:
    return f"reader-{secrets.token_hex(4)}", f"Rd-{secrets.token_urlsafe(12)}-9"


def sign_up(browser: crawler.Browser, username: str, password: str) -> crawler.Page:
    """Through the sign-up form; return the page the redirect leads to."""
    page = browser.get("/accounts/signup/")
    assert page.status == 200, page.body[:2000]
    form = crawler.form_with(page, field_name="password1")
    assert form.fields.get("csrfmiddlewaretoken"), "the sign-up form has no CSRF token"

    fields = {"username": username, "email": f"{username}@example.com"}
    fields |= {"password1": password, "password2": password}
    response = browser.submit(page, form, fields)

    assert response.status == 302, f"sign-up answered {response.status}:\n{response.body[:3000]}"
    assert response.hops[-1].location == "/"
    return browser.get("/")


def test_sign_up_sign_out_and_sign_in_through_the_forms(local_server):
    """Sign up, log out with the header's form, log in with the login form (allauth's
    `login` field takes the username): each step posts the form's own CSRF token
    with the cookies of the pages before it."""
    browser = crawler.Browser(HOST, PORT)
    username, password = new_account()

    home = sign_up(browser, username, password)
    assert home.status == 200
    assert f"Signed in as <strong>{username}</strong>" in home.body
    # Verification is optional by default: signed in at once, and asked to confirm
    # the address (DEBUG prints the message in runserver's output).
    assert f"Confirmation email sent to {username}@example.com." in home.body

    logout = crawler.form_with(home, action="/accounts/logout/")
    assert logout.method.lower() == "post" and logout.fields.get("csrfmiddlewaretoken")
    signed_out = browser.submit(home, logout, {}, follow=True)
    assert [hop.status for hop in signed_out.hops] == [302, 200], signed_out.hops
    assert "You have signed out." in signed_out.body
    assert "Signed in as" not in signed_out.body

    page = browser.get("/accounts/login/")
    assert page.status == 200, page.body[:2000]
    login = crawler.form_with(page, field_name="password")
    assert login.fields.get("csrfmiddlewaretoken"), "the login form has no CSRF token"
    response = browser.submit(page, login, {"login": username, "password": password})
    assert response.status == 302, f"log-in answered {response.status}:\n{response.body[:3000]}"
    assert response.hops[-1].location == "/"
    home = browser.get("/")
    assert f"Signed in as {username}." in home.body
    assert f"Signed in as <strong>{username}</strong>" in home.body


def test_every_page_linked_from_home_answers_a_signed_in_user_too(local_server):
    """The same crawl with the session of a user who just signed up: still no 5xx,
    and every page still shows who is signed in (the crawl did not log them out)."""
    browser = crawler.Browser(HOST, PORT)
    username, password = new_account()
    sign_up(browser, username, password)

    pages = browser.crawl("/", max_pages=MAX_PAGES)

    assert not server_errors(pages), f"{server_errors(pages)}\n{tail(local_server.log)}"
    signed_in = f"Signed in as <strong>{username}</strong>"
    for page in pages:
        if page.status == 200 and page.html and 'class="site-header"' in page.body:
            assert signed_in in page.body, page.url


def test_runserver_answers_the_ping_websocket_only_with_asgi(local_server, readme_answers):
    """The README's runserver is daphne's for ASGI (the project's own command extends
    it, with daphne out of INSTALLED_APPS), so the ping WebSocket answers through the
    in-memory layer that DEBUG uses; a WSGI project's runserver refuses the upgrade."""
    url = f"ws://{HOST}:{PORT}/ws/ping/"
    if readme_answers["interface"] == "wsgi":
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=ORIGIN, open_timeout=10)
        assert refused.value.response.status_code == 404
        return
    with connect(url, origin=ORIGIN, open_timeout=10) as ping_socket:
        ping_socket.send(json.dumps({"ping": 7}))
        assert json.loads(ping_socket.recv(timeout=10)) == {"pong": 7}, tail(local_server.log)


ASYNC_HEADING = "Async views and streams"


def python_blocks(readme: str, heading: str) -> list[str]:
    """The ```python blocks of the README section under `heading`."""
    section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    tokens = MarkdownIt("commonmark").parse(section)
    return [token.content for token in tokens if token.type == "fence" and token.info == "python"]


def follow_the_async_section(project: Path, readme: str) -> None:
    """Add the section's views to the package's views.py (<slug>/views.py, as the
    README names it; the apps have views.py files of their own, which a directory
    listing may give first) and its routes at the end of config/urls.py."""
    views_code, routes = python_blocks(readme, ASYNC_HEADING)
    imports, _, functions = views_code.partition("\n\n\n")
    views = project / project.name / "views.py"
    views.write_text(f"{imports}\n{views.read_text()}\n\n{functions}")
    urls = project / "config" / "urls.py"
    urls.write_text(f"{urls.read_text()}\n{routes}")


def test_the_readmes_async_view_and_stream_work_under_runserver(local_server, readme_answers):
    """The views of "Async views and streams", added as the README says while the
    README's runserver runs: it reloads by itself, the async view reads the database
    and the stream sends a line a second, each as it is produced. A WSGI project's
    README has no such section (gunicorn's threads would hold each stream)."""
    readme = (local_server.project / "README.md").read_text()
    if readme_answers["interface"] == "wsgi":
        assert f"## {ASYNC_HEADING}" not in readme
        return
    follow_the_async_section(local_server.project, readme)
    browser = crawler.Browser(HOST, PORT)
    deadline = time.monotonic() + 30  # the autoreloader notices, then restarts
    count = browser.get("/users/count/", follow=False)
    while count.status != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            count = browser.get("/users/count/", follow=False)
        except (OSError, http.client.HTTPException):  # restarting
            continue

    assert count.status == 200, f"{count.status}\n{tail(local_server.log)}"
    assert set(json.loads(count.body)) == {"users"}
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    try:
        conn.request("GET", "/clock/")
        stream = conn.getresponse()
        started, arrivals = time.monotonic(), []
        while len(arrivals) < 3:
            line = stream.fp.readline()
            if line.startswith(b"data: "):
                arrivals.append(time.monotonic() - started)
    finally:
        conn.close()
    assert stream.getheader("Content-Type") == "text/event-stream"
    assert arrivals[0] < 0.5 and 0.5 < arrivals[2] - arrivals[1] < 1.5, arrivals

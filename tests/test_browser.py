"""A real browser: headless Chromium (Debian's) driven by Playwright.

One browser signs in and watches the live page; a second one, in a context of its
own (its own cookies), signs up, which signs it in, and then logs out with the
header's button. The watching page must show both events. Pages are served over
HTTPS by the project's own web command behind router.Router, as on the platform.
On failure, screenshots of both pages are saved in the test's temporary directory.

Passwords, with django-allauth's pages: a user opens their e-mail addresses from the
header's link, changes their password from the next one, signs out on the logout
confirmation page, logs in with the new one (the old one is refused), resets it with
the link from the message the SMTP server received (tests/support/mail_servers.py)
and logs in with the third; a sixth reset request in a minute for one address gets
the site's 429 page.

A live page also lives through a Redis restart (the suite's own Redis, stopped and
started again on its port): it says that it is reconnecting, connects again by
itself once Redis is back (live.js's backoff), and shows a login made after that.

For the default combination only, test_screenshots also saves full-page PNGs of
every kind of page, at desktop and phone sizes, in --screenshot-dir (default
artifacts/screenshots; docs/screenshots holds the ones the README shows), and checks
what a person would see on them.

Every page a test opens keeps to the site's Content Security Policy: the browser
refuses nothing (tests/support/content_policy.py). A crawl opens every page reachable from
home by links, signed out and then as a superuser, the admin's lists and change
pages included, each of the site's own laid out at a desktop's and a phone's width
(tests/support/layout.py); a plain {{ form }} on a page the user adds looks as the
login form does; a picture uploaded through the profile form shows from the bucket;
the site's error pages (a 500, and the 403 for a form sent once its cookie is gone)
refuse nothing either; and an inline script without the request's nonce, added to a
page as a user adds one, is refused while the one carrying the nonce runs.
"""

import re
import shutil
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Error, Page, expect

from tests.fixtures.browser import WAIT_MS, over_https, watched_page
from tests.support import platform_env
from tests.support.combinations import (
    DEFAULTS,
    pairwise,
    redis_layer,
    runtime_groups,
    runtime_key,
    short_hash,
)
from tests.support.combinations import (
    worker as worker_runs_tasks,
)
from tests.support.layout import laid_out
from tests.support.servers import Server
from tests.support.visitors import Visitor

PASSWORD = "browser-password-that-is-not-secret"

# Screenshots: the same language, clock and colours on every run.
SHOT_CONTEXT = {
    "ignore_https_errors": True,
    "locale": "en-US",
    "timezone_id": "UTC",
    "color_scheme": "light",
}
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
WATCHER, VISITOR, NEWCOMER, FORGETFUL = "ada", "grace", "linus", "margaret"
NEW_PASSWORD = "browser-password-chosen-after-a-reset"
ADMIN = "edsger"
# Links that lead to no page of the site: files, the probes, the admin's redirect to
# an object's page elsewhere.
NOT_PAGES = ("/static/", "/media/", "/healthz", "/readyz", "/admin/r/")
CRAWL_LIMIT = 60
# The groups this tier runs on: those pairwise() picks among the ASGI ones. Tests that
# need more of a group than that (uploads) take those among them that have it.
BROWSER_GROUPS = set(
    pairwise({key: m for key, m in runtime_groups().items() if m[0]["interface"] == "asgi"})
)


# What the pages are (every page the crawl opens under the policy, and the accounts'
# pages the password walk goes through) changes with the Django version (its forms;
# django-csp on 5.2, Django's own policy on 6.1), with uploads and with a worker (it
# sends the mail), not with the server or the channel layer: browser groups that try
# every pair of those, each worker among them, on both servers.
PAGE_GROUPS = {
    "heroku-asgi-daphne-in-memory-dj5.2-celery",
    "heroku-asgi-daphne-redis-pubsub-dj5.2-s3",
    "heroku-asgi-uvicorn-redis-dj6.1-celery-s3",
    "digitalocean-asgi-uvicorn-redis-dj6.1",
    "digitalocean-asgi-uvicorn-redis-pubsub-dj6.1-django-tasks-s3",
}


def test_the_page_groups_are_browser_groups():
    assert PAGE_GROUPS <= BROWSER_GROUPS


def is_default(answers: dict) -> bool:
    return runtime_key(answers) == runtime_key(DEFAULTS)


@pytest.fixture(scope="module")
def site(
    start_web, mail_server, fast_hashing_project, production_env, runtime_answers, tmp_path_factory
):
    """The site over HTTPS, its mail going to mail_server: with Celery, through the
    worker command, which runs as long as the site does. It hashes passwords with a
    fast hasher (conftest.py's fast_hashing_project), which no page shows."""
    email_url = f"smtp+insecure://127.0.0.1:{mail_server.port}"
    port = start_web(project=fast_hashing_project, EMAIL_URL=email_url)
    worker = None
    if worker_runs_tasks(runtime_answers):
        command = platform_env.commands(fast_hashing_project)["worker"]
        log = tmp_path_factory.mktemp("worker") / "worker.log"
        # A short shutdown window: Celery sleeps through it when it stops.
        env = {**production_env, "EMAIL_URL": email_url, "WORKER_SHUTDOWN_SECONDS": "1"}
        worker = Server(command, fast_hashing_project, env, log)
    try:
        if worker:
            worker.wait_until_taking_tasks()
        with over_https(port, tmp_path_factory) as address:
            yield address
    finally:
        if worker:
            worker.stop()


def watch_live_page(page: Page, site: str, username: str) -> None:
    """Sign in (?next= brings the page to /live/ rather than home) and wait until the
    live page's WebSocket is open."""
    page.goto(f"{site}/accounts/login/?next=/live/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/live/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open", timeout=WAIT_MS)


# The page's script is the same everywhere; delivery across processes on every pairwise
# group is the real-time tier's.
@pytest.mark.only(groups=PAGE_GROUPS)
def test_live_page_shows_logins_from_another_browser(
    browser, site, create_users, runtime_answers, violations, tmp_path
):
    # A name of this group's own, so no other test's login can be mistaken for it.
    name = f"bob-{short_hash(runtime_key(runtime_answers))[:6]}"
    create_users(["watcher"], PASSWORD, fast=True)
    watching_context = violations.watch(browser.new_context(ignore_https_errors=True))
    signing_up_context = violations.watch(browser.new_context(ignore_https_errors=True))
    watching = watching_context.new_page()
    signing_up = signing_up_context.new_page()
    try:
        watch_live_page(watching, site, "watcher")

        signing_up.goto(f"{site}/accounts/signup/")
        signing_up.fill("#id_username", name)
        signing_up.fill("#id_email", f"{name}@example.com")
        signing_up.fill("#id_password1", PASSWORD)
        signing_up.fill("#id_password2", PASSWORD)
        signing_up.click("main button[type=submit]")
        signing_up.wait_for_url(f"{site}/")
        expect(signing_up.locator("#signed-in-as")).to_contain_text(name)
        events = watching.locator("#live-events li", has_text=name)
        # By its text, not its place: with Celery the worker's "signed up" may arrive
        # on either side of the login.
        expect(events.filter(has_text=f"{name} logged in")).to_have_count(1, timeout=WAIT_MS)

        header = signing_up.locator(".site-header")
        header.get_by_role("button", name="Log out").click()
        signing_up.wait_for_url(f"{site}/")
        expect(signing_up.locator("ul.messages")).to_contain_text("You have signed out.")
        expect(header.get_by_role("link", name="Log in")).to_be_visible()
        expect(events.filter(has_text=f"{name} logged out")).to_have_count(1, timeout=WAIT_MS)
        # The site's worker welcomes the newcomer and announces it (live/signals.py),
        # through a Redis layer: the in-memory one cannot carry it to the web process.
        announced = worker_runs_tasks(runtime_answers) and redis_layer(runtime_answers)
        if announced:
            expect(events.filter(has_text=f"{name} signed up")).to_have_count(1, timeout=WAIT_MS)
        expect(events).to_have_count(3 if announced else 2)
        # Latest first, as the page says.
        logins = events.filter(has_text=re.compile(r" logged (in|out)"))
        expect(logins).to_contain_text([f"{name} logged out", f"{name} logged in"])
        assert violations.found == []
    except Exception:
        watching.screenshot(path=tmp_path / "watching.png")
        signing_up.screenshot(path=tmp_path / "signing-up.png")
        raise
    finally:
        watching_context.close()
        signing_up_context.close()


@pytest.mark.only(interface="asgi", platform="heroku", django_version="6.1", channel_layer="redis")
def test_live_page_reconnects_after_a_redis_restart(
    browser,
    own_redis,
    start_web,
    fast_hashing_project,
    web_servers,
    create_users,
    violations,
    tmp_path_factory,
    tmp_path,
):
    port = start_web(project=fast_hashing_project, REDIS_URL=own_redis.url())
    name = "back-after-restart"
    create_users(["restart-watcher", name], PASSWORD, fast=True)
    with (
        over_https(port, tmp_path_factory) as site,
        watched_page(browser, violations, tmp_path / "reconnecting.png") as page,
    ):
        status = page.locator("#live-status")
        watch_live_page(page, site, "restart-watcher")

        own_redis.stop()
        expect(status).to_have_attribute("data-state", "closed", timeout=WAIT_MS)
        expect(status).to_contain_text("reconnecting")
        own_redis.start()
        # Backoff from 1 s, doubling, plus jitter: back within a few tries.
        expect(status).to_have_attribute("data-state", "open", timeout=2 * WAIT_MS)

        Visitor(port).log_in(name, PASSWORD)
        event = page.locator("#live-events li", has_text=name)
        expect(event.first).to_contain_text(f"{name} logged in", timeout=WAIT_MS)
        assert violations.found == []
    assert "Traceback" not in web_servers[port].output


@pytest.fixture(scope="module")
def screenshot_users(create_users):
    """The watcher and the visitor of the screenshots, made once for both sizes."""
    create_users([WATCHER, VISITOR, FORGETFUL], PASSWORD, fast=True)


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig) -> Path:
    directory = pytestconfig.invocation_params.dir / pytestconfig.getoption("screenshot_dir")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


# with_args: called with nothing but a function, a mark would decorate that function.
@pytest.mark.only.with_args(is_default)
@pytest.mark.parametrize("size", VIEWPORTS)
def test_screenshots(
    browser, site, mail_server, screenshot_users, screenshot_dir, violations, size
):
    """home, signup-error, login, the password reset's four pages (password-reset,
    -done, -from-key, -from-key-done), live and 404, each as <page>-<size>.png. The
    reset is walked through as a person does it: the link comes from the message the
    SMTP server received."""
    width = VIEWPORTS[size]["viewport"]["width"]

    def capture(page: Page, name: str) -> None:
        # No sideways scrolling; and the viewport was not widened (as a phone zooms
        # out) to make room for something too wide.
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert inner_width == width, f"{name}-{size}: the page is {inner_width}px wide"
        assert scroll_width <= inner_width, f"{name}-{size}: scrolls sideways ({scroll_width}px)"
        path = screenshot_dir / f"{name}-{size}.png"
        try:
            page.screenshot(path=path, full_page=True, animations="disabled")
        except Error as error:
            # Headless Chromium now and then fails to copy a frame on a busy machine
            # (puppeteer/puppeteer#5341, #6136); the page is unchanged: once more.
            if "Unable to capture screenshot" not in error.message:
                raise
            page.wait_for_timeout(500)
            page.screenshot(path=path, full_page=True, animations="disabled")

    visiting_context = violations.watch(browser.new_context(**SHOT_CONTEXT, **VIEWPORTS[size]))
    watching_context = violations.watch(browser.new_context(**SHOT_CONTEXT, **VIEWPORTS[size]))
    visiting = visiting_context.new_page()
    watching = watching_context.new_page()
    try:
        visiting.goto(f"{site}/")
        header = visiting.locator(".site-header")
        expect(header.get_by_role("link", name="Sign up")).to_be_visible()
        expect(visiting.locator("#ping-status")).to_contain_text("connected", timeout=WAIT_MS)
        capture(visiting, "home")

        visiting.goto(f"{site}/accounts/signup/")
        visiting.fill("#id_username", NEWCOMER)
        visiting.fill("#id_email", f"{NEWCOMER}@example.com")
        visiting.fill("#id_password1", PASSWORD)
        visiting.fill("#id_password2", PASSWORD + "-typo")
        visiting.click("main button[type=submit]")
        visiting.wait_for_load_state()
        errors = visiting.locator("main ul.errorlist")
        expect(errors).to_have_count(1)
        expect(errors).to_be_visible()
        expect(errors).to_contain_text("You must type the same password each time.")
        capture(visiting, "signup-error")

        visiting.goto(f"{site}/accounts/login/")
        expect(visiting.get_by_label("Login")).to_be_visible()
        expect(visiting.locator("#id_login")).to_have_attribute("placeholder", "Username or email")
        expect(visiting.get_by_label("Password")).to_be_visible()
        capture(visiting, "login")

        visiting.get_by_role("link", name="Forgot your password?").click()
        visiting.wait_for_url(f"{site}/accounts/password/reset/")
        capture(visiting, "password-reset")
        address = f"{FORGETFUL}@example.com"
        already = len(mail_server.to(address))
        visiting.get_by_label("Email").fill(address)
        visiting.click("main button[type=submit]")
        visiting.wait_for_url(f"{site}/accounts/password/reset/done/")
        expect(visiting.locator("h1")).to_have_text("Password Reset")
        capture(visiting, "password-reset-done")
        received = mail_server.wait_for(address, WAIT_MS / 1000, count=already + 1)
        assert len(received) == already + 1, "no reset message reached the SMTP server"
        # The link is to the site as the browser reached it: https, its host and port.
        link = reset_link(site, received[-1].text())
        visiting.goto(link)
        visiting.wait_for_url(re.compile(r".*/accounts/password/reset/key/\w+-set-password/$"))
        expect(visiting.locator("h1")).to_have_text("Change Password")
        capture(visiting, "password-reset-from-key")
        visiting.fill("#id_password1", NEW_PASSWORD)
        visiting.fill("#id_password2", NEW_PASSWORD)
        visiting.locator("main button[type=submit]", has_text="Change Password").click()
        visiting.wait_for_url(f"{site}/accounts/password/reset/key/done/")
        expect(visiting.locator("main")).to_contain_text("Your password is now changed.")
        capture(visiting, "password-reset-from-key-done")
        header.get_by_role("link", name="Log in").click()
        visiting.wait_for_url(f"{site}/accounts/login/")
        visiting.fill("#id_login", FORGETFUL)
        visiting.fill("#id_password", NEW_PASSWORD)
        visiting.click("main button[type=submit]")
        visiting.wait_for_url(f"{site}/")
        expect(visiting.locator("#signed-in-as")).to_contain_text(FORGETFUL)
        visiting.locator(".site-header").get_by_role("button", name="Log out").click()
        visiting.wait_for_url(f"{site}/")

        response = visiting.goto(f"{site}/no-such-page/")
        assert response is not None and response.status == 404
        expect(visiting.locator("h1")).to_have_text("Page not found")
        expect(header.locator(".brand")).to_be_visible()
        expect(header.get_by_role("link", name="Log in")).to_be_visible()
        capture(visiting, "404")

        watch_live_page(watching, site, WATCHER)
        expect(watching.locator("#live-empty")).to_be_visible()

        visiting.goto(f"{site}/accounts/login/")
        visiting.fill("#id_login", VISITOR)
        visiting.fill("#id_password", PASSWORD)
        visiting.click("main button[type=submit]")
        visiting.wait_for_url(f"{site}/")
        expect(visiting.locator("ul.messages")).to_contain_text(f"Signed in as {VISITOR}.")

        expect(watching.locator("#live-events li").first).to_contain_text(
            f"{VISITOR} logged in", timeout=WAIT_MS
        )
        expect(watching.locator("#live-empty")).to_be_hidden()
        expect(watching.locator("#signed-in-as")).to_contain_text(WATCHER)
        capture(watching, "live")
        assert violations.found == []
    finally:
        visiting_context.close()
        watching_context.close()


def shape(path: str) -> str:
    """A path with its numbers taken out: one user's change page stands for all."""
    return re.sub(r"\d+", "N", path)


def crawl(page: Page, site: str, start: list[str]) -> list[str]:
    """Open every page of `site` reachable by links from the `start` paths, one of
    each shape(), breadth first, at most CRAWL_LIMIT: the paths opened. Each must
    answer without an error, and the site's own pages (not the admin's) be laid out
    at a desktop's and a phone's width."""
    origin = urlsplit(site)
    queue, seen, opened = deque(start), {shape(path) for path in start}, []
    while queue and len(opened) < CRAWL_LIMIT:
        path = queue.popleft()
        response = page.goto(f"{site}{path}")
        assert response is not None and response.status < 400, (path, response)
        if not path.startswith("/admin/"):
            laid_out(page, path)
        opened.append(path)
        for link in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlsplit(link)
            if (url.scheme, url.netloc) != (origin.scheme, origin.netloc):
                continue
            if url.path.startswith(NOT_PAGES) or shape(url.path) in seen:
                continue
            seen.add(shape(url.path))
            queue.append(url.path)
    return opened


def sign_in(page: Page, site: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site}/")


def reset_link(site: str, text: str) -> str:
    """The link of a reset message: to the site as the browser reached it (https, its
    host and port), allauth's /accounts/password/reset/key/<uidb36>-<key>/."""
    link = re.search(rf"{re.escape(site)}/accounts/password/reset/key/\S+/", text)
    assert link, text
    return link.group()


def log_in_fails(page: Page, site: str, username: str, password: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("main .errorlist")).to_contain_text(
        "The username and/or password you specified are not correct."
    )
    assert page.url == f"{site}/accounts/login/"


@pytest.mark.only(groups=PAGE_GROUPS)
def test_passwords_change_and_reset_in_the_browser(
    browser, site, mail_server, create_users, runtime_answers, violations, tmp_path
):
    """Signed in, the header's E-mail link shows the account's addresses, laid out,
    and its Password link changes the password; the logout confirmation page (GET)
    signs out on its button; the old password is refused and the new one logs in.
    Then a reset: the login page's link, the form, the link from the message the SMTP
    server received, a third password that logs in. Last, a sixth reset request in a
    minute for one address gets the site's 429 page. Every page keeps to the policy."""
    suffix = short_hash(runtime_key(runtime_answers))[:6]
    name, changed, reset = f"changer-{suffix}", f"{PASSWORD}-changed", f"{PASSWORD}-reset"
    address = f"{name}@example.com"
    create_users([name], PASSWORD, fast=True)
    with watched_page(browser, violations, tmp_path / "passwords.png") as page:
        header = page.locator(".site-header")
        sign_in(page, site, name)
        # The account's pages from the header: two-factor's only once it is on.
        expect(header.get_by_role("link", name="Two-factor")).to_have_count(0)
        header.get_by_role("link", name="E-mail", exact=True).click()
        page.wait_for_url(f"{site}/accounts/email/")
        expect(page.locator("h1")).to_have_text("Email Addresses")
        laid_out(page, "e-mail")
        header.get_by_role("link", name="Password").click()
        page.wait_for_url(f"{site}/accounts/password/change/")
        expect(page.locator("h1")).to_have_text("Change Password")
        page.fill("#id_oldpassword", PASSWORD)
        page.fill("#id_password1", changed)
        page.fill("#id_password2", changed)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/accounts/password/change/")
        expect(page.locator("ul.messages")).to_contain_text("Password successfully changed.")
        expect(page.locator("#signed-in-as")).to_contain_text(name)

        page.goto(f"{site}/accounts/logout/")  # GET: the confirmation page
        expect(page.locator("h1")).to_have_text("Sign Out")
        expect(page.locator("#signed-in-as")).to_contain_text(name)
        page.get_by_role("main").get_by_role("button", name="Sign Out").click()
        page.wait_for_url(f"{site}/")
        expect(page.locator("ul.messages")).to_contain_text("You have signed out.")
        expect(page.locator("#signed-in-as")).to_have_count(0)

        log_in_fails(page, site, name, PASSWORD)
        sign_in(page, site, name, changed)
        header.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{site}/")

        page.goto(f"{site}/accounts/login/")
        page.get_by_role("link", name="Forgot your password?").click()
        page.wait_for_url(f"{site}/accounts/password/reset/")
        page.fill("#id_email", address)
        already = len(mail_server.to(address))
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/accounts/password/reset/done/")
        received = mail_server.wait_for(address, WAIT_MS / 1000, count=already + 1)
        assert len(received) == already + 1, "no reset message reached the SMTP server"
        page.goto(reset_link(site, received[-1].text()))
        page.wait_for_url(re.compile(r".*/accounts/password/reset/key/\w+-set-password/$"))
        page.fill("#id_password1", reset)
        page.fill("#id_password2", reset)
        change = page.locator("main button[type=submit]", has_text="Change Password")
        cancel = page.locator("main button", has_text="Cancel")
        # Beside it, "Cancel" looks like a link (as the header's "Log out" does), not a
        # second primary button: no background of its own.
        background = "element => getComputedStyle(element).backgroundColor"
        assert cancel.evaluate(background) == "rgba(0, 0, 0, 0)" != change.evaluate(background)
        change.click()
        page.wait_for_url(f"{site}/accounts/password/reset/key/done/")
        expect(page.locator("main")).to_contain_text("Your password is now changed.")
        log_in_fails(page, site, name, changed)
        sign_in(page, site, name, reset)
        expect(page.locator("#signed-in-as")).to_contain_text(name)
        header.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{site}/")

        # allauth counts 5 requests a minute per address (unknown ones too, which
        # are mailed nothing): the sixth is refused.
        unknown = f"nobody-{suffix}@example.com"
        statuses = []
        for _ in range(6):
            page.goto(f"{site}/accounts/password/reset/")
            page.fill("#id_email", unknown)
            with page.expect_navigation() as sent:
                page.click("main button[type=submit]")
            statuses.append(sent.value.status if sent.value else None)
        assert statuses[-1] == 429, statuses
        expect(page.locator("h1")).to_have_text("Too many attempts")
        page.wait_for_timeout(200)  # for a refusal on the last page to be reported
        assert mail_server.to(unknown) == []
        assert violations.found == []


@pytest.mark.only(groups=PAGE_GROUPS)
def test_every_page_keeps_to_the_content_security_policy(
    browser, site, create_users, violations, deployed_project, tmp_path
):
    """Signed out, then as a superuser: every page reachable from home, the admin's
    included, opens without a refusal, and the admin's scripts run (its date and
    time shortcuts on a user's change page)."""
    create_users([ADMIN], PASSWORD, staff=True, fast=True)
    users = f"/admin/{deployed_project.name}/user/"  # the project's own user model
    with watched_page(browser, violations, tmp_path / "crawl.png") as page:
        signed_out = crawl(page, site, ["/"])
        sign_in(page, site, ADMIN)
        signed_in = crawl(page, site, ["/", "/admin/"])
        page.goto(f"{site}{users}")
        page.locator("#result_list a[href*='/change/']").first.click()
        expect(page.locator(".datetimeshortcuts").first).to_be_visible()
        page.wait_for_timeout(200)  # for a refusal on the last page to be reported

        assert {"/accounts/login/", "/accounts/signup/"} <= set(signed_out), signed_out
        admin_pages = {shape(path) for path in signed_in}
        assert {users, f"{users}N/change/"} <= admin_pages, signed_in
        assert violations.found == []


@pytest.mark.only(groups=BROWSER_GROUPS, media_storage="s3")
def test_an_uploaded_picture_shows_under_the_policy(
    browser, site, create_users, violations, tmp_path
):
    """The form uploads to the bucket, and the page shows the picture from there by
    its signed URL: the policy's img-src lets the bucket's origin in."""
    name = "pictured"
    create_users([name], PASSWORD, fast=True)
    picture = tmp_path / "me.png"
    Image.new("RGB", (32, 32), "purple").save(picture)
    with watched_page(browser, violations, tmp_path / "upload.png") as page:
        sign_in(page, site, name)
        page.goto(f"{site}/profile/")
        page.set_input_files("#id_picture", picture)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/profile/")
        shown = page.locator("#picture")
        expect(shown).to_be_visible()
        expect(shown).to_have_js_property("naturalWidth", 32)  # loaded, not refused
        assert urlsplit(shown.get_attribute("src")).netloc != urlsplit(site).netloc
        assert violations.found == []


# A page with two inline scripts, as a user adds one: the first carries the request's
# nonce, the second does not. Each marks the page if it runs.
INLINE_SCRIPTS_PAGE = """{{% extends "base.html" %}}
{{% block content %}}<h1>Inline scripts</h1>{{% endblock %}}
{{% block scripts %}}
  <script nonce="{{{{ {nonce} }}}}">document.body.dataset.withNonce = "ran";</script>
  <script>document.body.dataset.withoutNonce = "ran";</script>
{{% endblock %}}
"""
# A page of the user's own with a form as Django renders it, and no class added.
USER_FORM_PAGE = """{% extends "base.html" %}
{% block content %}<h1>A note</h1>
<form method="post">{% csrf_token %}{{ form }}<button type="submit">Save</button></form>
{% endblock %}
"""
USER_VIEWS = """

def inline_scripts(request):
    return render(request, "inline_scripts.html")


def broken(request):
    raise RuntimeError("a bug in a view")


from django import forms


class NoteForm(forms.Form):
    title = forms.CharField(help_text="A few words.")
    body = forms.CharField(widget=forms.Textarea)
    public = forms.BooleanField(required=False)


def note(request):
    return render(request, "note.html", {"form": NoteForm(request.POST or None)})
"""
# What a label or a field looks like, to compare a user's form with the site's.
LOOK = """element => {
  const style = getComputedStyle(element);
  return [style.display, style.fontWeight, style.borderTopWidth, style.borderTopStyle,
    style.borderTopColor, style.borderRadius, style.paddingTop, style.fontSize].join(" ");
}"""
# The template variable that holds the nonce: Django's csp context processor names it
# csp_nonce; django-csp's, on Django 5.2, CSP_NONCE.
NONCE_VARIABLE = {"5.2": "CSP_NONCE", "6.1": "csp_nonce"}


@pytest.fixture(scope="module")
def project_with_user_views(deployed_project, runtime_answers, tmp_path_factory) -> Path:
    """The project with a page of inline scripts, a view that fails and a page with a
    form, as a user adds them."""
    copy = tmp_path_factory.mktemp("user-views") / deployed_project.name
    shutil.copytree(deployed_project, copy)
    package = copy / copy.name
    nonce = NONCE_VARIABLE[runtime_answers["django_version"]]
    (package / "templates" / "inline_scripts.html").write_text(
        INLINE_SCRIPTS_PAGE.format(nonce=nonce)
    )
    (package / "templates" / "note.html").write_text(USER_FORM_PAGE)
    views = package / "views.py"
    views.write_text(views.read_text() + USER_VIEWS)
    urls = copy / "config" / "urls.py"
    routes = "".join(
        f'    path("{path}/", views.{view}),\n'
        for path, view in [("inline", "inline_scripts"), ("broken", "broken"), ("note", "note")]
    )
    urls.write_text(urls.read_text().replace("urlpatterns = [\n", f"urlpatterns = [\n{routes}", 1))
    return copy


@pytest.fixture(scope="module")
def user_views_site(start_web, project_with_user_views, tmp_path_factory):
    with over_https(start_web(project=project_with_user_views), tmp_path_factory) as address:
        yield address


@pytest.mark.only(groups=BROWSER_GROUPS, platform="heroku", channel_layer="redis")
def test_error_pages_keep_to_the_policy(browser, user_views_site, violations):
    """The site's own 500 page, after a view that fails, and its 403 page for a form
    sent once its cookie is gone (Django's own has an inline style)."""
    with watched_page(browser, violations) as page:
        response = page.goto(f"{user_views_site}/broken/")
        assert response is not None and response.status == 500
        expect(page.locator("h1")).to_have_text("Something went wrong")

        page.goto(f"{user_views_site}/accounts/login/")
        page.context.clear_cookies()
        page.fill("#id_login", "nobody")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation() as sent:
            page.click("main button[type=submit]")
        assert sent.value is not None and sent.value.status == 403
        expect(page.locator("h1")).to_have_text("This form has expired")
        page.wait_for_timeout(200)  # for a refusal on the last page to be reported
        assert violations.found == []


@pytest.mark.only(groups=BROWSER_GROUPS, platform="heroku", channel_layer="redis")
def test_the_policy_refuses_an_inline_script_without_the_nonce(
    browser, user_views_site, violations
):
    with watched_page(browser, violations) as page:
        page.goto(f"{user_views_site}/inline/")
        expect(page.locator("body")).to_have_attribute("data-with-nonce", "ran")
        page.wait_for_timeout(200)  # time for the other script, were it let through
        assert page.locator("body").get_attribute("data-without-nonce") is None
        assert any("script-src" in found for found in violations.found), violations.found


@pytest.mark.only(groups=BROWSER_GROUPS, platform="heroku", channel_layer="redis")
def test_a_plain_form_on_a_users_page_looks_as_the_sites_forms(
    browser, user_views_site, violations
):
    """`{{ form }}` on a page of the user's own that extends base.html, with no class
    added: its labels and fields look as the login form's do, fill the width, and the
    page, its errors shown, is laid out."""
    with watched_page(browser, violations) as page:
        page.goto(f"{user_views_site}/accounts/login/")
        sites = [page.locator(f).evaluate(LOOK) for f in ("label[for=id_login]", "#id_login")]

        page.goto(f"{user_views_site}/note/")
        users = [page.locator(f).evaluate(LOOK) for f in ("label[for=id_title]", "#id_title")]
        assert users == sites
        # Blank (Django strips the space; the browser's own check for a required
        # field lets it through): the errors show.
        page.fill("#id_title", " ")
        page.fill("#id_body", " ")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        expect(page.locator("main .errorlist")).to_have_count(2)
        width = page.locator("main form").evaluate("form => form.clientWidth")
        for field in ("#id_title", "#id_body"):
            assert page.locator(field).evaluate("field => field.offsetWidth") == width, field
        laid_out(page, "a user's form")
        assert violations.found == []

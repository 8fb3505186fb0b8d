"""A real browser: headless Chromium (Debian's) driven by Playwright.

One browser signs in and watches the live page; a second one, in a context of its
own (its own cookies), signs up, which signs it in, and then logs out. The watching
page must show both events. Pages are served over HTTPS by the project's own web
command behind router.Router, as on the platform. On failure, screenshots of both
pages are saved in the test's temporary directory.
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

import machine
from combinations import runtime_key, short_hash
from router import Router

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
# As in a container: no sandbox for root, no GPU, and no calls home (the network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-password-that-is-not-secret"
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        machine.unavailable("Chromium is not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(start_web, tmp_path_factory):
    router = Router(start_web(), tmp_path_factory.mktemp("tls"))
    yield f"https://127.0.0.1:{router.port}"
    router.stop()


@pytest.mark.only(interface="asgi")
def test_live_page_shows_logins_from_another_browser(
    browser, site, create_users, runtime_answers, tmp_path
):
    # A name of this group's own, so no other test's login can be mistaken for it.
    name = f"bob-{short_hash(runtime_key(runtime_answers))[:6]}"
    create_users(["watcher"], PASSWORD)
    watching = browser.new_context(ignore_https_errors=True).new_page()
    signing_up = browser.new_context(ignore_https_errors=True).new_page()
    try:
        watching.goto(f"{site}/accounts/login/")
        watching.fill("#id_username", "watcher")
        watching.fill("#id_password", PASSWORD)
        watching.click("button[type=submit]")
        watching.wait_for_url(f"{site}/live/")
        expect(watching.locator("#live-status")).to_have_attribute(
            "data-state", "open", timeout=WAIT_MS
        )

        signing_up.goto(f"{site}/accounts/signup/")
        signing_up.fill("#id_username", name)
        signing_up.fill("#id_password1", PASSWORD)
        signing_up.fill("#id_password2", PASSWORD)
        signing_up.click("button[type=submit]")
        signing_up.wait_for_url(f"{site}/live/")
        events = watching.locator("#live-events li", has_text=name)
        expect(events.first).to_contain_text(f"{name} logged in", timeout=WAIT_MS)

        signing_up.click("text=Log out")
        expect(events.first).to_contain_text(f"{name} logged out", timeout=WAIT_MS)
        expect(events).to_have_count(2)
    except Exception:
        watching.screenshot(path=tmp_path / "watching.png")
        signing_up.screenshot(path=tmp_path / "signing-up.png")
        raise

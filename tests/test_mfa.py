"""Two-factor authentication tier: the README's three steps, followed word for word on
a copy of the deployed project, then an authenticator app set up and used in Chromium.

On one runtime group (App Platform, WSGI, Django 6.1: no add-on, so no S3 server):
1. "**Two-factor authentication**" in the generated README's "## Accounts" is read as
   a user reads it: `requirements.in` gets the extra it names, and the ```sh block of
   "## Add a package", which the step links to, runs by bash -e as written (both
   `pip-compile` lines and its `pip install`). It runs in a venv of this test's own,
   whose site-packages reads the suite's venv through a .pth file and whose scripts
   run its own python, so that the install adds qrcode and fido2 there and the suite's
   shared venv stays as built. Then `INSTALLED_APPS` gets the app after the one the
   step names, and the release step (the README's `migrate`) runs.
2. The web command of that copy, behind router.Router over HTTPS, with EMAIL_URL at an
   SMTP server of the suite's: in headless Chromium, a user signs up, is refused an
   authenticator while their address is unconfirmed (as the README says), confirms it
   by the mailed link, activates the app at `/accounts/2fa/`, reached by the header's
   "Two-factor" link beside "E-mail" and "Password" (the QR code inline as SVG, the
   code computed from the secret the page shows, RFC 6238), sees the recovery codes,
   logs out, logs in and is asked for a code, enters one and is signed in.
   Every page keeps to the site's Content Security Policy: the browser refuses nothing
   (allauth's own activation page, whose QR code is a data: image, would be refused).
   The two messages after sign-up, the two-factor page, the activation, the recovery
   codes (their links drawn as the site's buttons) and the code prompt are laid out at
   a desktop's and a phone's width: nothing overlaps or touches, nothing scrolls
   sideways (tests/support/layout.py).

The copy migrates the group's database (the tables of allauth.mfa are added beside
the others, which no other tier reads).
"""

# ruff: noqa: F811

import base64
import hashlib
import hmac
import os
import re
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from playwright.sync_api import expect

from tests.fixtures.browser import WAIT_MS, over_https, watched_page

# The browser tier's fixtures, used here by name (so, for ruff, unused and redefined).
from tests.fixtures.projects import collect_static
from tests.support import platform_env, venvs
from tests.support.layout import laid_out

pytestmark = pytest.mark.only(platform="digitalocean", interface="wsgi", django_version="6.1")

STEPS_INTRO = "**Two-factor authentication**"
LOCK_HEADING = "Add a package"
PASSWORD = "mfa-password-that-is-not-secret"
USERNAME = "two-factor-user"
ADDRESS = f"{USERNAME}@example.com"
# What allauth.mfa needs beyond django-allauth itself (its `mfa` extra).
ADDED_BY_THE_EXTRA = {"qrcode", "fido2"}
# The header's links to a signed-in visitor's account pages, two-factor's once it is on.
ACCOUNT_LINKS = {
    "E-mail": "/accounts/email/",
    "Password": "/accounts/password/change/",
    "Two-factor": "/accounts/2fa/",
}
# RFC 6238 as allauth's defaults have it (MFA_TOTP_PERIOD, MFA_TOTP_DIGITS).
TOTP_PERIOD, TOTP_DIGITS = 30, 6
# A code is checked against the server's clock with no tolerance: never type one in
# the last seconds of its period.
TOTP_MARGIN = 3
LOCK_TIMEOUT = 600


def totp(secret: str, at: float) -> str:
    """The code an authenticator app shows at `at` (RFC 6238: HMAC-SHA-1 over the
    count of 30-second periods, dynamically truncated to 6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // TOTP_PERIOD), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**TOTP_DIGITS:0{TOTP_DIGITS}d}"


def current_code(secret: str) -> str:
    """The code of the current period, or of the next one if this one ends within
    TOTP_MARGIN seconds (at most that long a wait)."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < TOTP_MARGIN:
        time.sleep(left)
    return totp(secret, time.time())


def test_totp_matches_rfc_6238():
    """The SHA-1 test vectors of RFC 6238's appendix B, last 6 digits."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    vectors = {59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"}
    assert {at: totp(secret, at) for at in vectors} == vectors


def two_factor_steps(readme: str) -> list[str]:
    """The numbered steps after the paragraph that opens with STEPS_INTRO, as text."""
    tokens = MarkdownIt("commonmark").parse(readme)
    start = next(
        (
            i
            for i, t in enumerate(tokens)
            if t.type == "inline" and t.content.startswith(STEPS_INTRO)
        ),
        None,
    )
    assert start is not None, f"README.md has no paragraph opening with {STEPS_INTRO}"
    assert tokens[start + 2].type == "ordered_list_open", "the paragraph is not followed by steps"
    steps, depth = [], 0
    for token in tokens[start + 2 :]:
        depth += token.nesting
        if token.type == "inline" and depth == 3:  # list, item, paragraph
            steps.append(" ".join(token.content.split()))
        if depth == 0:
            break
    return steps


def fence_under(readme: str, heading: str) -> str:
    """The first ```sh block of the "## heading" section."""
    section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    blocks = [t.content for t in MarkdownIt("commonmark").parse(section) if t.type == "fence"]
    assert blocks, f"no ```sh block under '## {heading}'"
    return blocks[0]


def overlay_venv(suite_bin: Path, path: Path) -> Path:
    """A venv at `path` that sees every distribution of the suite's venv (a .pth file
    adds its site-packages, .pth files included) and has its console scripts, run by
    its own python: what pip installs there stays there. Returns its bin directory."""
    subprocess.run(
        [str(suite_bin / "python"), "-m", "venv", "--without-pip", str(path)],
        check=True,
        timeout=60,
    )
    found = subprocess.run(
        [str(suite_bin / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    suite_site = found.stdout.strip()
    (own_site,) = path.glob("lib/python*/site-packages")
    (own_site / "suite-venv.pth").write_text(f"import site; site.addsitedir({suite_site!r})\n")
    own_bin = path / "bin"
    shebang = f"#!{suite_bin / 'python'}\n".encode()
    for script in suite_bin.iterdir():
        target = own_bin / script.name
        if script.is_symlink() or not script.is_file() or target.exists():
            continue
        content = script.read_bytes()
        if content.startswith(shebang):
            target.write_bytes(f"#!{own_bin / 'python'}\n".encode() + content[len(shebang) :])
            target.chmod(0o755)
    return own_bin


def lock_pins(project: Path) -> dict[str, str]:
    return venvs.pins_in((project / "requirements.txt").read_text())


@pytest.fixture(scope="module")
def readme(deployed_project) -> str:
    return (deployed_project / "README.md").read_text()


@pytest.fixture(scope="module")
def steps(readme) -> list[str]:
    steps = two_factor_steps(readme)
    assert len(steps) == 3, steps
    return steps


@pytest.fixture(scope="module")
def mfa_bin(venv_bin, tmp_path_factory) -> Path:
    return overlay_venv(venv_bin, tmp_path_factory.mktemp("mfa-venv") / "venv")


@pytest.fixture(scope="module")
def mfa_project(
    deployed_project, readme, steps, venv_bin, mfa_bin, production_env, released, tmp_path_factory
) -> Path:
    """A copy of the deployed project with the README's three steps done, as written,
    and its release step run against the group's database."""
    project = tmp_path_factory.mktemp("mfa") / deployed_project.name
    shutil.copytree(deployed_project, project)
    before = lock_pins(project)

    # 1. The extra in requirements.in, then the lock command the step links to.
    found = re.fullmatch(
        r"In `(?P<file>[^`]+)`, write `(?P<name>[^`\[]+)(?P<extra>\[[^`]+\])==` with the"
        r" version that is there, and lock again \(\[Add a package\]\(#add-a-package\)\)\.",
        steps[0],
    )
    assert found, steps[0]
    requirements = project / found["file"]
    pin = re.compile(rf"^{re.escape(found['name'])}==(\S+)$", re.M)
    assert len(pin.findall(requirements.read_text())) == 1, requirements.read_text()
    requirements.write_text(
        pin.sub(rf"{found['name']}{found['extra']}==\1", requirements.read_text())
    )
    lock = fence_under(readme, LOCK_HEADING)
    assert "pip-compile" in lock, lock
    locked = subprocess.run(
        ["bash", "-e", "-c", lock],
        cwd=project,
        env={"PATH": f"{mfa_bin}:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")},
        capture_output=True,
        text=True,
        timeout=LOCK_TIMEOUT,
        check=False,
    )
    assert locked.returncode == 0, locked.stdout[-3000:] + locked.stderr[-3000:]
    after = lock_pins(project)
    assert set(after) - set(before) >= ADDED_BY_THE_EXTRA, sorted(set(after) - set(before))
    changed = {name for name in before.keys() & after.keys() if before[name] != after[name]}
    assert not changed, f"locking again changed pins: {sorted(changed)}"
    shown = subprocess.run(
        [str(mfa_bin / "python"), "-m", "pip", "show", *ADDED_BY_THE_EXTRA],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.stdout.count(f"Location: {mfa_bin.parent}") == len(ADDED_BY_THE_EXTRA), shown
    suite_has = subprocess.run(
        [str(venv_bin / "python"), "-m", "pip", "show", "--quiet", *ADDED_BY_THE_EXTRA],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert suite_has.returncode != 0, "the install reached the suite's venv"

    # 2. The app in INSTALLED_APPS, after the one the step names.
    found = re.fullmatch(
        r"Add `(?P<line>[^`]+)` to `INSTALLED_APPS` in `(?P<file>[^`]+)`,"
        r" after `(?P<after>[^`]+)`\.",
        steps[1],
    )
    assert found, steps[1]
    settings = project / found["file"]
    anchor = re.compile(rf"^(?P<indent>[ ]+){re.escape(found['after'])}\n", re.M)
    assert len(anchor.findall(settings.read_text())) == 1, found["after"]
    settings.write_text(
        anchor.sub(lambda m: f"{m[0]}{m['indent']}{found['line']}\n", settings.read_text())
    )

    # The deploy's build, as the `build` fixture runs it: allauth.mfa's static files
    # (the recovery codes page's script) join the manifest.
    collected = collect_static(project, mfa_bin)
    assert collected.returncode == 0, collected.stdout + collected.stderr

    # 3. migrate, by the release step (Heroku's release phase, DigitalOcean's job).
    step = r"`(?P<command>[^`]+)`, locally and by the (release phase|pre-deploy job)\."
    found = re.fullmatch(step, steps[2])
    assert found, steps[2]
    release = platform_env.commands(project)["release"]
    assert release.startswith(found["command"]), (release, found["command"])
    env = {**production_env, "PATH": f"{mfa_bin}:{production_env['PATH']}"}
    migrated = subprocess.run(
        ["bash", "-c", release], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "Applying mfa." in migrated.stdout, migrated.stdout
    return project


@pytest.fixture(scope="module")
def site(start_web, mfa_project, mfa_bin, production_env, mail_server, tmp_path_factory):
    port = start_web(
        project=mfa_project,
        PATH=f"{mfa_bin}:{production_env['PATH']}",
        EMAIL_URL=f"smtp+insecure://127.0.0.1:{mail_server.port}",
    )
    with over_https(port, tmp_path_factory) as address:
        yield address


def test_an_authenticator_app_guards_the_login(
    browser, site, readme, mail_server, violations, web_servers, tmp_path
):
    # What the README says a user with an unconfirmed address is told.
    refusal = re.search(r'sent back with "([^"]+)"', " ".join(readme.split()))
    assert refusal, "the README no longer quotes the refusal"
    refusal = refusal[1]
    with watched_page(browser, violations, tmp_path / "mfa.png") as page:
        # A new user signs up (the site signs them in), and cannot add an
        # authenticator before confirming their address.
        page.goto(f"{site}/accounts/signup/")
        page.fill("#id_username", USERNAME)
        page.fill("#id_email", ADDRESS)
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/")
        expect(page.locator("#signed-in-as")).to_contain_text(USERNAME)
        # The confirmation's message and the sign-in's, apart.
        expect(page.locator("ul.messages li")).to_have_count(2)
        laid_out(page, "home after sign-up")

        header = page.locator(".site-header")
        for name, path in ACCOUNT_LINKS.items():
            link = header.get_by_role("link", name=name, exact=True)
            expect(link).to_have_attribute("href", path)
        header.get_by_role("link", name="Two-factor", exact=True).click()
        page.wait_for_url(f"{site}/accounts/2fa/")
        laid_out(page, "two-factor")
        page.locator("main a[href='/accounts/2fa/totp/activate/']").click()
        page.wait_for_url(f"{site}/accounts/2fa/")
        expect(page.locator("ul.messages")).to_contain_text(refusal)

        (message,) = mail_server.wait_for(ADDRESS, WAIT_MS / 1000)
        link = re.search(rf"{re.escape(site)}/accounts/confirm-email/\S+/", message.text())
        assert link, message.text()
        page.goto(link.group())
        page.click("main button[type=submit]")
        page.wait_for_load_state()

        # Activation: the reauthentication allauth asks for if the log-in is not
        # recent, then the QR code and the secret.
        page.goto(f"{site}/accounts/2fa/")
        page.locator("main a[href='/accounts/2fa/totp/activate/']").click()
        page.wait_for_load_state()
        if "/accounts/reauthenticate/" in page.url:
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/accounts/2fa/totp/activate/")
        page.wait_for_load_state()
        page.wait_for_timeout(200)  # for a refusal of the QR code to be reported
        assert violations.found == []
        expect(page.locator("main form svg")).to_be_visible()
        laid_out(page, "authenticator app activation")
        secret = page.input_value("#authenticator_secret")
        assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
        page.fill("#id_code", current_code(secret))
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/accounts/2fa/recovery-codes/")
        expect(page.locator("main")).to_contain_text("Recovery Codes")
        laid_out(page, "recovery codes")
        # Its links look like the site's buttons, as allauth has them.
        background = "element => getComputedStyle(element).backgroundColor"
        for name in ("Download codes", "Generate new codes"):
            link = page.get_by_role("main").get_by_role("link", name=name)
            assert link.evaluate(background) != "rgba(0, 0, 0, 0)", name
        header.get_by_role("link", name="Two-factor", exact=True).click()
        page.wait_for_url(f"{site}/accounts/2fa/")
        expect(page.locator("main")).to_contain_text("Deactivate")
        laid_out(page, "two-factor, on")

        page.locator(".site-header").get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{site}/")
        expect(page.locator("ul.messages")).to_contain_text("You have signed out.")

        # The next log-in asks for a code before signing in.
        page.goto(f"{site}/accounts/login/")
        page.fill("#id_login", USERNAME)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/accounts/2fa/authenticate/")
        expect(page.locator("#signed-in-as")).to_have_count(0)
        laid_out(page, "code prompt")
        page.fill("#id_code", current_code(secret))
        page.click("main button[type=submit]")
        page.wait_for_url(f"{site}/")
        expect(page.locator("#signed-in-as")).to_contain_text(USERNAME)
        page.wait_for_timeout(200)  # for a refusal on the last page to be reported
        assert violations.found == []
    output = next(iter(web_servers.values())).output
    assert "Traceback" not in output, output[-3000:]

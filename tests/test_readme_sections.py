"""README sections tier: the generated README's later sections, followed as written.

On one Heroku ASGI project (daphne, Redis layer, Django 5.2: the defaults) and one App
Platform WSGI project (gunicorn, no Redis, Django 6.1), each a copy of the generation:
- "Your first page", block by block: `startapp`, a model, the app in INSTALLED_APPS,
  `makemigrations`, a view, its URLs included in config/urls.py, a template extending
  base.html, a link in the navigation and an async test that reads the database; then
  the lint commands the README gives as CI's pass, untouched (migrations and
  startapp's stub files included), and `pytest`, which runs that test;
- "Production settings locally": its block, run by bash -e with `.env`'s DEBUG on in
  the directory, with only the placeholders replaced (the database, Redis and the
  port): without its `collectstatic` line the web command stops with one sentence that
  names it; in full, `collectstatic`, the release step and `check --deploy` pass and
  the web command, listening on 127.0.0.1 alone, serves the home page and its static
  files to a request that carries the router's `X-Forwarded-Proto`;
- "Run it locally"'s line for Django's deployment checks, as written, in the directory
  with `.env`'s DEBUG on: they pass.
"""

import re
import shutil
from pathlib import Path

import pytest

from tests.support import machine
from tests.support.combinations import DEFAULTS, VENV_PYTHON, combination_id
from tests.support.servers import Server, request

CASES = [
    DEFAULTS,
    # With uploads to S3, whose variables every production command requires.
    {
        **DEFAULTS,
        "platform": "digitalocean",
        "interface": "wsgi",
        "django_version": "6.1",
        "media_storage": "s3",
    },
]
CASES = [{**case, "python_version": VENV_PYTHON[case["django_version"]]} for case in CASES]
# What the README writes for the user to replace, and the port it names.
DATABASE_PLACEHOLDER = "postgres://USER:PASSWORD@127.0.0.1:5432/DATABASE"
REDIS_PLACEHOLDER = "redis://127.0.0.1:6379/0"
README_PORT = "PORT=8000"
COLLECTSTATIC = "python manage.py collectstatic --noinput"
NOT_COLLECTED = "The static files are not collected: run `python manage.py collectstatic --noinput`"
HTTPS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


@pytest.fixture(scope="module", params=CASES, ids=[combination_id(c) for c in CASES])
def case(request) -> dict:
    return request.param


@pytest.fixture(scope="module")
def readme(bake, case) -> str:
    return (bake(case) / "README.md").read_text()


@pytest.fixture
def project(bake, case, tmp_path) -> Path:
    """A copy of the generated project, with the .env generation wrote."""
    return Path(shutil.copytree(bake(case), tmp_path / "project"))


@pytest.fixture
def bin_dir(venv_for, case) -> Path:
    return venv_for(case["django_version"])


def run(args: list[str], cwd: Path, bin_dir: Path, **kwargs):
    import subprocess

    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )


def section(readme: str, heading: str) -> str:
    return readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_pytest_without_env_says_to_copy_it(project, bin_dir):
    """As the README says of a command in a fresh clone, which has no .env."""
    (project / ".env").unlink()
    tests = run(["python", "-m", "pytest", "-p", "no:cacheprovider"], project, bin_dir)

    assert tests.returncode == pytest.ExitCode.USAGE_ERROR, tests.stdout + tests.stderr
    assert "run `install -m 600 .env.example .env`" in tests.stdout + tests.stderr
    assert "Traceback" not in tests.stdout + tests.stderr


def test_a_first_page_as_the_readme_builds_it(readme, project, bin_dir):
    """ "Your first page", block by block: the app, its model, form and view, URLs,
    template, a link in the navigation and an async test that posts the form; then
    the lint commands CI runs, untouched (migrations and startapp's stub files
    included), and the test."""
    lint = re.findall(r"`(ruff [^`]+)`", section(readme, "Run it locally"))
    assert lint == ["ruff check .", "ruff format --check ."], lint
    page = section(readme, "Your first page")
    (startapp,) = re.findall(r"```sh\n(.*?)\n```", page, re.S)
    model, views, urls, test = re.findall(r"```python\n(.*?)```", page, re.S)
    template, link = re.findall(r"```html\n(.*?)```", page, re.S)
    route = re.search(r"`(path\(\"notes/\", include\(\"notes\.urls\"\)\),)`", page).group(1)
    assert 'Add `"notes"` to `INSTALLED_APPS` in `config/settings.py`' in page

    assert run(startapp.split(), project, bin_dir).returncode == 0
    notes = project / "notes"
    for name, text in [("models.py", model), ("views.py", views), ("urls.py", urls)]:
        (notes / name).write_text(text)
    (notes / "tests.py").write_text(test)
    (notes / "templates/notes").mkdir(parents=True)
    (notes / "templates/notes/index.html").write_text(template)
    edit(project / "config/settings.py", "INSTALLED_APPS = [\n", '    "notes",\n')
    edit(project / "config/urls.py", "urlpatterns = [\n", f"    {route}\n")
    (base_path,) = re.findall(r"`([\w/]+/base\.html)`, after the site's name", page)
    base = project / base_path
    brand = re.search(r"^ *<a class=\"brand\".*\n", base.read_text(), re.M).group()
    edit(base, brand, f"      {link}")
    made = run(["python", "manage.py", "makemigrations", "notes"], project, bin_dir)
    assert made.returncode == 0 and "Create model Note" in made.stdout, made.stdout + made.stderr

    for command in lint:
        result = run(command.split(), project, bin_dir)
        assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"
    tests = run(["python", "-m", "pytest", "-p", "no:cacheprovider", "notes"], project, bin_dir)
    assert "1 passed" in tests.stdout, tests.stdout + tests.stderr


def edit(path: Path, after: str, added: str) -> None:
    """Add `added` right after the first `after` in the file, as a user edits it."""
    text = path.read_text()
    assert after in text, f"{path.name} has no {after!r}"
    path.write_text(text.replace(after, after + added, 1))


DEPLOY_CHECKS = "python manage.py check --deploy --fail-level WARNING"


def test_the_deploy_checks_pass_locally_as_written(readme, project, bin_dir):
    """`.env` turns DEBUG on, which fails the checks; the README's line gives them
    production values on its command line."""
    local = section(readme, "Run it locally")
    (line,) = [line for line in local.splitlines() if line.endswith(DEPLOY_CHECKS)]
    assert "DJANGO_DEBUG=1" in (project / ".env").read_text().splitlines()

    result = run(["bash", "-e", "-c", line], project, bin_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


def production_block(readme: str, database_url: str, redis_url: str, port: int) -> str:
    block = re.search(r"```sh\n(.*?)```", section(readme, "Production settings locally"), re.S)
    script = block.group(1)
    for placeholder in (DATABASE_PLACEHOLDER, README_PORT):
        assert placeholder in script, f"the block no longer has {placeholder}"
    return (
        script.replace(DATABASE_PLACEHOLDER, database_url)
        .replace(REDIS_PLACEHOLDER, redis_url)
        .replace(README_PORT, f"PORT={port}")
    )


@pytest.fixture
def database(case):
    name = f"ccdp_readme_{combination_id(case, versions=False)[:40]}".replace("-", "_")
    yield machine.create_database(name)
    machine.drop_database(name)


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on `port`, as /proc/net writes them."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def serve(script: str, project: Path, bin_dir: Path, log: Path) -> Server:
    (project / "block.sh").write_text(script)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(project)}
    return Server("bash -e block.sh", project, env, log)


def test_production_settings_locally_runs_as_written(
    readme, project, bin_dir, postgres, redis_url, database, tmp_path
):
    port = machine.free_port()
    script = production_block(readme, database, redis_url, port)
    assert COLLECTSTATIC in script and "check --deploy" in script

    without_static = serve(
        script.replace(COLLECTSTATIC, "true"), project, bin_dir, tmp_path / "a.log"
    )
    returncode = without_static.refusal()
    assert returncode != 0
    assert NOT_COLLECTED in without_static.output, without_static.output[-3000:]

    server = serve(script, project, bin_dir, tmp_path / "b.log")
    try:
        server.wait_until_answering(port)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1 alone
        home = request(port, "/", HTTPS)
        assert home.status == 200, server.output[-3000:]
        assert request(port, "/").status == 301  # plain HTTP, as the router never sends
        static = re.findall(r'(?:href|src)="(/static/[^"]+)"', home.body.decode())
        assert static, "the home page links no static file"
        for path in static:
            assert request(port, path, HTTPS).status == 200, path
    finally:
        server.stop()
    assert "Traceback" not in server.output, server.output[-3000:]

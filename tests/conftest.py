"""Fixtures shared by every tier: combinations, bakes, venvs, services.

Tests take `answers` (every combination) or `runtime_answers` (one representative
per runtime group, see combinations.py). Both are parametrized at module scope and
marked with their runtime group for `--dist loadgroup`, so all checks on a
combination run in the same worker, which generates it once.
"""

import contextlib
import io
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import binaryornot.check
import cookiecutter.generate
import cookiecutter.hooks
import jinja2
import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import FailedHookException
from filelock import FileLock

import machine
import object_store
import observatory
import platform_env
import stored_accounts
import tls
import venvs
from combinations import (
    TEMPLATE_DIR,
    all_combinations,
    combination_id,
    pairwise,
    representative,
    runtime_groups,
    runtime_key,
    short_hash,
    version_groups,
)
from servers import Server
from visitors import FAST_HASHERS, HASH_PASSWORD, md5_password


def pytest_addoption(parser):
    parser.addoption(
        "--screenshot-dir",
        default=str(TEMPLATE_DIR / "artifacts" / "screenshots"),
        help="where test_browser.py::test_screenshots saves its PNGs, relative to the"
        " current directory (default: artifacts/screenshots in the repository)",
    )


def selected(metafunc, answers: dict) -> bool:
    """Honour @pytest.mark.only(predicate, option=value or (values, ...), groups={runtime
    keys}) on a test."""
    marker = metafunc.definition.get_closest_marker("only")
    if marker is None:
        return True
    if not all(predicate(answers) for predicate in marker.args):
        return False
    for option, wanted in marker.kwargs.items():
        wanted = (wanted,) if isinstance(wanted, str) else wanted
        value = runtime_key(answers) if option == "groups" else answers[option]
        if value not in wanted:
            return False
    return True


def pytest_generate_tests(metafunc):
    if "answers" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker("reads_no_version_file"):
            candidates = [representative(members) for members in version_groups().values()]
        else:
            candidates = all_combinations()
        metafunc.parametrize(
            "answers",
            [
                pytest.param(a, id=combination_id(a), marks=pytest.mark.xdist_group(runtime_key(a)))
                for a in candidates
                if selected(metafunc, a)
            ],
            scope="module",
        )
    if "runtime_answers" in metafunc.fixturenames:
        groups = {k: m for k, m in runtime_groups().items() if selected(metafunc, m[0])}
        if metafunc.definition.get_closest_marker("pairwise"):
            groups = pairwise(groups)
        metafunc.parametrize(
            "runtime_answers",
            [
                pytest.param(representative(members), id=key, marks=pytest.mark.xdist_group(key))
                for key, members in groups.items()
            ],
            scope="module",
        )
    if "group_members" in metafunc.fixturenames:
        metafunc.parametrize(
            "group_members",
            [
                pytest.param(members, id=key, marks=pytest.mark.xdist_group(key))
                for key, members in version_groups().items()
            ],
            scope="module",
        )


# The tiers that run a project's own processes (servers, workers, a browser).
LIVE_TIERS = {
    "test_live_server.py", "test_async_views.py", "test_realtime.py", "test_readme_steps.py",
    "test_tls.py", "test_outages.py", "test_restarts.py", "test_load.py", "test_worker.py",
    "test_media.py", "test_browser.py", "test_email.py", "test_client_address.py",
    "test_request_bodies.py", "test_stuck_requests.py", "test_readme_sections.py",
    "test_sentry.py", "test_rate_limits.py", "test_mfa.py", "test_websocket_origins.py",
    "test_enumeration.py", "test_redis_connections.py", "test_slow_clients.py",
    "test_startup_refusals.py", "test_housekeeping.py",
}  # fmt: skip
NODE_ID = re.compile(r"tests/(?P<module>[^:]+)::[^\[]*\[(?P<param>[^\]]+)\]@(?P<group>\S+)$")


def pytest_terminal_summary(terminalreporter):
    """How many distinct projects the run generated, and how many of them ran live."""
    combinations = {combination_id(a): a for a in all_combinations()}
    groups, versions = runtime_groups(), version_groups()
    projects, live = set(), set()
    for report in terminalreporter.stats.get("passed", []):
        match = NODE_ID.match(getattr(report, "nodeid", ""))
        if not match:
            continue
        param, group = match["param"], match["group"]
        if param in combinations:
            projects.add(param)
        elif match["module"] == "test_render.py" and param in versions:
            # test_version_answers_change_only_version_files generates every member.
            projects.update(combination_id(member) for member in versions[param])
        elif group in groups:
            projects.add(combination_id(representative(groups[group])))
        if match["module"] in LIVE_TIERS and group in groups:
            live.add(group)
    terminalreporter.write_line(
        f"{len(projects)} distinct projects generated and checked,"
        f" {len(live)} of them run live (of {len(combinations)} combinations"
        f" and {len(groups)} runtime groups)"
    )
    scores = {
        report.nodeid.rpartition("@")[2]: dict(report.user_properties)["observatory"]
        for reports in terminalreporter.stats.values()
        for report in reports
        if "observatory" in dict(getattr(report, "user_properties", ()))
    }
    if scores:
        terminalreporter.write_line("MDN HTTP Observatory score per runtime group:")
        for group, score in sorted(scores.items()):
            terminalreporter.write_line(f"  {score:>9}  {group}")


# About how long one test of each module takes, in seconds (the mean of a full run's
# junit durations on this project's machine, 2026-11-23); the rest take a fraction of
# a second. Only the order of the groups depends on it.
SECONDS_PER_TEST = {
    "test_load.py": 40, "test_browser.py": 26, "test_properties.py": 17,
    "test_realtime.py": 15, "test_worker.py": 13, "test_removal.py": 12,
    "test_media.py": 11, "test_readme_steps.py": 10, "test_outages.py": 8,
    "test_restarts.py": 8, "test_tls.py": 7, "test_email.py": 6, "test_async_views.py": 4,
    "test_django.py": 2, "test_request_bodies.py": 2, "test_hooks.py": 1.5,
    "test_stuck_requests.py": 12, "test_readme_sections.py": 15, "test_locks.py": 25,
    "test_sentry.py": 6, "test_rate_limits.py": 3, "test_mfa.py": 25,
    "test_enumeration.py": 15, "test_websocket_origins.py": 0.5,
    "test_redis_connections.py": 12, "test_slow_clients.py": 20,
    "test_startup_refusals.py": 2, "test_housekeeping.py": 3, "test_contributing.py": 12,
}  # fmt: skip


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Stop if pytest-xdist ignored the groups (as it does under pytest 9): tests of
    one combination would then generate it again on another worker. Then put the
    longest groups first (pyproject.toml turns off xdist's own order, by number of
    tests), so that the short ones fill in at the end instead of one worker running a
    two-minute group alone while the others wait."""
    if not getattr(config.option, "loadgroup", False):
        return
    if any("@" not in item.nodeid for item in items if item.get_closest_marker("xdist_group")):
        raise pytest.UsageError(
            "pytest-xdist did not apply --dist loadgroup to xdist_group marks;"
            " install the versions pinned in requirements-dev.txt."
        )
    cost: dict[str, float] = {}
    for item in items:
        group = item.nodeid.rpartition("@")[2]
        cost[group] = cost.get(group, 0) + SECONDS_PER_TEST.get(item.path.name, 0.2)
    items.sort(key=lambda item: -cost[item.nodeid.rpartition("@")[2]])


class SharedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates, kept across bakes: cookiecutter builds a new Jinja
    environment for each, which would parse and compile every file again (a third of
    a bake). Jinja keys each entry by the template's name and checks its source's
    checksum, so an edited template is compiled afresh. The code objects are kept as
    they are, not marshalled: loading them again was a tenth of a bake."""

    def __init__(self):
        self.compiled: dict[str, tuple[str, types.CodeType]] = {}

    def load_bytecode(self, bucket):
        checksum, code = self.compiled.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = (bucket.checksum, bucket.code)


def run_hook_here(script_path: str, cwd: Path | str = ".") -> None:
    """cookiecutter.hooks.run_script for a Python hook, in this process: run as its
    __main__ in `cwd`, with what it prints kept out of the test's output and what it
    changes of sys.path undone; a non-zero exit fails as cookiecutter's does. The
    script is the rendered copy cookiecutter writes to the temporary directory for
    each run of a hook and never deletes (two per bake): it goes once it has run."""
    saved_cwd, saved_path = os.getcwd(), sys.path[:]
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            runpy.run_path(str(script_path), run_name="__main__")
    except SystemExit as exit:
        if exit.code not in (None, 0):
            raise FailedHookException(f"Hook script failed: {exit.code}") from None
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        if Path(script_path).parent == Path(tempfile.gettempdir()):
            os.unlink(script_path)


# What makes Jinja render a string as other than itself: a delimiter's first character
# (StrictEnvironment keeps Jinja's {{ }}, {% %} and {# #}) or a line break, which it
# normalises and strips at the end.
LITERAL_TEXT_BREAKERS = ("{", "\n", "\r")
LITERAL_TEXT = "{{ literal_text_ }}"


@pytest.fixture(scope="session")
def fast_generation():
    """Generation as cookiecutter does it, at less cost for a suite that generates
    hundreds of projects in one process:
    - files' templates through SharedBytecodeCache, and the strings cookiecutter
      renders with from_string (every file and directory name, the context's derived
      answers), which no bytecode cache keeps, compiled once per source: every bake's
      environment is built alike (StrictEnvironment, the template's extensions). A
      string with no Jinja in it renders through one template that prints it: 36 of
      the 44 strings a bake compiled were directories' paths under its own output
      directory;
    - whether each template file is binary, which cookiecutter guesses from the file's
      bytes on every bake (a tenth of a bake), once per file as it stands;
    - the post-generation hook run in this process (run_hook_here), not in a Python
      process of its own (a sixth of a bake). The hooks tier's refusal and message
      tests run the cookiecutter command, which runs it as users get it."""
    cache = SharedBytecodeCache()
    init = StrictEnvironment.__init__
    compiled_strings: dict[str | None, object] = {}
    binary_files: dict[tuple[str, int, int], bool] = {}

    def init_with_cache(self, **kwargs):
        init(self, **kwargs)
        self.bytecode_cache = cache

    def from_string(self, source, globals=None, template_class=None):
        if not any(mark in source for mark in LITERAL_TEXT_BREAKERS):
            globals = {**(globals or {}), "literal_text_": source}
            source = None  # the key of LITERAL_TEXT, which no source can take
            if source not in compiled_strings:
                # By name, so that no extension takes it for an answer to keep as
                # text (local_extensions.py).
                compiled_strings[source] = self.compile(LITERAL_TEXT, name="literal text")
        elif source not in compiled_strings:
            compiled_strings[source] = self.compile(source)
        cls = template_class or self.template_class
        return cls.from_code(self, compiled_strings[source], self.make_globals(globals), None)

    def is_binary(path: str) -> bool:
        found = os.stat(path)
        key = (os.path.realpath(path), found.st_mtime_ns, found.st_size)
        if key not in binary_files:
            binary_files[key] = binaryornot.check.is_binary(path)
        return binary_files[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StrictEnvironment, "__init__", init_with_cache)
        patch.setattr(StrictEnvironment, "from_string", from_string)
        patch.setattr(cookiecutter.generate, "is_binary", is_binary)
        patch.setattr(cookiecutter.hooks, "run_script", run_hook_here)
        yield


@pytest.fixture(scope="session")
def bake(cookies_session, fast_generation):
    """Generate a combination once per session; return the project directory."""
    projects: dict[str, Path] = {}

    def bake(answers: dict) -> Path:
        key = combination_id(answers)
        if key not in projects:
            result = cookies_session.bake(extra_context=answers, template=str(TEMPLATE_DIR))
            if result.exit_code != 0:
                raise AssertionError(f"{key} did not generate: {result.exception}")
            projects[key] = result.project_path
        return projects[key]

    return bake


@pytest.fixture(scope="module")
def project(bake, answers) -> Path:
    return bake(answers)


@pytest.fixture(scope="module")
def runtime_project(bake, runtime_answers) -> Path:
    return bake(runtime_answers)


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, worker_id) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def kept_or_shared(shared_dir: Path) -> Path:
    """Where the run's tools go: TEST_VENVS_DIR, kept between runs, or this run's."""
    kept = os.environ.get("TEST_VENVS_DIR")
    return Path(kept).resolve() if kept else shared_dir


@pytest.fixture(scope="session")
def tools_dir(shared_dir) -> Path:
    return kept_or_shared(shared_dir)


@pytest.fixture(scope="session")
def observatory_scanner(tools_dir) -> Path:
    """The MDN HTTP Observatory's scanner (tests/support/observatory.py), installed once."""
    return observatory.install(tools_dir / "observatory")


@pytest.fixture(scope="session")
def venv_for(shared_dir):
    """venv_for("6.1") -> the bin directory of that Django version's venv, built once
    per run; or once for many runs under TEST_VENVS_DIR (a developer's directory, kept
    between runs and rebuilt when the generated pins change; .ci/run's, built while the
    suite's own venv installs)."""
    base = kept_or_shared(shared_dir)
    base.mkdir(parents=True, exist_ok=True)
    ready: dict[str, Path] = {}

    def venv_for(django_version: str) -> Path:
        if django_version not in ready:
            try:
                ready[django_version] = venvs.ensure(base, django_version) / "bin"
            except venvs.PythonMissing as missing:
                machine.unavailable(str(missing))
        return ready[django_version]

    return venv_for


@pytest.fixture(scope="module")
def venv_bin(venv_for, runtime_answers) -> Path:
    return venv_for(runtime_answers["django_version"])


@pytest.fixture(scope="session")
def build(bake, venv_for, tmp_path_factory):
    """Deploy a combination as the platform does, once per session.

    The platform receives a git push, so .gitignore applies (the local .env stays
    behind), and its buildpack runs collectstatic with none of the runtime
    variables. Returns the built tree and collectstatic's CompletedProcess.
    """
    builds: dict[str, tuple[Path, subprocess.CompletedProcess]] = {}

    def build(answers: dict):
        key = combination_id(answers)
        if key not in builds:
            source = bake(answers)
            work = tmp_path_factory.mktemp("deploy")
            git = ["git", f"--git-dir={work / 'repo.git'}", f"--work-tree={source}"]
            git += ["-c", "user.name=test", "-c", "user.email=test@example.com"]
            subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
            subprocess.run([*git, "add", "-A"], check=True)
            subprocess.run([*git, "commit", "-q", "-m", "deploy"], check=True)
            tree = work / source.name
            subprocess.run(["git", "clone", "-q", str(work / "repo.git"), str(tree)], check=True)
            venv_bin = venv_for(answers["django_version"])
            collectstatic = subprocess.run(
                [str(venv_bin / "python"), "manage.py", "collectstatic", "--noinput"],
                cwd=tree,
                env={"PATH": f"{venv_bin}:/usr/bin:/bin"},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            builds[key] = (tree, collectstatic)
        return builds[key]

    return build


@pytest.fixture(scope="module")
def built(build, runtime_answers):
    return build(runtime_answers)


@pytest.fixture(scope="module")
def deployed_project(built) -> Path:
    tree, collectstatic = built
    assert collectstatic.returncode == 0, collectstatic.stdout + collectstatic.stderr
    return tree


@pytest.fixture(scope="session")
def postgres() -> None:
    if not machine.postgres_answers():
        machine.unavailable(
            f"PostgreSQL does not answer at {machine.POSTGRES_ADMIN_URL}: start it with"
            " `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`."
        )


@pytest.fixture(scope="session")
def redis_url(worker_id) -> str:
    if not machine.redis_answers():
        machine.unavailable(
            f"Redis does not answer at {machine.REDIS_HOST}:{machine.REDIS_PORT}: start it with"
            " `redis-server --daemonize yes --bind 127.0.0.1 --save '' --appendonly no`."
        )
    # One Redis database per xdist worker, so parallel groups never share the core
    # layer's keys. Pub/Sub channels ignore database numbers: tests that watch a
    # group count only their own users' events.
    db = machine.redis_database("groups", worker_id)
    machine.redis_command("FLUSHDB", db=db)
    return f"redis://{machine.REDIS_HOST}:{machine.REDIS_PORT}/{db}"


@pytest.fixture(scope="session")
def group_database(postgres):
    """group_database(answers) -> the URL of the runtime group's database, created once
    per run and shared by every module that tests the group (they run one after the
    other, on one worker), so that each group is migrated once; dropped at the end."""
    created: dict[str, str] = {}

    def group_database(answers: dict) -> str:
        name = f"ccdp_{short_hash(runtime_key(answers))}"
        if name not in created:
            created[name] = machine.create_database(name)
        return created[name]

    yield group_database
    for name in created:
        machine.drop_database(name)


@pytest.fixture(scope="module")
def database_url(group_database, runtime_answers) -> str:
    return group_database(runtime_answers)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory, certificates):
    """The suite's own S3 (tests/support/object_store.py), started when a test first needs it."""
    server = object_store.S3Server(
        tmp_path_factory.mktemp("s3"),
        (certificates.signed, certificates.signed_key),
        certificates.ca,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bucket(request, deployed_project, runtime_answers) -> str | None:
    """The group's upload bucket, created on the suite's S3; None without uploads.
    App Platform projects name theirs in the spec; on Heroku a person picks one."""
    if runtime_answers["media_storage"] != "s3":
        return None
    s3_server = request.getfixturevalue("s3_server")
    if (deployed_project / "app.json").exists():
        name = f"ccdp-{short_hash(runtime_key(runtime_answers))}"
    else:
        (web,) = platform_env.do_spec(deployed_project)["services"]
        (name,) = [e["value"] for e in web["envs"] if e["key"] == "AWS_STORAGE_BUCKET_NAME"]
    if name not in {b["Name"] for b in s3_server.client().list_buckets()["Buckets"]}:
        s3_server.create_bucket(name)
    return name


@pytest.fixture(scope="module")
def production_env(request, deployed_project, database_url, redis_url, bucket, venv_bin):
    """The environment the platform gives the web process, minus PORT."""
    s3 = request.getfixturevalue("s3_server") if bucket else None
    storage = s3.variables(bucket) if s3 else {}
    return {
        "PATH": f"{venv_bin}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        **platform_env.environment(
            deployed_project, database_url=database_url, redis_url=redis_url, storage=storage
        ),
        **(s3.trust() if s3 else {}),
    }


@pytest.fixture(scope="module")
def run(venv_bin):
    """run(args, cwd, env) -> CompletedProcess, with the venv first on PATH."""

    def run(
        args,
        cwd: Path,
        env: dict[str, str] | None = None,
        timeout: float = 300,
        input: str | None = None,
    ):
        env = dict(env or {"HOME": os.environ.get("HOME", "/tmp")})
        env["PATH"] = f"{venv_bin}:{env.get('PATH', os.environ['PATH'])}"
        return subprocess.run(
            args, cwd=cwd, env=env, input=input, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip

    return run


@pytest.fixture(scope="module")
def release(deployed_project, production_env, run):
    """release(**variables): run the release step (Procfile `release:` or the
    PRE_DEPLOY job) with the platform's environment and `variables` on top of it."""

    def release(**variables: str) -> subprocess.CompletedProcess:
        command = platform_env.commands(deployed_project)["release"]
        env = {**production_env, **variables}
        result = run(["bash", "-c", command], cwd=deployed_project, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    return release


@pytest.fixture(scope="session")
def released_groups() -> dict[str, subprocess.CompletedProcess]:
    return {}


@pytest.fixture(scope="module")
def released(release, runtime_answers, released_groups) -> subprocess.CompletedProcess:
    """The release step, run once per run against this group's database, which was
    empty until then: its result."""
    group = runtime_key(runtime_answers)
    if group not in released_groups:
        released_groups[group] = release()
    return released_groups[group]


@pytest.fixture(scope="module")
def web_servers() -> dict[int, Server]:
    """The web processes start_web started in this module, by port (for their logs)."""
    return {}


@pytest.fixture(scope="module")
def start_web(released, deployed_project, production_env, tmp_path_factory, web_servers):
    """start_web(project=None, **variables) -> the port of a new process running the
    web command of `project` (a changed copy of the deployed project, or by default
    the deployed project itself), with the platform's environment and `variables` on
    top of it.

    Every process started is stopped, by its pid, when the module's tests are done.
    """
    servers: list[Server] = []

    def start_web(project: Path | None = None, **variables: str) -> int:
        project = project or deployed_project
        port = machine.free_port()
        web = platform_env.commands(project)["web"]
        log = tmp_path_factory.mktemp("web") / f"{port}.log"
        env = {**production_env, **variables, "PORT": str(port)}
        server = Server(web, project, env, log)
        servers.append(server)
        web_servers[port] = server
        server.wait_until_answering(port)
        return port

    yield start_web
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def fast_hashing_project(deployed_project, tmp_path_factory) -> Path:
    """A copy of the deployed project whose settings list Django's MD5 hasher first
    (visitors.FAST_HASHERS), for a tier whose visitors log in, sign up and change
    passwords often and that tests nothing of the hasher; create_users(..., fast=True)
    makes its accounts. Otherwise it is the deployed project."""
    copy = tmp_path_factory.mktemp("fast-hashing") / deployed_project.name
    shutil.copytree(deployed_project, copy)
    with (copy / "config" / "settings.py").open("a") as settings:
        settings.write(FAST_HASHERS)
    return copy


@pytest.fixture(scope="session")
def stored_password(shared_dir):
    """stored_password(venv_bin, password) -> `password` as Django's default hasher
    stores it in that venv's Django (HASH_PASSWORD: PBKDF2 at the version's iterations,
    a second or more of CPU), made once per run and shared by the workers, each of
    which would otherwise make its own."""
    made: dict[tuple[Path, str], str] = {}

    def stored_password(venv_bin: Path, password: str) -> str:
        if (venv_bin, password) not in made:
            name = short_hash(f"{venv_bin}\n{password}")
            path = shared_dir / "stored-passwords" / name
            path.parent.mkdir(exist_ok=True)
            with FileLock(f"{path}.lock"):
                if not path.exists():
                    hashed = subprocess.run(
                        [str(venv_bin / "python"), "-c", HASH_PASSWORD, password],
                        capture_output=True, text=True, timeout=120, check=False,
                    )  # fmt: skip
                    assert hashed.returncode == 0, hashed.stdout + hashed.stderr
                    path.write_text(hashed.stdout.strip())
                made[venv_bin, password] = path.read_text()
        return made[venv_bin, password]

    return stored_password


@pytest.fixture(scope="module")
def create_users(released, deployed_project, database_url, venv_bin, stored_password):
    """create_users(names, password, staff=False, fast=False, **variables): accounts
    (superusers with `staff`) in this group's database, or in the one `variables`
    (DATABASE_URL) point at; with `fast`, their password stored for
    fast_hashing_project's first hasher."""

    def create_users(
        names: list[str], password: str, staff: bool = False, fast: bool = False, **variables: str
    ) -> None:
        encoded = md5_password(password) if fast else stored_password(venv_bin, password)
        url = variables.get("DATABASE_URL", database_url)
        stored_accounts.create(url, f"{deployed_project.name}_user", names, encoded, staff)

    return create_users


@pytest.fixture(scope="session")
def certificates(tmp_path_factory) -> tls.Certificates:
    """The certificates of the suite's own TLS servers (tests/support/tls.py)."""
    missing = [tool for tool in ("openssl", "redis-server", "initdb") if not tls.has(tool)]
    if missing:
        machine.unavailable(f"the TLS servers need {', '.join(missing)}: install them.")
    return tls.Certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="module")
def own_redis(certificates, tmp_path_factory):
    """A Redis of the module's own, which a test may stop and start again on the same
    port: TLS with a self-signed certificate, as Heroku Key-Value Store is."""
    redis = tls.TlsRedis(
        certificates.self_signed, certificates.self_signed_key, tmp_path_factory.mktemp("redis")
    )
    yield redis
    redis.stop()

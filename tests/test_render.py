"""Render tier: every combination, generated once, checked without running it.

What the options promise (files, manifests, buildpack formats) is written here from
the platforms' rules, not copied from the template.
"""

import ast
import filecmp
import fnmatch
import functools
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
import tomllib
import zoneinfo
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt

from tests.support import platform_env, venvs, yaml_reader
from tests.support.combinations import (
    TEMPLATE_DIR,
    VERSION_FILES,
    all_combinations,
    celery,
    combination_id,
    copy_template,
    django_tasks,
    pairs,
    pairwise,
    redis_layer,
    runtime_groups,
    runtime_key,
    s3,
    served_by_gunicorn,
    uses_redis,
    version_groups,
)
from tests.support.combinations import worker as runs_a_worker

SCHEMAS = TEMPLATE_DIR / "tests" / "schemas"
SHARED_SCHEMAS = TEMPLATE_DIR.parent / "shared" / "schemas"
RUFF = Path(sys.executable).parent / "ruff"
RUFF_VERSION = subprocess.run([RUFF, "--version"], capture_output=True, text=True).stdout.split()[1]
# CommonMark's block structure alone: headings and fences, whose text is read as
# written, so the inline rules (emphasis, links), which take most of a parse, stay off.
BLOCK_PARSER = MarkdownIt("commonmark").disable("inline")
# The package-manager files Heroku's buildpack looks for; more than one fails the build.
PACKAGE_MANAGER_FILES = {"requirements.txt", "Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock"}
# heroku-buildpack-python lib/python_version.sh: what each version file may hold.
RUNTIME_TXT = re.compile(r"^\s*python-(\d+\.\d+(?:\.\d+)?)\s*$")
PYTHON_VERSION_LINE = re.compile(r"^\s*(\d+\.\d+(?:\.\d+)?)\s*$")
COMMENT_OR_BLANK = re.compile(r"^\s*(#.*)?$")


@functools.cache
def schema(name: str) -> dict:
    """One of the official copies in tests/schemas, or, named `schemastore/NAME`, one
    of SchemaStore's that check-jsonschema ships (requirements-dev.txt)."""
    if name.startswith("schemastore/"):
        vendored = files("check_jsonschema.builtin_schemas.vendor")
        return json.loads(vendored.joinpath(name.removeprefix("schemastore/")).read_text())
    document = json.loads((SCHEMAS / name).read_text())
    if name.startswith("do-"):
        spec = document["properties"].get("spec", document)
        with_godo_jobs(spec["properties"]["jobs"]["items"])
    return document


def with_godo_jobs(job_schema: dict) -> None:
    """The job spec as godo, App Platform's own Go client, defines it: the OpenAPI copy
    has no SCHEDULED kind nor its schedule (tests/schemas/README.md)."""
    godo = json.loads((SCHEMAS / "godo-app-job-spec.json").read_text())
    (part,) = [part for part in job_schema["allOf"] if "kind" in part["properties"]]
    part["properties"]["kind"]["enum"] += godo["kind"]
    part["properties"].update(godo["properties"])


@functools.cache
def validator(name: str):
    """The schema's validator, made once per worker: jsonschema.validate checks the
    schema itself on every call, twenty times the cost of checking a document."""
    document = schema(name)
    return jsonschema.validators.validator_for(document)(document)


TEMPLATE_README = TEMPLATE_DIR / "README.md"
TEMPLATE_README_LIMIT = 10_000  # characters: what someone deciding to use it reads


def test_template_readme_is_short_and_its_commands_are_shell():
    text = TEMPLATE_README.read_text()
    tokens = BLOCK_PARSER.parse(text)

    assert len(text) <= TEMPLATE_README_LIMIT, f"README.md has {len(text)} characters"
    assert all(token.info == "sh" for token in tokens if token.type == "fence")
    assert "<!-- test command: .ci/run runs the next line -->" in text


def test_template_readme_generates_a_project_as_written(tmp_path):
    """Its first command, in a copy of the template, with a fresh venv."""
    clone = copy_template(tmp_path / "clone")
    (command,) = re.findall(
        r"```sh\n(.*?cookiecutter --no-input.*?)\n```", TEMPLATE_README.read_text()
    )

    result = subprocess.run(
        ["bash", "-e", "-c", command], cwd=clone, capture_output=True, text=True, timeout=300
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # Beside the clone, not in it: its git status is the project's own, once made.
    assert (clone.parent / "my_django_app" / "manage.py").exists()
    assert not (clone / "my_django_app").exists()


def test_schemas_are_the_official_copies():
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"{SHARED_SCHEMAS} is not here to compare with")
    for official in SHARED_SCHEMAS.glob("*.json"):
        assert (SCHEMAS / official.name).read_bytes() == official.read_bytes(), official.name


def test_template_ci_runs_every_test_once():
    """The template's own workflow: a job for each platform and interface, selected by
    the pair that each combination's test ids carry, and a job for the tests that
    carry none of them (hooks, properties, reserved names)."""
    workflow = yaml_reader.read(TEMPLATE_DIR / ".github/workflows/ci.yml")
    workflow["on"] = workflow.pop(True)  # YAML 1.1's `on` is true; GitHub reads a name
    options = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())
    selections = [f"{p}-{i}" for p in options["platform"] for i in options["interface"]]
    job = workflow["jobs"]["test"]
    commands = "\n".join(step.get("run", "") for step in job["steps"])

    validator("schemastore/github-workflows.json").validate(workflow)
    assert job["strategy"]["matrix"]["tests"] == [
        *selections,
        f"not ({' or '.join(selections)})",
    ]
    assert 'pytest -k "${{ matrix.tests }}"' in commands
    assert all(combination_id(a).startswith(tuple(selections)) for a in all_combinations())


@functools.lru_cache(maxsize=8)
def generated_files(project: Path) -> dict[str, Path]:
    """The project's files by path, listed once for its tests, which run one after
    another and change none of them."""
    return {
        str(path.relative_to(project)): path
        for path in sorted(project.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def production_environment(project: Path) -> list[str]:
    """PRODUCTION_ENVIRONMENT as config/settings.py assigns it."""
    tree = ast.parse((project / "config" / "settings.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "PRODUCTION_ENVIRONMENT":
            return ast.literal_eval(node.value)
    raise AssertionError("config/settings.py assigns no PRODUCTION_ENVIRONMENT")


def gunicorn_settings(project: Path) -> dict:
    tree = ast.parse((project / "gunicorn.conf.py").read_text())
    settings = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                settings[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                settings[node.targets[0].id] = ast.unparse(node.value)
    return settings


def test_files_match_the_options(project, answers):
    slug = project.name
    heroku = answers["platform"] == "heroku"
    asgi = answers["interface"] == "asgi"
    core_layer = redis_layer(answers) and answers["channel_layer"] == "redis"
    daphne = asgi and answers["asgi_server"] == "daphne"
    expected = {
        "Procfile": heroku,
        "app.json": heroku,
        ".do/app.yaml": not heroku,
        ".python-version": answers["python_version_file"] == ".python-version",
        "runtime.txt": answers["python_version_file"] == "runtime.txt",
        "gunicorn.conf.py": not (asgi and answers["asgi_server"] == "daphne"),
        "config/wsgi.py": True,
        ".do/deploy.template.yaml": not heroku and not uses_redis(answers),
        "config/asgi.py": asgi,
        "config/routing.py": asgi,
        "config/channel_layer_settings.py": asgi,
        "serving/http/bridge.py": True,
        "serving/http/handlers.py": asgi,
        "serving/http/static_files.py": asgi,
        "serving/http/tests/test_asgi.py": asgi,
        "serving/http/daphne.py": daphne,
        "serving/http/workers.py": not daphne,
        "serving/websockets/origins.py": asgi,
        "serving/websockets/consumers.py": asgi,
        "serving/websockets/channel_layer.py": redis_layer(answers),
        "serving/websockets/tests/test_channel_layer.py": redis_layer(answers),
        "serving/websockets/redis_pool.py": core_layer,
        "serving/websockets/tests/test_redis_pool.py": core_layer,
        "serving/tasks/outbox.py": celery(answers),
        "serving/migrations": celery(answers),
        "config/celery.py": celery(answers),
        "config/celery_settings.py": celery(answers),
        "welcome": runs_a_worker(answers),
        "config/tasks_settings.py": django_tasks(answers),
        "serving/mail/queued.py": django_tasks(answers),
        "serving/mail/messages.py": runs_a_worker(answers),
        "serving/management/commands/tasks_worker.py": django_tasks(answers),
        "config/media_settings.py": s3(answers),
        "config/media_storage.py": s3(answers),
        "profiles": s3(answers),
        "accounts/templates/allauth/layouts/base.html": True,
        f"{slug}/templates/429.html": True,
        f"{slug}/templates/base.html": True,
        f"{slug}/templates/400.html": True,
        f"{slug}/templates/403.html": True,
        f"{slug}/templates/403_csrf.html": True,
        f"{slug}/templates/404.html": True,
        f"{slug}/templates/500.html": True,
        "serving/management/commands/runserver.py": True,
        "live/consumers.py": asgi,
        "live/routing.py": asgi,
        "live/static/live/live.js": asgi,
        "live/tests/test_events.py": asgi,
        f"{slug}/consumers.py": asgi,
        f"{slug}/static/{slug}/ping.js": asgi,
        f"{slug}/tests/test_ping.py": asgi,
        ".env": True,
        ".env.example": True,
        ".gitignore": True,
        ".github/workflows/ci.yml": True,
        ".github/dependabot.yml": True,
        "README.md": True,
        "requirements.in": True,
        "requirements.txt": True,
        "requirements-dev.in": True,
        "requirements-dev.txt": True,
    }
    actual = {path: (project / path).exists() for path in expected}

    assert actual == expected


@pytest.mark.reads_no_version_file
def test_exactly_one_package_manager_file(project):
    found = {path.name for path in project.iterdir()} & PACKAGE_MANAGER_FILES

    assert found == {"requirements.txt"}
    assert not (project / ".venv").exists() and not (project / "venv").exists()


def in_file_pins(path: Path) -> dict[str, str]:
    """{normalized name: version} of what a .in file pins (its extras left out)."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    return venvs.pins_in("\n".join(re.sub(r"\[.*\]", "", line) for line in lines))


TEST_TOOLS = {"pytest", "pytest-django", "pytest-asyncio", "ruff", "pip-tools"}


@pytest.mark.reads_no_version_file
def test_the_platform_installs_no_test_tool(project):
    """requirements-dev.in adds the tests' and CI's tools to requirements.in at the
    versions requirements.txt locks, and its lock holds all of requirements.txt's pins:
    none of the tools is in requirements.txt, which the buildpack installs."""
    dev_in = (project / "requirements-dev.in").read_text().splitlines()
    runtime = venvs.pins_in((project / "requirements.txt").read_text())
    dev = venvs.pins_in((project / "requirements-dev.txt").read_text())

    assert "-r requirements.in" in dev_in and "-c requirements.txt" in dev_in
    assert {"pytest", "pytest-django", "ruff", "pip-tools"} <= set(dev)
    assert not TEST_TOOLS & set(runtime)
    assert {name: dev.get(name) for name in runtime} == runtime


# A comment, a pin (continued by its hashes) or one of its files' sha256.
LOCK_LINE = re.compile(
    r"(#.*|    # .*|[a-z0-9][a-z0-9._-]*==[^\s;]+ \\|    --hash=sha256:[0-9a-f]{64}( \\)?)?"
)
HASHED_PIN = re.compile(r"^[a-z0-9][a-z0-9._-]*==\S+((?: \\\n    --hash=sha256:\w+)*)", re.M)


@pytest.mark.reads_no_version_file
def test_each_lock_pins_its_in_file_and_says_how(project):
    """requirements.txt and requirements-dev.txt are pip-compile's locks of the .in
    files: every line a pin or a comment, every pin of the .in file at its version, and
    the header's command (which Dependabot reads to recognise a pip-compile lock) the
    one README.md gives to lock again."""
    readme = (project / "README.md").read_text()
    for name in ("requirements", "requirements-dev"):
        lock = (project / f"{name}.txt").read_text()
        for line in lock.splitlines():
            assert LOCK_LINE.fullmatch(line), f"{name}.txt: {line}"
        # Every pin with its hashes, so that pip installs it in hash-checking mode.
        hashes = [match.group(1) for match in HASHED_PIN.finditer(lock)]
        assert len(hashes) == len(venvs.pins_in(lock)) and all(hashes), f"{name}.txt"
        assert "# This file is autogenerated by pip-compile with Python 3.12" in lock
        command = re.search(r"^#    (pip-compile .*)$", lock, re.M).group(1)
        assert command.endswith(f" --output-file={name}.txt --strip-extras {name}.in")
        assert f"{command} &&" in readme
        pins = venvs.pins_in(lock)
        assert {n: pins.get(n) for n, _ in in_file_pins(project / f"{name}.in").items()} == (
            in_file_pins(project / f"{name}.in")
        )


def test_config_files_parse(project):
    for name, path in generated_files(project).items():
        if name.endswith(".json"):
            json.loads(path.read_text())
        elif name.endswith((".yaml", ".yml")):
            yaml_reader.parse(path.read_text())
        elif name.endswith(".toml"):
            tomllib.loads(path.read_text())


def test_a_deprecation_fails_the_projects_tests(project):
    """pytest applies the last filter a warning matches: no later one may let a
    DeprecationWarning pass, so a Dependabot upgrade that brings one goes red."""
    pytest_options = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["pytest"]
    filters = pytest_options["ini_options"]["filterwarnings"]
    assert filters[0] == "error::DeprecationWarning", filters
    assert not [f for f in filters[1:] if "Warning" not in f or "Deprecation" in f], filters


def test_python_version_file_is_what_the_buildpack_accepts(project, answers):
    if answers["python_version_file"] == "runtime.txt":
        match = RUNTIME_TXT.match((project / "runtime.txt").read_text())
        assert match, "runtime.txt must read python-<major>.<minor>"
        version = match.group(1)
    else:
        lines = (project / ".python-version").read_text().splitlines()
        (line,) = [line for line in lines if not COMMENT_OR_BLANK.match(line)]
        version = PYTHON_VERSION_LINE.match(line).group(1)

    assert version == answers["python_version"]


# What the README shows of Django's own template language: an HTML example, and a
# variable in inline code.
README_DJANGO_TEMPLATES = re.compile(r"```html\n.*?```|`\{\{ \w+ \}\}`", re.S)


def test_no_template_text_left(project):
    for name, path in generated_files(project).items():
        text = path.read_text()
        # The README names the template and cruft's tools; the context's leftovers
        # would read `cookiecutter.something`.
        assert "cookiecutter." not in text.lower(), name
        # Django's templates use {% %} and {{ }}: pages, and the reset mail's subject.
        if name == "README.md":
            text = README_DJANGO_TEMPLATES.sub("", text)
        if not name.endswith(".html") and "/templates/" not in name:
            assert "{{" not in text and "{%" not in text, name


# A project path a generated file names: a word of path characters with a slash in it,
# or a file name; URLs are taken out first.
URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
PATH_WORD = re.compile(r"(?<![\w./:@-])(\.?[A-Za-z_][\w.-]*(?:/[\w.-]+)*/?)")
# Every top-level name a project can have, whatever the answers: the template's own.
TOP_LEVEL = {path.name for path in (TEMPLATE_DIR / "{{cookiecutter.project_slug}}").iterdir()}
# Paths named on purpose although the project lacks them: the README's command that
# moves a project from runtime.txt to the file that replaced it.
NAMED_TO_BE_MADE = {("README.md", ".python-version")}


@functools.cache
def named_project_paths(text: str, top_level: frozenset[str]) -> frozenset[str]:
    """The paths `text` names that start with one of the project's top-level names.
    Kept for each text, as most files read the same in many combinations."""
    named = set()
    for word in PATH_WORD.findall(URL.sub(" ", text)):
        word = word.rstrip(".")  # a sentence's full stop
        if word.split("/")[0] not in top_level:
            continue
        if "/" in word or Path(word).suffix or word.startswith("."):
            named.add(word)
    return frozenset(named)


def test_every_named_project_path_exists(project):
    """Comments, docstrings, READMEs, templates and configuration name only paths the
    project has: relative to the project, to the naming file's folder, or to an app's
    templates/ or static/ folder (a template or static file's name)."""
    top_level = frozenset(
        name.replace("{{cookiecutter.project_slug}}", project.name) for name in TOP_LEVEL
    )
    assets = (path for path in project.rglob("*") if path.name in {"templates", "static"})
    bases = [project, *assets]
    missing = {}
    for name, path in generated_files(project).items():
        if path.name.startswith(".env") or "migrations" in path.parts:
            continue  # .env's values, and migrations that makemigrations writes
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for named in named_project_paths(text, top_level):
            if (name, named) in NAMED_TO_BE_MADE:
                continue
            if not any((base / named).exists() for base in [*bases, path.parent]):
                missing.setdefault(name, []).append(named)

    assert missing == {}


# What a Django app holds (startapp's files, and the modules Channels and Celery look
# for), besides templates/, static/, migrations/ and tests/.
APP_MODULES = {
    "__init__",
    "admin",
    "apps",
    "models",
    "views",
    "urls",
    "forms",
    "consumers",
    "tasks",
}


def serving_modules(project: Path) -> dict[str, str]:
    """{path: text} of serving/'s Python outside its tests and migrations."""
    serving = project / "serving"
    return {
        path.relative_to(project).as_posix(): path.read_text()
        for path in serving.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(serving).parts)
    }


@pytest.mark.reads_no_version_file
def test_serving_reads_only_the_settings_its_readme_documents(project):
    readme = (project / "serving" / "README.md").read_text()
    read = {
        name
        for text in serving_modules(project).values()
        for name in re.findall(r"\bsettings\.([A-Z][A-Z0-9_]*)", text)
    }

    assert read, "serving reads no setting: the pattern no longer finds them"
    assert {name for name in read if f"`{name}`" not in readme} == set()


@pytest.mark.reads_no_version_file
def test_every_part_serving_readme_describes_is_in_the_project(project):
    readme = (project / "serving" / "README.md").read_text()
    parts = readme.split("\n## Its parts\n", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"^\| `([^`]+)`", parts, re.M)

    assert named, "the parts table names no file: the pattern no longer finds them"
    assert [name for name in named if not (project / "serving" / name).exists()] == []


@pytest.mark.reads_no_version_file
def test_the_settings_import_only_servings_environment_reader(project):
    for path in (project / "config").glob("*settings.py"):
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        serving = {name for name in imported if name and name.split(".")[0] == "serving"}
        assert serving <= {"serving.environment"}, path.name


@pytest.mark.reads_no_version_file
def test_the_entry_points_read_like_djangos_own(project):
    for name in ("asgi.py", "wsgi.py"):
        if (path := project / "config" / name).exists():
            assert len(path.read_text().splitlines()) < 25, name


@pytest.mark.reads_no_version_file
def test_every_foreign_name_serving_leans_on_has_its_test(project):
    """serving/README.md lists the names of other libraries that are no part of their
    API, each with the test in the project's own suite that fails when one changes."""
    readme = (project / "serving" / "README.md").read_text()
    section = readme.split("\n## Other libraries' names it leans on\n", 1)[1]
    rows = re.findall(r"^\| ([\w-]+) \| (.+) \| `([\w/.]+)` \|$", section, re.M)
    names = [name for _, listed, _ in rows for name in re.findall(r"`([\w.]+)`", listed)]

    assert len(names) <= 5, names
    for _, listed, test in rows:
        tests = (project / "serving" / test).read_text()
        for name in re.findall(r"`([\w.]+)`", listed):
            assert name.rpartition(".")[2] in tests, (name, test)


@pytest.mark.reads_no_version_file
def test_the_projects_package_holds_only_an_apps_modules(project):
    """The template's own code lives in serving/; the project's package is the owner's
    app, and holds nothing an app would not."""
    package = project / project.name
    modules = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if not {"tests", "migrations", "templates", "static"} & set(path.relative_to(package).parts)
    }

    assert {
        module
        for module in modules
        if module.removesuffix(".py") not in APP_MODULES
        and not module.startswith("management/")  # an app's commands
    } == set()


def test_readme_says_whose_each_top_level_path_is(project):
    """The README's "What is yours" table names every top-level file and folder the
    project has (and none it lacks), and keeps only serving/ and accounts/ (whose Python
    cruft maintains) from being wholly the owner's."""
    readme = (project / "README.md").read_text()
    section = readme.split("\n## What is yours\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (`.*?`) \| .* \| (.*) \|$", section, re.M)
    named = {
        name.rstrip("/"): whose for paths, whose in rows for name in re.findall(r"`([^`]+)`", paths)
    }
    # Not what running the project or its tools leaves behind (a live tier may run in
    # this tree first), nor what git would ignore anyway.
    left_by_running = {"__pycache__", ".pytest_cache", ".ruff_cache", ".venv", "db.sqlite3"}
    paths = {p.name for p in project.iterdir() if p.name not in left_by_running}

    assert set(named) == paths
    assert {name for name, whose in named.items() if whose != "yours"} == {
        "serving",
        "accounts",
    }


# {project directory: what ruff finds wrong in it}, filled a version group at a time.
RUFF_FINDINGS: dict[Path, list[str]] = {}


def ruff_findings(bake, answers: dict) -> list[str]:
    """What `ruff check` and `ruff format --check` find in the project of `answers`.

    Run once over the combinations of its version group (those that differ only in the
    Python version's answers), which this worker generates anyway (--dist loadgroup):
    one process of each for the group, not two per combination. Of the version files,
    ruff reads only pyproject.toml (its target version), and the group's other files are
    the same (test_version_answers_change_only_version_files): members with the same
    pyproject.toml get the same findings, so one of them is linted for all. Each project
    is linted under its own pyproject.toml, as ruff reads the nearest one to each file."""
    project = bake(answers)
    if project not in RUFF_FINDINGS:
        members = [bake(member) for member in version_groups()[runtime_key(answers)]]
        alike: dict[bytes, list[Path]] = {}
        for member in members:
            alike.setdefault((member / "pyproject.toml").read_bytes(), []).append(member)
        linted = [same[0] for same in alike.values()]
        findings: dict[Path, list[str]] = {member: [] for member in linted}
        for command in (["check"], ["format", "--check"]):
            ruff = [RUFF, *command, "--no-cache", "--output-format", "json", *linted]
            result = subprocess.run(ruff, capture_output=True, text=True)
            found = json.loads(result.stdout or "[]")
            if (result.returncode != 0 and not found) or result.stderr.strip():
                for member in linted:  # ruff itself failed, for all of them
                    findings[member].append(f"ruff {command[0]}: {result.stderr}")
            for finding in found:
                where = Path(finding["filename"])
                row, code = finding["location"]["row"], finding["code"]
                member = next(m for m in linted if where.is_relative_to(m))
                findings[member].append(
                    f"{where.relative_to(member)}:{row}: {code} {finding['message']}"
                )
        for same in alike.values():
            RUFF_FINDINGS.update(dict.fromkeys(same, findings[same[0]]))
    return RUFF_FINDINGS[project]


def test_ruff_is_clean(bake, answers):
    assert ruff_findings(bake, answers) == []


# The settings read as a reference: each option's own settings are a module of their
# own (config/*_settings.py), and each setting has at most a line of why.
SETTINGS_MAX_LINES = 350


@pytest.mark.reads_no_version_file
def test_settings_stay_short(project):
    lines = (project / "config" / "settings.py").read_text().splitlines()

    assert len(lines) <= SETTINGS_MAX_LINES, f"config/settings.py has {len(lines)} lines"


def test_local_env_file_stays_out_of_git(project, tmp_path):
    env = dict(
        line.split("=", 1)
        for line in (project / ".env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    git = ["git", f"--git-dir={tmp_path / 'git'}", f"--work-tree={project}"]
    subprocess.run([*git, "init", "-q"], check=True)
    ignored = subprocess.run([*git, "check-ignore", "-q", ".env"], cwd=project, check=False)

    assert env["DJANGO_DEBUG"] == "1"
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    assert ignored.returncode == 0, ".gitignore does not cover .env"


@pytest.mark.reads_no_version_file
def test_web_and_release_commands(project, answers):
    commands = platform_env.commands(project)
    web = shlex.split(commands["web"])

    assert shlex.split(commands["release"]) == ["python", "manage.py", "migrate", "--noinput"]
    if answers["interface"] == "asgi" and answers["asgi_server"] == "daphne":
        # daphne with the project's graceful stop (serving/http/daphne.py).
        assert web[:3] == ["python", "-m", "serving.http.daphne"]
        assert web[-1] == "config.asgi:application"
        # The visitor's address comes from CLIENT_ADDRESS_HEADER, not from daphne,
        # which would take the client's first X-Forwarded-For entry.
        assert "--proxy-headers" not in web
        assert web[web.index("--bind") + 1] == "0.0.0.0"
        assert web[web.index("--port") + 1] == "$PORT"
        # A WebSocket message limit well under daphne's default of 1 MiB.
        assert web[web.index("--websocket-max-message-size") + 1] == "65536"
        assert web[web.index("--websocket-max-frame-size") + 1] == "65536"
    else:
        # gunicorn binds $PORT and reads WEB_CONCURRENCY itself.
        assert web[:3] == ["gunicorn", "--config", "gunicorn.conf.py"]
        wsgi = answers["interface"] == "wsgi"
        target = "config.wsgi:application" if wsgi else "config.asgi:application"
        assert web[3:] == [target]


@pytest.mark.reads_no_version_file
@pytest.mark.only.with_args(served_by_gunicorn)
def test_gunicorn_configuration(project, answers):
    settings = gunicorn_settings(project)

    assert "bind" not in settings
    assert settings["worker_tmp_dir"] == "/dev/shm"
    # No peer's forwarded headers trusted, the buildpack's FORWARDED_ALLOW_IPS="*"
    # overridden: the project reads the router's headers itself.
    assert settings["forwarded_allow_ips"] == ""
    assert settings["graceful_timeout"] < 30
    # uvicorn-worker's class, which reads each request on an event loop: with a
    # WebSocket message limit (uvicorn's is 16 MiB), or for WSGI with no WebSockets.
    assert settings["worker_class"] == "serving.http.workers.UvicornWorker"
    workers = (project / "serving" / "http" / "workers.py").read_text()
    assert "from uvicorn_worker import UvicornWorker" in workers
    if answers["interface"] == "wsgi":
        assert '"ws": "none"' in workers and '"lifespan": "off"' in workers
    else:
        assert '"ws_max_size": 65536' in workers
    if answers["interface"] == "asgi" and answers["channel_layer"] == "in-memory":
        assert settings["workers"] == 1
    else:
        assert "WEB_CONCURRENCY" in str(settings["workers"])


# Clients Heroku Key-Value Store's plans take (platforms.md), and those to keep free
# beside one web and one worker dyno: a `heroku redis:cli` and a one-off dyno.
PLAN_CLIENTS = {"mini": 20, "premium-0": 40}
SPARE_CLIENTS = 2


@pytest.mark.reads_no_version_file
@pytest.mark.only(uses_redis, platform="heroku")
def test_the_redis_plan_holds_the_connections_the_readme_counts(project):
    """The cheapest plan with room: the README's count, app.json and the deploy step."""
    readme = (project / "README.md").read_text()
    app = json.loads((project / "app.json").read_text())
    taken, plan = re.search(r"takes? (\d+), of ([\w-]+)'s \d+;", readme).groups()
    needed = int(taken) + SPARE_CLIENTS

    assert {"plan": f"heroku-redis:{plan}"} in app["addons"]
    assert re.search(rf"^heroku addons:create heroku-redis:{plan}(  # .*)?$", readme, re.M)
    assert needed <= PLAN_CLIENTS[plan]
    assert plan == "mini" or needed > PLAN_CLIENTS["mini"]


@pytest.mark.reads_no_version_file
@pytest.mark.only(platform="heroku")
def test_app_json(project, answers):
    app = json.loads((project / "app.json").read_text())
    validator("heroku-app-json.schema.json").validate(app)
    plans = [addon["plan"] if isinstance(addon, dict) else addon for addon in app["addons"]]
    provided = set(app["env"]) | {platform_env.HEROKU_ADDON_VARS[p.split(":")[0]] for p in plans}
    provided.discard(None)

    assert app["env"]["DJANGO_SECRET_KEY"]["generator"] == "secret"
    assert "heroku-postgresql:essential-0" in plans
    assert any(plan.startswith("heroku-redis:") for plan in plans) == uses_redis(answers)
    assert "scheduler:standard" in plans  # runs the housekeeping the README schedules
    assert set(production_environment(project)) <= provided
    # github_repository's default: the author's name ("Your Name"), then the slug.
    expected_repository = f"your-name/{project.name.replace('_', '-')}"
    assert app["repository"] == f"https://github.com/{expected_repository}"


def app_json_repository(project: Path) -> str:
    spec = json.loads((project / "app.json").read_text())
    return spec["repository"].removeprefix("https://github.com/")


def unknown_keys(document, schema_node, path="") -> list[str]:
    """Keys the official DigitalOcean schema does not declare (it never says
    additionalProperties: false, so jsonschema alone accepts misspellings)."""
    if isinstance(document, dict):
        properties = {}
        for part in [schema_node, *schema_node.get("allOf", [])]:
            properties.update(part.get("properties", {}))
        found = []
        for key, value in document.items():
            if key not in properties:
                found.append(f"{path}.{key}")
            else:
                found += unknown_keys(value, properties[key], f"{path}.{key}")
        return found
    if isinstance(document, list) and "items" in schema_node:
        return [
            k
            for i, item in enumerate(document)
            for k in unknown_keys(item, schema_node["items"], f"{path}[{i}]")
        ]
    return []


def deprecated_values(document, schema_node, path="") -> list[str]:
    found = []
    if isinstance(document, dict):
        properties = {}
        for part in [schema_node, *schema_node.get("allOf", [])]:
            properties.update(part.get("properties", {}))
        for key, value in document.items():
            if key in properties:
                if properties[key].get("deprecated"):
                    found.append(f"{path}.{key}")
                found += deprecated_values(value, properties[key], f"{path}.{key}")
    elif isinstance(document, list) and "items" in schema_node:
        for i, item in enumerate(document):
            found += deprecated_values(item, schema_node["items"], f"{path}[{i}]")
    else:
        for option in schema_node.get("oneOf", []):
            if option.get("deprecated") and document in option.get("enum", []):
                found.append(f"{path}={document}")
    return found


@pytest.mark.reads_no_version_file
@pytest.mark.only(platform="digitalocean")
def test_do_app_spec(project, answers):
    spec = yaml_reader.read(project / ".do/app.yaml")
    app_schema = schema("do-app-spec.schema.json")
    validator("do-app-spec.schema.json").validate(spec)
    (web,) = spec["services"]
    jobs = {job["kind"]: job for job in spec["jobs"]}
    engines = {database["engine"] for database in spec["databases"]}

    assert unknown_keys(spec, app_schema) == []
    assert deprecated_values(spec, app_schema) == []
    assert web["http_port"] == 8080
    assert web["health_check"]["http_path"] == "/healthz"
    assert jobs.keys() == {"PRE_DEPLOY", "SCHEDULED"}
    assert jobs["PRE_DEPLOY"]["run_command"] == "python manage.py migrate --noinput"
    assert jobs["SCHEDULED"]["run_command"] == "python manage.py housekeeping"
    minute, hour, *every = jobs["SCHEDULED"]["schedule"]["cron"].split()
    assert (int(minute) in range(60), int(hour) in range(24), every) == (True, True, ["*"] * 3)
    assert zoneinfo.ZoneInfo(jobs["SCHEDULED"]["schedule"]["time_zone"])
    assert engines == ({"PG", "VALKEY"} if uses_redis(answers) else {"PG"})
    for component in (web, *jobs.values()):
        envs = {env["key"]: env for env in component["envs"]}
        assert set(production_environment(project)) <= set(envs)
        assert envs["DJANGO_SECRET_KEY"]["type"] == "SECRET"
        assert "value" not in envs["DJANGO_SECRET_KEY"], "a committed secret is no secret"
        assert envs["DJANGO_ALLOWED_HOSTS"]["value"] == "${APP_DOMAIN}"
    if answers["interface"] == "asgi" and answers["channel_layer"] == "in-memory":
        assert web["instance_count"] == 1


@pytest.mark.reads_no_version_file
@pytest.mark.only(platform="digitalocean")
def test_do_app_is_in_the_region_of_its_valkey_and_space(project):
    """Without `region`, App Platform takes the one nearest whoever creates the app,
    an ocean away from a cluster and a Space in New York."""
    spec = yaml_reader.read(project / ".do/app.yaml")
    readme = (project / "README.md").read_text()
    datacenters = set(re.findall(r"--region (\w+)", readme))
    envs = {env["key"]: env.get("value") for env in spec["services"][0]["envs"]}
    if "AWS_S3_REGION_NAME" in envs:
        datacenters.add(envs["AWS_S3_REGION_NAME"])

    assert {datacenter.rstrip("0123456789") for datacenter in datacenters} <= {spec["region"]}


@pytest.mark.reads_no_version_file
@pytest.mark.only(lambda answers: not uses_redis(answers), platform="digitalocean")
def test_do_deploy_template_is_the_app_spec_built_from_git(project):
    template = yaml_reader.read(project / ".do/deploy.template.yaml")
    validator("do-deploy-template.schema.json").validate(template)
    spec = yaml_reader.read(project / ".do/app.yaml")
    repository = spec["services"][0]["github"]["repo"]
    for component in (*spec["services"], *spec.get("workers", []), *spec["jobs"]):
        del component["github"]
        component["git"] = {
            "repo_clone_url": f"https://github.com/{repository}.git",
            "branch": "main",
        }

    assert template == {"spec": spec}


# What the README's `doctl apps create` pipeline fed the spec, by (pipeline, the spec it
# reads, EMAIL_URL): the members of a version group share both, and each worker runs
# every member of a group, so each pipeline runs once per worker.
DO_PIPELINE_SPECS: dict[tuple[str, str, str | None], dict] = {}


@pytest.mark.only(platform="digitalocean")
def test_do_readme_command_adds_a_fresh_secret(project):
    readme = (project / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", readme, re.S) if "doctl apps create" in b]
    command = block[block.index("\nawk ") :]  # the lines before it set up git and Valkey
    pipeline, _, consumer = command.rpartition("|")
    assert consumer.strip() == "doctl apps create --spec -"

    # What the line before it reads from `doctl spaces keys create`, for uploads.
    spaces_key = {"access_key": "DO00EXAMPLEKEY", "secret_key": "example/secret+key"}
    # python3 as a developer's shell finds it, not through pyenv's slow shim.
    env = {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **spaces_key}
    # The README's optional lines export EMAIL_URL and SENTRY_DSN: with them, and without.
    email_url = "smtps://apikey:p%40ss%23w@smtp.example.com:587"
    dsn = "https://0123abcd@o0.ingest.sentry.io/42"
    app_yaml = (project / ".do" / "app.yaml").read_text()
    exported = {"EMAIL_URL": email_url, "SENTRY_DSN": dsn}
    for extra, expected in (({}, dict.fromkeys(exported)), (exported, exported)):
        key = (pipeline, app_yaml, extra.get("EMAIL_URL"))
        if key not in DO_PIPELINE_SPECS:
            result = subprocess.run(
                ["bash", "-c", pipeline],
                cwd=project,
                capture_output=True,
                text=True,
                env={**env, **extra},
            )
            DO_PIPELINE_SPECS[key] = yaml_reader.parse(result.stdout)
            validator("do-app-spec.schema.json").validate(DO_PIPELINE_SPECS[key])
        spec = DO_PIPELINE_SPECS[key]
        for component in (*spec["services"], *spec["jobs"], *spec.get("workers", [])):
            values = {env["key"]: env.get("value") for env in component["envs"]}
            assert len(values["DJANGO_SECRET_KEY"]) >= 50
            assert values["EMAIL_URL"] == expected["EMAIL_URL"]
            assert values["SENTRY_DSN"] == expected["SENTRY_DSN"]
            if "AWS_ACCESS_KEY_ID" in values:
                assert values["AWS_ACCESS_KEY_ID"] == spaces_key["access_key"]
                assert values["AWS_SECRET_ACCESS_KEY"] == spaces_key["secret_key"]


@pytest.mark.reads_no_version_file
@pytest.mark.parametrize("variable", ["EMAIL_URL", "SENTRY_DSN"])
def test_both_manifests_declare_optional_secrets(project, answers, variable):
    """The Heroku Button asks for EMAIL_URL and SENTRY_DSN without requiring them; App
    Platform's specs hold each as a secret with no value, which the README's deploy
    line fills in."""
    if answers["platform"] == "heroku":
        declared = json.loads((project / "app.json").read_text())["env"][variable]
        assert declared["required"] is False and declared["description"].startswith("Optional:")
        return
    for name, spec in do_specs(project).items():
        for component in (*spec["services"], *spec["jobs"], *spec.get("workers", [])):
            (declared,) = [env for env in component["envs"] if env["key"] == variable]
            assert declared == {"key": variable, "scope": "RUN_TIME", "type": "SECRET"}, name


@pytest.mark.reads_no_version_file
@pytest.mark.only(platform="digitalocean")
def test_do_specs_bind_the_deployed_commit(project):
    """sentry-sdk names the release after SENTRY_RELEASE, which App Platform fills in
    for each component from ${_self.COMMIT_HASH}."""
    for name, spec in do_specs(project).items():
        for component in (*spec["services"], *spec["jobs"], *spec.get("workers", [])):
            (declared,) = [env for env in component["envs"] if env["key"] == "SENTRY_RELEASE"]
            assert declared["value"] == "${_self.COMMIT_HASH}", name


def do_specs(project: Path) -> dict[str, dict]:
    """Every App Platform spec the project has, as App Platform reads it."""
    specs = {".do/app.yaml": yaml_reader.read(project / ".do/app.yaml")}
    template = project / ".do/deploy.template.yaml"
    if template.exists():
        specs[".do/deploy.template.yaml"] = yaml_reader.parse(template.read_text())["spec"]
    return specs


def module_constant(path: Path, name: str):
    """The literal a module assigns to `name` at its top level."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} assigns no {name}")


@pytest.mark.reads_no_version_file
@pytest.mark.only(platform="digitalocean")
def test_do_web_service_is_restarted_when_hung_and_stopped_gracefully(project, answers):
    """App Platform restarts an instance only when its liveness_health_check fails,
    and kills it termination.grace_period_seconds after SIGTERM: the web service
    declares both, and they agree with the web server's own timeouts."""
    if answers["interface"] == "asgi" and answers["asgi_server"] == "daphne":
        graceful_stop = module_constant(project / "serving/http/daphne.py", "DRAIN_SECONDS")
        replaces_a_hung_worker = 0  # daphne has no master to do it
    else:
        gunicorn = gunicorn_settings(project)
        graceful_stop, replaces_a_hung_worker = gunicorn["graceful_timeout"], gunicorn["timeout"]
    query_timeout = module_constant(project / "serving/checks/startup.py", "QUERY_TIMEOUT_SECONDS")
    health_path = module_constant(project / "serving/checks/probes.py", "HEALTH_CHECK_PATH")
    for name, spec in do_specs(project).items():
        (web,) = spec["services"]
        liveness, termination = web["liveness_health_check"], web["termination"]
        unanswered = liveness["period_seconds"] * liveness["failure_threshold"]

        assert web["health_check"]["http_path"] == liveness["http_path"] == health_path, name
        # Not restarted while a request may hold every thread (its queries end at
        # query_timeout), nor before gunicorn has replaced a hung worker itself.
        assert unanswered > max(query_timeout, replaces_a_hung_worker), name
        assert liveness["timeout_seconds"] < liveness["period_seconds"], name
        # SIGTERM comes once the load balancer has had drain_seconds to stop sending
        # requests; the server's graceful stop ends before the kill.
        assert termination["drain_seconds"] >= 1, name
        assert termination["grace_period_seconds"] > graceful_stop, name


@pytest.mark.only(platform="digitalocean")
def test_do_dev_databases_are_postgresql_only(project, answers):
    """App Platform's dev databases are PostgreSQL only (its "How to Manage Databases
    in App Platform" page), and the Deploy button creates dev databases only."""
    readme = (project / "README.md").read_text()
    for name, spec in do_specs(project).items():
        for database in spec["databases"]:
            if database.get("production", False):
                assert database.get("cluster_name"), f"{name}: {database['name']} names no cluster"
                assert f"doctl databases create {database['cluster_name']} " in readme
                assert name != ".do/deploy.template.yaml", "the button cannot attach a cluster"
            else:
                assert database["engine"] == "PG", f"{name}: dev database {database}"
    if uses_redis(answers):
        assert "There is no Deploy to DigitalOcean button" in readme
        assert "cloud.digitalocean.com/apps/new" not in readme
    else:
        assert "cloud.digitalocean.com/apps/new" in readme


EXPECTED_HEADINGS = [
    "## What is yours",
    "## Run it locally",
    "## Your first page",
    "## Production settings locally",
    "## Accounts",
    "## Configuration",
    "## Deploy to",
    "## Scheduled jobs",
    "## Scale out",
    "## Add a package",
    "## Updating from the template",
]


def test_readme_is_well_formed_markdown(project, answers):
    """Parsed by a real CommonMark parser: the expected headings, in order, each on a
    line of its own, and every fenced block closed (an open one would swallow the
    headings after it)."""
    text = (project / "README.md").read_text()
    tokens = BLOCK_PARSER.parse(text)
    headings = [
        f"{token.markup} {tokens[index + 1].content}"
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    expected = [f"# {answers.get('project_name', 'My Django App')}", *EXPECTED_HEADINGS]
    if answers["interface"] == "asgi":
        after = expected.index("## Accounts") + 1
        expected[after:after] = ["## The live login feed", "## Async views and streams"]
    worker = "## The background worker" if runs_a_worker(answers) else "## A background worker"
    expected.insert(expected.index("## Configuration"), worker)
    if s3(answers):
        expected.insert(expected.index("## Configuration"), "## Uploads")
    expected.insert(expected.index("## Configuration"), "## E-mail")
    expected.insert(expected.index("## Configuration"), "## Error tracking")
    expected.insert(expected.index("## Configuration"), "## Content Security Policy")
    platform = "Heroku" if answers["platform"] == "heroku" else "DigitalOcean App Platform"
    expected[expected.index("## Deploy to")] = f"## Deploy to {platform}"

    assert headings == expected
    fences = [token for token in tokens if token.type == "fence"]
    assert fences and all(token.info in ("sh", "python", "html") for token in fences)
    for fence in fences:
        if fence.info == "python":  # whole modules, or lines of one (urlpatterns)
            compile(textwrap.dedent(fence.content), "README.md", "exec")
    fence_lines = [line for line in text.splitlines() if line.startswith("```")]
    assert len(fence_lines) == 2 * len(fences), "a fence is left open"
    for line in text.splitlines():
        assert not re.search(r"[^\s#]#{1,6} [A-Z]", line), f"a heading glued to text: {line}"


# The README's prose wraps at this width, not counting a link's address; its tables and
# code blocks do not wrap.
README_WIDTH = 100


def test_readme_prose_is_wrapped_whole(project):
    """No line of prose runs on past the width where a sentence that one answer adds
    was joined to its neighbour without a new wrap."""
    fenced, long = False, []
    for number, line in enumerate((project / "README.md").read_text().splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and not line.startswith("|"):
            width = len(re.sub(r"\]\([^)\s]*\)", "]()", line))
            if width > README_WIDTH:
                long.append(f"line {number} ({width} characters): {line}")

    assert not long, "\n".join(long)


def test_every_deploy_block_makes_its_secret_with_one_python(project):
    """python3, which a shell outside any venv has; `python` may be missing there, and
    the secret would come out empty."""
    readme = (project / "README.md").read_text()
    section = readme[readme.index("## Deploy to") :]

    commands = re.findall(r"\$\((\S+) -c 'import secrets", section)
    assert commands and set(commands) == {"python3"}, commands


@pytest.mark.only(platform="heroku")
def test_heroku_readme_steps_match_app_json(project, answers):
    readme = (project / "README.md").read_text()
    app = json.loads((project / "app.json").read_text())

    for addon in app["addons"]:
        assert f"heroku addons:create {addon['plan']}" in readme
    for step in (
        "heroku create",
        "heroku config:set DJANGO_SECRET_KEY=",
        "heroku config:set DJANGO_ALLOWED_HOSTS=",
        "git push heroku main",
        "heroku run python manage.py createsuperuser",
    ):
        assert step in readme
    assert (
        f"https://heroku.com/deploy?template=https://github.com/{app_json_repository(project)}"
        in readme
    )


def test_readme_on_scaling(project, answers):
    readme = (project / "README.md").read_text()
    if answers["interface"] == "asgi" and answers["channel_layer"] == "in-memory":
        assert "does not scale past one process" in readme
    else:
        assert "## Scale out" in readme and "does not scale" not in readme


DEPLOY_CHECKS = "python manage.py check --deploy --fail-level WARNING"


def test_ci_workflow(project, answers):
    job = yaml_reader.read(project / ".github/workflows/ci.yml")["jobs"]["test"]
    setup_python = next(
        s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python")
    )
    commands = "\n".join(step.get("run", "") for step in job["steps"])

    assert set(job["services"]) == ({"postgres", "redis"} if uses_redis(answers) else {"postgres"})
    assert setup_python["with"]["python-version"] == answers["python_version"]
    assert "check --deploy --fail-level WARNING" in commands
    assert "makemigrations --check" in commands
    assert "pytest" in commands and "ruff check" in commands
    assert set(production_environment(project)) <= set(job["env"])
    # The README's line that runs the same checks locally, over .env's DEBUG, gives
    # them every variable production requires (the README sections tier runs it).
    readme = (project / "README.md").read_text()
    (line,) = [line for line in readme.splitlines() if line.endswith(f" {DEPLOY_CHECKS}")]
    words = shlex.split(line)
    command = next(i for i, word in enumerate(words) if not re.match(r"\w+=", word))
    assigned = dict(word.split("=", 1) for word in words[:command])
    assert words[command:] == shlex.split(DEPLOY_CHECKS)
    assert assigned["DJANGO_DEBUG"] == "0"
    assert set(production_environment(project)) <= set(assigned)
    # The project's CI lints with the ruff the template checks it with.
    ruff_pin = re.search(r"^ruff==([\d.]+) ", (project / "requirements-dev.txt").read_text(), re.M)
    assert ruff_pin.group(1) == RUFF_VERSION
    workflow = yaml_reader.read(project / ".github/workflows/ci.yml")
    workflow["on"] = workflow.pop(True)  # YAML 1.1's `on` is true; GitHub reads a name
    validator("schemastore/github-workflows.json").validate(workflow)


@functools.cache
def zizmor_findings(github: tuple[tuple[str, str], ...]) -> str:
    """zizmor's report on a .github/ holding `github` ({path: text}), offline: empty
    when it finds nothing. Keyed by content, since most combinations share theirs."""
    with tempfile.TemporaryDirectory() as scratch:
        for name, text in github:
            (Path(scratch) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(scratch) / name).write_text(text)
        return github_findings(Path(scratch))


def github_findings(github: Path) -> str:
    zizmor = Path(sys.executable).with_name("zizmor")
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "plain", github],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return "" if result.returncode == 0 else result.stdout + result.stderr


def test_template_github_has_no_zizmor_finding():
    assert github_findings(TEMPLATE_DIR / ".github") == ""


def test_github_has_no_zizmor_finding(project):
    """Actions pinned to commits, a read-only token, no credentials left by checkout,
    Dependabot's cooldown: zizmor's audits at their default confidence."""
    github = project / ".github"
    files = sorted(
        (path.relative_to(github).as_posix(), path.read_text())
        for path in github.rglob("*")
        if path.is_file()
    )
    assert zizmor_findings(tuple(files)) == ""


@pytest.mark.reads_no_version_file
def test_dependabot_keeps_the_pins_current(project):
    """Weekly, grouped updates for the Python packages and the workflow's actions, in a
    file Dependabot accepts (SchemaStore's schema)."""
    config = yaml_reader.read(project / ".github/dependabot.yml")

    validator("schemastore/dependabot.json").validate(config)
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    for update in updates.values():
        assert update["schedule"]["interval"] == "weekly" and update["groups"], update
        assert update["cooldown"]["default-days"] >= 3, update  # a bad upload's days


SEMVER_UPDATE_TYPES = ("major", "minor", "patch")


def dependabot_outcome(config: dict, name: str, current: str, candidate: str) -> str:
    """Where the pip update of `name` from `current` to `candidate` lands under
    `config`: "ignored", the name of the group whose pull request carries it, or
    "own pull request".

    Models two rules of Dependabot's options reference
    (https://docs.github.com/en/code-security/reference/supply-chain-security/dependabot-options-reference):
    `ignore` drops an update whose `dependency-name` matches and whose semver level is
    in its `update-types` ("version-update:semver-major" and so on; no `update-types`
    ignores every version); `groups` put an update in a group when its name matches
    one of `patterns`, none of `exclude-patterns`, and its semver level is in
    `update-types` (every level without one); an update in no group gets a pull
    request of its own. The level is the first of major, minor and patch that
    changes. The template's groups do not overlap, so which of two matching groups
    wins is not modelled (and a dependency that matches two is an error here).
    """
    old, new = (tuple(int(part) for part in v.split(".")[:3]) for v in (current, candidate))
    level = next(kind for kind, a, b in zip(SEMVER_UPDATE_TYPES, old, new, strict=True) if a != b)
    (update,) = (u for u in config["updates"] if u["package-ecosystem"] == "pip")
    for rule in update.get("ignore", []):
        if fnmatch.fnmatch(name, rule["dependency-name"].lower()):
            types = rule.get(
                "update-types", [f"version-update:semver-{k}" for k in SEMVER_UPDATE_TYPES]
            )
            if f"version-update:semver-{level}" in types:
                return "ignored"
    matching = [
        group
        for group, rules in update.get("groups", {}).items()
        if any(fnmatch.fnmatch(name, pattern.lower()) for pattern in rules["patterns"])
        and not any(fnmatch.fnmatch(name, p.lower()) for p in rules.get("exclude-patterns", []))
        and level in rules.get("update-types", SEMVER_UPDATE_TYPES)
    ]
    assert len(matching) <= 1, f"{name} {candidate} matches the groups {matching}"
    return matching[0] if matching else "own pull request"


def django_candidates(version: str) -> dict[str, str]:
    """Django's next patch, next feature series and next major after `version`:
    each major series has three feature releases, X.0, X.1 and X.2 (the LTS)
    (https://docs.djangoproject.com/en/dev/internals/release-process/)."""
    major, feature, patch = (int(part) for part in version.split("."))
    series = f"{major}.{feature + 1}.0" if feature < 2 else f"{major + 1}.0.0"
    return {
        "patch": f"{major}.{feature}.{patch + 1}",
        "feature": series,
        "major": f"{major + 1}.0.0",
    }


@pytest.mark.reads_no_version_file
def test_dependabot_never_groups_another_django_series(project, answers):
    """Read against Django's series, the generated configuration gives the project's
    Django patch releases a pull request of their own, its next feature series one too
    (6.1 to 6.2) unless that series is a major (5.2 to 6.0), and never another major;
    every other package's minor and patch releases share the weekly group and its
    majors come alone."""
    config = yaml_reader.read(project / ".github/dependabot.yml")
    pins = venvs.pins_in((project / "requirements.txt").read_text())
    django = pins["django"]
    assert django.startswith(answers["django_version"] + ".")
    candidates = django_candidates(django)
    outcomes = {
        kind: dependabot_outcome(config, "django", django, v) for kind, v in candidates.items()
    }

    lts = answers["django_version"].endswith(".2")
    assert outcomes == {
        "patch": "own pull request",
        "feature": "ignored" if lts else "own pull request",
        "major": "ignored",
    }
    major, minor, patch = (int(part) for part in pins["whitenoise"].split("."))
    others = {
        "patch": f"{major}.{minor}.{patch + 1}",
        "minor": f"{major}.{minor + 1}.0",
        "major": f"{major + 1}.0.0",
    }
    assert {
        k: dependabot_outcome(config, "whitenoise", pins["whitenoise"], v)
        for k, v in others.items()
    } == {
        "patch": "python-packages",
        "minor": "python-packages",
        "major": "own pull request",
    }


def committed_files(project: Path, git_dir: Path) -> set[str]:
    """What `git add -A` would take: the project's .gitignore applies."""
    git = ["git", f"--git-dir={git_dir}", f"--work-tree={project}"]
    subprocess.run([*git, "init", "-q"], check=True)
    listed = subprocess.run(
        [*git, "ls-files", "--others", "--exclude-standard"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(listed.stdout.splitlines())


def test_no_secret_in_any_committed_file(project, tmp_path):
    """The key generation wrote to .env never reaches a file git would commit."""
    secret = next(
        line.split("=", 1)[1]
        for line in (project / ".env").read_text().splitlines()
        if line.startswith("DJANGO_SECRET_KEY=")
    )
    committed = committed_files(project, tmp_path / "git")

    assert ".env" not in committed and ".env.example" in committed
    for name in committed:
        assert secret not in (project / name).read_text(errors="replace"), name


def test_version_answers_change_only_version_files(group_members, bake, tmp_path):
    projects = [bake(answers) for answers in group_members]
    first, *others = projects
    first_files = committed_files(first, tmp_path / "first")
    for index, other in enumerate(others, start=1):
        other_files = committed_files(other, tmp_path / str(index))
        differing = {
            name
            for name in first_files | other_files
            if name not in first_files
            or name not in other_files
            or not filecmp.cmp(first / name, other / name, shallow=False)
        }
        assert differing <= VERSION_FILES, combination_id(group_members[index])
    secrets = {(project / ".env").read_text() for project in projects}
    assert len(secrets) == len(projects), "every project must get its own secret key"


@pytest.mark.only(interface="asgi")
def test_readme_explains_the_live_feed(project, answers):
    readme = (project / "README.md").read_text()
    section = readme[readme.index("## The live login feed") : readme.index("## Configuration")]
    words = " ".join(section.split())

    # What it shows to whom, and how to take it out.
    assert "a visitor who is not signed in sees only that someone did" in words
    assert "visible to anyone who makes an account" in words
    assert "remove the feature" in section
    for path in ("live/", "config/settings.py", "config/urls.py", "config/routing.py"):
        assert path in section
    if redis_layer(answers):
        assert "the group message goes through Redis" in words
    else:
        assert "it does not scale past one process" in words


@pytest.mark.only(interface="wsgi")
def test_wsgi_projects_carry_no_websocket_code(project):
    for name, path in generated_files(project).items():
        if name.endswith((".py", ".js", ".txt", ".toml")):
            text = path.read_text().lower()
            assert "channels" not in text and "websocket" not in text, name
    home = next(project.rglob("home.html")).read_text()
    assert "interface=asgi" in home, "the home page says how to get WebSockets"


def worker_commands(project: Path) -> set[str]:
    """The worker's command in every place the platform or a person reads it."""
    if (project / "Procfile").exists():
        commands = {platform_env.procfile(project).get("worker")} - {None}
        app = json.loads((project / "app.json").read_text())
        assert ("worker" in app["formation"]) == bool(commands), "app.json's formation"
    else:
        commands = {w["run_command"] for w in platform_env.do_spec(project).get("workers", [])}
    return commands


def test_the_worker_runs_one_command_everywhere(project, answers):
    commands = worker_commands(project)
    readme = (project / "README.md").read_text()
    if not runs_a_worker(answers):
        assert commands == set() and "## The background worker" not in readme
        return
    (command,) = commands
    if django_tasks(answers):
        assert command == "python manage.py tasks_worker"
        assert f"```sh\n{command}\n```" in readme
        settings = (project / "config" / "settings.py").read_text()
        assert "from config.tasks_settings import *" in settings
        assert "celery" not in settings and not (project / "config/celery.py").exists()
        return
    # The pool's processes ignore SIGTERM, and the main process starts Celery's soft
    # shutdown (config/celery_settings.py).
    assert command.startswith("env REMAP_SIGTERM=SIGQUIT celery --app config worker ")
    assert f"```sh\n{command}\n```" in readme
    settings = (project / "config" / "settings.py").read_text()
    assert "from config.celery_settings import *" in settings
    celery_settings = (project / "config" / "celery_settings.py").read_text()
    # The default window, plus the time to put the tasks back (tests/test_worker.py's
    # AFTER_WINDOW), fits before the platform's SIGKILL: 30 s on Heroku, the worker's
    # grace period on App Platform.
    window = re.search(r'"WORKER_SHUTDOWN_SECONDS", (\d+), "seconds"', celery_settings)
    if answers["platform"] == "heroku":
        kill = 30
    else:
        (worker,) = platform_env.do_spec(project)["workers"]
        kill = worker["termination"]["grace_period_seconds"]
    assert window and int(window.group(1)) + 10 <= kill, (window, kill)
    assert "CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True" in celery_settings
    assert "CELERY_TASK_ACKS_LATE = True" in celery_settings
    assert "CELERY_BROKER_URL = REDIS_URL or" in celery_settings
    assert "REDIS_URL" in settings.split("PRODUCTION_ENVIRONMENT = [", 1)[1].split("]", 1)[0]
    if answers["platform"] == "digitalocean":
        (worker,) = platform_env.do_spec(project)["workers"]
        (web,) = platform_env.do_spec(project)["services"]
        assert worker["envs"] == web["envs"] and worker["github"] == web["github"]


def test_runtime_groups_try_every_pair():
    """The live tiers run once per runtime group; across the groups, every pair of
    option values that some combination forms is tried at least once."""
    every_pair = set().union(*map(pairs, all_combinations()))
    tried = set().union(*(pairs(members[0]) for members in runtime_groups().values()))

    assert every_pair - tried == set()


def test_pairwise_groups_try_every_pair_their_groups_try():
    """The deep tiers' groups, pairwise() of all the runtime groups and of the ASGI
    ones, between them try every pair of option values that those groups try."""
    groups = runtime_groups()
    asgi = {key: members for key, members in groups.items() if members[0]["interface"] == "asgi"}
    for among in (groups, asgi):
        wanted = set().union(*(pairs(members[0]) for members in among.values()))
        tried = set().union(*(pairs(members[0]) for members in pairwise(among).values()))

        assert wanted - tried == set()

"""Reserved names: a project's package never shadows a module the project imports.

local_extensions.PROJECT_MODULES derives the names a slug must not take: Python's
standard library, the template's own top-level packages and modules, and the
top-level modules of every distribution the generated requirements install
(installed_modules.json, which tests/support/installed_modules.py writes from the pinned
distributions). Here:
- installed_modules.json says what the suite's venvs hold;
- a project named after each of the template's and the installed modules, with the
  answers that bring that module in and no other answer, generates with a slug of
  its own, which shadows none of them;
- with each of those sets of answers, a project whose slug was derived so passes
  `manage.py check` (the slugs differ only by the name after the prefix, which the
  test above keeps clear of every module).
"""

import json
import subprocess
from pathlib import Path

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from local_extensions import (
    INSTALLED_MODULES,
    LOWERCASE_IDENTIFIER,
    PROJECT_MODULES,
    derive_slug,
    template_modules,
)
from tests.support import installed_modules, venvs
from tests.support.combinations import (
    DEFAULTS,
    OPTIONS,
    TEMPLATE_DIR,
    VENV_PYTHON,
    VERSION_OPTIONS,
    combination_id,
)

# The answers tried for a module, in order: the defaults, then the defaults with one
# option changed (every option that installs a package or keeps an app does so alone).
CANDIDATES = [DEFAULTS] + [
    {**DEFAULTS, option: value}
    for option, values in OPTIONS.items()
    for value in values[1:]
    if option not in VERSION_OPTIONS
]
INSTALLED = json.loads(INSTALLED_MODULES.read_text())
# What `python -m venv` puts in every venv, as the platform's buildpack does: no
# requirement brings it in.
VENV_OWN = {"pip"}
# {module: the distribution that installs it, or None for the template's own}, for
# every name a slug could take (where two distributions hold a module, as autobahn's
# and daphne's plugins live in twisted/, the module's own distribution).
NAMES = {
    module: distribution
    for distribution, modules in sorted(INSTALLED.items(), key=lambda item: item[0] == "twisted")
    for module in modules
    if LOWERCASE_IDENTIFIER.fullmatch(module.lower())
} | dict.fromkeys(template_modules())


def test_installed_modules_file_says_what_the_venvs_hold(venv_for):
    found = installed_modules.derived([venv_for(version) for version in VENV_PYTHON])

    assert found == INSTALLED, (
        "installed_modules.json is out of date: write it again with"
        " `.venv/bin/python -m tests.support.installed_modules`."
    )


def lock_dir(answers: dict) -> Path:
    """The directory of the locks a project of `answers` includes (its `__lock`)."""
    context = generate_context(
        context_file=str(TEMPLATE_DIR / "cookiecutter.json"), extra_context=answers
    )
    return venvs.LOCKS_DIR / prompt_for_config(context, no_input=True)["__lock"]


def rendered_requirements(answers: dict) -> list[str]:
    """The pins a project of `answers` installs for its tests and CI
    (requirements-dev.txt, which holds requirements.txt's)."""
    pins = venvs.pins_in((lock_dir(answers) / "requirements-dev.txt").read_text())
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


@pytest.fixture(scope="session")
def installed_with(venv_for):
    """installed_with(answers) -> the distributions the project of `answers` installs."""
    found: dict[str, set[str]] = {}

    def installed_with(answers: dict) -> set[str]:
        key = json.dumps(answers, sort_keys=True)
        if key not in found:
            pins = rendered_requirements(answers)
            found[key] = installed_modules.installed_by(venv_for(answers["django_version"]), pins)
        return found[key]

    return installed_with


@pytest.fixture
def bake_named(cookies_session, fast_generation):
    """bake_named(answers) -> the generated project, or the failed bake's exception."""

    def bake_named(answers: dict):
        result = cookies_session.bake(extra_context=answers, template=str(TEMPLATE_DIR))
        assert result.exit_code == 0, f"{answers['project_name']!r}: {result.exception}"
        return result.project_path

    return bake_named


def bringing_in(module: str, distribution: str | None, installed_with, bake_named) -> dict:
    """The first of CANDIDATES whose project installs `distribution` or, for the
    template's own `module`, keeps it."""
    if distribution in VENV_OWN:
        return DEFAULTS
    for answers in CANDIDATES:
        if distribution is not None:
            if distribution in installed_with(answers):
                return answers
        else:
            project = bake_named(answers)
            if (project / module).is_dir() or (project / f"{module}.py").is_file():
                return answers
    raise AssertionError(f"no answers bring {module} in")


@pytest.mark.parametrize(("module", "distribution"), sorted(NAMES.items()), ids=sorted(NAMES))
def test_a_project_named_after_a_module_gets_a_slug_of_its_own(
    module, distribution, installed_with, bake_named
):
    answers = bringing_in(module, distribution, installed_with, bake_named)

    project = bake_named({**answers, "project_name": module})

    assert project.name not in PROJECT_MODULES, project.name
    assert project.name == derive_slug(module) != module, project.name


@pytest.mark.parametrize("candidate", CANDIDATES, ids=combination_id)
def test_a_project_with_a_derived_slug_passes_its_checks(candidate, bake_named, venv_for):
    project = bake_named({**candidate, "project_name": "django"})

    assert project.name == derive_slug("django") != "django", project.name
    check = subprocess.run(
        [str(venv_for(candidate["django_version"]) / "python"), "manage.py", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr

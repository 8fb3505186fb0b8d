"""One virtualenv per Django version, built once from the pins the template generates.

The pins are rendered from the template's requirements.txt and requirements-dev.txt
(what the project's own tests and CI add) with cookiecutter's own Jinja environment,
for every combination of that Django version, and must agree:
a package pinned to two versions across combinations fails the build. Nothing is
ever installed per combination.
"""

import subprocess
from pathlib import Path

from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from combinations import TEMPLATE_DIR, all_combinations

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
REQUIREMENTS_FILES = ("requirements.txt", "requirements-dev.txt")


def rendered_requirements(answers: dict, files=REQUIREMENTS_FILES) -> list[str]:
    """The pins `files` hold for `answers` (their -r lines left out)."""
    context = generate_context(
        context_file=str(TEMPLATE_DIR / "cookiecutter.json"), extra_context=answers
    )
    cookiecutter = prompt_for_config(context, no_input=True)
    env = StrictEnvironment(context={"cookiecutter": cookiecutter})
    pins = []
    for name in files:
        template = (PROJECT_TEMPLATE / name).read_text()
        text = env.from_string(template).render(cookiecutter=cookiecutter)
        lines = [line.strip() for line in text.splitlines()]
        pins += [line for line in lines if line and not line.startswith(("#", "-r "))]
    return pins


def package_name(requirement: str) -> str:
    return requirement.split("==")[0].split("[")[0].lower().replace("_", "-")


def pins_for(django_version: str) -> list[str]:
    pins: dict[str, str] = {}
    for answers in all_combinations():
        if answers["django_version"] != django_version:
            continue
        for requirement in rendered_requirements(answers):
            name = package_name(requirement)
            if pins.setdefault(name, requirement) != requirement:
                raise ValueError(f"{name} is pinned both as {pins[name]} and as {requirement}")
    return sorted(pins.values())


def holds(path: Path, pins: list[str]) -> bool:
    """Whether `path` is a finished build of exactly `pins`."""
    requirements = path / "requirements.txt"
    return (path / "built").exists() and requirements.read_text().split() == pins


def build(path: Path, python: Path, pins: list[str]) -> None:
    """Create a venv at `path` with `python` and install `pins` into it."""
    subprocess.run([str(python), "-m", "venv", "--clear", str(path)], check=True)
    (path / "requirements.txt").write_text("\n".join(pins) + "\n")
    subprocess.run(
        [
            str(path / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(path / "requirements.txt"),
        ],
        check=True,
    )
    (path / "built").write_text("ok\n")

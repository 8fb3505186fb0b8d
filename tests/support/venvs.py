"""One virtualenv per Django version, built once from that version's lock.

scripts/lock.py compiles, per Django version, the union of every combination's
requirements into templates/locks/django-<version>/all.txt, and each combination's
requirements.txt and requirements-dev.txt with those versions; the venv installs
all.txt, so every runtime group runs on exactly the versions its project locks, and
`pip check` must find them consistent. Nothing is ever installed per combination.
"""

import re
import subprocess
from pathlib import Path

from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from combinations import TEMPLATE_DIR

LOCKS_DIR = TEMPLATE_DIR / "templates" / "locks"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)


def pins_in(text: str) -> dict[str, str]:
    """{normalized name: version} of the pins of a lock."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(text)}


def lock_dir(answers: dict) -> Path:
    """The directory of the locks a project of `answers` includes (its `__lock`)."""
    context = generate_context(
        context_file=str(TEMPLATE_DIR / "cookiecutter.json"), extra_context=answers
    )
    return LOCKS_DIR / prompt_for_config(context, no_input=True)["__lock"]


def rendered_requirements(answers: dict) -> list[str]:
    """The pins a project of `answers` installs for its tests and CI
    (requirements-dev.txt, which holds requirements.txt's)."""
    pins = pins_in((lock_dir(answers) / "requirements-dev.txt").read_text())
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def pins_for(django_version: str) -> list[str]:
    """The pins of the venv of `django_version`: every combination's, at one version."""
    lock = LOCKS_DIR / f"django-{django_version}" / "all.txt"
    if not lock.exists():
        raise FileNotFoundError(f"{lock} is missing: run scripts/lock.py.")
    return [f"{name}=={version}" for name, version in sorted(pins_in(lock.read_text()).items())]


def holds(path: Path, pins: list[str]) -> bool:
    """Whether `path` is a finished build of exactly `pins`."""
    requirements = path / "requirements.txt"
    return (path / "built").exists() and requirements.read_text().split() == pins


def build(path: Path, python: Path, pins: list[str]) -> None:
    """Create a venv at `path` with `python`, install `pins` into it and check that
    pip finds them consistent."""
    subprocess.run([str(python), "-m", "venv", "--clear", str(path)], check=True)
    (path / "requirements.txt").write_text("\n".join(pins) + "\n")
    pip = [str(path / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    # The pinned pip first: the one Python 3.12's venv bundles (23.2) took 12 CPU-seconds
    # more to resolve the pins.
    pinned_pip = [pin for pin in pins if pin.startswith("pip==")]
    if pinned_pip:
        subprocess.run([*pip, "install", "--quiet", *pinned_pip], check=True)
    # --no-compile: Python compiles what a process imports when it first does, instead
    # of pip compiling every module of every package (15 s of CPU for Django 6.1's).
    install = [*pip, "install", "--quiet", "--no-compile", "-r", str(path / "requirements.txt")]
    subprocess.run(install, check=True)
    check = subprocess.run([*pip, "check"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"pip check fails in {path}: {check.stdout.strip()}")
    (path / "built").write_text("ok\n")

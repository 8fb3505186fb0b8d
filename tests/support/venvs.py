"""One virtualenv per Django version, built once from that version's lock.

scripts/lock.py compiles, per Django version, the union of every combination's
requirements into templates/locks/django-<version>/all.txt, and each combination's
requirements.txt and requirements-dev.txt with those versions; the venv installs
all.txt, so every runtime group runs on exactly the versions its project locks, and
`pip check` must find them consistent. Nothing is ever installed per combination.

It needs the standard library alone, so that .ci/run can build the venvs with it on
one core while the other installs the suite's own venv:

    python3 tests/support/venvs.py DIRECTORY

The suite then finds them in TEST_VENVS_DIR and builds whatever is missing there.
"""

import fcntl
import glob
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from combinations import TEMPLATE_DIR, VENV_PYTHON

LOCKS_DIR = TEMPLATE_DIR / "templates" / "locks"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)


def pins_in(text: str) -> dict[str, str]:
    """{normalized name: version} of the pins of a lock."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(text)}


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


def find_python(version: str) -> Path | None:
    """Find a CPython `version` interpreter: on PATH, or installed by pyenv."""
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [os.environ.get(f"PYTHON{version.replace('.', '_')}", "")]
    candidates += sorted(
        glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"), reverse=True
    )
    candidates += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    candidates.append(shutil.which(f"python{version}") or "")
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run(
                [candidate, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return Path(candidate)
    return None


def python_missing(version: str) -> str:
    return (
        f"Python {version} is not installed (pyenv install {version},"
        f" or set PYTHON{version.replace('.', '_')} to its path)."
    )


class PythonMissing(Exception):
    pass


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold `path`.lock: one build of a venv at a time across the suite's workers and
    .ci/run's builder."""
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure(base: Path, django_version: str) -> Path:
    """The venv of `django_version` under `base`, built there unless it already holds
    exactly that version's pins. Raises PythonMissing when its Python is not here."""
    path = base / f"venv-django{django_version}"
    pins = pins_for(django_version)
    with locked(path):
        if not holds(path, pins):
            python = find_python(VENV_PYTHON[django_version])
            if python is None:
                raise PythonMissing(python_missing(VENV_PYTHON[django_version]))
            build(path, python, pins)
    return path


def main(base: str) -> int:
    """Build every Django version's venv under `base`, all at once."""
    Path(base).mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor() as pool:
        built = pool.map(lambda version: ensure(Path(base), version), VENV_PYTHON)
        try:
            for path in built:
                print(f"built {path}")
        except (PythonMissing, RuntimeError, subprocess.CalledProcessError) as error:
            print(f"venvs.py: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 tests/support/venvs.py DIRECTORY")
    sys.exit(main(sys.argv[1]))

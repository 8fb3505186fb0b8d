"""One virtualenv per Django version, built once from that version's lock.

scripts/lock.py compiles, per Django version, the union of every combination's
requirements into templates/locks/django-<version>/all.txt, and each combination's
requirements.txt and requirements-dev.txt with those versions; the venv installs
all.txt in pip's hash-checking mode, as a platform's build installs a project's lock,
so every runtime group runs on exactly the files its project locks, and `pip check`
must find them consistent. Nothing is ever installed per combination.

It needs the standard library alone, so that .ci/run can build the venvs with it on
one core while the other installs the suite's own venv:

    python3 -m tests.support.venvs DIRECTORY

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

from tests.support.combinations import TEMPLATE_DIR, VENV_PYTHON

LOCKS_DIR = TEMPLATE_DIR / "templates" / "locks"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)
# A lock's requirement for pip itself, with its hashes (pip-compile's layout).
PIP_REQUIREMENT = re.compile(r"^pip==\S+(?: \\\n\s+--hash=\S+)+", re.M)


def pins_in(text: str) -> dict[str, str]:
    """{normalized name: version} of the pins of a lock."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(text)}


def lock_for(django_version: str) -> str:
    """The lock of the venv of `django_version`: every combination's pins, at one
    version, each with its files' hashes."""
    lock = LOCKS_DIR / f"django-{django_version}" / "all.txt"
    if not lock.exists():
        raise FileNotFoundError(f"{lock} is missing: run scripts/lock.py.")
    return lock.read_text()


def holds(path: Path, lock: str) -> bool:
    """Whether `path` is a finished build of exactly `lock`."""
    requirements = path / "requirements.txt"
    return (path / "built").exists() and requirements.read_text() == lock


def build(path: Path, python: Path, lock: str) -> None:
    """Create a venv at `path` with `python`, install `lock` into it, every file
    checked against its hashes, and check that pip finds them consistent."""
    subprocess.run([str(python), "-m", "venv", "--clear", str(path)], check=True)
    pip = [str(path / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    install = [*pip, "install", "--quiet", "--require-hashes", "--no-compile", "-r"]
    # The pinned pip first: the one Python 3.12's venv bundles (23.2) took 12 CPU-seconds
    # more to resolve the pins.
    if pinned_pip := PIP_REQUIREMENT.search(lock):
        (path / "pip.txt").write_text(pinned_pip.group() + "\n")
        subprocess.run([*install, str(path / "pip.txt")], check=True)
    # --no-compile: Python compiles what a process imports when it first does, instead
    # of pip compiling every module of every package (15 s of CPU for Django 6.1's).
    (path / "requirements.txt").write_text(lock)
    subprocess.run([*install, str(path / "requirements.txt")], check=True)
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
    lock = lock_for(django_version)
    with locked(path):
        if not holds(path, lock):
            python = find_python(VENV_PYTHON[django_version])
            if python is None:
                raise PythonMissing(python_missing(VENV_PYTHON[django_version]))
            build(path, python, lock)
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
        sys.exit("usage: python3 -m tests.support.venvs DIRECTORY")
    sys.exit(main(sys.argv[1]))

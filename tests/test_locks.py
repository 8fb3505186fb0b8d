"""The locks tier: every lock a project gets is what compiling its requirements gives.

Each generated requirements.txt and requirements-dev.txt includes a lock of
templates/locks/, which scripts/lock.py compiles from the template's requirements.in
and requirements-dev.in: each Django version's union (all.txt, the suite's venv)
first, then each combination with the union's versions. The render tier checks what
a project gets from them, the Django tier that its runtime group's venv holds exactly
those versions. `scripts/lock.py --check` compiles all 84 again (minutes); here the
unions are compiled again, and each combination's lock must pin exactly what its
requirements pull in from the union, read from the distributions in the venv.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.support import installed_modules, venvs
from tests.support.combinations import DEFAULTS, OPTIONS, TEMPLATE_DIR

LOCK_SCRIPT = TEMPLATE_DIR / "scripts" / "lock.py"
LOCKS = ("requirements.txt", "requirements-dev.txt")
# The Pythons a project may answer (cookiecutter.json), whose markers the union's
# requirements are read with.
PYTHONS = tuple(sorted(OPTIONS["python_version"]))
spec = importlib.util.spec_from_file_location("lock", LOCK_SCRIPT)
lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lock)


def test_every_union_is_current():
    """scripts/lock.py --check --only-unions: each Django version's all.txt is what
    pip-compile gives for the union of its combinations' requirements, keeping the
    existing pins, under Python 3.12, and pip installs exactly it on Python 3.14 (a
    marker would make them differ; Python 3.13's markers are read in the next test)."""
    result = subprocess.run(
        [sys.executable, str(LOCK_SCRIPT), "--check", "--only-unions"],
        capture_output=True,
        text=True,
        timeout=1800,
    )

    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]


@pytest.mark.parametrize("django_version", ["5.2", "6.1"])
def test_every_lock_is_its_share_of_the_union(django_version, venv_for):
    """Each combination's requirements.txt pins exactly the distributions its
    requirements.in pulls in (extras and dependencies, as the venv's metadata says,
    markers read for Python 3.12, which compiles the locks), and requirements-dev.txt
    those of requirements.in and requirements-dev.in, each at the version of its
    Django version's all.txt, which the venv installs; and nothing its requirements
    pull in on the venv's own Python is left unpinned. (A lock may pin a package only
    an older Python needs: psycopg asks for typing-extensions below 3.13.) And the
    union's requirements pull in exactly all.txt's pins with markers read for each
    Python the template offers, as compiling all.in under it would give."""
    union = venvs.pins_in((venvs.LOCKS_DIR / f"django-{django_version}" / "all.txt").read_text())
    venv_bin = venv_for(django_version)
    sources = {
        key: texts
        for key, texts in lock.lock_sources().items()
        if key.startswith(f"django-{django_version}/")
    }
    assert len(sources) == 5 * 3 * 2  # servers and Redis layers, workers, storages
    locks = {}  # each lock's path: the requirement lines it is compiled from
    for key, texts in sources.items():
        wanted: list[str] = []
        for source in lock.SOURCES:
            wanted = wanted + lock.requirement_lines(texts[source])
            locks[venvs.LOCKS_DIR / key / source.replace(".in", ".txt")] = wanted
    # Every query in one process of the venv's python: (as compiled, on the venv's Python)
    # for each lock, then the union's requirements for each Python the template offers.
    queries = [(wanted, python) for wanted in locks.values() for python in (lock.LOCK_PYTHON, None)]
    queries += [(lock.union_lines(django_version, sources), python) for python in PYTHONS]
    found = [
        {lock.normalized(name) for name in names}
        for names in installed_modules.installed_by_each(venv_bin, queries)
    ]
    for index, path in enumerate(locks):
        pins = venvs.pins_in(path.read_text())
        as_compiled, on_the_venvs_python = found[2 * index], found[2 * index + 1]
        assert set(pins) == as_compiled, f"{path}: {set(pins) ^ as_compiled}"
        assert on_the_venvs_python <= set(pins), f"{path}: {on_the_venvs_python - set(pins)}"
        assert {name: union[name] for name in pins} == pins, path
    for python, pulled_in in zip(PYTHONS, found[2 * len(locks) :], strict=True):
        assert pulled_in == set(union), f"all.txt on Python {python}: {pulled_in ^ set(union)}"


def test_the_readmes_command_locks_a_project_as_it_is(bake, venv_for, tmp_path):
    """README.md's "Add a package" command, word for word (its final install left
    out: the venv is shared), in a copy of a generated project whose Python, 3.12,
    compiles the locks: both locks come out byte for byte as generated, so a user
    who adds nothing changes nothing."""
    answers = {**DEFAULTS, "django_version": "5.2", "python_version": lock.LOCK_PYTHON}
    project = shutil.copytree(bake(answers), tmp_path / "project")
    readme = (project / "README.md").read_text()
    section = readme[readme.index("## Add a package") :]
    command = re.search(r"```sh\n(.*?)\n```", section, re.S).group(1)
    locking, install = command.split(" && pip install ")
    assert install == "-r requirements-dev.txt"
    before = {name: (project / name).read_text() for name in LOCKS}
    venv_bin = venv_for("5.2")
    env = {**os.environ, "PATH": f"{venv_bin}:{os.environ['PATH']}"}

    result = subprocess.run(
        ["bash", "-e", "-c", locking],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert {name: (project / name).read_text() for name in LOCKS} == before

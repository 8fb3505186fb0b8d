"""The locks tier: every lock a project gets is what compiling its requirements gives.

Each generated requirements.txt and requirements-dev.txt includes a lock of
templates/locks/, which scripts/lock.py compiles from the template's requirements.in
and requirements-dev.in; the render tier checks what a project gets from them, the
Django tier that its runtime group's venv holds exactly those versions.
"""

import subprocess
import sys

import venvs
from combinations import TEMPLATE_DIR

LOCK_SCRIPT = TEMPLATE_DIR / "scripts" / "lock.py"


def test_every_lock_is_a_subset_of_its_django_versions_venv():
    """Each combination's locks pin only what its Django version's venv installs
    (all.txt), at the same versions."""
    locks = sorted(venvs.LOCKS_DIR.glob("django-*/*/requirements*.txt"))
    assert len(locks) == 80, len(locks)
    for lock in locks:
        union = venvs.pins_in((lock.parent.parent / "all.txt").read_text())
        pins = venvs.pins_in(lock.read_text())
        assert pins and {name: union.get(name) for name in pins} == pins, lock


def test_every_lock_is_current():
    """scripts/lock.py --check renders the requirements of every combination that
    changes them, compiles each with pip-compile under Python 3.12 keeping the
    existing pins (each Django version's union also under 3.13, where a pin that
    differs would mean a marker), and names the first lock that differs."""
    result = subprocess.run(
        [sys.executable, str(LOCK_SCRIPT), "--check"],
        capture_output=True,
        text=True,
        timeout=3600,
    )

    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]

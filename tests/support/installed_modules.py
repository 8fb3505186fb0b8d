"""The top-level modules of every distribution a generated project installs, read
from the distributions themselves in the suite's venvs (tests/support/venvs.py), which hold
the pins of every combination: requirements.txt, requirements-dev.txt and what they
pull in, plus the venv's own pip.

A project package named like one of them would shadow it, so local_extensions.py
refuses such a slug and derives another. Generation is offline and installs nothing,
so it reads them from installed_modules.json, which this module writes:

    .venv/bin/python -m tests.support.installed_modules

and test_reserved_names.py checks that the file says what the venvs hold.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

# As pyproject.toml's pythonpath gives pytest: the template, whose local_extensions.py
# rendering the pins needs.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support import venvs  # noqa: E402
from tests.support.combinations import TEMPLATE_DIR, VENV_PYTHON  # noqa: E402

INSTALLED_MODULES = TEMPLATE_DIR / "installed_modules.json"

# Run by a venv's python: {distribution: [its top-level modules]}, from each
# distribution's file list (top_level.txt is optional and often missing).
TOP_LEVEL = """
import json
from importlib.metadata import distributions

found = {}
for dist in distributions():
    names = set()
    for file in dist.files or []:
        top = file.parts[0]
        if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__"):
            continue
        if len(file.parts) > 1:
            names.add(top)
        elif top.endswith(".py"):
            names.add(top[:-3])
        elif top.endswith((".so", ".pyd")):
            names.add(top.split(".")[0])
    found[dist.metadata["Name"].lower()] = sorted(n for n in names if n.isidentifier())
print(json.dumps(found))
"""

# Run by a venv's python with a JSON list of queries, each [requirement lines, the
# markers' environment to override ({} for the venv's own; python_version, to read them
# as another Python would)]: for each, the distributions the lines install,
# dependencies and extras included, as pip resolved them. One process answers many.
INSTALLED_BY = """
import functools
import json
import sys
from importlib.metadata import distribution
from packaging.requirements import Requirement


# (the distribution's own name, its requirements), each read once: importlib.metadata
# searches sys.path and parses the file again on every call.
@functools.cache
def metadata(name):
    dist = distribution(name)
    return dist.metadata["Name"].lower(), [Requirement(line) for line in dist.requires or []]


def installed_by(lines, environment):
    installed, queue = set(), [Requirement(line) for line in lines]
    while queue:
        requirement = queue.pop()
        name, requires = metadata(requirement.name)
        key = (name, tuple(sorted(requirement.extras)))
        if key in installed:
            continue
        installed.add(key)
        for needed in requires:
            extras = requirement.extras or {""}
            markers = ({**environment, "extra": e} for e in extras)
            if needed.marker is None or any(needed.marker.evaluate(m) for m in markers):
                queue.append(needed)
    return sorted({name for name, _ in installed})


print(json.dumps([installed_by(*query) for query in json.loads(sys.argv[1])]))
"""


def run_python(python: Path, script: str, *arguments: str):
    result = subprocess.run(
        [str(python), "-c", script, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


def top_level_modules(venv_bin: Path) -> dict[str, list[str]]:
    return run_python(venv_bin / "python", TOP_LEVEL)


def installed_by(
    venv_bin: Path, requirements: list[str], python_version: str | None = None
) -> set[str]:
    """The distributions (lowercase names) that `requirements` install in the venv, or
    would install on `python_version`."""
    (found,) = installed_by_each(venv_bin, [(requirements, python_version)])
    return found


def installed_by_each(
    venv_bin: Path, queries: list[tuple[list[str], str | None]]
) -> list[set[str]]:
    """installed_by for each (requirements, python_version) of `queries`, in one process."""
    argument = json.dumps(
        [[lines, {"python_version": version} if version else {}] for lines, version in queries]
    )
    return [set(found) for found in run_python(venv_bin / "python", INSTALLED_BY, argument)]


def derived(venv_bins: list[Path]) -> dict[str, list[str]]:
    """What installed_modules.json should hold, read from the venvs."""
    modules: dict[str, list[str]] = {}
    for venv_bin in venv_bins:
        for name, found in top_level_modules(venv_bin).items():
            modules[name] = sorted(set(modules.get(name, [])) | set(found))
    return dict(sorted(modules.items()))


def write(modules: dict[str, list[str]]) -> None:
    INSTALLED_MODULES.write_text(json.dumps(modules, indent=2) + "\n")


def main() -> None:
    """Build (or reuse, under TEST_VENVS_DIR) each Django version's venv, and write
    installed_modules.json from them."""
    import os

    base = Path(os.environ.get("TEST_VENVS_DIR") or tempfile.mkdtemp(prefix="ccdp-venvs-"))
    try:
        venv_bins = [venvs.ensure(base, version) / "bin" for version in VENV_PYTHON]
    except venvs.PythonMissing as missing:
        sys.exit(str(missing))
    write(derived(venv_bins))
    print(f"wrote {INSTALLED_MODULES}")


if __name__ == "__main__":
    main()

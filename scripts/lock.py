"""Lock the generated projects' requirements.

The template's requirements.in and requirements-dev.in (Jinja) are the one source of
truth. For every set of answers that changes them (the Django version, the server,
a Redis channel layer or not, Celery, S3: the `__lock` key of cookiecutter.json),
this renders them and compiles them with pip-tools, as a generated project's README
says to, into templates/locks/<__lock>/requirements.txt and requirements-dev.txt,
which the project's requirements.txt and requirements-dev.txt include.

One Django version's combinations share one set of versions, because the suite runs
them all in one venv: all.in, the union of their requirements, is compiled first
(templates/locks/django-<version>/all.txt, the venv's lock), and each combination is
compiled with it as the existing pins, which pip-compile keeps; a combination that
ends up with another version of a package is an error.

    .venv/bin/python scripts/lock.py            # compile, keeping every existing pin
    .venv/bin/python scripts/lock.py --check    # fail, naming what is stale
    .venv/bin/python scripts/lock.py --upgrade  # the newest versions the .in files allow
    .venv/bin/python scripts/lock.py --check --only-unions  # the all.txt files alone

pip-compile runs under Python 3.12 (the oldest the template offers; Dependabot reads
the version from the lock's header), from a venv this script makes under ~/.cache
(LOCK_TOOLS_DIR), with the pip-tools version requirements-dev.in pins and the pip
version the unions pin. The check also compiles each all.in under Python 3.13 (not
with --only-unions), and has pip resolve each all.txt for Python 3.14 from wheels,
and fails if a pin differs, which would mean a marker makes the lock depend on the
Python version.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TEMPLATE_DIR))

from cookiecutter.environment import StrictEnvironment  # noqa: E402
from cookiecutter.generate import generate_context  # noqa: E402
from cookiecutter.prompt import prompt_for_config  # noqa: E402

from tests.support import venvs  # noqa: E402
from tests.support.combinations import DEFAULTS, VERSION_OPTIONS, all_combinations  # noqa: E402

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
LOCKS_DIR = TEMPLATE_DIR / "templates" / "locks"
SOURCES = ("requirements.in", "requirements-dev.in")
LOCK_PYTHON = "3.12"
MARKER_PYTHONS = ("3.13",)
# Offered by the template but maybe not installed here: pip resolves each all.txt for
# it from wheels alone (--python-version), which must install exactly the lock.
RESOLVE_ONLY_PYTHONS = ("3.14",)
# The command a generated project's README gives, and each lock's header shows:
# --strip-extras because a lock is also a constraints file (-c), where pip refuses
# extras; --allow-unsafe pins pip and setuptools, which pip-tools needs; the local
# index and find-links settings stay out of the file; --generate-hashes gives each pin
# the sha256 of every file of that release, which turns on pip's hash-checking mode
# wherever the lock is installed.
COMPILE_OPTIONS = (
    "--quiet",
    "--allow-unsafe",
    "--strip-extras",
    "--no-emit-index-url",
    "--no-emit-find-links",
    "--generate-hashes",
)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.M)


class Stale(Exception):
    """A lock differs from what compiling its sources gives."""


def render_sources(answers: dict) -> tuple[str, dict[str, str]]:
    """The `__lock` key of `answers`, and requirements.in and requirements-dev.in
    rendered for them."""
    context = generate_context(
        context_file=str(TEMPLATE_DIR / "cookiecutter.json"), extra_context=answers
    )
    cookiecutter = prompt_for_config(context, no_input=True)
    env = StrictEnvironment(context={"cookiecutter": cookiecutter}, keep_trailing_newline=True)
    texts = {
        name: env.from_string((PROJECT_TEMPLATE / name).read_text()).render(
            cookiecutter=cookiecutter
        )
        for name in SOURCES
    }
    return cookiecutter["__lock"], texts


def lock_sources() -> dict[str, dict[str, str]]:
    """{__lock key: its rendered sources}, over every combination with the default
    Python answers (they change only the version files, which a render test proves);
    the combinations sharing a key must render the same sources."""
    found: dict[str, dict[str, str]] = {}
    for answers in all_combinations():
        if any(answers[option] != DEFAULTS[option] for option in VERSION_OPTIONS):
            continue
        key, texts = render_sources(answers)
        if found.setdefault(key, texts) != texts:
            sys.exit(
                f"Combinations with the lock {key} render different requirements: "
                "add the answer that differs to __lock in cookiecutter.json."
            )
    return dict(sorted(found.items()))


def requirement_lines(text: str) -> list[str]:
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "-r ", "-c "))]


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    return {normalized(name): version for name, version in PIN.findall(text)}


def resolved_for(python: Path, version: str, lock: str) -> dict[str, str]:
    """What pip would install from `lock` on Python `version`, from wheels alone."""
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        (directory / "lock.txt").write_text(lock)
        command = [str(python), "-m", "pip", "install", "--quiet", "--dry-run"]
        command += ["--ignore-installed", f"--python-version={version}", "--only-binary=:all:"]
        command += ["--target", str(directory / "target"), "--report", str(directory / "r.json")]
        result = subprocess.run(
            [*command, "-r", "lock.txt"], cwd=directory, capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            raise Stale(f"The lock does not install on Python {version}: {result.stderr.strip()}")
        report = json.loads((directory / "r.json").read_text())
    return {
        normalized(item["metadata"]["name"]): item["metadata"]["version"]
        for item in report["install"]
    }


def tools_python(version: str, tools: dict[str, str]) -> Path:
    """The python of a venv of Python `version` with `tools` ({name: version}) installed."""
    base = Path(os.environ.get("LOCK_TOOLS_DIR") or Path.home() / ".cache" / "ccdp-lock-tools")
    venv = base / "-".join([f"python{version}", *(f"{name}{v}" for name, v in tools.items())])
    python = venv / "bin" / "python"
    if not (venv / "built").exists():
        interpreter = venvs.find_python(version)
        if interpreter is None:
            sys.exit(venvs.python_missing(version))
        subprocess.run([str(interpreter), "-m", "venv", "--clear", str(venv)], check=True)
        requirements = [f"{name}=={v}" for name, v in tools.items()]
        subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True)
        (venv / "built").write_text("ok\n")
    return python


def lock_tools(dev_requirements: str) -> dict[str, str]:
    """pip-tools at the version requirements-dev.in pins, and pip at the version the
    unions pin (--allow-unsafe): what a project's venv runs its README's pip-compile
    with. (The pip that Python 3.12's venv bundles, 23.2.1, took 2.7 times the CPU to
    check the unions.)"""
    pip_tools = pins(dev_requirements).get("pip-tools")
    if pip_tools is None:
        sys.exit("requirements-dev.in pins no pip-tools==VERSION, which compiles the locks.")
    pips = {pins(path.read_text()).get("pip") for path in LOCKS_DIR.glob("django-*/all.txt")}
    pips.discard(None)
    if not pips:  # no union yet: the venv's own pip compiles the first
        return {"pip-tools": pip_tools}
    newest = max(pips, key=lambda version: [int(part) for part in re.findall(r"\d+", version)])
    return {"pip": newest, "pip-tools": pip_tools}


def compile_in(python: Path, directory: Path, source: str, output: str, upgrade: bool) -> str:
    """Compile `source` in `directory` into `output` (kept as the existing pins
    unless `upgrade`) and return the lock."""
    command = [str(python), "-m", "piptools", "compile", *COMPILE_OPTIONS]
    if upgrade:
        command.append("--upgrade")
    command += [f"--output-file={output}", source]
    result = subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.exit(f"pip-compile failed on {source} in {directory}:\n{result.stderr}")
    return (directory / output).read_text()


def union_lines(django: str, sources: dict) -> list[str]:
    """The requirement lines of all.in: every line of one Django version's sources."""
    lines: dict[str, None] = {}
    for key, texts in sources.items():
        if key.startswith(f"django-{django}/"):
            for name in SOURCES:
                lines.update(dict.fromkeys(requirement_lines(texts[name])))
    return list(lines)


def lock_union(python: Path, django: str, sources: dict, upgrade: bool) -> str:
    """Compile the union of one Django version's requirements into its all.txt."""
    lines = union_lines(django, sources)
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        (directory / "all.in").write_text(
            f"# Every requirement of the Django {django} projects (scripts/lock.py).\n"
            + "\n".join(lines)
            + "\n"
        )
        existing = LOCKS_DIR / f"django-{django}" / "all.txt"
        if existing.exists():
            shutil.copy(existing, directory / "all.txt")
        return compile_in(python, directory, "all.in", "all.txt", upgrade)


def lock_combination(python: Path, key: str, texts: dict, union: str) -> dict[str, str]:
    """Compile one combination's requirements with its Django version's union as the
    existing pins; fail if a version differs from the union's."""
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        locks = {}
        for source in SOURCES:
            output = source.replace(".in", ".txt")
            (directory / source).write_text(texts[source])
            (directory / output).write_text(union)
            locks[output] = compile_in(python, directory, source, output, upgrade=False)
    union_pins = pins(union)
    for output, text in locks.items():
        for name, version in pins(text).items():
            if union_pins.get(name) != version:
                sys.exit(
                    f"{key}/{output} pins {name}=={version}, the union of its Django "
                    f"version {name}=={union_pins.get(name)}: pin {name} in requirements.in."
                )
    return locks


def compare_or_write(path: Path, text: str, check: bool) -> None:
    if path.exists() and path.read_text() == text:
        return
    if check:
        raise Stale(
            f"templates/locks/{path.relative_to(LOCKS_DIR)} is stale: run "
            "scripts/lock.py and commit the locks it writes."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path.relative_to(TEMPLATE_DIR)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail if a lock is stale")
    mode.add_argument("--upgrade", action="store_true", help="take the newest versions")
    parser.add_argument(
        "--only-unions",
        action="store_true",
        help="only each Django version's all.txt (the suite checks the rest against it)",
    )
    arguments = parser.parse_args()

    sources = lock_sources()
    some_dev = next(iter(sources.values()))["requirements-dev.in"]
    tools = lock_tools(some_dev)
    python = tools_python(LOCK_PYTHON, tools)
    djangos = sorted({key.split("/")[0].removeprefix("django-") for key in sources})
    expected = {f"django-{d}/all.txt" for d in djangos}
    expected |= {f"{key}/{source.replace('.in', '.txt')}" for key in sources for source in SOURCES}

    try:
        for django in djangos:
            union = lock_union(python, django, sources, arguments.upgrade)
            compare_or_write(LOCKS_DIR / f"django-{django}" / "all.txt", union, arguments.check)
            if arguments.check:
                # The suite reads the markers for these from its venvs' metadata instead
                # (tests/test_locks.py), so --only-unions, which it runs, leaves them out.
                for version in () if arguments.only_unions else MARKER_PYTHONS:
                    other = lock_union(tools_python(version, tools), django, sources, False)
                    if pins(other) != pins(union):
                        raise Stale(
                            f"Django {django}'s lock differs under Python {version}: "
                            "a marker makes it depend on the Python version."
                        )
                for version in RESOLVE_ONLY_PYTHONS:
                    if resolved_for(python, version, union) != pins(union):
                        raise Stale(
                            f"Django {django}'s lock is not what pip installs on Python "
                            f"{version}: a marker makes it depend on the Python version."
                        )
            if arguments.only_unions:
                continue
            keys = [key for key in sources if key.startswith(f"django-{django}/")]
            with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
                results = pool.map(
                    lock_combination,
                    [python] * len(keys),
                    keys,
                    [sources[key] for key in keys],
                    [union] * len(keys),
                )
                for key, locks in zip(keys, results, strict=True):
                    for output, text in locks.items():
                        compare_or_write(LOCKS_DIR / key / output, text, arguments.check)
    except Stale as stale:
        sys.exit(str(stale))
    if arguments.only_unions:
        return
    extra = {str(p.relative_to(LOCKS_DIR)) for p in LOCKS_DIR.rglob("*.txt")} - expected
    if extra:
        if arguments.check:
            sys.exit(f"templates/locks/{sorted(extra)[0]} belongs to no combination: delete it.")
        for name in extra:
            (LOCKS_DIR / name).unlink()
            print(f"deleted templates/locks/{name}")


if __name__ == "__main__":
    main()

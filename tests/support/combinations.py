"""Every option combination, read from cookiecutter.json so the list cannot drift.

Two facts about the template shape the list; each has a render test proving it:
- an answer that does not apply (asgi_server or channel_layer with WSGI) changes
  nothing, so it is held at its default and every combination is a distinct project;
- python_version and python_version_file change only VERSION_FILES, so projects
  that differ in nothing else form one runtime group, and the Django and live-server
  tiers run once per group.

The options that add a process beside the web one (ADD_ON_OPTIONS) do not multiply
the runtime groups: each group takes one value of each, chosen by covering(), so that
every value meets every value of every other option in at least one group.
"""

import functools
import hashlib
import itertools
import json
import shutil
import subprocess
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[2]
OPTIONS = {
    name: choices
    for name, choices in json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text()).items()
    if isinstance(choices, list) and not name.startswith("_")
}
DEFAULTS = {name: choices[0] for name, choices in OPTIONS.items()}

# option -> (option it depends on, the value that makes it apply)
APPLIES_ONLY_WITH = {
    "asgi_server": ("interface", "asgi"),
    "channel_layer": ("interface", "asgi"),
}
VERSION_OPTIONS = ("python_version", "python_version_file")
ADD_ON_OPTIONS = ("background_worker", "media_storage")
VERSION_FILES = {
    ".python-version",
    "runtime.txt",
    ".github/workflows/ci.yml",
    "README.md",
    "pyproject.toml",
}

# The interpreter each Django version's live venv runs on; the runtime group's
# representative is the member that asks for exactly that Python.
VENV_PYTHON = {"5.2": "3.12", "6.1": "3.13"}


def applies(option: str, answers: dict) -> bool:
    if option not in APPLIES_ONLY_WITH:
        return True
    depends_on, value = APPLIES_ONLY_WITH[option]
    return answers[depends_on] == value


def redis_layer(answers: dict) -> bool:
    return answers["interface"] == "asgi" and answers["channel_layer"] != "in-memory"


def celery(answers: dict) -> bool:
    return answers["background_worker"] == "celery"


def django_tasks(answers: dict) -> bool:
    return answers["background_worker"] == "django-tasks"


def worker(answers: dict) -> bool:
    """A worker process beside the web one: Celery's or Django's tasks'."""
    return answers["background_worker"] != "none"


def s3(answers: dict) -> bool:
    return answers["media_storage"] == "s3"


def uses_redis(answers: dict) -> bool:
    return redis_layer(answers) or celery(answers)


def served_by_gunicorn(answers: dict) -> bool:
    return answers["interface"] == "wsgi" or answers["asgi_server"] == "uvicorn"


def normalized(answers: dict) -> dict:
    return {
        name: value if applies(name, answers) else DEFAULTS[name] for name, value in answers.items()
    }


def all_combinations() -> list[dict]:
    """Every combination once, as fresh dicts (pytest asks for them once per test function)."""
    return [dict(combination) for combination in unique_combinations()]


@functools.cache
def unique_combinations() -> tuple[dict, ...]:
    names = list(OPTIONS)
    seen, unique = set(), []
    for values in itertools.product(*OPTIONS.values()):
        combination = normalized(dict(zip(names, values, strict=True)))
        key = tuple(combination.items())
        if key not in seen:
            seen.add(key)
            unique.append(combination)
    return tuple(unique)


def combination_id(answers: dict, *, versions: bool = True) -> str:
    parts = [answers["platform"], answers["interface"]]
    if answers["interface"] == "asgi":
        parts += [answers["asgi_server"], answers["channel_layer"]]
    if versions:
        parts += [
            f"py{answers['python_version']}",
            answers["python_version_file"].lstrip("."),
        ]
    parts.append(f"dj{answers['django_version']}")
    parts += [answers[option] for option in ADD_ON_OPTIONS if answers[option] != DEFAULTS[option]]
    return "-".join(parts)


def runtime_key(answers: dict) -> str:
    """Names the runtime group: the combination without its version-only answers."""
    return combination_id(answers, versions=False)


def pairs(answers: dict) -> set[tuple]:
    """The pairs of option values a combination tries, among the options that apply."""
    values = [(name, answers[name]) for name in OPTIONS if applies(name, answers)]
    values = [(name, value) for name, value in values if name not in VERSION_OPTIONS]
    return set(itertools.combinations(values, 2))


# Add-on answers offered after the tiers named their groups: these take groups of
# their own, added by covering(), so that the others keep their answers and names.
LATER_ANSWERS = (("background_worker", "django-tasks"),)


def covering(bases: list[dict]) -> list[dict]:
    """Each base combination with the ADD_ON_OPTIONS values that, taken in order,
    try the most pairs not tried yet, leaving out LATER_ANSWERS; then, for each of
    those, the fewest more groups (greedily) that try every pair it forms. Every pair
    an add-on value forms is then tried (checked by
    test_render.py::test_runtime_groups_try_every_pair)."""
    choices = [
        dict(zip(ADD_ON_OPTIONS, c, strict=True))
        for c in itertools.product(*(OPTIONS[option] for option in ADD_ON_OPTIONS))
    ]

    def later(choice: dict) -> bool:
        return any(choice.get(option) == value for option, value in LATER_ANSWERS)

    tried: set[tuple] = set()
    chosen = []
    for base in bases:
        candidates = [{**base, **c} for c in choices if not later(c)]
        best = max(candidates, key=lambda answers: len(pairs(answers) - tried))
        tried |= pairs(best)
        chosen.append(best)
    for option, value in LATER_ANSWERS:
        candidates = [{**b, **c} for b in bases for c in choices if c[option] == value]
        wanted = set().union(*(pairs(answers) for answers in candidates)) - tried
        while wanted:
            best = max(candidates, key=lambda answers: len(pairs(answers) & wanted))
            wanted -= pairs(best)
            tried |= pairs(best)
            chosen.append(best)
    return chosen


def version_groups() -> dict[str, list[dict]]:
    """Every combination, grouped by runtime_key(): the members of a group differ only
    in their VERSION_OPTIONS answers, which change only VERSION_FILES (checked by
    test_render.py::test_version_answers_change_only_version_files)."""
    groups: dict[str, list[dict]] = {}
    for combination in all_combinations():
        groups.setdefault(runtime_key(combination), []).append(combination)
    return groups


def runtime_groups() -> dict[str, list[dict]]:
    """The groups the Django and live tiers run on: one per combination of the
    runtime options, with add-on values chosen by covering()."""
    groups = version_groups()
    bases = [m[0] for m in groups.values() if all(m[0][o] == DEFAULTS[o] for o in ADD_ON_OPTIONS)]
    return {runtime_key(answers): groups[runtime_key(answers)] for answers in covering(bases)}


def pairwise(groups: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The fewest of `groups` that still try every pair of option values that all of
    them try: the deep tiers (a browser, bursts across processes, the project's own CI
    job) run on these, while every group gets the Django and live-server tiers.

    An exact search (a few milliseconds here): it branches on the pair the fewest groups
    try, and gives up a branch that could not beat the smallest covering found so far,
    the first being the greedy one. Ties go to the groups in their order."""
    tries = {key: pairs(members[0]) for key, members in groups.items()}
    wanted = set().union(*tries.values())
    tried_by = {pair: [key for key in tries if pair in tries[key]] for pair in wanted}
    smallest: list[str] = []
    left = set(wanted)
    while left:  # greedily: the group that tries the most pairs not tried yet
        key = max(tries, key=lambda k: len(tries[k] & left))
        smallest.append(key)
        left -= tries[key]

    def search(chosen: list[str], left: set[tuple]) -> None:
        nonlocal smallest
        if not left:
            smallest = chosen
        elif len(chosen) + 1 < len(smallest):
            # sorted: a set's order changes with each process's string hashing
            pair = min(sorted(left), key=lambda p: len(tried_by[p]))
            for key in sorted(tried_by[pair], key=lambda k: -len(tries[k] & left)):
                search([*chosen, key], left - tries[key])

    search([], wanted)
    return {key: members for key, members in groups.items() if key in smallest}


def representative(members: list[dict]) -> dict:
    django = members[0]["django_version"]
    return next(
        m
        for m in members
        if m["python_version"] == VENV_PYTHON[django]
        and m["python_version_file"] == DEFAULTS["python_version_file"]
    )


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def copy_template(destination: Path) -> Path:
    """The template's files as they are in this checkout (tracked, and untracked but
    not ignored), copied to `destination`, as a clone of it would hold them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        check=True,
    )
    for name in listed.stdout.decode().split("\0"):
        if name and (TEMPLATE_DIR / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE_DIR / name, destination / name)
    return destination

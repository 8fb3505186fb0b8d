"""Check every answer before cookiecutter writes anything.

A bad answer prints one sentence saying what is wrong and how to fix it, and the
hook exits 1: cookiecutter then removes the project directory it had started.
Only the first problem is reported, since one bad answer (the project name) can
spoil the answers derived from it. The rules live in the template's
local_extensions.py, which also derives the defaults, so a default always passes.
"""

import json
import re
import sys

# Jinja's tojson escapes ' (never "), so the answers cannot end this string early.
ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')  # fmt: skip
# The template's own directory, where local_extensions.py holds the rules.
sys.path.insert(0, json.loads(r'''{{ template_dir | tojson }}'''))  # fmt: skip

from local_extensions import (  # noqa: E402
    FREE_TEXT,
    repository_problem,
    slug_problem,
    text_problem,
)

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def problems() -> list[str]:
    found = []
    if not ANSWERS["project_name"].strip():
        found.append("project_name is empty: give the project a name.")
    found += [text_problem(field, ANSWERS[field]) for field in FREE_TEXT]
    found.append(slug_problem(ANSWERS["project_slug"], ANSWERS["platform"]))
    if not EMAIL_PATTERN.fullmatch(ANSWERS["author_email"]):
        found.append(
            f"author_email {ANSWERS['author_email']!r} does not look like an email"
            " address: answer with one such as you@example.com."
        )
    found.append(repository_problem(ANSWERS["github_repository"]))
    return [problem for problem in found if problem]


if __name__ == "__main__":
    if found := problems():
        print(f"Error: {found[0]}", file=sys.stderr)
        sys.exit(1)

"""Check every answer before cookiecutter writes anything.

A bad answer prints one sentence saying what is wrong and how to fix it, and the
hook exits 1: cookiecutter then removes the project directory it had started.
Only the first problem is reported, since one bad answer (the project name) can
spoil the answers derived from it.
"""

import json
import keyword
import re
import sys

# Jinja's tojson escapes ' (never "), so the answers cannot end this string early.
ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')  # fmt: skip

# The slug names the project directory, its Python package and (with "-" for "_")
# the DigitalOcean app, whose name must be 2-32 lowercase letters, digits or dashes
# and may not end with a dash.
LOWERCASE_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
SLUG_LENGTHS = range(2, 33)
# Top-level modules the generated project imports or creates; a package named like
# one of them would shadow it.
PROJECT_MODULES = {
    "asgiref", "autobahn", "channels", "channels_redis", "config", "conftest",
    "daphne", "dj_database_url", "django", "dotenv", "gunicorn", "live", "manage",
    "msgpack", "psycopg", "pytest", "pytest_asyncio", "pytest_django", "redis",
    "test", "tests", "twisted", "uvicorn", "uvicorn_worker", "websockets", "whitenoise",
}  # fmt: skip
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
REPOSITORY_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[\w.-]+")


def slug_problem(slug: str) -> str | None:
    if not LOWERCASE_IDENTIFIER.fullmatch(slug):
        return (
            f"project_slug {slug!r} is not a lowercase Python identifier: use letters,"
            " digits and underscores, starting with a letter."
        )
    if len(slug) not in SLUG_LENGTHS:
        return (
            f"project_slug {slug!r} has {len(slug)} of the {SLUG_LENGTHS.start} to"
            f" {SLUG_LENGTHS.stop - 1} characters a DigitalOcean app name takes:"
            " choose a slug of that length."
        )
    if slug.endswith("_"):
        return (
            f"project_slug {slug!r} ends with '_', which DigitalOcean app names cannot"
            " (as '-'): drop the trailing underscore."
        )
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"project_slug {slug!r} is a Python keyword: choose another name."
    if slug in PROJECT_MODULES or slug in sys.stdlib_module_names:
        return (
            f"project_slug {slug!r} would shadow the {slug!r} module the project"
            " imports: choose another name, for example 'my_{slug}'."
        )
    return None


def problems() -> list[str]:
    found = [slug_problem(ANSWERS["project_slug"])]
    if not ANSWERS["project_name"].strip():
        found.append("project_name is empty: give the project a name.")
    if not EMAIL_PATTERN.fullmatch(ANSWERS["author_email"]):
        found.append(
            f"author_email {ANSWERS['author_email']!r} does not look like an email"
            " address: answer with one such as you@example.com."
        )
    if not REPOSITORY_PATTERN.fullmatch(ANSWERS["github_repository"]):
        found.append(
            f"github_repository {ANSWERS['github_repository']!r} is not an owner/name"
            " pair: answer like octocat/my-django-app."
        )
    return [problem for problem in found if problem]


if __name__ == "__main__":
    if found := problems():
        print(f"Error: {found[0]}", file=sys.stderr)
        sys.exit(1)

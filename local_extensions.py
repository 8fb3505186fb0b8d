"""The rules for the answers that name things, and how the defaults are derived.

One module for both sides, so they cannot disagree: cookiecutter.json derives the
default `project_slug` and `github_repository` with the Jinja filters below (loaded
through `_extensions`), and hooks/pre_gen_project.py refuses a typed answer with the
same rules. A derived default always passes them, whatever the name people typed
(accents, punctuation, digits, emoji): only an answer someone typed can be refused.
"""

import keyword
import re
import sys
from pathlib import Path

from jinja2.ext import Extension
from markupsafe import escape
from slugify import slugify

# The slug names the project directory and its Python package; on DigitalOcean it
# also names the app (with "-" for "_"), and App Platform app names are 2 to 32
# lowercase letters, digits and dashes, not ending with a dash:
# https://docs.digitalocean.com/products/app-platform/reference/app-spec/ (name).
# Heroku does not name the app after it (`heroku create` picks a free name), but the
# generated code's lines, which ruff keeps within 88 columns, hold at most 32.
SLUG_MAX_LENGTH = 32
DIGITALOCEAN_MIN_LENGTH = 2
LOWERCASE_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
# Top-level modules the generated project imports or creates; a package named like
# one of them would shadow it.
PROJECT_MODULES = {
    "accounts", "asgiref", "autobahn", "channels", "channels_redis", "config",
    "conftest", "daphne", "dj_database_url", "django", "dotenv", "gunicorn", "live",
    "manage", "msgpack", "psycopg", "pytest", "pytest_asyncio", "pytest_django",
    "redis", "test", "tests", "twisted", "uvicorn", "uvicorn_worker", "websockets",
    "whitenoise",
}  # fmt: skip
# A derived name that breaks a rule gets this in front: "3D Shop" -> my_3d_shop.
SLUG_PREFIX = "my_"
FALLBACK_SLUG = "my_project"

# GitHub user and organization names: letters, digits and single hyphens, not at
# either end, at most 39 characters.
OWNER_PATTERN = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9])*")
OWNER_MAX_LENGTH = 39
REPOSITORY_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+")
# What the default author ("Your Name") derives: the repository is not real yet.
PLACEHOLDER_OWNER = "your-name"

PLATFORM_NAMES = {"heroku": "Heroku", "digitalocean": "DigitalOcean App Platform"}


def is_keyword(slug: str) -> bool:
    return keyword.iskeyword(slug) or keyword.issoftkeyword(slug)


def shadows_a_module(slug: str) -> bool:
    return slug in PROJECT_MODULES or slug in sys.stdlib_module_names


def slug_problem(slug: str, platform: str) -> str | None:
    """One sentence saying what is wrong with `slug` and how to fix it, or None."""
    digitalocean = platform == "digitalocean"
    if not LOWERCASE_IDENTIFIER.fullmatch(slug):
        return (
            f"project_slug {slug!r} is not a lowercase Python identifier: use lowercase"
            " letters, digits and underscores, starting with a letter (for example"
            f" {derive_slug(slug)!r})."
        )
    if len(slug) > SLUG_MAX_LENGTH:
        reason = (
            "DigitalOcean app names (the slug with '-' for '_') take at most 32"
            if digitalocean
            else "at most 32 fit the generated code, whose lines stay within 88 columns"
        )
        return (
            f"project_slug {slug!r} is {len(slug)} characters long, but {reason}:"
            f" shorten it, for example to {derive_slug(slug)!r}."
        )
    if digitalocean and len(slug) < DIGITALOCEAN_MIN_LENGTH:
        return (
            f"project_slug {slug!r} is too short for a DigitalOcean app name, which takes"
            f" at least 2 characters: use a longer one, for example {derive_slug(slug)!r}."
        )
    if digitalocean and slug.endswith("_"):
        return (
            f"project_slug {slug!r} ends with '_', but DigitalOcean app names (the slug"
            f" with '-' for '_') cannot end with '-': use {slug.rstrip('_')!r}."
        )
    if is_keyword(slug):
        return (
            f"project_slug {slug!r} is a Python keyword, which cannot name a package:"
            f" use another name, for example {SLUG_PREFIX + slug!r}."
        )
    if shadows_a_module(slug):
        return (
            f"project_slug {slug!r} would shadow the {slug!r} module the project"
            f" imports: use another name, for example {SLUG_PREFIX + slug!r}."
        )
    return None


def derive_slug(name: str) -> str:
    """A slug that every platform accepts, from any project name."""
    slug = slugify(name, separator="_")
    if not slug:
        return FALLBACK_SLUG
    too_short = len(slug) < DIGITALOCEAN_MIN_LENGTH
    if not slug[0].isalpha() or too_short or is_keyword(slug) or shadows_a_module(slug):
        slug = SLUG_PREFIX + slug
    return slug[:SLUG_MAX_LENGTH].rstrip("_")


def repository_problem(repository: str) -> str | None:
    owner, slash, name = repository.partition("/")
    if (
        not slash
        or not OWNER_PATTERN.fullmatch(owner)
        or len(owner) > OWNER_MAX_LENGTH
        or not REPOSITORY_NAME_PATTERN.fullmatch(name)
        or name in {".", ".."}
    ):
        return (
            f"github_repository {repository!r} is not a GitHub owner/name pair: answer"
            " like octocat/my-django-app (the owner has letters, digits and single"
            " hyphens; the name letters, digits, '.', '-' and '_')."
        )
    return None


def html_text(text: str) -> str:
    """Free text for a Django template: HTML-escaped, and with its braces as
    character references, so that "{{" or "{%" in a name stays text."""
    return str(escape(text)).replace("{", "&#123;").replace("}", "&#125;")


def derive_owner(author: str) -> str:
    """A GitHub owner name from any author name: "Zoë O'Brien" -> zoe-o-brien."""
    owner = slugify(author, separator="-", max_length=OWNER_MAX_LENGTH, word_boundary=True)
    owner = re.sub(r"-+", "-", owner).strip("-")
    return owner or PLACEHOLDER_OWNER


class AnswersExtension(Extension):
    """The filters that cookiecutter.json (`project_slug`, `github_owner`) and the
    project's HTML templates (`html_text`) use, and where the hooks find this module."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["project_slug"] = derive_slug
        environment.filters["github_owner"] = derive_owner
        environment.filters["html_text"] = html_text
        # The hooks import this module's rules from here: cookiecutter's _repo_dir
        # may be relative to a directory the hooks do not run in.
        environment.globals["template_dir"] = str(Path(__file__).resolve().parent)

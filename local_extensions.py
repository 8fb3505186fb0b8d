"""The rules for the answers, how the defaults are derived, and how free text is
written into each kind of file.

One module for both sides, so they cannot disagree: cookiecutter.json derives the
default `project_slug` and `github_repository` with the Jinja filters below (loaded
through `_extensions`), and its `__answers_checked` refuses a typed answer with the
same rules (`check_answers`). A derived default always passes them, whatever the name
people typed (accents, punctuation, digits, emoji): only an answer someone typed can be
refused.

The free-text answers (project_name, description, author_name, author_email) are
one line of any text: quotes, backslashes, "{{", "<script>", other scripts and
emoji are all kept as typed. Each kind of file gets text through one filter here
(`json_string`, `yaml_string`, `markdown_text`, `html_text`), so each escaping is
written once.
"""

import json
import keyword
import re
import sys
import unicodedata
from pathlib import Path

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

TEMPLATE_DIR = Path(__file__).resolve().parent
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
# The top-level modules of every distribution a generated project installs, by
# distribution: written from the pinned distributions by tests/installed_modules.py.
INSTALLED_MODULES = TEMPLATE_DIR / "installed_modules.json"
# The answers people type as text. Each is one line: a name, a one-line description,
# an address; none of the places they land (a Markdown heading, an HTML <title>,
# app.json's description) can show a line break.
FREE_TEXT = ("project_name", "description", "author_name", "author_email")
# What str.splitlines() splits on and people see as a new line; the other
# splitlines characters (\v, \f, \x1c-\x1e) are control characters.
LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")


def is_keyword(slug: str) -> bool:
    return keyword.iskeyword(slug) or keyword.issoftkeyword(slug)


def template_modules() -> dict[str, str]:
    """{name: what it is} for the generated project's own top-level packages and
    modules (its apps, config, manage), read from the template."""
    modules = {}
    for path in PROJECT_TEMPLATE.iterdir():
        if path.is_dir() and path.name.isidentifier():
            modules[path.name] = f"the project's own {path.name!r} package"
        elif path.suffix == ".py" and path.stem.isidentifier():
            modules[path.stem] = f"the project's own {path.stem!r} module"
    return modules


def project_modules() -> dict[str, str]:
    """{module: what it is} for every top-level module a generated project may import
    or holds: a package named like one would shadow it. Lowercase, since a package
    `pil` shadows `PIL` on the case-insensitive disks of macOS and Windows."""
    modules = {
        module.lower(): f"the module {module!r} of {distribution}, which the project installs"
        for distribution, names in json.loads(INSTALLED_MODULES.read_text()).items()
        for module in names
    }
    modules |= template_modules()
    # sys.stdlib_module_names leaves out the standard library's own `test` package.
    for module in {*sys.stdlib_module_names, "test"}:
        modules[module] = f"the {module!r} module of Python's standard library"
    return modules


PROJECT_MODULES = project_modules()


def slug_problem(slug: str, platform: str) -> str | None:
    """One sentence saying what is wrong with `slug` and how to fix it, or None; with
    no platform yet (""), only the rules that hold on every platform."""
    digitalocean = platform == "digitalocean"
    if not LOWERCASE_IDENTIFIER.fullmatch(slug):
        return (
            f"project_slug {slug!r} is not a lowercase Python identifier: use lowercase"
            " letters, digits and underscores, starting with a letter (for example"
            f" {derive_slug(slug)!r})."
        )
    if len(slug) > SLUG_MAX_LENGTH and platform:  # each platform says why
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
    if slug in PROJECT_MODULES:
        return (
            f"project_slug {slug!r} would shadow {PROJECT_MODULES[slug]}: use another"
            f" name, for example {SLUG_PREFIX + slug!r}."
        )
    return None


def derive_slug(name: str) -> str:
    """A slug that every platform accepts, from any project name."""
    slug = slugify(name, separator="_")
    if not slug:
        return FALLBACK_SLUG
    too_short = len(slug) < DIGITALOCEAN_MIN_LENGTH
    if not slug[0].isalpha() or too_short or is_keyword(slug) or slug in PROJECT_MODULES:
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
    if name.lower().endswith(".git"):  # a clone URL's ending, not the name
        return (
            f"github_repository {repository!r} ends in .git: answer"
            f" {owner}/{name[:-4]}, the repository's name without it."
        )
    return None


def text_problem(field: str, text: str) -> str | None:
    """One sentence saying why a free-text answer cannot be written, or None."""
    if any(unicodedata.category(char) == "Cs" for char in text):
        return (
            f"{field} {text!r} has bytes that are not UTF-8: type it again in a terminal"
            " that uses UTF-8."
        )
    if any(char in LINE_BREAKS for char in text):
        return f"{field} {text!r} has a line break: give it on one line."
    for char in text:
        # A tab is whitespace that every one of those files keeps.
        if char != "\t" and unicodedata.category(char) == "Cc":
            return f"{field} {text!r} has the control character U+{ord(char):04X}: leave it out."
    return None


EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def answer_problems(answers: dict) -> list[str]:
    """One sentence for each answer given so far that cannot be used."""
    found = []
    if not answers["project_name"].strip():
        found.append("project_name is empty: give the project a name.")
    found += [text_problem(field, answers[field]) for field in FREE_TEXT if field in answers]
    if "project_slug" in answers:  # the platform's own rules once it is chosen
        found.append(slug_problem(answers["project_slug"], answers.get("platform", "")))
    if "author_email" in answers and not EMAIL_PATTERN.fullmatch(answers["author_email"]):
        found.append(
            f"author_email {answers['author_email']!r} does not look like an email"
            " address: answer with one such as you@example.com."
        )
    if "github_repository" in answers:
        found.append(repository_problem(answers["github_repository"]))
    return [problem for problem in found if problem]


def check_answers(answers: dict) -> str:
    """cookiecutter.json's `__checked_...`, each rendered as soon as the question before
    it has its answer (cookiecutter renders private variables in order), and before
    anything is written: the first problem with the answers so far, as one sentence,
    and exit 1. Only the first, since one bad answer (the project name) can spoil the
    answers derived from it. (A pre_gen_project hook that exits 1 stops generation too,
    but only after the last question, with cookiecutter's traceback above the
    sentence.)"""
    if found := answer_problems(answers):
        print(f"Error: {found[0]}", file=sys.stderr)
        raise SystemExit(1)
    return ""


def json_string(text: str) -> str:
    """Free text as a JSON string, readable: "Café", not "Caf\\u00e9"."""
    return json.dumps(text, ensure_ascii=False)


def python_string(text: str) -> str:
    """Free text as a Python string literal, in the quotes `ruff format` keeps:
    double, unless the text holds more double quotes than single ones. Backslashes,
    the chosen quote and control characters are escaped; other characters stay."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = []
    for char in text:
        if char in ("\\", quote):
            escaped.append("\\" + char)
        elif char.isprintable() or char == " ":
            escaped.append(char)
        else:
            escaped.append(repr(char)[1:-1])
    return quote + "".join(escaped) + quote


# app.json's name must start with an ASCII letter, "-", "_" or "." (the pattern in
# Heroku's app.json schema, tests/schemas/heroku-app-json.schema.json).
APP_JSON_NAME = re.compile(r"[a-zA-Z_.-]")


def app_json_name(name: str, app_name: str) -> str:
    """The project name for app.json, or the app's name ("my-3d-shop") where the
    schema would refuse the project name ("3D Shop", "Café" is kept)."""
    return name if APP_JSON_NAME.match(name) else app_name


# Lowercase names, like App Platform's, that YAML reads as strings when written
# plain, except the words YAML 1.1 (PyYAML, Go's yaml.v2) reads as null or booleans.
YAML_PLAIN = re.compile(r"[a-z][a-z0-9_-]*")
YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}


def yaml_string(text: str) -> str:
    """A YAML scalar that reads back as `text`: plain for a name like "my-app",
    double-quoted for "null" or any other text. JSON escapes the quotes, backslashes
    and control characters; every other character outside printable ASCII becomes a
    \\U escape, which YAML has and JSON lacks."""
    if YAML_PLAIN.fullmatch(text) and text not in YAML_WORDS:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return re.sub(r"[^\x20-\x7e]", lambda match: f"\\U{ord(match.group()):08x}", quoted)


# Characters that start Markdown markup anywhere in a line: CommonMark's escapes,
# code, emphasis, links and HTML, and GitHub's strikethrough and math; "&" only
# where it would start a character reference ("&amp;").
MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]<~$]|&(?=#?[0-9A-Za-z]+;)")
# What starts a block at the beginning of a line (a heading, quote, list item or
# thematic break): its last character is escaped, as is a "#" that would close a
# heading at the end.
MARKDOWN_LINE_START = re.compile(r"[#>+-]|[0-9]+[.)]")


def markdown_text(text: str) -> str:
    """Free text for one line of Markdown (a heading or a paragraph) that reads as
    the same text: every character that could start markup is backslash-escaped.
    Markdown drops the spaces around a line, so they are left out here too."""
    text = MARKDOWN_INLINE.sub(lambda match: "\\" + match.group(), text.strip())
    if text.endswith("#"):
        text = text[:-1] + "\\#"
    if start := MARKDOWN_LINE_START.match(text):
        text = f"{text[: start.end() - 1]}\\{text[start.end() - 1 :]}"
    return text


def html_text(text: str) -> str:
    """Free text for a Django template: HTML-escaped, and with its braces as
    character references, so that "{{" or "{%" in a name stays text."""
    return str(escape(text)).replace("{", "&#123;").replace("}", "&#125;")


def derive_owner(author: str) -> str:
    """A GitHub owner name from any author name: "Zoë O'Brien" -> zoe-o-brien."""
    owner = slugify(author, separator="-", max_length=OWNER_MAX_LENGTH, word_boundary=True)
    owner = re.sub(r"-+", "-", owner).strip("-")
    return owner or PLACEHOLDER_OWNER


def strings_in(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set(value).union(*map(strings_in, value.values()))
    if isinstance(value, list):
        return set().union(*map(strings_in, value))
    return set()


# The Jinja that cookiecutter.json itself holds: the derived defaults.
TEMPLATE_SOURCES = strings_in(json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text()))


def rendering_an_answer() -> bool:
    """Whether cookiecutter is rendering cookiecutter.json's variables, where it
    reads every answer given on the command line or in a config file as a template.

    cookiecutter (2.7.1, pinned in requirements-dev.txt) does that in
    cookiecutter.prompt.render_variable and nowhere else; should that move, the
    answers go back to being read as Jinja, and the property tier fails."""
    frame = sys._getframe(1)
    while frame is not None:
        if (
            frame.f_code.co_name == "render_variable"
            and frame.f_globals.get("__name__") == "cookiecutter.prompt"
        ):
            return True
        frame = frame.f_back
    return False


def jinja_string(text: str) -> str:
    """A Jinja expression of exactly `text`, in ASCII with no Jinja delimiter."""
    escaped = "".join(
        char if char.isascii() and (char.isalnum() or char == " ") else f"\\U{ord(char):08x}"
        for char in text
    )
    return f'{{{{ "{escaped}" }}}}'


def __getattr__(name: str):
    """Makes AnswersExtension when cookiecutter first loads it (cookiecutter.json's
    `_extensions`). The post-generation hook imports this module for its names alone,
    and importing Jinja would be half of the hook's run time."""
    if name != "AnswersExtension":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from jinja2.ext import Extension

    class AnswersExtension(Extension):
        """The filters that cookiecutter.json (`project_slug`, `github_owner`,
        `check_answers`) and the project's files (`json_string`, `app_json_name`,
        `yaml_string`, `markdown_text`, `html_text`) use, where the hooks find this
        module, and answers kept as the text they are."""

        def __init__(self, environment):
            super().__init__(environment)
            environment.filters["project_slug"] = derive_slug
            environment.filters["check_answers"] = check_answers
            environment.filters["github_owner"] = derive_owner
            environment.filters["json_string"] = json_string
            environment.filters["python_string"] = python_string
            environment.filters["app_json_name"] = app_json_name
            environment.filters["yaml_string"] = yaml_string
            environment.filters["markdown_text"] = markdown_text
            environment.filters["html_text"] = html_text
            # The post-generation hook imports this module from here: cookiecutter's
            # _repo_dir may be relative to the directory the hook runs in.
            environment.globals["template_dir"] = str(TEMPLATE_DIR)

        def preprocess(self, source, name, filename=None):
            """An answer is text, not a template. Cookiecutter renders each answer it
            is given (`project_name="{{ x }}"` on the command line, or a config file's
            default_context) as Jinja, which fails on "{{" before any hook runs; so an
            answer that is not one of cookiecutter.json's own values becomes an
            expression of its exact text. Answers typed at the prompts are never
            rendered, and neither are files."""
            if name is None and source not in TEMPLATE_SOURCES and rendering_an_answer():
                return jinja_string(source)
            return source

    globals()[name] = AnswersExtension
    return AnswersExtension

"""Property tier: the free-text answers, drawn by Hypothesis.

project_name, description and author_name are drawn from text made of what breaks
files: quotes, backslashes, line breaks, "{{", "{%" and "{#" (cookiecutter reads a
given answer as Jinja), "</script>", YAML's specials (": ", " #", "- ", "*", "&", a
leading "@"), Markdown's, control characters, other scripts and emoji; author_email
from the same text, shaped like an address. Each example either

- generates a project (in-process, through cookiecutter's API) whose app.json gives
  back the exact answers (the name where the official schema allows it), whose other
  JSON, YAML and TOML parse, whose README (rendered by markdown-it-py) and HTML
  templates show the answers as text and no markup, and whose settings import (in
  the Django 6.1 venv, one process for all examples), or
- is refused before anything is written, with one sentence naming the answer, and
  leaves nothing behind;

and refusal is for one reason only: a line break or a control character in an
answer that is one line of text (or an empty project name). The text itself lands
in app.json, the README and the HTML templates; YAML and TOML get only what is
derived from it (the App Platform app name, which YAML once read as null). A few
fixed examples go through the real command line, reading its exit code and stderr.

HYPOTHESIS_EXAMPLES sets how many examples to run (default 150). The run is
derandomized, so CI sees the same examples every time.
"""

import html
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tomllib
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml
from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from local_extensions import repository_problem
from tests.support import yaml_reader
from tests.support.combinations import DEFAULTS, TEMPLATE_DIR

pytestmark = pytest.mark.xdist_group("properties")

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "150"))
COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
APP_JSON_SCHEMA = json.loads(
    (TEMPLATE_DIR / "tests" / "schemas" / "heroku-app-json.schema.json").read_text()
)
# The Django version whose venv imports the settings (conftest.venv_for).
DJANGO_VERSION = "6.1"

# Pieces of text that break, or could break, one of the files an answer lands in.
TRICKY = [
    '"', "'", "\\", "\\n", "\\\\", "{{", "}}", "{%", "%}", "{#", "#}", "{{ x }}",
    "{% raw %}", "{% endraw %}", "{{ cookiecutter.project_slug }}", "</script>",
    "<script>alert(1)</script>", "<!--", "-->", ": ", " #", "# ", "- ", "-", "---",
    "*", "**", "&", "&amp;", "&#123;", "@", "!", "|", ">", "> ", "%", "`", "```",
    "[", "](", ")", "_", "~~", "$", "=", "+ ", "1. ", "2)", "?", ",", "\t", " ",
    "  ", "\u00a0", "null", "true", "no", "yes", "off", "0o17", "1e3", "$(id)",
    "${APP_DOMAIN}", "日本語", "Кириллица", "Ελληνικά", "العربية", "עברית", "हिन्दी", "🎉", "👩‍💻",
    "🇺🇳", "\u200d", "\u202e", "Zoë", "Ω", "\ufeff",
    # Whole pieces of Markdown, which single characters seldom add up to.
    "*emphasis*", "_emphasis_", "**strong**", "`code`", "[link](https://example.com)",
    "![image](i.png)", "<b>bold</b>", "~~struck~~", "$x^2$", "&copy;", "\\*",
    "<https://example.com>", "# Heading #", "***", "===", "| a | b |", "[^1]",
]  # fmt: skip
# What no answer of one line may hold: line breaks and control characters.
UNWRITABLE = ["\n", "\r\n", "\u2028", "\x00", "\x1b", "\x7f"]
LINE_BREAKS = "\n\r\x85\u2028\u2029"
FREE_TEXT = ("project_name", "description", "author_name", "author_email")

piece = st.one_of(
    st.sampled_from(TRICKY + UNWRITABLE),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=6),
)
text = st.lists(piece, max_size=5).map("".join)
# An address the hook's pattern takes: the same text, without "@", whitespace and
# control characters (test_refusal_on_the_command_line has one).
address_part = text.map(lambda part: re.sub(r"[@\s\x00-\x1f\x7f-\x9f]", "", part))
address = st.builds(
    lambda user, domain, tld: f"{user or 'you'}@{domain or 'example'}.{tld or 'com'}",
    address_part,
    address_part,
    address_part.map(lambda part: part.replace(".", "")),
)
answers_strategy = st.fixed_dictionaries(
    {
        "project_name": st.lists(piece, min_size=1, max_size=5).map("".join),
        "description": text,
        "author_name": text,
        "author_email": address,
        "platform": st.sampled_from(["heroku", "digitalocean"]),
        "interface": st.sampled_from(["asgi", "wsgi"]),
    }
)


EXAMPLE = {
    "project_name": "Shop",
    "description": "",
    "author_name": "",
    "author_email": "you@example.com",
    "platform": "heroku",
    "interface": "asgi",
}


def refused_field(answers: dict) -> str | None:
    """The answer the hook must refuse first, by the rule for one line of text."""
    for field in FREE_TEXT:
        value = answers[field]
        if field == "project_name" and not value.strip():
            return field
        for char in value:
            if char in LINE_BREAKS or (char != "\t" and unicodedata.category(char) == "Cc"):
                return field
    return None


class TextAndTags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", []

    def handle_data(self, data):
        self.text += data

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        self.tags.append(f"/{tag}")


def shown(fragment: str) -> tuple[str, list[str]]:
    """What a browser shows for an HTML fragment, and the tags it found in it."""
    parser = TextAndTags()
    parser.feed(fragment)
    parser.close()
    return parser.text, parser.tags


MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def readme_opening(readme: str) -> list[tuple[str, str]]:
    """The README's first three blocks, as (tag, HTML of the block's text)."""
    tokens = MARKDOWN.parse(readme)
    blocks = []
    for token, following in zip(tokens, tokens[1:], strict=False):
        if token.nesting == 1 and token.level == 0:
            inline = following.children if following.type == "inline" else []
            blocks.append((token.tag, MARKDOWN.renderer.render(inline, MARKDOWN.options, {})))
    return blocks[:3]


# Where the answers land in the project's Django templates, by file.
HTML_PLACES = {
    "base.html": {
        "title": r"<title>\{% block title %\}\{% endblock %\} · (.*?)</title>",
        "brand": r"""<a class="brand" href="\{% url 'home' %\}">(.*?)</a>""",
    },
    "{slug}/home.html": {"h1": r"<h1>(.*?)</h1>", "lead": r'<p class="lead">(.*?)</p>'},
    "admin/base_site.html": {"admin title": r"\{\{ title \}\} · (.*?)\{% endblock %\}"},
}


def html_fragments(project: Path) -> dict[str, str]:
    templates = project / project.name / "templates"
    fragments = {}
    for name, places in HTML_PLACES.items():
        source = (templates / name.format(slug=project.name)).read_text()
        for place, pattern in places.items():
            if match := re.search(pattern, source, re.S):
                fragments[place] = match.group(1)
    return fragments


def assert_shows_text(fragment: str, expected: str, where: str) -> None:
    """The fragment shows `expected` in a browser, and is no markup for HTML or for
    Django's template language."""
    text, tags = shown(fragment)
    assert tags == [] and "<" not in fragment, f"{where}: markup in {fragment!r}"
    assert "{" not in fragment and "}" not in fragment, f"{where}: template syntax in {fragment!r}"
    assert not re.search(r"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[a-z]+;)", fragment), where
    assert html.unescape(fragment) == text == expected, where


def repository_of(project: Path, platform: str) -> str:
    if platform == "heroku":
        app = json.loads((project / "app.json").read_text())
        return app["repository"].removeprefix("https://github.com/")
    spec = yaml_reader.read(project / ".do/app.yaml")
    return spec["services"][0]["github"]["repo"]


def check_project(project: Path, answers: dict, imported: dict) -> None:
    platform = answers["platform"]
    # Every JSON, YAML and TOML file parses.
    for path in project.rglob("*"):
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix in (".yaml", ".yml"):
            yaml_reader.read(path)
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text())

    if platform == "heroku":
        app = json.loads((project / "app.json").read_text())
        # The schema's name pattern decides: the exact text where it allows it,
        # the app's name ("my-3d-shop") where it would refuse the text.
        if re.match(APP_JSON_SCHEMA["properties"]["name"]["pattern"], answers["project_name"]):
            assert app["name"] == answers["project_name"]
        else:
            assert app["name"] == project.name.replace("_", "-")
        assert app["description"] == answers["description"]
        errors = jsonschema.Draft7Validator(APP_JSON_SCHEMA).iter_errors(app)
        assert [error.message for error in errors] == []
    else:
        spec = yaml_reader.read(project / ".do/app.yaml")
        assert spec["name"] == project.name.replace("_", "-")
    # The repository derived from the author's name is a real GitHub owner/name pair.
    assert repository_problem(repository_of(project, platform)) is None

    # The README shows the name as its heading and the description under it, as text.
    blocks = readme_opening((project / "README.md").read_text())
    name, description = answers["project_name"].strip(), answers["description"].strip()
    assert blocks[0][0] == "h1"
    assert shown(blocks[0][1]) == (name, [])
    if description:
        assert blocks[1][0] == "p"
        assert shown(blocks[1][1]) == (description, [])
    assert blocks[1 if not description else 2][1].startswith("Django ")

    # The HTML templates hold the text escaped, for the browser and for Django.
    fragments = html_fragments(project)
    for where in ("title", "brand", "h1", "admin title"):
        assert_shows_text(fragments[where], answers["project_name"], where)
    if description:
        assert_shows_text(fragments["lead"], answers["description"], "lead")
    else:
        assert "lead" not in fragments

    # The settings import, name the project's own package after serving, and hold the name
    # and the address as typed (Python string literals, for the admin and e-mail).
    assert imported["installed_apps"][:2] == ["serving", project.name]
    assert imported["site_name"] == answers["project_name"]
    # ADMINS: addresses on Django 6.1, (name, address) pairs on 5.2.
    admins = [admin if isinstance(admin, str) else admin[1] for admin in imported["admins"]]
    placeholder = answers["author_email"].endswith("@example.com")  # receives no mail
    assert admins == ([] if placeholder else [answers["author_email"]])
    assert imported["default_from_email"].endswith(f"<{answers['author_email']}>")


IMPORT_SETTINGS = r"""
import importlib, json, os, sys, traceback

for line in sys.stdin:
    project = line.rstrip("\n")
    before = set(sys.modules)
    sys.path.insert(0, project)
    importlib.invalidate_caches()
    try:
        settings = importlib.import_module("config.settings")
        reply = {
            "installed_apps": settings.INSTALLED_APPS,
            "site_name": settings.SITE_NAME,
            "admins": settings.ADMINS,
            "default_from_email": settings.DEFAULT_FROM_EMAIL,
        }
    except BaseException:
        reply = {"error": traceback.format_exc()}
    sys.path.remove(project)
    for name in set(sys.modules) - before:
        origin = getattr(sys.modules[name], "__file__", None) or ""
        if name == "config" or origin.startswith(project + os.sep):
            del sys.modules[name]
    print(json.dumps(reply), flush=True)
"""


@pytest.fixture(scope="module")
def import_settings(venv_for):
    """import_settings(project) -> some of its settings, imported by one long-lived
    Python of the Django venv, so each example costs an import, not a process."""
    python = venv_for(DJANGO_VERSION) / "python"
    process = subprocess.Popen(
        [str(python), "-c", IMPORT_SETTINGS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")},
    )

    def import_settings(project: Path) -> dict:
        process.stdin.write(f"{project}\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, f"importing {project}/config/settings.py took over 60 s"
        reply = json.loads(process.stdout.readline() or '{"error": "the importer exited"}')
        assert "error" not in reply, reply["error"]
        return reply

    yield import_settings
    process.stdin.close()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def config_file(tmp_path_factory) -> Path:
    """A cookiecutter config of the test's own: no replay files in HOME, and no
    default_context of the user's that could change an answer."""
    directory = tmp_path_factory.mktemp("cookiecutter-config")
    path = directory / "config.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "cookiecutters_dir": str(directory / "cookiecutters"),
                "replay_dir": str(directory / "replay"),
            }
        )
    )
    return path


def generate_in_process(answers: dict, output: Path, config_file: Path) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context=answers,
            output_dir=str(output),
            config_file=str(config_file),
        )
    )


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # capfd is read and emptied by every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(answers=answers_strategy)
# Answers that once broke a file: a slug YAML read as null, and Markdown markup.
@example(answers={**EXAMPLE, "project_name": "null", "platform": "digitalocean"})
@example(answers={**EXAMPLE, "description": "# *emphasis* <b>bold</b> &copy; #"})
def test_free_text_answers(answers, import_settings, config_file, tmp_path_factory, capfd):
    answers = {**DEFAULTS, "django_version": DJANGO_VERSION, **answers}
    output = tmp_path_factory.mktemp("property")
    capfd.readouterr()
    field = refused_field(answers)
    event(f"refused for {field}" if field else f"generated for {answers['platform']}")
    try:
        if field is None:
            project = generate_in_process(answers, output, config_file)
            check_project(project, answers, import_settings(project))
            assert "Error: " not in capfd.readouterr().err
        else:
            with pytest.raises(SystemExit) as refused:
                generate_in_process(answers, output, config_file)
            assert refused.value.code == 1
            stderr = capfd.readouterr().err
            errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
            assert len(errors) == 1, errors
            assert errors[0].startswith(f"Error: {field} ") and errors[0].endswith("."), errors
            assert list(output.iterdir()) == [], "nothing half-written may be left behind"
    finally:
        shutil.rmtree(output)


def generate(output: Path, config_file: Path, *answers: str | bytes):
    return subprocess.run(
        [COOKIECUTTER, "--no-input", "--config-file", config_file, TEMPLATE_DIR, "-o", output]
        + list(answers),
        capture_output=True,
        timeout=60,
    )


def test_given_answers_are_text_not_templates(tmp_path, config_file):
    """On the command line, and as a default in a config file, "{{" and "{%" are text."""
    config = tmp_path / "config.yaml"
    values = yaml_reader.parse(config_file.read_text())
    values["default_context"] = {"description": "{% if %} {# not a comment"}
    config.write_text(yaml.safe_dump(values))

    result = generate(
        tmp_path / "out",
        config,
        "project_name=Shop {{ x }} & {% raw %}",
        "author_name={{ cookiecutter.project_slug }}",
    )

    assert result.returncode == 0, result.stderr.decode()
    (project,) = (tmp_path / "out").iterdir()
    app = json.loads((project / "app.json").read_text())
    assert app["name"] == "Shop {{ x }} & {% raw %}"
    assert app["description"] == "{% if %} {# not a comment"
    assert project.name == "shop_x_raw"
    assert app["repository"] == "https://github.com/cookiecutter-project-slug/shop-x-raw"


@pytest.mark.parametrize(
    ("answer", "sentence"),
    [
        (
            "project_name=Two\nLines",
            "project_name 'Two\\nLines' has a line break: give it on one line.",
        ),
        (
            "project_name={{ x }}\r\n",
            "project_name '{{ x }}\\r\\n' has a line break: give it on one line.",
        ),
        (
            "description=Ends in a separator\u2028",
            "description 'Ends in a separator\\u2028' has a line break: give it on one line.",
        ),
        (
            "author_name=Ring\x07",
            "author_name 'Ring\\x07' has the control character U+0007: leave it out.",
        ),
        (
            "author_email=you\x1b@example.com",
            "author_email 'you\\x1b@example.com' has the control character U+001B: leave it out.",
        ),
        (
            b"description=Latin-1 caf\xe9",
            "description 'Latin-1 caf\\udce9' has bytes that are not UTF-8: type it again in"
            " a terminal that uses UTF-8.",
        ),
    ],
)
def test_refusal_on_the_command_line(answer, sentence, tmp_path, config_file):
    result = generate(tmp_path, config_file, answer)

    errors = [line for line in result.stderr.decode().splitlines() if line.startswith("Error: ")]
    assert result.returncode != 0
    assert errors == [f"Error: {sentence}"], result.stderr.decode()
    assert list(tmp_path.iterdir()) == [], "nothing half-written may be left behind"

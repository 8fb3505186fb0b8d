"""The hooks: bad answers are refused cleanly, answers that do not apply change
nothing, and generation needs no network."""

import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from local_extensions import repository_problem, slug_problem
from tests.support.combinations import OPTIONS, TEMPLATE_DIR

COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
RUFF = Path(sys.executable).parent / "ruff"


def generate(output: Path, **answers: str) -> subprocess.CompletedProcess:
    arguments = [f"{name}={value}" for name, value in answers.items()]
    return subprocess.run(
        [COOKIECUTTER, "--no-input", str(TEMPLATE_DIR), "-o", str(output), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )


def tree(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and path.name != ".env"
    }


@pytest.mark.parametrize(
    ("bad_answers", "complaint"),
    [
        ({"project_slug": "My App"}, "project_slug 'My App' is not a lowercase Python identifier"),
        ({"project_slug": "2fast"}, "project_slug '2fast' is not a lowercase Python identifier"),
        ({"project_slug": "café"}, "project_slug 'café' is not a lowercase Python identifier"),
        (
            {"project_slug": "trailing_", "platform": "digitalocean"},
            "but DigitalOcean app names (the slug with '-' for '_') cannot end with '-'",
        ),
        (
            {"project_slug": "a" * 33, "platform": "digitalocean"},
            "is 33 characters long, but DigitalOcean app names",
        ),
        (
            {"project_slug": "a" * 33, "platform": "heroku"},
            "is 33 characters long, but at most 32 fit the generated code",
        ),
        (
            {"project_slug": "w", "platform": "digitalocean"},
            "project_slug 'w' is too short for a DigitalOcean app name",
        ),
        ({"project_slug": "class"}, "project_slug 'class' is a Python keyword"),
        ({"project_slug": "django"}, "would shadow the module 'django' of django"),
        ({"project_slug": "channels"}, "would shadow the module 'channels' of channels"),
        ({"project_slug": "pil"}, "would shadow the module 'PIL' of pillow"),
        ({"project_slug": "kombu"}, "would shadow the module 'kombu' of kombu"),
        ({"project_slug": "accounts"}, "would shadow the project's own 'accounts' package"),
        ({"project_slug": "config"}, "would shadow the project's own 'config' package"),
        ({"project_slug": "welcome"}, "would shadow the project's own 'welcome' package"),
        ({"project_slug": "manage"}, "would shadow the project's own 'manage' module"),
        ({"project_slug": "test"}, "would shadow the 'test' module of Python's standard"),
        ({"project_slug": "json"}, "would shadow the 'json' module of Python's standard"),
        (
            {"author_email": "not-an-email"},
            "author_email 'not-an-email' does not look like an email",
        ),
        (
            {"github_repository": "just-a-name"},
            "github_repository 'just-a-name' is not a GitHub owner/name pair",
        ),
        (
            {"github_repository": "-dash/name"},
            "github_repository '-dash/name' is not a GitHub owner/name pair",
        ),
        (
            {"github_repository": "octo/shop.git"},
            "github_repository 'octo/shop.git' ends in .git: answer octo/shop,",
        ),
        ({"project_name": "   "}, "project_name is empty"),
    ],
)
def test_bad_answer_is_refused_with_one_sentence(bad_answers, complaint, tmp_path):
    result = generate(tmp_path, **bad_answers)

    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert result.returncode != 0
    assert len(errors) == 1 and complaint in errors[0], result.stderr
    assert result.stderr == errors[0] + "\n" and result.stdout == "", "the sentence alone"
    assert errors[0].rstrip().endswith("."), "one whole sentence, saying how to fix it"
    assert "{" not in errors[0] and "}" not in errors[0], "no template text in a message"
    assert list(tmp_path.iterdir()) == [], "nothing half-written may be left behind"


def test_slug_messages_name_only_the_chosen_platforms_rule(tmp_path):
    heroku = generate(tmp_path / "h", project_slug="a" * 40, platform="heroku")
    digitalocean = generate(tmp_path / "d", project_slug="a" * 40, platform="digitalocean")

    assert "DigitalOcean" not in heroku.stderr
    assert "DigitalOcean app names" in digitalocean.stderr
    # Heroku takes a one-letter package and a trailing underscore; App Platform does not.
    assert generate(tmp_path / "h1", project_slug="w", platform="heroku").returncode == 0
    assert generate(tmp_path / "h2", project_slug="shop_", platform="heroku").returncode == 0


def test_suggested_slug_is_accepted(tmp_path):
    """A refusal's "for example" is itself an answer the hook takes."""
    result = generate(tmp_path / "bad", project_slug="Blog (2025)", platform="digitalocean")
    suggestion = re.search(r"for example '([^']+)'", result.stderr).group(1)

    assert generate(tmp_path / "good", project_slug=suggestion).returncode == 0


def test_choice_outside_the_list_is_refused(tmp_path):
    """cookiecutter checks a choice given on its command line as it reads
    cookiecutter.json (generate_context raises a ValueError, which its CLI does not
    catch). No code of the template's has seen an answer by then (the one hook that runs
    earlier, pre_prompt, is given none), so what it prints is its own traceback, whose
    last line the template's README quotes. At its prompts, anything but a listed
    number is asked again."""
    result = generate(tmp_path, platform="aws")

    assert result.returncode != 0
    last_line = result.stderr.splitlines()[-1]
    assert "aws" in last_line and "platform" in last_line
    assert all(repr(choice) in last_line for choice in OPTIONS["platform"]), last_line
    assert f"`{last_line}`" in " ".join((TEMPLATE_DIR / "README.md").read_text().split())
    assert list(tmp_path.iterdir()) == []

    prompted = subprocess.run(
        [COOKIECUTTER, str(TEMPLATE_DIR), "-o", str(tmp_path)],
        input="\n" * 6 + "aws\n",  # the free-text answers' defaults, then the platform
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert prompted.returncode != 0  # the answers end before a platform is chosen
    assert "Please select one of the available options" in prompted.stdout, prompted.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_bad_answer_is_refused_at_its_own_question(tmp_path):
    """cookiecutter renders cookiecutter.json's private variables as it goes, so a check
    placed after a question stops generation before the next one is asked."""
    prompted = subprocess.run(
        [COOKIECUTTER, str(TEMPLATE_DIR), "-o", str(tmp_path)],
        input="My App\nclass\n",  # the name, then a slug that is a keyword
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert prompted.returncode == 1
    assert prompted.stderr == (
        "Error: project_slug 'class' is a Python keyword, which cannot name a package: use"
        " another name, for example 'my_class'.\n"
    )
    assert "[2/" in prompted.stdout and "[3/" not in prompted.stdout, prompted.stdout
    assert list(tmp_path.iterdir()) == []


def test_defaults_generate_a_project(tmp_path):
    result = generate(tmp_path)

    assert result.returncode == 0, result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["my_django_app"]


@pytest.mark.parametrize("platform", OPTIONS["platform"])
def test_answers_that_do_not_apply_change_nothing(platform, tmp_path):
    """With WSGI, every asgi_server and channel_layer answer gives the same project."""
    projects = []
    for server in OPTIONS["asgi_server"]:
        for layer in OPTIONS["channel_layer"]:
            output = tmp_path / f"{server}-{layer}"
            result = generate(
                output, platform=platform, interface="wsgi", asgi_server=server, channel_layer=layer
            )
            assert result.returncode == 0, result.stderr
            projects.append(output / "my_django_app")
    first, *others = projects

    for other in others:
        assert tree(other) == tree(first), other.parent.name


def test_longest_slug_stays_ruff_clean(tmp_path):
    slug = "a_project_slug_of_the_most_chars"
    answers = {name: choices[-1] for name, choices in OPTIONS.items()} | {"interface": "asgi"}
    result = generate(tmp_path, project_slug=slug, **answers)
    assert result.returncode == 0, result.stderr
    project = tmp_path / slug

    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        lint = subprocess.run([RUFF, *command], cwd=project, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout


def test_each_project_gets_its_own_secret_key(tmp_path):
    for name in ("one", "two"):
        assert generate(tmp_path / name).returncode == 0

    first = (tmp_path / "one/my_django_app/.env").read_text()
    second = (tmp_path / "two/my_django_app/.env").read_text()
    assert first != second


def test_the_local_env_file_is_readable_by_its_owner_only(tmp_path):
    """.env holds the local secret key: mode 600, not the umask's usual 644."""
    assert generate(tmp_path).returncode == 0

    assert stat.S_IMODE((tmp_path / "my_django_app/.env").stat().st_mode) == 0o600


# Names people type, none of them a slug: punctuation, accents, other scripts, digits
# first, emoji, keywords and module names, long text. Each must give a project with
# no other answer typed.
PROJECT_NAMES = [
    "Blog (2025)", "Café Menu", "3D Shop", "Django", "Test", "class", "Import",
    "🎉 Party Time 🎉", "🎉🎉🎉", "日本語のサイト", "Ελληνικά Νέα", "Кириллица и Ко",
    "Über-Straße GmbH & Co. KG", "x", "A", "My-App.v2", "  spaced   out  ",
    "O'Reilly's \"Books\"", "100% Pure", "C++ Fans", "Back\\slash & Sons",
    "<script>alert(1)</script>", "São Paulo Eats", "Tab\tName", "#1 Site", "---",
    "_private_", "live", "Accounts", "json",
    "The Quick Brown Fox Jumps Over The Lazy Dog, Again and Again, Forever",
]  # fmt: skip
AUTHOR_NAMES = [
    "Zoë O'Brien", "José Núñez-García", "李小龙", "Dr. Jane Smith, PhD", "Ünal Çelik",
    "-", "🦄", "  ", "jane_doe", "A", "Jean-Luc Picard--Smith", "Ægir Þórsson",
    "Mary-Kate & Ashley", "Ο Σωκράτης",
    "Hubert Blaine Wolfeschlegelsteinhausenbergerdorff Sr.",
]  # fmt: skip


@pytest.fixture
def valid_project(cookies, fast_generation):
    """valid_project(**answers) -> the project generated from `answers` with every other
    answer its default (cookiecutter's generation, in this process: fast_generation),
    which must be valid: a slug App Platform takes, JSON that parses, and
    code that ruff passes."""

    def valid_project(**answers: str) -> Path:
        result = cookies.bake(extra_context=answers, template=str(TEMPLATE_DIR))
        assert result.exit_code == 0, result.exception
        project = result.project_path
        assert slug_problem(project.name, "digitalocean") is None, project.name
        for path in project.rglob("*.json"):
            json.loads(path.read_text())
        lint = subprocess.run(
            [RUFF, "check", "--no-cache", "."], cwd=project, capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout
        return project

    return valid_project


@pytest.mark.parametrize("name", PROJECT_NAMES)
def test_any_project_name_derives_a_valid_slug(name, valid_project):
    # DigitalOcean's app-name rule is the stricter one.
    project = valid_project(project_name=name, platform="digitalocean")

    spec = (project / ".do/app.yaml").read_text()
    assert f"name: {project.name.replace('_', '-')}\n" in spec


@pytest.mark.parametrize("author", AUTHOR_NAMES)
def test_any_author_name_derives_a_valid_repository(author, valid_project):
    project = valid_project(author_name=author)

    repository = json.loads((project / "app.json").read_text())["repository"]
    owner_and_name = repository.removeprefix("https://github.com/")
    assert repository_problem(owner_and_name) is None, owner_and_name


def test_generation_says_where_the_project_is_and_what_to_run(tmp_path):
    result = generate(tmp_path, platform="digitalocean", github_repository="octocat/shop")
    project = tmp_path / "my_django_app"

    assert result.returncode == 0, result.stderr
    assert f"Generated {project}" in result.stdout
    assert f"cd {project}\n" in result.stdout
    assert "python manage.py runserver" in result.stdout
    assert "Then deploy to DigitalOcean App Platform:" in result.stdout
    assert "| doctl apps create --spec -" in result.stdout
    assert "Warning" not in result.stderr


def test_a_project_made_inside_a_git_repository_is_told_to_have_its_own(tmp_path):
    """Its deploy steps start with `git init`: a user who sees the outer repository and
    skips it would push that repository instead."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)

    result = generate(tmp_path / "inside", github_repository="octocat/shop")

    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"\nWarning: {tmp_path / 'inside' / 'my_django_app'} is inside the git repository"
        f" at {tmp_path}: run `git init -b main` in it, as the steps above do, so that it"
        " is pushed as a repository of its own.\n"
    )


def test_placeholder_repository_is_pointed_out(tmp_path):
    result = generate(tmp_path)

    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert "'your-name/my-django-app'" in warning
    assert "github_repository=OWNER/NAME" in warning

"""The hooks: bad answers are refused cleanly, answers that do not apply change
nothing, and generation needs no network."""

import subprocess
import sys
from pathlib import Path

import pytest

from combinations import OPTIONS, TEMPLATE_DIR

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
        ({"project_slug": "trailing_"}, "project_slug 'trailing_' ends with '_'"),
        ({"project_slug": "a" * 33}, "has 33 of the 2 to 32 characters"),
        ({"project_slug": "w"}, "project_slug 'w' has 1 of the 2 to 32 characters"),
        ({"project_slug": "class"}, "project_slug 'class' is a Python keyword"),
        ({"project_slug": "django"}, "would shadow the 'django' module"),
        ({"project_slug": "channels"}, "would shadow the 'channels' module"),
        ({"project_slug": "config"}, "would shadow the 'config' module"),
        ({"project_slug": "test"}, "would shadow the 'test' module"),
        ({"project_slug": "json"}, "would shadow the 'json' module"),
        (
            {"author_email": "not-an-email"},
            "author_email 'not-an-email' does not look like an email",
        ),
        (
            {"github_repository": "just-a-name"},
            "github_repository 'just-a-name' is not an owner/name",
        ),
        ({"project_name": "   "}, "project_name is empty"),
    ],
)
def test_bad_answer_is_refused_with_one_sentence(bad_answers, complaint, tmp_path):
    result = generate(tmp_path, **bad_answers)

    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert result.returncode != 0
    assert len(errors) == 1 and complaint in errors[0], result.stderr
    assert errors[0].rstrip().endswith("."), "one whole sentence, saying how to fix it"
    assert list(tmp_path.iterdir()) == [], "nothing half-written may be left behind"


def test_choice_outside_the_list_is_refused(tmp_path):
    result = generate(tmp_path, platform="aws")

    assert result.returncode != 0
    assert "aws" in result.stderr
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

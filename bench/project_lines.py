"""Lines of Python per top-level folder: of the default project, and of the template.

For the default project (every answer left as it is), each top-level folder's Python
outside tests and migrations, then its tests; for the template, each top-level folder
of the repository but the project template (which the default project shows). Each cell is
every line, as `wc -l` counts, then the lines of code: no blank line, comment or
docstring (bench/server_lines.py's count).

With --every-combination, instead, one project of each version group (the others differ
only in their version files): the lines of Python outside tests and migrations in
serving/ and in the whole project, and serving/'s docstring and comment lines, with the
largest and smallest.

    .venv/bin/python bench/project_lines.py [--template DIR] [--every-combination]

To compare with an earlier commit: `git worktree add /tmp/before COMMIT`, then
`--template /tmp/before`.
"""

import argparse
import ast
import io
import subprocess
import sys
import tempfile
import tokenize
from collections import defaultdict
from pathlib import Path

from server_lines import TEMPLATE_DIR, code_lines

PROJECT_TEMPLATE = "{{cookiecutter.project_slug}}"


def counts(paths: list[Path]) -> tuple[int, int]:
    texts = [path.read_text() for path in paths]
    code = sum(code_lines(text) for text in texts)
    return sum(len(text.splitlines()) for text in texts), code


def cell(lines: int, code: int) -> str:
    return f"{lines} ({code})" if code else str(lines)


def by_folder(root: Path, skip: set[str]) -> dict[str, dict[str, list[Path]]]:
    """{top-level name: {"code" or "tests": its .py files}}, migrations left out."""
    folders: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if parts[0] in skip or "migrations" in parts or "__pycache__" in parts:
            continue
        top = parts[0] + "/" if len(parts) > 1 else "(top-level files)"
        is_test = "tests" in parts or path.name.startswith("test_") or path.name == "conftest.py"
        folders[top]["tests" if is_test else "code"].append(path)
    return folders


def table(title: str, folders: dict[str, dict[str, list[Path]]]) -> None:
    print(f"| {title} | code: lines (of code) | tests: lines (of code) |")
    print("| --- | --- | --- |")
    total = {"code": [0, 0], "tests": [0, 0]}
    for name, kinds in sorted(folders.items()):
        row = []
        for kind in ("code", "tests"):
            lines, code = counts(kinds.get(kind, []))
            total[kind][0] += lines
            total[kind][1] += code
            row.append(cell(lines, code))
        print(f"| `{name}` | {row[0]} | {row[1]} |")
    print(f"| total | {cell(*total['code'])} | {cell(*total['tests'])} |\n")


def explaining_lines(source: str) -> int:
    """Lines that hold a docstring or a comment."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str):
            lines.update(range(first.lineno, first.end_lineno + 1))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            lines.add(token.start[0])
    return len(lines)


def weight(project: Path) -> dict[str, int]:
    """serving/'s lines and explaining lines, and the project's lines, of Python
    outside tests and migrations."""
    folders = by_folder(project, set())
    serving = [path.read_text() for path in folders.get("serving/", {}).get("code", [])]
    everything = [path.read_text() for kinds in folders.values() for path in kinds["code"]]
    return {
        "serving": sum(len(text.splitlines()) for text in serving),
        "explaining": sum(explaining_lines(text) for text in serving),
        "project": sum(len(text.splitlines()) for text in everything),
    }


def every_combination(template: Path) -> None:
    sys.path.insert(0, str(template))
    from tests.support.combinations import combination_id, version_groups

    cookiecutter = Path(sys.executable).parent / "cookiecutter"
    rows = []
    with tempfile.TemporaryDirectory() as output:
        for number, members in enumerate(version_groups().values()):
            answers = [f"{name}={value}" for name, value in members[0].items()]
            subprocess.run(
                [str(cookiecutter), "--no-input", "-o", f"{output}/{number}"]
                + [str(template), *answers],
                check=True,
                capture_output=True,
            )
            (project,) = Path(f"{output}/{number}").iterdir()
            rows.append((combination_id(members[0], versions=False), weight(project)))
    print("| combination | serving/ | of which docstrings and comments | project |")
    print("| --- | --- | --- | --- |")
    for name, figures in sorted(rows, key=lambda row: row[1]["serving"]):
        share = figures["explaining"] / figures["serving"]
        print(
            f"| {name} | {figures['serving']} | {figures['explaining']} ({share:.0%}) "
            f"| {figures['project']} |"
        )
    for key in ("serving", "project"):
        low, high = min(r[1][key] for r in rows), max(r[1][key] for r in rows)
        print(f"{key}: {low} to {high} lines over {len(rows)} version groups")
    share = max(r[1]["explaining"] / r[1]["serving"] for r in rows)
    print(f"docstrings and comments: at most {share:.0%} of serving/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", type=Path, default=TEMPLATE_DIR)
    parser.add_argument("--every-combination", action="store_true")
    arguments = parser.parse_args()
    template = arguments.template.resolve()
    if arguments.every_combination:
        return every_combination(template)
    cookiecutter = Path(sys.executable).parent / "cookiecutter"
    with tempfile.TemporaryDirectory() as output:
        subprocess.run(
            [str(cookiecutter), "--no-input", "-o", output, str(template)],
            check=True,
            capture_output=True,
        )
        (project,) = Path(output).iterdir()
        table(f"default project ({project.name} is its package)", by_folder(project, set()))
    skip = {".venv", ".git", PROJECT_TEMPLATE}
    table("template repository", by_folder(template, skip))


if __name__ == "__main__":
    main()

"""Lines of Python per top-level folder: of the default project, and of the template.

For the default project (every answer left as it is), each top-level folder's Python
outside tests and migrations, then its tests; for the template, each top-level folder
of the repository but the project template (which the default project shows). Each cell is
every line, as `wc -l` counts, then the lines of code: no blank line, comment or
docstring (bench/server_lines.py's count).

    .venv/bin/python bench/project_lines.py [--template DIR]

To compare with an earlier commit: `git worktree add /tmp/before COMMIT`, then
`--template /tmp/before`.
"""

import argparse
import subprocess
import sys
import tempfile
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", type=Path, default=TEMPLATE_DIR)
    template = parser.parse_args().template.resolve()
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

"""Lines of server code in the default project of each server choice.

Server code is every module of the generated serving/ package, the template's own
(the project's settings, URLs and entry points are in config/). For each module it
counts every line (as `wc -l` does) and the lines of code: no blank line, comment or
docstring.

    .venv/bin/python bench/server_lines.py [--template DIR]
"""

import argparse
import ast
import io
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
SERVERS = {
    "WSGI, gunicorn": ["interface=wsgi"],
    "ASGI, daphne": ["interface=asgi", "asgi_server=daphne"],
    "ASGI, uvicorn": ["interface=asgi", "asgi_server=uvicorn"],
}


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str):
            docstrings.update(range(first.lineno, first.end_lineno + 1))
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", type=Path, default=TEMPLATE_DIR)
    template = parser.parse_args().template
    cookiecutter = Path(sys.executable).parent / "cookiecutter"
    print("| default project | modules | lines | lines of code |\n| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as root:
        for name, answers in SERVERS.items():
            output = Path(root) / name.replace(", ", "-")
            subprocess.run(
                [str(cookiecutter), "--no-input", "-o", str(output), str(template), *answers],
                check=True,
                capture_output=True,
            )
            (project,) = output.iterdir()
            serving = project / "serving"
            modules = sorted(
                path
                for path in serving.rglob("*.py")
                if not {"tests", "migrations"} & set(path.relative_to(serving).parts)
            )
            texts = [p.read_text() for p in modules]
            total = sum(len(text.splitlines()) for text in texts)
            code = sum(code_lines(text) for text in texts)
            listed = ", ".join(
                f"{p.relative_to(serving).with_suffix('')} {code_lines(t)}"
                for p, t in zip(modules, texts, strict=True)
            )
            print(f"| {name} | {listed} | {total} | {code} |")


if __name__ == "__main__":
    main()

"""How long generating a project takes, next to a one-file template in the same run.

The baseline is cookiecutter's own cost (start-up, prompts, rendering one file);
what the template adds on top is its ~40 files and its two hooks. The machine is
shared and noisy, so each figure is the median of several interleaved runs.

    .venv/bin/python bench/generate.py [runs]
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent
COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"


def baseline_template(root: Path) -> Path:
    template = root / "baseline"
    (template / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text(json.dumps({"project_slug": "baseline"}))
    (template / "{{cookiecutter.project_slug}}" / "README.md").write_text(
        "{{ cookiecutter.project_slug }}\n"
    )
    return template


def generate_seconds(template: Path, output: Path, *answers: str) -> float:
    start = time.perf_counter()
    # What generation prints (the next steps) is not what is measured.
    subprocess.run(
        [COOKIECUTTER, "--no-input", str(template), "-o", str(output), *answers],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        baseline = baseline_template(root)
        variants = {
            "baseline (one file, no hooks)": (baseline, ()),
            "template, defaults": (TEMPLATE_DIR, ("github_repository=octocat/my-django-app",)),
            "template, digitalocean wsgi": (
                TEMPLATE_DIR,
                ("platform=digitalocean", "interface=wsgi", "github_repository=octocat/shop"),
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        for run in range(runs):
            for name, (template, answers) in variants.items():
                times[name].append(
                    generate_seconds(
                        template, root / f"{run}-{len(times[name])}-{hash(name)}", *answers
                    )
                )
        base = statistics.median(times["baseline (one file, no hooks)"])
        print(
            f"{'variant':32} {'median s':>9} {'min s':>7} {'vs baseline':>12}   ({runs} runs each)"
        )
        for name, values in times.items():
            median = statistics.median(values)
            print(f"{name:32} {median:9.3f} {min(values):7.3f} {median / base:11.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)

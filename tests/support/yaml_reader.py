"""YAML as the suite reads it: with libyaml's parser where PyYAML has it (its wheels
do), the same documents read several times faster than by the pure-Python parser,
which took a fifth of the render tier's time."""

from pathlib import Path

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(text: str):
    return yaml.load(text, LOADER)


def read(path: Path):
    return parse(path.read_text())

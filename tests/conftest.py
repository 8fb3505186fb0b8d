"""Wires the suite's fixtures and hooks in (tests/fixtures/, one module per thing they
provide) and holds the machine for one run at a time."""

pytest_plugins = [
    "tests.fixtures.workers",
    "tests.fixtures.combinations",
    "tests.fixtures.summary",
    "tests.fixtures.projects",
    "tests.fixtures.services",
    "tests.fixtures.storage",
    "tests.fixtures.servers",
    "tests.fixtures.accounts",
    "tests.fixtures.mail",
    "tests.fixtures.browser",
]

"""Remove what the chosen options do not use, write the local .env file, and say
what to do next.

Runs offline and installs nothing: generation must work without a network.
"""

import json
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

# Jinja's tojson escapes ' (never "), so the answers cannot end this string early.
ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')  # fmt: skip
# The template's own directory, where local_extensions.py holds the rules for names.
sys.path.insert(0, json.loads(r'''{{ template_dir | tojson }}'''))  # fmt: skip

from local_extensions import PLACEHOLDER_OWNER, PLATFORM_NAMES  # noqa: E402

SLUG = ANSWERS["project_slug"]
HEROKU = ANSWERS["platform"] == "heroku"
ASGI = ANSWERS["interface"] == "asgi"
DAPHNE = ASGI and ANSWERS["asgi_server"] == "daphne"
REDIS_LAYER = ASGI and ANSWERS["channel_layer"] != "in-memory"
CORE_LAYER = ASGI and ANSWERS["channel_layer"] == "redis"  # channels-redis's core layer
USES_REDIS = bool(ANSWERS["__uses_redis"])
CELERY = ANSWERS["background_worker"] == "celery"
TASKS = ANSWERS["background_worker"] == "django-tasks"  # Django's tasks API
S3 = ANSWERS["media_storage"] == "s3"
VERSION_FILE = ANSWERS["python_version_file"]

# Every path that only some projects have, and whether this one keeps it.
KEEP = {
    "Procfile": HEROKU,
    "app.json": HEROKU,
    ".do": not HEROKU,
    # The Deploy to DigitalOcean button creates dev databases only, and a dev
    # database cannot be Valkey; README.md says what to do instead.
    ".do/deploy.template.yaml": not HEROKU and not USES_REDIS,
    "gunicorn.conf.py": not DAPHNE,
    ".python-version": VERSION_FILE == ".python-version",
    "runtime.txt": VERSION_FILE == "runtime.txt",
    "config/asgi.py": ASGI,
    "config/routing.py": ASGI,
    "config/channel_layer_settings.py": ASGI,
    "serving/http/handlers.py": ASGI,
    "serving/http/static_files.py": ASGI,
    "serving/http/tests/test_asgi.py": ASGI,
    "serving/http/daphne.py": DAPHNE,
    "serving/http/tests/test_daphne.py": DAPHNE,
    "serving/http/workers.py": not DAPHNE,
    "serving/http/tests/test_workers.py": not ASGI,
    "serving/websockets": ASGI,
    "serving/websockets/channel_layer.py": REDIS_LAYER,
    "serving/websockets/tests/test_channel_layer.py": REDIS_LAYER,
    "serving/websockets/redis_pool.py": CORE_LAYER,
    "serving/websockets/tests/test_redis_pool.py": CORE_LAYER,
    "config/celery.py": CELERY,
    "config/celery_settings.py": CELERY,
    "serving/tasks": CELERY,
    "serving/models.py": CELERY,
    "serving/migrations": CELERY,
    "config/tasks_settings.py": TASKS,
    "serving/mail/messages.py": CELERY or TASKS,
    "serving/mail/queued.py": TASKS,
    "serving/mail/tests/test_queued.py": TASKS,
    "serving/management/commands/tasks_worker.py": TASKS,
    "serving/management/tests": TASKS,
    "welcome": CELERY or TASKS,
    "config/media_settings.py": S3,
    "config/media_storage.py": S3,
    "profiles": S3,
    "live": ASGI,
    f"{SLUG}/consumers.py": ASGI,
    f"{SLUG}/static/{SLUG}/ping.js": ASGI,
    f"{SLUG}/tests/test_ping.py": ASGI,
}

LOCAL_ENV_HEADER = """\
# Local development settings, written when the project was generated: those of
# .env.example plus a secret key of its own. git ignores this file, so the platform
# never sees it; there every value comes from the app's config.
"""
LOCAL_SECRET = "\nDJANGO_SECRET_KEY={secret_key}\n"


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def repository_around(project: Path) -> str | None:
    """The git work tree that holds the project's directory, if any."""
    try:
        found = subprocess.run(
            ["git", "-C", str(project.parent), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no git here
        return None
    return found.stdout.strip() if found.returncode == 0 else None


def readme_block(readme: str, heading: str) -> str:
    """The first ```sh block of the README section whose heading starts so."""
    section = readme.split(f"\n{heading}", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def next_steps(project: Path) -> str:
    readme = (project / "README.md").read_text()
    indent = "    "

    def indented(block: str) -> str:
        return "".join(f"{indent}{line}\n" for line in block.splitlines())

    return (
        f"Generated {project}\n\n"
        f"Run it locally:\n{indent}cd {project}\n"
        f"{indented(readme_block(readme, '## Run it locally'))}\n"
        f"Then deploy to {PLATFORM_NAMES[ANSWERS['platform']]}:\n"
        f"{indented(readme_block(readme, '## Deploy to'))}\n"
        "README.md explains each step."
    )


if __name__ == "__main__":
    for name, keep in KEEP.items():
        if not keep:
            remove(Path(name))
    example = Path(".env.example").read_text()
    settings = example.split("\n\n", 1)[1]  # without the example's own header
    secret = LOCAL_SECRET.format(secret_key=secrets.token_urlsafe(50))
    env = Path(".env")
    # Readable by its owner only, as the README's `install -m 600` makes it in a clone:
    # it holds the secret key. Created so before anything is written to it.
    env.touch(mode=0o600)
    env.chmod(0o600)
    env.write_text(LOCAL_ENV_HEADER + settings + secret)

    print(next_steps(Path.cwd()))
    if outer := repository_around(Path.cwd()):
        print(
            f"\nWarning: {Path.cwd()} is inside the git repository at {outer}: run"
            " `git init -b main` in it, as the steps above do, so that it is pushed as a"
            " repository of its own.",
            file=sys.stderr,
        )
    if ANSWERS["github_repository"].split("/")[0] == PLACEHOLDER_OWNER:
        print(
            f"\nWarning: github_repository is still the placeholder"
            f" {ANSWERS['github_repository']!r}, which"
            f" {'app.json and the Heroku Button' if HEROKU else '.do/app.yaml and README.md'}"
            " name: generate again with github_repository=OWNER/NAME, your real repository.",
            file=sys.stderr,
        )

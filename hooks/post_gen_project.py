"""Remove what the chosen options do not use, then write the local .env file.

Runs offline and installs nothing: generation must work without a network.
"""

import json
import secrets
import shutil
from pathlib import Path

# Jinja's tojson escapes ' (never "), so the answers cannot end this string early.
ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')  # fmt: skip

SLUG = ANSWERS["project_slug"]
HEROKU = ANSWERS["platform"] == "heroku"
ASGI = ANSWERS["interface"] == "asgi"
DAPHNE = ASGI and ANSWERS["asgi_server"] == "daphne"
VERSION_FILE = ANSWERS["python_version_file"]

# Every path that only some projects have, and whether this one keeps it.
KEEP = {
    "Procfile": HEROKU,
    "app.json": HEROKU,
    ".do": not HEROKU,
    "gunicorn.conf.py": not DAPHNE,
    ".python-version": VERSION_FILE == ".python-version",
    "runtime.txt": VERSION_FILE == "runtime.txt",
    "config/asgi.py": ASGI,
    "config/routing.py": ASGI,
    "live": ASGI,
    f"{SLUG}/consumers.py": ASGI,
    f"{SLUG}/static/{SLUG}/ping.js": ASGI,
    f"{SLUG}/tests/test_ping.py": ASGI,
}

LOCAL_ENV = """\
# Local development only. .gitignore keeps this file out of git, so the platform
# never sees it: there every value comes from the app's config.
DJANGO_DEBUG=1
DJANGO_SECRET_KEY={secret_key}
"""


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


if __name__ == "__main__":
    for name, keep in KEEP.items():
        if not keep:
            remove(Path(name))
    Path(".env").write_text(LOCAL_ENV.format(secret_key=secrets.token_urlsafe(50)))

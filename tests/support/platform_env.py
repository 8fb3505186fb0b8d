"""The web command and environment a platform would give a generated project.

Everything is read from the project's own manifests, Procfile and app.json or
.do/app.yaml, and only the platform's part is supplied here: the add-on or database
URLs (pointing at this machine's PostgreSQL and Redis), a generated secret, PORT,
the host name, and the S3 bucket's variables that a person sets (pointing at the
suite's own S3 server). So a live test also proves the manifests give a process all it
needs: the project refuses to start without a required variable.
"""

import json
import re
import secrets
from pathlib import Path

from tests.support import yaml_reader

HOST = "127.0.0.1"
# The platform's health probe: by the instance's IP address, over plain HTTP.
PROBE_HEADERS = {"Host": "10.244.0.17"}
# Heroku add-on plan prefixes and the config var each one sets (the Scheduler sets none).
HEROKU_ADDON_VARS = {
    "heroku-postgresql": "DATABASE_URL",
    "heroku-redis": "REDIS_URL",
    "scheduler": None,
}
# What Heroku sets on every dyno, beside PORT; the buildpack's .profile.d adds
# WEB_CONCURRENCY (2 on basic dynos).
HEROKU_DYNO_ENV = {"WEB_CONCURRENCY": "2"}


def procfile(project: Path) -> dict[str, str]:
    entries = {}
    for line in (project / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def do_spec(project: Path) -> dict:
    return yaml_reader.read(project / ".do" / "app.yaml")


def commands(project: Path) -> dict[str, str]:
    """{"web": ..., "release": ..., and "worker": ... if there is one}: how the
    platform starts, migrates and works for the app."""
    if (project / "Procfile").exists():
        return procfile(project)
    spec = do_spec(project)
    (web,) = spec["services"]
    (release,) = [job for job in spec["jobs"] if job["kind"] == "PRE_DEPLOY"]
    workers = {worker["name"]: worker["run_command"] for worker in spec.get("workers", [])}
    return {"web": web["run_command"], "release": release["run_command"], **workers}


def environment(
    project: Path, *, database_url: str, redis_url: str, storage: dict[str, str] | None = None
) -> dict[str, str]:
    """`storage`: what a person sets for the bucket (AWS_*), where the project asks."""
    urls = {"database_url": database_url, "redis_url": redis_url}
    if (project / "app.json").exists():
        return heroku_environment(project, **urls, storage=storage or {})
    return digitalocean_environment(project, **urls, storage=storage or {})


def heroku_environment(
    project: Path, *, database_url: str, redis_url: str, storage: dict[str, str]
) -> dict[str, str]:
    app = json.loads((project / "app.json").read_text())
    addon_urls = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    env = dict(HEROKU_DYNO_ENV)
    for name, spec in app["env"].items():
        if spec.get("generator") == "secret":
            env[name] = secrets.token_urlsafe(50)
        elif "value" in spec:
            env[name] = spec["value"]
        elif name in storage:  # asked for at deploy time, as the Heroku Button does
            env[name] = storage[name]
        elif spec.get("required", True):
            raise ValueError(f"app.json requires {name}, and the test gave no value for it")
    for addon in app["addons"]:
        plan = addon["plan"] if isinstance(addon, dict) else addon
        if var := HEROKU_ADDON_VARS[plan.split(":")[0]]:
            env[var] = addon_urls[var]
    # The README's CLI steps set the app's own domain (app.json's default, any
    # *.herokuapp.com name, cannot match a request to 127.0.0.1).
    env["DJANGO_ALLOWED_HOSTS"] = HOST
    return env


OPTIONAL_SECRETS = {"EMAIL_URL", "SENTRY_DSN"}
# What App Platform binds ${_self.COMMIT_HASH} to: the deployed commit.
DEPLOYED_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def digitalocean_environment(
    project: Path, *, database_url: str, redis_url: str, storage: dict[str, str]
) -> dict[str, str]:
    spec = do_spec(project)
    bindings = {"APP_DOMAIN": HOST, "_self.COMMIT_HASH": DEPLOYED_COMMIT}
    for database in spec.get("databases", []):
        url = database_url if database["engine"] == "PG" else redis_url
        bindings[f"{database['name']}.DATABASE_URL"] = url
    (web,) = spec["services"]
    env = {}
    for variable in web["envs"]:
        if variable.get("type") == "SECRET" and "value" not in variable:
            # The README's deploy line fills in each secret, EMAIL_URL and SENTRY_DSN
            # only when the person exports them: without them, no mail, no reports.
            if variable["key"] not in OPTIONAL_SECRETS:
                env[variable["key"]] = secrets.token_urlsafe(50)
            continue
        env[variable["key"]] = re.sub(
            r"\$\{([^}]+)\}", lambda match: bindings[match.group(1)], variable["value"]
        )
    # The Spaces key the README's awk line adds, and this machine's S3 server in place
    # of Spaces' endpoint; the bucket keeps the spec's name.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_S3_ENDPOINT_URL"):
        if name in env and name in storage:
            env[name] = storage[name]
    return env


def router_headers(platform: str, address: str, forged: str | None = None) -> dict[str, str]:
    """The headers of a request as the platform's router passes it on, having seen it
    come from `address`; `forged`: an X-Forwarded-For entry the client wrote."""
    if platform == "heroku":
        return {"X-Forwarded-For": f"{forged}, {address}" if forged else address}
    headers = {"DO-Connecting-IP": address}
    if forged:
        headers["X-Forwarded-For"] = forged
    return headers


def visitor_address() -> str:
    """An address of its own for a visitor (in 198.18.0.0/15, kept for benchmarks), so
    that the accounts' per-address rate limits count each visitor apart, as the
    router's addresses do on the platform."""
    number = secrets.randbelow(2**17 - 2) + 1
    return f"198.{18 + number // 65536}.{number // 256 % 256}.{number % 256}"


def web_processes(answers: dict, env: dict[str, str]) -> int:
    """How many processes the web command runs: daphne one, gunicorn WEB_CONCURRENCY
    but with the in-memory layer, which lives in one process (one)."""
    asgi = answers["interface"] == "asgi"
    if asgi and (answers["asgi_server"] == "daphne" or answers["channel_layer"] == "in-memory"):
        return 1
    return int(env["WEB_CONCURRENCY"])

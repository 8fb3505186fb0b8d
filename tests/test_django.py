"""Django tier, once per runtime group, in the venv built from the generated pins.

Local development runs in the generated tree (with its .env); everything that
stands for the platform runs in the deployed tree (a git clone, no .env) with the
environment the project's own manifests provide.
"""

import json
import os

import psycopg
import pytest

from tests.support import venvs, yaml_reader
from tests.support.combinations import redis_layer, s3, uses_redis
from tests.support.content_policy import directives

# A probe that answers for each of several environments in one process: answer(), which
# ANSWER defines, runs in a child forked once Django itself is imported, with only that
# environment set, so that a group pays for one interpreter, not one per environment.
# The modules of PREIMPORTED are imported once, before the children fork: none reads
# the environment or the settings as it is imported, and each child would import them
# again (a Celery project's settings import its app; a child that serves a page, most
# of Django). The project's own modules, the settings among them, load in each child.
# The answers, in order, as a JSON list on the last line (what a child logs comes first).
FORKED_PROBE = """
import importlib
import json
import os
import sys

import django

for name in PREIMPORTED:
    try:
        importlib.import_module(name)
    except ImportError:  # django.utils.csp is Django 6.0's
        pass

ANSWER
path = os.environ["PATH"]  # the venv's first, as run() sets it
answers = []
for env in json.loads(sys.stdin.read()):
    reader, writer = os.pipe()
    if os.fork() == 0:
        os.close(reader)
        os.environ.clear()
        os.environ.update({"PATH": path, **env})
        os.write(writer, json.dumps(answer(), default=str).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as child:
        answers.append(json.loads(child.read()))
    os.wait()
print(json.dumps(answers))
"""
PREIMPORTED = [
    "celery.app", "django.conf", "django.db.models", "django.forms", "django.http",
    "django.template.loader", "django.test.client", "django.urls", "django.utils.csp",
    "django.views.generic", "psycopg",
]  # fmt: skip
# The settings, or the traceback of their import.
SETTINGS_ANSWER = """
def answer():
    import traceback

    names = ["DEBUG", "ALLOWED_HOSTS", "INSTALLED_APPS", "MIDDLEWARE", "DATABASES",
             "STORAGES", "REQUIRED_ENVIRONMENT", "PRODUCTION_ENVIRONMENT",
             "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
             "CSRF_COOKIE_SECURE", "WEB_THREADS", "SECURITY_HEADERS_MIDDLEWARE",
             "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
    try:
        from django.conf import settings

        values = {name: getattr(settings, name) for name in names}
        values["CHANNEL_LAYERS"] = getattr(settings, "CHANNEL_LAYERS", None)
        return {"settings": values}
    except BaseException:
        return {"error": traceback.format_exc()}
"""
# The environments the tests below read the settings under, beside the production one:
# settings_under() asks for all of them at once.
DATABASE_URL = "postgres://user:pw@db.internal:5432/app"
PROBED_ENVIRONMENTS = [
    {},
    {"DJANGO_DEBUG": "1"},
    {"REDIS_URL": "redis://cache.internal:6379/0"},
    {"REDIS_URL": "rediss://:secret@cache.internal:6380"},
    {"REDIS_URL": "redis://cache.internal:6379"},
    {"REDIS_URL": "redis://cache.internal:6379/2"},
    {"DATABASE_URL": DATABASE_URL},
    {"DATABASE_URL": DATABASE_URL, "DYNO": "web.1"},
    {"DATABASE_URL": f"{DATABASE_URL}?sslmode=require"},
]
# The same, on top of the production environment.
HSTS_RAISED = {
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_HSTS_PRELOAD": "1",
}
PRODUCTION_VARIANTS = [HSTS_RAISED, {"DJANGO_HSTS_SECONDS": "a year"}, {"WEB_THREADS": "0"}]


def succeeded(result) -> bool:
    if result.returncode != 0:
        print(result.stdout, result.stderr)
    return result.returncode == 0


def answers_under(run, project, answer: str, envs: list[dict]) -> list[dict]:
    """What answer() (source defining it, for FORKED_PROBE) returns under each of `envs`."""
    probe = FORKED_PROBE.replace("PREIMPORTED", repr(PREIMPORTED)).replace("ANSWER", answer)
    result = run(["python", "-c", probe], cwd=project, input=json.dumps(envs))
    assert succeeded(result)
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def probe_settings(deployed_project, production_env, run):
    """probe_settings(env) -> {"settings": ...} or {"error": traceback}: the project's
    settings imported with only `env` set."""
    found: dict[str, dict] = {}

    def full(env: dict[str, str]) -> dict[str, str]:
        return {"DJANGO_SETTINGS_MODULE": "config.settings", "HOME": "/tmp", **env}

    def key(env: dict[str, str]) -> str:
        return json.dumps(full(env), sort_keys=True)

    def probe_settings(env: dict[str, str]) -> dict:
        if key(env) not in found:
            production = [{**production_env, **extra} for extra in PRODUCTION_VARIANTS]
            wanted = [env, production_env, *production, *PROBED_ENVIRONMENTS]
            wanted = list({key(e): full(e) for e in wanted if key(e) not in found}.values())
            answers = answers_under(run, deployed_project, SETTINGS_ANSWER, wanted)
            for probed, answer in zip(wanted, answers, strict=True):
                found[key(probed)] = answer
        return found[key(env)]

    return probe_settings


@pytest.fixture(scope="module")
def settings_under(probe_settings):
    """settings_under(env) -> the project's settings, imported with only `env` set."""

    def settings_under(env: dict[str, str]) -> dict:
        answer = probe_settings(env)
        assert "error" not in answer, answer["error"]
        return answer["settings"]

    return settings_under


@pytest.fixture(scope="module")
def refusal_under(probe_settings):
    """refusal_under(env) -> the error that importing the settings under `env` raised."""

    def refusal_under(env: dict[str, str]) -> str:
        answer = probe_settings(env)
        assert "error" in answer, "the settings were accepted"
        return answer["error"]

    return refusal_under


# Local development, in the generated tree with its .env: Django's system checks at
# manage.py check's --fail-level WARNING, then which app's runserver command wins and
# the modules of its class's MRO (the last line).
LOCAL_PROBE = """
import django
django.setup()
from django.core.management import call_command, get_commands, load_command_class
call_command("check", fail_level="WARNING")
app = get_commands()["runserver"]
command = load_command_class(app, "runserver")
print(app, *[cls.__module__ for cls in type(command).__mro__])
"""


@pytest.fixture(scope="module")
def local_development(runtime_project, run):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "HOME": "/tmp"}
    return run(["python", "-c", LOCAL_PROBE], cwd=runtime_project, env=env)


def test_system_checks_pass_for_local_development(local_development):
    assert succeeded(local_development)
    assert "System check identified no issues" in local_development.stdout


def test_deploy_checks_pass_in_production(deployed_project, production_env, run):
    command = ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    assert succeeded(run(command, cwd=deployed_project, env=production_env))


def test_collectstatic_runs_with_no_runtime_environment(built):
    tree, collectstatic = built

    assert collectstatic.returncode == 0, collectstatic.stdout + collectstatic.stderr
    manifest = json.loads((tree / "staticfiles" / "staticfiles.json").read_text())
    assert manifest["paths"], "the manifest lists no hashed static files"


def test_release_step_migrates_postgresql(released, database_url, deployed_project):
    """The release step, run on the group's database while it was still empty."""
    # It exits at once: no connection pool left to its finalizer (psycopg#930).
    assert "couldn't stop thread" not in released.stdout + released.stderr
    with psycopg.connect(database_url) as conn:
        applied = conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        # The project's own user model, from its first migration (AUTH_USER_MODEL).
        conn.execute(f"SELECT count(*) FROM {deployed_project.name}_user")
        auth_user = conn.execute("SELECT to_regclass('auth_user')").fetchone()[0]
    assert applied > 0
    assert auth_user is None, "auth.User got a table: AUTH_USER_MODEL is not the project's"


# What `pip freeze` lists in each venv, by its bin directory: one venv serves many groups.
FROZEN: dict[str, dict[str, str]] = {}


def test_venv_holds_exactly_the_generated_pins(runtime_project, venv_bin, run):
    """Every distribution the project's locks pin is in the venv at that version, so
    the group runs on exactly what its platform and CI install."""
    if str(venv_bin) not in FROZEN:
        freeze = run(["python", "-m", "pip", "freeze", "--all"], cwd=runtime_project).stdout
        FROZEN[str(venv_bin)] = venvs.pins_in(freeze)
    installed = FROZEN[str(venv_bin)]
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        pins = venvs.pins_in((runtime_project / requirements).read_text())
        assert pins and {name: installed.get(name) for name in pins} == pins, requirements


# pytest-django's warning when dropping the test database fails.
TEARDOWN_FAILED = "Error when trying to teardown test databases"


@pytest.mark.pairwise
def test_generated_ci_workflow_passes(deployed_project, database_url, redis_url, run):
    """Run the project's own GitHub Actions job here: same env, same steps, on the
    runtime groups that between them try every pair of option values (the job's
    tests are the project's own, rendered from the same options).

    The services become this machine's PostgreSQL and Redis (a database and a Redis
    db of this group's own); the install step is the one thing not repeated, since
    the venv already holds exactly these pins.
    """
    job = yaml_reader.read(deployed_project / ".github/workflows/ci.yml")["jobs"]["test"]
    env = {**job["env"], "DATABASE_URL": database_url, "HOME": os.environ.get("HOME", "/tmp")}
    if "REDIS_URL" in env:
        env["REDIS_URL"] = redis_url
    steps = [step for step in job["steps"] if "run" in step]
    install, *checks = steps
    assert install["run"] == "pip install -r requirements-dev.txt"
    assert [step["name"] for step in checks] == ["Lint", "Django checks", "Tests"]
    for step in checks:
        result = run(["bash", "-e", "-c", step["run"]], cwd=deployed_project, env=env)
        assert succeeded(result), step
    # The tests leave no session open on their database, which PostgreSQL then refuses
    # to drop: pytest-django only warns, and the job would pass.
    assert TEARDOWN_FAILED not in result.stdout + result.stderr, result.stdout[-2000:]


def test_production_settings(settings_under, production_env, runtime_answers):
    settings = settings_under(production_env)

    assert settings["DEBUG"] is False
    assert settings["REQUIRED_ENVIRONMENT"] == settings["PRODUCTION_ENVIRONMENT"]
    assert "*" not in settings["ALLOWED_HOSTS"]
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    middleware = settings["MIDDLEWARE"]
    headers = settings["SECURITY_HEADERS_MIDDLEWARE"]
    assert "django.middleware.security.SecurityMiddleware" in headers
    if runtime_answers["interface"] == "wsgi":
        assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (600, True)
        # Static files get the security headers, and skip everything else.
        whitenoise = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
        assert middleware[whitenoise - len(headers) : whitenoise] == headers
    else:
        # Under ASGI no connection kept per thread (async views run their queries on a
        # thread of their request's own): a pool, the same for every process and the
        # tests; and static files served before Django, not by a sync-only middleware.
        assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (0, True)
        assert "pool" in database["OPTIONS"]
        assert not any("whitenoise" in name.lower() for name in middleware)
    storage = settings["STORAGES"]["staticfiles"]["BACKEND"]
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["SECURE_SSL_REDIRECT"] and settings["SESSION_COOKIE_SECURE"]
    assert settings["CSRF_COOKIE_SECURE"]
    # daphne's app would load Twisted into every process; only runserver needs it.
    assert "daphne" not in settings["INSTALLED_APPS"]
    if runtime_answers["interface"] == "asgi":
        expected_backend = {
            "redis": "serving.websockets.channel_layer.RedisChannelLayer",
            "redis-pubsub": "serving.websockets.channel_layer.RedisPubSubChannelLayer",
            "in-memory": "channels.layers.InMemoryChannelLayer",
        }[runtime_answers["channel_layer"]]
        assert settings["CHANNEL_LAYERS"]["default"]["BACKEND"] == expected_backend
    else:
        assert settings["CHANNEL_LAYERS"] is None
    uploads = settings["STORAGES"]["default"]
    if s3(runtime_answers):
        # django-storages' S3Storage with timeouts, loaded with the first upload.
        assert uploads["BACKEND"] == "config.media_storage.MediaStorage"
        options = uploads["OPTIONS"]
        assert options["bucket_name"] == production_env["AWS_STORAGE_BUCKET_NAME"]
        assert options["endpoint_url"] == production_env["AWS_S3_ENDPOINT_URL"]
        # Private objects, reached through signed URLs only.
        assert options["querystring_auth"] is True and options["default_acl"] is None
    else:
        assert uploads["BACKEND"] == "django.core.files.storage.FileSystemStorage"


# The web process's application imported under production's environment with
# WEB_THREADS=7: the top-level modules of argv[2:] it loaded, then the size of the pool
# of threads of the WSGI bridge that runs the sync views (argv[1]'s own, under ASGI),
# and the database's pool.
APPLICATION_PROBE = """
import gc, importlib, json, sys
module = importlib.import_module(f"config.{sys.argv[1]}")  # which sets Django up
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[2:]))
from serving import http_application
from serving.http.bridge import WSGIBridge
if sys.argv[1] == "wsgi":  # as the web command's uvicorn workers serve it
    http_application(module.application)
(bridge,) = [thing for thing in gc.get_objects() if isinstance(thing, WSGIBridge)]
threads = bridge.threads
from django.db import connection
pool = connection.settings_dict["OPTIONS"].get("pool")
print(json.dumps({"loaded": loaded, "threads": threads, "pool": pool}))
"""
UNWANTED = ["daphne", "twisted", "autobahn", "OpenSSL", "cryptography", "uvicorn", "gunicorn"]


@pytest.fixture(scope="module")
def application(deployed_project, production_env, runtime_answers, run) -> dict:
    env = {**production_env, "DJANGO_SETTINGS_MODULE": "config.settings", "WEB_THREADS": "7"}
    command = ["python", "-c", APPLICATION_PROBE, runtime_answers["interface"], *UNWANTED]
    result = run(command, cwd=deployed_project, env=env)
    assert succeeded(result)
    # The last line: the application logs to stdout too (mail is off: no EMAIL_URL).
    return json.loads(result.stdout.splitlines()[-1])


def test_the_application_loads_no_server_it_is_not_served_by(application):
    """What every web process imports (settings, apps, the WSGI or ASGI application)
    brings in no server: daphne's app in INSTALLED_APPS would load daphne and Twisted
    into each uvicorn worker and manage.py command (issue 9: +49 MiB each), and
    autobahn (the consumers once imported its Disconnected) loads pyOpenSSL and
    cryptography, about 20 MiB more."""
    assert application["loaded"] == []


def test_nothing_set_means_no_silent_fallback(settings_under, runtime_answers):
    settings = settings_under({})

    assert settings["DEBUG"] is False
    assert "sqlite" not in settings["DATABASES"]["default"].get("ENGINE", "")
    required = {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"}
    if uses_redis(runtime_answers):
        required.add("REDIS_URL")
    if s3(runtime_answers):
        required |= {"AWS_STORAGE_BUCKET_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    if redis_layer(runtime_answers):
        assert settings["CHANNEL_LAYERS"] is None, "fell back to a layer without Redis"
    assert set(settings["REQUIRED_ENVIRONMENT"]) == required


def test_local_development_needs_no_services(settings_under, runtime_answers):
    settings = settings_under({"DJANGO_DEBUG": "1"})

    assert settings["REQUIRED_ENVIRONMENT"] == []
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    if runtime_answers["interface"] == "asgi":
        layer = settings["CHANNEL_LAYERS"]["default"]["BACKEND"]
        assert layer == "channels.layers.InMemoryChannelLayer"


CHANNELS_REDIS_BLOCKING_READ_SECONDS = 5


@pytest.mark.only(interface="asgi", channel_layer=("redis", "redis-pubsub"))
def test_redis_url_tls_options(settings_under, runtime_answers):
    plain = settings_under({"REDIS_URL": "redis://cache.internal:6379/0"})
    tls = settings_under({"REDIS_URL": "rediss://:secret@cache.internal:6380"})

    (plain_host,) = hosts(plain)
    assert plain_host["address"] == "redis://cache.internal:6379/0"
    # A hung Redis fails reads rather than holding sockets forever, but only after
    # the core layer's own blocking reads (5 s, channels_redis's brpop_timeout).
    assert plain_host["socket_timeout"] > CHANNELS_REDIS_BLOCKING_READ_SECONDS
    (tls_host,) = hosts(tls)
    assert tls_host["address"] == "rediss://:secret@cache.internal:6380"
    if runtime_answers["platform"] == "heroku":
        # Heroku Key-Value Store's certificate is self-signed.
        assert "ssl_cert_reqs" in tls_host and tls_host["ssl_cert_reqs"] is None
    else:
        # DigitalOcean's managed Valkey has a publicly trusted one: keep verifying.
        assert "ssl_cert_reqs" not in tls_host


@pytest.mark.only(interface="asgi", channel_layer="redis-pubsub")
def test_pubsub_channels_are_named_after_the_redis_database(settings_under):
    # Redis Pub/Sub ignores database numbers; without this, apps on databases 1 and
    # 2 of one Redis would hear each other's groups.
    layers = [
        settings_under({"REDIS_URL": url})["CHANNEL_LAYERS"]["default"]["CONFIG"]["prefix"]
        for url in ("redis://cache.internal:6379", "redis://cache.internal:6379/2")
    ]

    assert layers == ["asgi-db0", "asgi-db2"]


@pytest.mark.only(platform="heroku")
def test_heroku_dynos_require_database_tls(settings_under):
    # Heroku's DATABASE_URL does not ask for TLS, though Heroku Postgres demands it.
    on_dyno = settings_under({"DATABASE_URL": DATABASE_URL, "DYNO": "web.1"})
    off_dyno = settings_under({"DATABASE_URL": DATABASE_URL})
    # An outside database's URL may ask for more: checking the server's certificate.
    verified = f"{DATABASE_URL}?sslmode=verify-full&sslrootcert=system"
    stricter = settings_under({"DATABASE_URL": verified, "DYNO": "web.1"})

    assert on_dyno["DATABASES"]["default"]["OPTIONS"]["sslmode"] == "require"
    assert "sslmode" not in off_dyno["DATABASES"]["default"]["OPTIONS"]
    assert stricter["DATABASES"]["default"]["OPTIONS"]["sslmode"] == "verify-full"


@pytest.mark.only(platform="digitalocean")
def test_digitalocean_database_url_keeps_its_tls_mode(settings_under):
    bound = settings_under({"DATABASE_URL": f"{DATABASE_URL}?sslmode=require"})

    assert bound["DATABASES"]["default"]["OPTIONS"]["sslmode"] == "require"


def test_postgresql_connections_give_up_instead_of_hanging(settings_under):
    options = settings_under({"DATABASE_URL": DATABASE_URL})["DATABASES"]["default"]["OPTIONS"]

    assert options["connect_timeout"] == 3


def hosts(settings: dict) -> list[dict]:
    return settings["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"]


def test_runserver_names_missing_variables_then_serves(runtime_answers, local_development):
    """The template's runserver (serving/, first in INSTALLED_APPS) wins over daphne's
    and staticfiles' and extends the one that serves this interface."""
    assert succeeded(local_development)
    app, *modules = local_development.stdout.splitlines()[-1].split()

    assert app == "serving"
    assert modules[0] == "serving.management.commands.runserver"
    if runtime_answers["interface"] == "asgi":
        assert "daphne.management.commands.runserver" in modules
    else:
        assert "django.contrib.staticfiles.management.commands.runserver" in modules


def test_hsts_starts_short_and_is_raised_by_the_environment(
    settings_under, refusal_under, production_env
):
    def hsts(settings: dict) -> list:
        names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"]
        return [settings[name] for name in names]

    assert hsts(settings_under(production_env)) == [3600, False, False]
    assert hsts(settings_under({**production_env, **HSTS_RAISED})) == [31536000, True, True]
    refusal = refusal_under({**production_env, "DJANGO_HSTS_SECONDS": "a year"})
    assert "DJANGO_HSTS_SECONDS is 'a year': set it to a whole number of seconds" in refusal


# The home page's policy headers, and the origin of an upload's URL.
POLICY_ANSWER = """
def answer():
    from urllib.parse import urlsplit

    django.setup()
    from django.core.files.storage import default_storage
    from django.test import Client

    response = Client().get("/", secure=True, headers={"host": "127.0.0.1"})
    picture = urlsplit(default_storage.url("pictures/me.png"))
    return {
        "enforced": response.headers.get("Content-Security-Policy"),
        "reported": response.headers.get("Content-Security-Policy-Report-Only"),
        "pictures": f"{picture.scheme}://{picture.netloc}",
    }
"""
# The variables the policy is read under, on top of production's.
REPORT_ONLY = {"DJANGO_CSP_REPORT_ONLY": "1"}
STORES = {
    "aws": {"AWS_S3_ENDPOINT_URL": None, "AWS_S3_REGION_NAME": "eu-west-1"},
    "spaces": {"AWS_S3_ENDPOINT_URL": "https://fra1.digitaloceanspaces.com"},
}


@pytest.fixture(scope="module")
def policy_under(deployed_project, production_env, runtime_answers, run):
    """policy_under(**variables) -> the home page's policy headers, and the origin of
    an upload's URL, in production with `variables` on top (None unsets one): every
    environment the tests below ask for, read in one process."""
    asked = [{}, REPORT_ONLY, *(STORES.values() if s3(runtime_answers) else [])]
    found: list[dict] = []

    def env(variables: dict) -> dict[str, str]:
        env = {**production_env, "DJANGO_SETTINGS_MODULE": "config.settings", **variables}
        return {name: value for name, value in env.items() if value is not None}

    def policy_under(**variables: str | None) -> dict:
        if not found:
            envs = [env(variables) for variables in asked]
            found.extend(answers_under(run, deployed_project, POLICY_ANSWER, envs))
        return found[asked.index(variables)]

    return policy_under


@pytest.mark.pairwise
def test_the_policy_is_only_reported_when_asked(policy_under):
    """DJANGO_CSP_REPORT_ONLY=1: browsers report what the policy would block instead
    of blocking it, the same policy."""
    enforced = policy_under()
    reported = policy_under(**REPORT_ONLY)

    assert directives(enforced["enforced"])["default-src"] == ["'none'"]
    assert enforced["reported"] is None and reported["enforced"] is None
    assert directives(reported["reported"]) == directives(enforced["enforced"])


@pytest.mark.only(media_storage="s3")
@pytest.mark.parametrize("store", list(STORES.values()), ids=list(STORES))
def test_the_policy_lets_pages_show_uploads(policy_under, store):
    """The policy's img-src names the origin of the URLs the storage signs."""
    found = policy_under(**store)

    assert found["pictures"] in directives(found["enforced"])["img-src"], found


def test_web_threads_is_read_by_the_server_that_runs_sync_views(
    application, refusal_under, production_env, runtime_answers
):
    """One variable for every server choice: the size of the bridge's pool of threads
    that runs sync views (and under ASGI, with it, the size of the database pool)."""
    assert application["threads"] == 7
    if runtime_answers["interface"] == "asgi":
        # A web process pools its connections, bounded by what can query at once.
        pool = application["pool"]
        assert pool["max_size"] == 7 + 2 and pool["timeout"] <= 10
    else:
        assert application["pool"] is None
    refusal = refusal_under({**production_env, "WEB_THREADS": "0"})
    assert "WEB_THREADS is '0': set it to a whole number of threads, at least 1" in refusal

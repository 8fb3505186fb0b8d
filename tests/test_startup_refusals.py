"""A process that cannot run stops with one sentence and no traceback: each bad or
missing setting, through each command the platform or a person runs (the web command
of every server, the release step, `manage.py check`, the worker) with the
environment the manifests give; and a database the release step or the readiness
probe cannot reach, named by its cause.

What a setting is checked against does not depend on the Django version or the
channel layer, so this runs on one group per server and platform; the commands other
than the web command, on one group per interface and platform.
"""

import pytest

from tests.support import machine, platform_env
from tests.support.combinations import served_by_gunicorn, uses_redis
from tests.support.servers import Server, request


def one_group_per_server(answers: dict) -> bool:
    return answers["django_version"] == "6.1" and (
        answers["interface"] == "wsgi" or answers["channel_layer"] == "redis"
    )


pytestmark = pytest.mark.only.with_args(one_group_per_server)

# What is set (None: unset) -> the start of the sentence that must say what is wrong.
BAD_SETTINGS = {
    "missing-secret-key": ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY is not set: "),
    "short-secret-key": (
        {"DJANGO_SECRET_KEY": "changeme"},
        "DJANGO_SECRET_KEY is too short or too plain to keep sessions safe",
    ),
    "mail-url": ({"EMAIL_URL": "bogus://x"}, "EMAIL_URL (bogus://x…) is not a mail URL"),
    "sentry-dsn": ({"SENTRY_DSN": "not-a-dsn"}, "SENTRY_DSN is not a Sentry DSN"),
    "debug-word": ({"DJANGO_DEBUG": "ture"}, "DJANGO_DEBUG is 'ture': set it to 1"),
    "database-url": ({"DATABASE_URL": "garbage"}, "DATABASE_URL is not a PostgreSQL URL"),
    "database-without-name": ({"DATABASE_URL": "postgres://"}, "DATABASE_URL names no database"),
    "mail-host": (
        {"EMAIL_URL": "smtps://u:p@[::1:587"},
        "EMAIL_URL has a host or port this project cannot read",
    ),
    "hosts-as-a-url": (
        {"DJANGO_ALLOWED_HOSTS": "https://example.com/"},
        "DJANGO_ALLOWED_HOSTS has 'https://example.com/': write host names alone",
    ),
    "origin-without-scheme": (
        {"DJANGO_CSRF_TRUSTED_ORIGINS": "www.example.com"},
        "DJANGO_CSRF_TRUSTED_ORIGINS has 'www.example.com': write each origin as a scheme",
    ),
    "origin-without-host": (
        {"DJANGO_CSRF_TRUSTED_ORIGINS": "https://"},
        "DJANGO_CSRF_TRUSTED_ORIGINS has 'https://': write each origin as a scheme and a host",
    ),
    "log-level": ({"DJANGO_LOG_LEVEL": "loud"}, "DJANGO_LOG_LEVEL is 'loud': set it to"),
    "mail-key-missing": ({"EMAIL_URL": "postmark://@"}, "EMAIL_URL (postmark://…) has no key"),
    "admins-not-addresses": (
        {"DJANGO_ADMINS": "ops@example.com,ops"},
        "DJANGO_ADMINS has 'ops': write e-mail addresses",
    ),
}
# Where the project uses Redis (tests below): another scheme, a bad port, no host.
BAD_REDIS_URLS = ["http://nope", "redis://127.0.0.1:port/0", "redis://:password@/0"]
STATIC_FILES_MISSING = "The static files are not collected: run `python manage.py collectstatic"


def unreachable_databases() -> dict[str, tuple[str, str]]:
    """name -> (DATABASE_URL, what the sentence must say of it)."""
    admin = machine.POSTGRES_ADMIN_URL.rpartition("/")[0]
    nothing_listens = f"postgres://postgres@127.0.0.1:{machine.free_port()}/app"
    return {
        "no-such-database": (
            f"{admin}/ccdp_no_such_database",
            'database "ccdp_no_such_database" does not exist; create that database',
        ),
        "nothing-listens": (nothing_listens, "Connection refused; check its host and port"),
    }


def with_setting(env: dict[str, str], variables: dict[str, str | None]) -> dict[str, str]:
    changed = {**env, **{k: v for k, v in variables.items() if v is not None}}
    for name in [k for k, v in variables.items() if v is None]:
        changed.pop(name, None)
    return changed


def assert_said_once(output: str, sentence: str) -> None:
    """The sentence on a line of its own (or after Django's check ID), once, and no
    traceback anywhere."""
    assert "Traceback" not in output, output
    saying = [line for line in output.splitlines() if sentence in line]
    assert len(saying) == 1, output
    assert saying[0].rstrip().endswith("."), output


def refusal_of(command: str, project, env, log) -> tuple[int, str]:
    server = Server(command, project, env, log)
    return server.refusal(timeout=60), server.output


@pytest.mark.parametrize("case", BAD_SETTINGS)
def test_the_web_command_refuses_a_bad_setting_in_one_sentence(
    case, deployed_project, production_env, tmp_path
):
    variables, sentence = BAD_SETTINGS[case]
    env = with_setting(production_env, variables) | {"PORT": str(machine.free_port())}
    web = platform_env.commands(deployed_project)["web"]

    returncode, output = refusal_of(web, deployed_project, env, tmp_path / "web.log")

    assert returncode != 0
    assert_said_once(output, sentence)


def test_the_web_command_refuses_to_serve_without_collected_static_files(
    runtime_project, production_env, tmp_path
):
    # The generated tree, where collectstatic never ran; DEBUG off, as in production.
    env = production_env | {"PORT": str(machine.free_port()), "DJANGO_DEBUG": "0"}
    web = platform_env.commands(runtime_project)["web"]

    returncode, output = refusal_of(web, runtime_project, env, tmp_path / "web.log")

    assert returncode != 0
    assert_said_once(output, STATIC_FILES_MISSING)
    assert "Warning: " not in output, output  # WhiteNoise's, of no static directory


def one_group_per_settings_module(answers: dict) -> bool:
    """The commands that are not the web command read the settings alone, which
    uvicorn's groups render as daphne's do: one group per interface and platform."""
    return answers["interface"] == "wsgi" or answers["asgi_server"] == "daphne"


@pytest.mark.only(one_group_per_server, one_group_per_settings_module)
@pytest.mark.parametrize("case", BAD_SETTINGS)
def test_the_release_step_refuses_a_bad_setting_in_one_sentence(
    case, deployed_project, production_env, run
):
    variables, sentence = BAD_SETTINGS[case]
    release = platform_env.commands(deployed_project)["release"]

    result = run(["bash", "-c", release], deployed_project, with_setting(production_env, variables))

    assert result.returncode != 0
    assert_said_once(result.stdout + result.stderr, sentence)


# manage.py and the worker start alike under every server: one group per platform.
ONE_PER_PLATFORM = {"interface": "asgi", "asgi_server": "daphne"}


@pytest.mark.only(one_group_per_server, **ONE_PER_PLATFORM)
@pytest.mark.parametrize("case", BAD_SETTINGS)
def test_manage_py_check_refuses_a_bad_setting_in_one_sentence(
    case, deployed_project, production_env, run
):
    variables, sentence = BAD_SETTINGS[case]
    env = with_setting(production_env, variables)

    result = run(["python", "manage.py", "check"], deployed_project, env)

    assert result.returncode != 0
    assert_said_once(result.stdout + result.stderr, sentence)


# Celery's worker under daphne on each platform, and Django's tasks' worker.
@pytest.mark.only(
    groups={
        "heroku-asgi-daphne-redis-dj6.1-celery-s3",
        "digitalocean-asgi-daphne-redis-dj6.1-celery-s3",
        "heroku-wsgi-dj5.2-django-tasks",
    }
)
@pytest.mark.parametrize("case", BAD_SETTINGS)
def test_the_worker_refuses_a_bad_setting_in_one_sentence(
    case, deployed_project, production_env, tmp_path
):
    variables, sentence = BAD_SETTINGS[case]
    worker = platform_env.commands(deployed_project)["worker"]
    env = with_setting(production_env, variables)

    returncode, output = refusal_of(worker, deployed_project, env, tmp_path / "worker.log")

    assert returncode != 0
    assert_said_once(output, sentence)


@pytest.mark.only(one_group_per_server, one_group_per_settings_module)
@pytest.mark.parametrize("case", ["no-such-database", "nothing-listens"])
def test_the_release_step_names_why_the_database_cannot_be_reached(
    case, deployed_project, production_env, run
):
    url, cause = unreachable_databases()[case]
    release = platform_env.commands(deployed_project)["release"]

    result = run(["bash", "-c", release], deployed_project, production_env | {"DATABASE_URL": url})

    assert result.returncode != 0
    assert_said_once(result.stdout + result.stderr, cause)
    assert "(DATABASE_URL) cannot be reached: " in result.stderr
    # At its first try, not after a pool's retries and timeout: only a web process
    # pools its connections (psycopg_pool logs "error connecting in 'pool-1'").
    assert "error connecting in" not in result.stdout + result.stderr


@pytest.mark.parametrize("case", ["no-such-database", "nothing-listens"])
def test_the_readiness_probe_logs_why_the_database_cannot_be_reached(case, start_web, web_servers):
    url, cause = unreachable_databases()[case]
    port = start_web(DATABASE_URL=url)

    assert request(port, "/readyz").status == 503
    assert web_servers[port].wait_for_output(cause, timeout=10), web_servers[port].output
    assert_said_once(web_servers[port].output, cause)


@pytest.mark.only(one_group_per_server, uses_redis)
@pytest.mark.parametrize("url", BAD_REDIS_URLS)
def test_every_command_refuses_a_redis_url_that_is_not_one(
    url, deployed_project, production_env, runtime_answers, run, tmp_path
):
    """The web command, the release step, `manage.py check` and the worker."""
    sentence = "REDIS_URL is not a Redis URL"
    env = with_setting(production_env, {"REDIS_URL": url})
    commands = platform_env.commands(deployed_project)
    web_env = env | {"PORT": str(machine.free_port())}
    outputs = [refusal_of(commands["web"], deployed_project, web_env, tmp_path / "web.log")]
    for command in (["bash", "-c", commands["release"]], ["python", "manage.py", "check"]):
        result = run(command, deployed_project, env)
        outputs.append((result.returncode, result.stdout + result.stderr))
    if "worker" in commands:
        log = tmp_path / "worker.log"
        outputs.append(refusal_of(commands["worker"], deployed_project, env, log))

    for returncode, output in outputs:
        assert returncode != 0
        assert_said_once(output, sentence)


@pytest.mark.only(one_group_per_server, served_by_gunicorn)
@pytest.mark.parametrize("processes", ["0", "two"])
def test_gunicorns_worker_count_is_refused_in_one_sentence(
    processes, deployed_project, production_env, run, tmp_path
):
    """gunicorn starts a master with no worker at 0 and reads WEB_CONCURRENCY before
    any of the project's code: the settings refuse both where `check` and `migrate`
    see them, and at 0 the web command too."""
    sentence = f"WEB_CONCURRENCY is {processes!r}: set it to a whole number of processes"
    env = production_env | {"WEB_CONCURRENCY": processes}
    commands = platform_env.commands(deployed_project)
    outputs = []
    for command in (["bash", "-c", commands["release"]], ["python", "manage.py", "check"]):
        result = run(command, deployed_project, env)
        outputs.append((result.returncode, result.stdout + result.stderr))
    if processes == "0":
        web_env = env | {"PORT": str(machine.free_port())}
        outputs.append(refusal_of(commands["web"], deployed_project, web_env, tmp_path / "web.log"))

    for returncode, output in outputs:
        assert returncode != 0
        assert_said_once(output, sentence)

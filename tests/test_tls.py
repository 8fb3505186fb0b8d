"""TLS tier: the platforms' managed PostgreSQL and Redis speak TLS, and so do these.

The suite starts its own TLS-only PostgreSQL and two TLS Redis servers (tls.py), then
runs a project the way its platform does:
- Heroku: DYNO is set (which makes the settings require TLS to PostgreSQL, whose URL
  says nothing of it) and REDIS_URL is rediss:// to a self-signed certificate, which
  Heroku's Key-Value Store has and which must not be verified.
- DigitalOcean: DATABASE_URL carries ?sslmode=require, and REDIS_URL is rediss:// to
  a certificate signed by a CA the process trusts (SSL_CERT_FILE), as App Platform's
  Valkey has a publicly trusted one; a certificate it cannot verify must be refused.
Over those connections the release step migrates, /readyz reports the database and
the channel layer ready, a WebSocket ping makes the round trip through the layer,
and a user logs in. A password the database refuses stops the release step with one
sentence that names the cause and not the password.
"""

import json

import pytest

from tests.support import platform_env, tls
from tests.support.combinations import redis_layer, runtime_key, short_hash
from tests.support.platform_env import PROBE_HEADERS
from tests.support.servers import request
from tests.support.visitors import Visitor, open_websocket

PASSWORD = "tls-password-that-is-not-secret"


@pytest.fixture(scope="session")
def tls_postgres(certificates):
    server = tls.TlsPostgres(certificates.self_signed, certificates.self_signed_key)
    yield server
    server.remove()


@pytest.fixture(scope="session")
def self_signed_redis(certificates, tmp_path_factory):
    """Heroku's Key-Value Store: a certificate nobody can verify."""
    server = tls.TlsRedis(
        certificates.self_signed, certificates.self_signed_key, tmp_path_factory.mktemp("redis")
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def verifiable_redis(certificates, tmp_path_factory):
    """App Platform's Valkey: a certificate from a CA the process trusts."""
    server = tls.TlsRedis(
        certificates.signed, certificates.signed_key, tmp_path_factory.mktemp("redis")
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tls_environment(
    runtime_answers, tls_postgres, self_signed_redis, verifiable_redis, certificates
) -> dict[str, str]:
    """What the platform's managed services give the web process."""
    database = f"ccdp_tls_{short_hash(runtime_key(runtime_answers))}"
    tls_postgres.create_database(database)
    if runtime_answers["platform"] == "heroku":
        return {
            "DATABASE_URL": tls_postgres.url(database),
            "DYNO": "web.1",
            "REDIS_URL": self_signed_redis.url(),
        }
    return {
        "DATABASE_URL": tls_postgres.url(database, sslmode="require"),
        "REDIS_URL": verifiable_redis.url(),
        "SSL_CERT_FILE": str(certificates.ca),
    }


@pytest.fixture(scope="module")
def released_over_tls(release, tls_environment):
    release(**tls_environment)


@pytest.mark.only(redis_layer, django_version="6.1")
def test_project_runs_on_the_platforms_tls_services(
    released_over_tls, tls_environment, start_web, create_users
):
    port = start_web(**tls_environment)
    ready = request(port, "/readyz", PROBE_HEADERS)
    assert (ready.status, json.loads(ready.body)) == (
        200,
        {"database": "ok", "channel_layer": "ok"},
    )

    with open_websocket(port, "/ws/ping/") as websocket:
        websocket.send(json.dumps({"ping": "over TLS"}))
        assert json.loads(websocket.recv(timeout=10)) == {"pong": "over TLS"}

    create_users(["tls-user"], PASSWORD, **tls_environment)
    visitor = Visitor(port)
    visitor.log_in("tls-user", PASSWORD)
    status, home = visitor.get("/")
    assert status == 200 and "Signed in as <strong>tls-user</strong>" in home


@pytest.mark.only(redis_layer, platform="digitalocean", django_version="6.1")
def test_digitalocean_refuses_a_redis_it_cannot_verify(
    released_over_tls, tls_environment, start_web, web_servers, self_signed_redis
):
    port = start_web(**{**tls_environment, "REDIS_URL": self_signed_redis.url()})
    ready = request(port, "/readyz", PROBE_HEADERS)

    assert ready.status == 503
    assert json.loads(ready.body)["channel_layer"] == "unavailable"
    logged = web_servers[port].output
    assert "/readyz: the channel_layer check fails: " in logged
    assert "certificate verify failed" in logged


@pytest.fixture(scope="session")
def password_role(tls_postgres) -> str:
    """A role that logs in with a password, as the platforms' database users do."""
    tls_postgres.create_password_role("the-right-password")
    return tls_postgres.PASSWORD_ROLE


@pytest.mark.only(redis_layer, django_version="6.1")
def test_a_refused_password_is_named_and_not_shown(
    tls_environment, password_role, deployed_project, production_env, run
):
    wrong = "a-wrong-password-7f3e"
    url = tls_environment["DATABASE_URL"].replace("//postgres@", f"//{password_role}:{wrong}@")
    env = {**production_env, **tls_environment, "DATABASE_URL": url}
    release = platform_env.commands(deployed_project)["release"]

    result = run(["bash", "-c", release], cwd=deployed_project, env=env)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output and wrong not in output, output
    said = [line for line in result.stderr.splitlines() if "(DATABASE_URL) cannot be" in line]
    assert len(said) == 1, output
    assert f'password authentication failed for user "{password_role}"' in said[0]
    assert "copy DATABASE_URL again from the platform" in said[0]

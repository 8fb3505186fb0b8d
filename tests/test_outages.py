"""Outages: what a running project does when its Redis is gone or stops answering.

The web command runs as on the platform, but REDIS_URL points at a port where
nothing listens (Redis stopped) or at a stand-in that accepts connections and never
answers (a hung or blackholed Redis, the worse case: nothing fails, everything
waits). Pages must keep answering and a login must still succeed, promptly: the
login feed's broadcast runs inside the login's request.
"""

import socket
import threading
import time

import pytest

import machine
import platform_env
from combinations import uses_redis
from servers import Server
from visitors import Visitor

PASSWORD = "outage-password-that-is-not-secret"
# The broadcast gives up after 1 s (live/events.py); the rest is the login itself.
LOGIN_DEADLINE = 2.0


class Blackhole:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers
    (the kernel buffers what it is sent), until stopped."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                self.connections.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.listener.close()


@pytest.fixture(scope="module")
def blackhole():
    server = Blackhole()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def web_with_redis(released, deployed_project, production_env, tmp_path_factory):
    """web_with_redis(url) -> (port, Server) of the web command with REDIS_URL=url."""
    servers: list[Server] = []

    def web_with_redis(redis_url: str) -> tuple[int, Server]:
        port = machine.free_port()
        env = {**production_env, "REDIS_URL": redis_url, "PORT": str(port)}
        web = platform_env.commands(deployed_project)["web"]
        log = tmp_path_factory.mktemp("outage") / f"{port}.log"
        server = Server(web, deployed_project, env, log)
        servers.append(server)
        server.wait_until_answering(port)
        return port, server

    yield web_with_redis
    for server in servers:
        server.stop()


def nothing_listens() -> str:
    return f"redis://127.0.0.1:{machine.free_port()}/0"


@pytest.mark.only(uses_redis, platform="heroku", django_version="6.1")
@pytest.mark.parametrize("redis", ["stopped", "blackholed"])
def test_pages_and_logins_go_on_without_redis(redis, web_with_redis, blackhole, create_users):
    redis_url = nothing_listens() if redis == "stopped" else f"redis://127.0.0.1:{blackhole.port}/0"
    port, server = web_with_redis(redis_url)
    name = f"outage-{redis}"
    create_users([name], PASSWORD)
    visitor = Visitor(port)

    for path in ("/", "/accounts/login/", "/live/"):
        status, _ = visitor.get(path)
        assert status == 200, path
    started = time.monotonic()
    visitor.log_in(name, PASSWORD)
    took = time.monotonic() - started

    assert took < LOGIN_DEADLINE, f"the login took {took:.1f} s with Redis {redis}"
    status, home = visitor.get("/")
    assert status == 200 and f"Signed in as <strong>{name}</strong>" in home
    # One warning line for the lost broadcast, and no traceback.
    assert f"WARNING live.events: Could not broadcast the login of {name}" in server.output
    assert "Traceback" not in server.output

"""Restarts: the platform stops a process with SIGTERM, then SIGKILL 30 s later
(Heroku restarts every dyno at least daily; both platforms replace processes on
each deploy). Under load, every server choice must stop accepting, finish the
requests in flight, send every WebSocket a close frame (1001 going away or 1012
service restart, so that browsers reconnect instead of seeing a dropped connection)
and exit well inside the 30 s.

A request in flight needs a view that takes time: the test adds one (a module on
PYTHONPATH with its own URLconf around the project's), as a project's own slow
view would be; the project itself is unchanged.
"""

import http.client
import os
import signal
import threading
import time
from collections import Counter
from contextlib import ExitStack

import pytest
from websockets.sync.client import ClientConnection

from tests.support.platform_env import HOST
from tests.support.visitors import open_websocket

SLOW_SECONDS = 3
# Well inside the platform's 30 s, and enough for the slow requests to finish.
EXIT_DEADLINE = 10
SOCKETS = 20
LOAD_THREADS = 4
SLOW_REQUESTS = 3

SLOW_VIEW = f"""
import time

from django.http import HttpResponse
from django.urls import include, path


def slow(request):
    time.sleep({SLOW_SECONDS})
    return HttpResponse("finished")


urlpatterns = [path("slow/", slow), path("", include("config.urls"))]
"""
SLOW_SETTINGS = """
from config.settings import *  # noqa: F403

ROOT_URLCONF = "restart_urls"
"""


@pytest.fixture(scope="module")
def slow_view_path(tmp_path_factory):
    directory = tmp_path_factory.mktemp("restart-modules")
    (directory / "restart_urls.py").write_text(SLOW_VIEW)
    (directory / "restart_settings.py").write_text(SLOW_SETTINGS)
    return directory


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Load:
    """Threads requesting `/` back to back until stopped. A request either gets a
    whole response (its status is counted) or no response at all (refused, or
    closed before a byte came back: counted as `not served`); anything else, such
    as a response cut short, is an error."""

    def __init__(self, port: int):
        self.port = port
        self.outcomes: Counter = Counter()
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, daemon=True) for _ in range(LOAD_THREADS)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                status, _ = get(self.port, "/", timeout=10)
                self.outcomes[status] += 1
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                self.outcomes["not served"] += 1
                time.sleep(0.05)
            except Exception as error:  # noqa: BLE001 - any other failure is the finding
                self.errors.append(repr(error))

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)


def close_code(websocket: ClientConnection, timeout: float) -> int | None:
    """The code of the close frame the server sends, or None if it sent none
    (websockets reports a dropped connection as 1006)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            websocket.recv(timeout=deadline - time.monotonic())
        except TimeoutError:
            break
        except Exception:  # noqa: BLE001 - ConnectionClosed, with or without a frame
            break
    received = websocket.protocol.close_rcvd
    return received.code if received else None


@pytest.mark.only(platform="heroku", django_version="6.1", channel_layer="redis")
def test_sigterm_under_load_finishes_requests_and_closes_websockets(
    runtime_answers, start_web, web_servers, slow_view_path
):
    port = start_web(PYTHONPATH=str(slow_view_path), DJANGO_SETTINGS_MODULE="restart_settings")
    server = web_servers[port]
    asgi = runtime_answers["interface"] == "asgi"
    routes = ["/ws/ping/"] * SOCKETS + ["/ws/live/"] if asgi else []
    slow_results: list = []
    slow_threads = [
        threading.Thread(target=lambda: slow_results.append(get(port, "/slow/")), daemon=True)
        for _ in range(SLOW_REQUESTS)
    ]
    load = Load(port)
    try:
        with ExitStack() as open_sockets:
            sockets = [open_sockets.enter_context(open_websocket(port, route)) for route in routes]
            for thread in slow_threads:
                thread.start()
            time.sleep(1)  # the slow requests are now inside the view, the load is running
            served_before = sum(
                n for outcome, n in load.outcomes.items() if outcome != "not served"
            )

            stopped_at = time.monotonic()
            os.kill(server.process.pid, signal.SIGTERM)
            codes = [close_code(websocket, timeout=5) for websocket in sockets]
            exit_code = server.wait_for_exit(EXIT_DEADLINE)
            took = time.monotonic() - stopped_at
    finally:
        load.stop()
        for thread in slow_threads:
            thread.join(timeout=15)

    assert slow_results == [(200, b"finished")] * SLOW_REQUESTS
    assert served_before > 0 and load.errors == [], load.errors
    assert set(load.outcomes) <= {200, "not served"}, load.outcomes
    # Stopped accepting: nothing answers on the port any more.
    with pytest.raises(ConnectionRefusedError):
        get(port, "/healthz", timeout=2)
    assert all(code in (1001, 1012) for code in codes), Counter(codes)
    assert took < EXIT_DEADLINE
    assert exit_code == 0, exit_code
    output = server.output
    assert "Traceback" not in output and "ERROR" not in output, output[-3000:]

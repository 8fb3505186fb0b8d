"""The web command's gunicorn, whose uvicorn workers serve config/wsgi.py's Django
through the WSGI bridge: they replace gunicorn's `Worker.load_wsgi`, no part of its
API, and a release that changes it fails here."""

import os
import socket
import subprocess
import sys
import time

START_SECONDS = 60  # a loaded CI runner may take this long to import it all


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_command_serves_django_through_the_bridge():
    port = free_port()
    env = {**os.environ, "DJANGO_DEBUG": "1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    server = subprocess.Popen([*command, "config.wsgi:application"], env=env)
    answer = b""
    try:
        deadline = time.monotonic() + START_SECONDS
        while not answer and server.poll() is None and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
                    answer = b"".join(iter(lambda: sock.recv(4096), b""))
            except OSError:
                pass
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert answer.startswith(b"HTTP/1.1 200 ") and b"\r\nok\r\n" in answer

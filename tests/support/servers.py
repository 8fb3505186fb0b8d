"""Start a generated project's real web command on 127.0.0.1, and stop it by its pid."""

import http.client
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 60
STOP_TIMEOUT = 15


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def request(
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: str | None = None,
) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        raw = conn.getresponse()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
    finally:
        conn.close()


class Server:
    """A process group running `command` through bash, as Heroku runs a Procfile."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str], log: Path):
        self.command, self.log = command, log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_answering(self, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"`{self.command}` exited with {self.process.returncode}:\n{self.output}"
                )
            try:
                if request(port, "/healthz").status == 200:
                    self.answered_at = time.monotonic()
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(
            f"`{self.command}` did not answer within {START_TIMEOUT}s:\n{self.output}"
        )

    def wait_for_output(self, text: str, timeout: float) -> bool:
        """Whether `text` appears in the output within `timeout` seconds (False at once
        if the process exits first)."""
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None or time.monotonic() >= deadline:
                return text in self.output
            time.sleep(0.2)
        return True

    def wait_until_taking_tasks(self, timeout: float = 60) -> None:
        """For a worker command: wait for the line it logs once it takes tasks
        (Celery's, or django-tasks-db's worker's)."""
        ready = "ready." if "celery" in self.command.split() else "Starting worker"
        assert self.wait_for_output(ready, timeout), f"`{self.command}`:\n{self.output[-3000:]}"

    def wait_for_exit(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def refusal(self, timeout: float = 60) -> int:
        """The exit code of a process that must stop by itself, as a refusal at start
        does; stopped, and TimeoutExpired raised, if it is still running after
        `timeout` seconds."""
        try:
            return self.wait_for_exit(timeout)
        finally:
            self.stop()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

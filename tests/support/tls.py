"""Throwaway TLS servers on 127.0.0.1, as the platforms' managed services are.

- Heroku Postgres accepts only TLS; Heroku Key-Value Store speaks TLS with a
  self-signed certificate (rediss://), which clients must not verify.
- DigitalOcean's managed databases speak TLS with certificates that verify: here a
  test CA signs them, and the web process trusts that CA through SSL_CERT_FILE, as
  it trusts a public CA on the platform.
Each server is started on a free port and stopped by its pid.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from tests.support import machine

START_TIMEOUT = 30


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    return found[-1] if found else None


def has(tool: str) -> bool:
    if tool in ("initdb", "pg_ctl"):
        return (postgres_bin() or Path("/nonexistent")).joinpath(tool).exists()
    return shutil.which(tool) is not None


def openssl(*arguments: str) -> None:
    subprocess.run(["openssl", *arguments], check=True, capture_output=True)


def self_signed_certificate(directory: Path, name: str = "cert") -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, signed by itself: what nobody can verify."""
    certificate, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate))  # fmt: skip
    return certificate, key


class Certificates:
    """A test CA, a certificate it signs for 127.0.0.1, and a self-signed one."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.ca, ca_key = directory / "ca.pem", directory / "ca-key.pem"
        # The extensions Python 3.13's strict verification asks of a CA and a server.
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=ccdp test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-keyout", str(ca_key), "-out", str(self.ca))  # fmt: skip
        self.signed, self.signed_key = directory / "signed.pem", directory / "signed-key.pem"
        request = directory / "signed.csr"
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", str(self.signed_key), "-out", str(request))  # fmt: skip
        extensions = directory / "san.ext"
        extensions.write_text(
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
        )
        openssl("x509", "-req", "-in", str(request), "-CA", str(self.ca), "-CAkey", str(ca_key),
                "-CAcreateserial", "-days", "1", "-extfile", str(extensions),
                "-out", str(self.signed))  # fmt: skip
        self.self_signed, self.self_signed_key = self_signed_certificate(directory, "self")


class TlsRedis:
    """redis-server answering only TLS (rediss://) on a free loopback port; it can be
    stopped and started again on the same port, as a managed Redis restarts.
    `options`: more of redis-server's, such as ["--maxclients", "20"]."""

    def __init__(self, certificate: Path, key: Path, directory: Path, options=()):
        self.port = machine.free_port()
        self.log = directory / f"redis-{self.port}.log"
        self.command = [
            "redis-server", "--port", "0", "--tls-port", str(self.port), "--bind", "127.0.0.1",
            "--tls-cert-file", str(certificate), "--tls-key-file", str(key),
            "--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", str(directory),
            *options,
        ]  # fmt: skip
        self.start()

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, self.log)

    def url(self, db: int = 0) -> str:
        return f"rediss://127.0.0.1:{self.port}/{db}"

    def cli(self, *words: str) -> str:
        answer = subprocess.run(
            ["redis-cli", "--tls", "--insecure", "-p", str(self.port), *words],
            capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
        return answer.stdout

    def clients(self) -> int:
        """How many clients are connected now, not counting the one that asks."""
        info = dict(
            line.split(":", 1) for line in self.cli("INFO", "clients").splitlines() if ":" in line
        )
        return int(info["connected_clients"]) - 1

    def subscribed_channels(self, pattern: str) -> list[str]:
        """The Pub/Sub channels matching `pattern` that at least one client listens to."""
        answer = subprocess.run(
            ["redis-cli", "--tls", "--insecure", "-p", str(self.port),
             "PUBSUB", "CHANNELS", pattern],
            capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
        return answer.stdout.split()

    def stop(self) -> None:
        stop(self.process)

    def hang(self) -> None:
        """Stop answering while connections stay open and new ones are accepted (by
        the kernel): a hung Redis, or one cut off by the network."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class TlsPostgres:
    """A PostgreSQL cluster of its own that accepts TLS connections only (pg_hba
    hostssl), with a self-signed certificate, on a free loopback port. Its role
    PASSWORD_ROLE logs in with a password (SCRAM), as the platforms' roles do."""

    PASSWORD_ROLE = "ccdp_with_password"

    def __init__(self, certificate: Path, key: Path):
        self.port = machine.free_port()
        bin_dir = postgres_bin()
        # initdb refuses to run as root: as root, the cluster belongs to postgres.
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.directory = Path(tempfile.mkdtemp(prefix="ccdp-tls-pg-"))
        data = self.directory / "data"
        shutil.copy(certificate, self.directory / "server.crt")
        shutil.copy(key, self.directory / "server.key")
        (self.directory / "server.key").chmod(0o600)
        if as_owner:
            shutil.chown(self.directory, "postgres")
            for path in self.directory.iterdir():
                shutil.chown(path, "postgres")
            self.directory.chmod(0o755)
        run = [*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        subprocess.run(run, check=True, capture_output=True)
        (data / "pg_hba.conf").write_text(
            "local all all trust\n"
            f"hostssl all {self.PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            "hostssl all all 127.0.0.1/32 trust\n"
        )
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c ssl=on"
            f" -c ssl_cert_file={self.directory / 'server.crt'}"
            f" -c ssl_key_file={self.directory / 'server.key'}"
        )
        self.data = data
        self.pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
        self.start_command = [
            *self.pg_ctl, "-l", str(self.directory / "log"), "-o", options, "-w", "start"
        ]  # fmt: skip
        self.start()

    def start(self) -> None:
        subprocess.run(self.start_command, check=True, capture_output=True, timeout=START_TIMEOUT)
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def url(self, database: str = "postgres", **query: str) -> str:
        suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}{suffix}"

    def create_password_role(self, password: str) -> None:
        with psycopg.connect(self.url(sslmode="require"), autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(self.PASSWORD_ROLE), sql.Literal(password)
                )
            )

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url(sslmode="require"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def stop(self) -> None:
        """Stop the server, keeping its data: start() brings it back."""
        try:
            stop = [*self.pg_ctl, "-m", "fast", "-w", "stop"]
            stopped = subprocess.run(stop, capture_output=True, timeout=30).returncode == 0
        except subprocess.TimeoutExpired:
            stopped = False
        if not stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {START_TIMEOUT} s: {log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

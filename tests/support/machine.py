"""What the suite needs from this machine: PostgreSQL, Redis, free ports and processes.

Locally a missing service skips the tests that need it, with the command that
would start it; under CI=true it fails them instead, so a green CI run always
means every tier really ran.
"""

import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("TEST_REDIS_PORT", "6379"))


def unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def postgres_answers() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def redis_command(*words: str, db: int = 0) -> bytes:
    """Send one Redis command over a plain socket and return the raw reply."""

    def encode(*parts: str) -> bytes:
        return b"".join(
            [f"*{len(parts)}\r\n".encode()]
            + [f"${len(p.encode())}\r\n{p}\r\n".encode() for p in parts]
        )

    with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=3) as conn:
        conn.sendall(encode("SELECT", str(db)) + encode(*words))
        reply = b""
        while reply.count(b"\r\n") < 2:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.split(b"\r\n", 1)[1]


# The Redis databases of each xdist worker (a default server has 16): one for its runtime
# groups' web processes, one for a module's own task queue (modules run one at a time on
# a worker). Database 0 and 15 are left to whatever else shares the server.
REDIS_DATABASES = {"groups": 1, "tasks": 8}
MAX_WORKERS = 7


def redis_database(purpose: str, worker_id: str) -> int:
    """The database number of `purpose` for this xdist worker ("master" without xdist)."""
    index = int(worker_id[2:]) if worker_id.startswith("gw") else 0
    if index >= MAX_WORKERS:
        raise RuntimeError(f"the suite gives Redis databases to {MAX_WORKERS} workers at most")
    return REDIS_DATABASES[purpose] + index


def redis_answers() -> bool:
    try:
        return redis_command("PING").startswith(b"+PONG")
    except OSError:
        return False


def create_database(name: str) -> str:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP DATABASE IF EXISTS "test_{name}" WITH (FORCE)')


def database_connections(name: str) -> int:
    """How many connections database `name` has open now."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        return conn.execute(query, [name]).fetchone()[0]


def sessions_opened(name: str) -> int:
    """How many sessions database `name` has had since PostgreSQL started (a
    session's count reaches the statistics when it ends, or within seconds)."""
    query = "SELECT sessions FROM pg_stat_database WHERE datname = %s"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        return conn.execute(query, [name]).fetchone()[0]


# The tables a worker takes tasks from in the database: Celery's outbox (tasks the web
# processes kept while the broker was away, serving/tasks/outbox.py) and Django's tasks'.
TASK_TABLES = ("serving_queuedtask", "django_tasks_database_dbtaskresult")


def empty_outbox(database_url: str) -> None:
    """Delete the tasks waiting in a project's database, which any worker started on
    it runs: a module that starts a worker starts it with none of another module's."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        for table in TASK_TABLES:
            if conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0]:
                conn.execute(f"DELETE FROM {table}")


def empty_task_queue(redis_url: str, worker_id: str, database_url: str) -> str:
    """The URL of this xdist worker's task-queue database on `redis_url`'s server, emptied,
    and the project's outbox in `database_url` emptied too: a worker that a module starts
    then runs none of another module's tasks."""
    db = redis_database("tasks", worker_id)
    redis_command("FLUSHDB", db=db)
    empty_outbox(database_url)
    return redis_url.rsplit("/", 1)[0] + f"/{db}"


def active_queries(name: str) -> list[str]:
    """The queries running now on database `name`."""
    query = "SELECT query FROM pg_stat_activity WHERE datname = %s AND state = 'active'"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        return [row[0] for row in conn.execute(query, [name])]


# The ports free_port() hands out: below the kernel's ephemeral range (32768-60999 on
# Linux), where no outgoing connection takes one, in a block per xdist worker, so that
# two workers never hand out the same port. (A port the kernel picked for a bind to
# port 0 could be picked again for another worker before the first server bound it:
# that daphne logged "Address already in use" and ran on, while its tests reached the
# other worker's server.)
FIRST_PORT = 12000
PORTS_PER_WORKER = 2000
next_port: int | None = None


def free_port() -> int:
    """A port no server of this run listens on, and none of this worker's will be
    given until its block of PORTS_PER_WORKER has been handed out."""
    global next_port
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    index = int(worker[2:]) if worker.startswith("gw") else MAX_WORKERS
    first = FIRST_PORT + index * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        if next_port is None or not first <= next_port < first + PORTS_PER_WORKER:
            next_port = first
        port, next_port = next_port, next_port + 1
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port from {first} to {first + PORTS_PER_WORKER - 1}")


def parent_of(pid: int) -> int:
    """The pid of a process's parent (/proc/PID/stat: state, ppid, ... after the
    command's parenthesis)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_group(pgid: int) -> list[int]:
    """The pids of every process in a process group (a server and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        # The fields after the command's parenthesis: state, ppid, pgrp, ...
        if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def proc_files(pids: list[int], name: str) -> Iterator[str]:
    """Each of `pids`' /proc/PID/`name`, those that ended meanwhile left out."""
    for pid in pids:
        try:
            yield Path(f"/proc/{pid}/{name}").read_text()
        except OSError:
            continue


def threads(pids: list[int]) -> int:
    """The threads `pids` run together."""
    statuses = proc_files(pids, "status")
    return sum(int(status.split("\nThreads:", 1)[1].split()[0]) for status in statuses)


class Peak:
    """The most that `read()` returned while the block ran, read every 20 ms."""

    def __init__(self, read):
        self.read, self.most, self.stopped = read, 0, threading.Event()

    def __enter__(self):
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()
        return self

    def watch(self) -> None:
        while not self.stopped.wait(0.02):
            self.most = max(self.most, self.read())

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=5)


def resident_bytes(pids: list[int]) -> int:
    """The memory `pids` hold together, those that ended meanwhile left out: the sum of
    their proportional set sizes, which counts a page shared after fork once, as a
    dyno's memory limit does (a sum of VmRSS would count it in every worker)."""
    total = 0
    for rollup in proc_files(pids, "smaps_rollup"):
        if match := re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE):
            total += int(match.group(1)) * 1024
    return total


def serving_processes(pgid: int) -> list[int]:
    """The processes of a server's group that serve requests: those with no child in
    the group (gunicorn's workers, not their master; daphne itself)."""
    group = process_group(pgid)
    parents = {parent_of(pid) for pid in group}
    return [pid for pid in group if pid not in parents]


def holds_connection_to(pid: int, port: int) -> bool:
    """Whether process `pid` holds an established TCP connection to a server on `port`
    (/proc/PID/net/tcp's remote port, state 01, on one of the sockets among its file
    descriptors)."""
    sockets = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            sockets.add(target[len("socket:[") : -1])
    return any(
        port_of(remote) == port and inode in sockets
        for _, remote, inode in established(f"/proc/{pid}/net")
    )


def established(net: str = "/proc/net") -> Iterator[tuple[str, str, str]]:
    """(local address, remote address, socket inode) of each established TCP
    connection (state 01) that the kernel's tables under `net` list, IPv4 and IPv6,
    as the tables write them (hex, "ADDRESS:PORT")."""
    for table in ("tcp", "tcp6"):
        for line in Path(f"{net}/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01":
                yield fields[1], fields[2], fields[9]


def port_of(address: str) -> int:
    """The port of an address as /proc/net/tcp writes it ("0100007F:1F90")."""
    return int(address.rsplit(":", 1)[1], 16)


def connections_to(port: int) -> int:
    """How many TCP connections a server listening on 127.0.0.1:`port` holds open now
    (its end of each: /proc/net/tcp's local port, state 01, ESTABLISHED), whether or
    not the server still answers them. Counted by their addresses: the kernel writes
    the table a page at a time, and while other connections open and close it can list
    one connection several times (2 connections read as 20 under a churn of others)."""
    return len({(local, remote) for local, remote, _ in established() if port_of(local) == port})

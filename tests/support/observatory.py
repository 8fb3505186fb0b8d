"""The MDN HTTP Observatory's own scanner (the engine behind
developer.mozilla.org/observatory), run against a site served on 127.0.0.1.

The npm package is pinned with its whole tree in tests/npm/package-lock.json and
installed with `npm ci --ignore-scripts`: its install scripts download the HSTS
preload list and a CA bundle, which this machine cannot reach. The preload list it
reads is written empty instead (no test host is preloaded), and the scanner trusts
the suite's test CA through NODE_EXTRA_CA_CERTS.

The scanner takes a host name and nothing else, so it asks for http://HOST/ and
https://HOST/ on ports 80 and 443: the router that serves a scan listens there, on
127.0.0.1, which needs root or a sysctl (can_bind_low_ports). One scan at a time
holds those ports, across workers.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

from filelock import FileLock

from tests.support import machine

NPM_DIR = Path(__file__).resolve().parents[1] / "npm"
PACKAGE = Path("node_modules") / "@mdn" / "mdn-http-observatory"
INSTALL_TIMEOUT = 600
SCAN_TIMEOUT = 60
HTTP_PORT, HTTPS_PORT = 80, 443


def install(directory: Path) -> Path:
    """The scanner's package directory, installed once into `directory`."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        machine.unavailable(
            f"the Observatory scanner needs {' and '.join(missing)}: install Node.js."
        )
    package = directory / PACKAGE
    with FileLock(f"{directory}.lock"):
        wanted = (NPM_DIR / "package-lock.json").read_bytes()
        installed = directory / "package-lock.json"
        if not (package.exists() and installed.read_bytes() == wanted):
            directory.mkdir(parents=True, exist_ok=True)
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(NPM_DIR / name, directory / name)
            subprocess.run(
                ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=directory,
                check=True,
                capture_output=True,
                timeout=INSTALL_TIMEOUT,
            )
            (package / "conf" / "hsts-preload.json").write_text("{}\n")
    return package


def ports_lock(directory: Path) -> FileLock:
    """Held while a router listens on 127.0.0.1's ports 80 and 443 for a scan."""
    return FileLock(f"{directory}/ports-{HTTP_PORT}-{HTTPS_PORT}.lock")


def can_bind_low_ports() -> bool:
    """Root, or a kernel that lets anyone bind port 80 (`sysctl -w
    net.ipv4.ip_unprivileged_port_start=80`, as the template's GitHub workflow does)."""
    start = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")
    return os.geteuid() == 0 or (start.exists() and int(start.read_text()) <= HTTP_PORT)


def scan(package: Path, host: str, ca: Path) -> dict:
    """The scanner's JSON for `host`: {"scan": {"score", "grade", ...}, "tests": ...}."""
    result = subprocess.run(
        ["node", str(package / "src" / "scan.js"), host],
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(ca)},
        capture_output=True,
        text=True,
        timeout=SCAN_TIMEOUT,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        output = result.stdout + result.stderr
        raise AssertionError(f"the scanner printed no JSON:\n{output}") from None
    if "error" in report:
        raise AssertionError(f"the scanner failed: {report['error']}")
    return report

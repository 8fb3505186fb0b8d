"""WebSocket load on a server: ping round trips through the channel layer, and the
live feed's login broadcast to many watchers."""

import asyncio
import contextlib
import json
import statistics
import time

from websockets.asyncio.client import connect

CONNECTIONS = 32
PONG_TIMEOUT = 10  # seconds
ORIGIN = "https://127.0.0.1"
HEADERS = {"X-Forwarded-Proto": "https"}


def to_the_site(port: int, route: str) -> dict:
    """connect()'s arguments for a socket that a page of the site opens through the
    router: the site's Origin and Host (127.0.0.1, no port), to the server's port."""
    return {"uri": f"ws://127.0.0.1{route}", "host": "127.0.0.1", "port": port, "origin": ORIGIN}


async def ping_loop(port: int, deadline: float) -> tuple[int, int]:
    """Round trips on one socket until the deadline: {"ping": n} out, {"pong": n}
    back. Returns (round trips, 1 if a pong never came within PONG_TIMEOUT else 0)."""
    trips = 0
    async with connect(
        **to_the_site(port, "/ws/ping/"), additional_headers=HEADERS, open_timeout=10
    ) as socket:
        while time.monotonic() < deadline:
            await socket.send(json.dumps({"ping": trips}))
            try:
                answer = json.loads(await asyncio.wait_for(socket.recv(), PONG_TIMEOUT))
            except TimeoutError:
                return trips, 1
            if answer != {"pong": trips}:
                raise RuntimeError(f"/ws/ping/ answered {answer} to ping {trips}")
            trips += 1
    return trips, 0


def ping_round_trips(port: int, seconds: float) -> dict[str, float]:
    async def run() -> list[tuple[int, int]]:
        deadline = time.monotonic() + seconds
        return await asyncio.gather(*(ping_loop(port, deadline) for _ in range(CONNECTIONS)))

    started = time.monotonic()
    results = asyncio.run(run())
    elapsed = time.monotonic() - started
    return {
        "/ws/ping/ round trips/s": sum(trips for trips, _ in results) / elapsed,
        "/ws/ping/ lost pongs": sum(lost for _, lost in results),
    }


async def watch(port: int, cookie: str, names: set[str], arrivals: dict, ready) -> None:
    headers = {**HEADERS, "Cookie": f"sessionid={cookie}"}
    async with connect(**to_the_site(port, "/ws/live/"), additional_headers=headers) as socket:
        ready()
        seen = set()
        while seen != names:
            event = json.loads(await socket.recv())
            if event.get("event") == "login" and event["username"] in names:
                seen.add(event["username"])
                arrivals.setdefault(event["username"], []).append(time.monotonic())


def broadcast_latency(
    watch_port: int, cookie: str, log_in, names: list[str], watchers: int, timeout: float
) -> dict[str, float]:
    """Logs in each of `names` with `log_in(name)` (another process, over HTTP) while
    `watchers` sockets on `watch_port` watch the live feed. Latency is from the
    login's answer to each watcher's event: the broadcast leaves during the login
    request, so what is left after its answer is the fan-out."""
    arrivals: dict[str, list[float]] = {}
    answered: dict[str, float] = {}

    async def run() -> None:
        connected = asyncio.Semaphore(0)
        tasks = [
            asyncio.create_task(watch(watch_port, cookie, set(names), arrivals, connected.release))
            for _ in range(watchers)
        ]
        for _ in range(watchers):
            await asyncio.wait_for(connected.acquire(), timeout)
        for name in names:
            await asyncio.to_thread(log_in, name)
            answered[name] = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout)

    with contextlib.suppress(TimeoutError):  # what did not come is counted below
        asyncio.run(run())
    latencies = [
        max(0.0, arrival - answered[name]) * 1000
        for name, times in arrivals.items()
        if name in answered
        for arrival in times
    ]
    expected = len(names) * watchers
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "broadcast delivered %": 100 * len(latencies) / expected,
        "broadcast p50 ms": statistics.median(latencies) if latencies else float("nan"),
        "broadcast p99 ms": quantiles[98],
    }

"""What the web benchmarks share: a `planner serve` on the loopback address, clients, percentiles, tables.

`web_latency.py` and `web_load.py` both start a server on 127.0.0.1 and a free port with a fresh data
folder, talk to it as a browser's script does (the CSRF token from the page's cookie in a header), and
print p50 / p95 / max in Markdown.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    """The `q` quantile (nearest rank) of `values`; NaN when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


@contextmanager
def served(prefix: str, workers: int = 1, stop_s: float = 30) -> Iterator[str]:
    """`planner serve` on 127.0.0.1, a free port and a new data folder; yields its URL once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(prefix=prefix)
    cli = [sys.executable, "-c", "from planner.cli import main; main()"]
    cmd = [*cli, "serve", "--port", str(port), "--data-dir", data, "--workers", str(workers)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(150):
            try:
                httpx.get(url + "/api/examples", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(stop_s)


@contextmanager
def browser_client(url: str, timeout: float = 120) -> Iterator[httpx.Client]:
    """A client as a page's script is: it has the CSRF cookie from a page and sends the token in a header."""
    with httpx.Client(base_url=url, timeout=timeout) as client:
        client.get("/")
        client.headers["X-CSRF-Token"] = client.cookies["planner_csrf"]
        yield client


def latency_table(rows: list[tuple[str, list[float]]], first: str = "what") -> str:
    """A Markdown table: label, n, p50 / p95 / max in ms."""
    lines = [f"| {first} | n | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for label, times in rows:
        lines.append(
            f"| {label} | {len(times)} | {statistics.median(times):.0f} | {pct(times, 0.95):.0f} | {max(times):.0f} |"
        )
    return "\n".join(lines)

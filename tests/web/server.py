"""A real `planner serve` in a subprocess on 127.0.0.1 and a free port, for browser and restart tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`planner serve --data-dir DIR --port N`, stopped by `stop()` (SIGINT) or `kill()` (SIGKILL)."""

    def __init__(self, data_dir: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cli = [sys.executable, "-c", "from planner.cli import main; main()"]
        cmd = [*cli, "serve", "--port", str(self.port), "--data-dir", str(data_dir), "--workers", str(workers)]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        self.first_line = self.proc.stdout.readline() if self.proc.stdout else ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/examples", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"server did not start: {self.first_line}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the server alone (as a crash would); its workers notice and stop themselves."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

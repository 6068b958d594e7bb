"""Live what-ifs in processes of their own, bounded: the server only waits on a pipe.

Each of `processes` what-if processes owns a `Tuner` (warm re-solvers of up to `tune.MAX_CASES`
cases); a case always goes to the same process (its id modulo `processes`), so its model stays
warm. A request waits at most `wait_s` for its process to be free (else `Busy`, HTTP 503 with
Retry-After), and its what-if runs at most `limit_s` (else the process is ended and replaced on the
next request, its warm models lost, and `TooSlow`, HTTP 504). So a what-if neither blocks the
server's own threads with the interpreter lock nor runs unbounded. A process whose server went away
reads the end of its pipe and stops.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any


class Busy(Exception):
    """The case's what-if process stayed busy for longer than the wait allowed."""


class TooSlow(Exception):
    """A what-if ran past its limit; its process was ended."""


def _serve(conn: Connection) -> None:
    """A what-if process: answer (case id, version id, folder, settings) with `Tuner.whatif` until the pipe ends."""
    from planner.web.tune import Tuner

    tuner = Tuner()
    while True:
        try:
            case_id, version_id, folder, settings = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", tuner.whatif(case_id, version_id, Path(folder), settings))
        except Exception as err:  # sent back and raised in the server, which logs it as any route error
            answer = ("error", f"{type(err).__name__}: {err}")
        conn.send(answer)


class _Process:
    """One what-if process and its pipe, used by one request at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: BaseProcess | None = None
        self.conn: Connection | None = None

    def ready(self) -> Connection:
        if self.proc is None or self.conn is None or not self.proc.is_alive():
            self.stop()
            ours, theirs = multiprocessing.get_context("spawn").Pipe()
            self.proc = multiprocessing.get_context("spawn").Process(
                target=_serve, args=(theirs,), daemon=True, name="planner-whatif"
            )
            self.proc.start()
            theirs.close()
            self.conn = ours
        return self.conn

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        if self.proc is not None and self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(10)
        self.proc = self.conn = None


class WhatIfs:
    """The server's what-if processes (started on first use)."""

    def __init__(self, processes: int = 1, wait_s: float = 30.0, limit_s: float = 60.0) -> None:
        self.slots = [_Process() for _ in range(max(1, processes))]
        self.wait_s = wait_s
        self.limit_s = limit_s

    def whatif(self, case_id: int, version_id: int, folder: Path, settings: dict[str, Any]) -> dict[str, Any]:
        """`Tuner.whatif` in the case's process; `Busy` or `TooSlow` past the bounds."""
        slot = self.slots[case_id % len(self.slots)]
        if not slot.lock.acquire(timeout=self.wait_s):
            raise Busy(f"the live what-if is busy; try again in a few seconds (waited {self.wait_s:.0f} s)")
        try:
            conn = slot.ready()
            conn.send((case_id, version_id, str(folder), settings))
            if not conn.poll(self.limit_s):
                slot.stop()
                raise TooSlow(f"the what-if took longer than {self.limit_s:g} s and was stopped")
            kind, value = conn.recv()
        except (EOFError, OSError, BrokenPipeError) as err:
            slot.stop()
            raise RuntimeError(f"the what-if process ended: {err!r}") from None
        finally:
            slot.lock.release()
        if kind != "ok":
            raise RuntimeError(str(value))
        answer: dict[str, Any] = value
        return answer

    def close(self) -> None:
        """End every what-if process."""
        for slot in self.slots:
            with slot.lock:
                slot.stop()

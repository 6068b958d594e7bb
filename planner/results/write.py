"""Results -> output folder: tidy CSVs, plan.json, manifest.json, written atomically.

Everything goes into a hidden staging folder next to the target; only a complete folder is moved
into place, so a failed or interrupted run never leaves a half-written output folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import PlannerError
from planner.results.extract import Results

TABLE_FILES = {
    "racks_new": "racks_new.csv",
    "racks": "racks.csv",
    "load": "load.csv",
    "unmet": "unmet.csv",
    "energy": "energy.csv",
    "certificates": "certificates.csv",
    "bandwidth": "bandwidth.csv",
    "modules": "modules.csv",
    "duals": "duals.csv",
    "storage": "storage.csv",
}
"""Results field -> file name of its tidy CSV."""


@contextlib.contextmanager
def staging(target: Path, force: bool) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it replaces `target`, on any error it vanishes.

    Ctrl-C and SIGTERM (turned into KeyboardInterrupt by the CLI) land in the `except` below; the
    swap into place runs with those signals blocked. A run killed outright (SIGKILL, power cut)
    leaves only a hidden `.<name>.partial-<pid>-*` folder, which the next run into the same
    parent folder removes.
    """
    target = target.resolve()
    clean_stale(target)
    if target.exists() and not force:
        raise PlannerError(f"output folder {target} already exists; pass --force to replace it or --out to choose another")
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    with _signals_blocked():
        old = target.with_name(f".{target.name}.old")
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        stage.rename(target)
        shutil.rmtree(old, ignore_errors=True)


def clean_stale(target: Path) -> list[Path]:
    """Remove staging folders of runs that died (their process is gone); restore an interrupted swap."""
    removed = []
    parent = target.parent
    if not parent.is_dir():
        return removed
    for leftover in parent.glob(f".{target.name}.partial-*"):
        pid = leftover.name.removeprefix(f".{target.name}.partial-").split("-", 1)[0]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    old = target.with_name(f".{target.name}.old")
    if old.is_dir() and not target.exists():
        old.rename(target)
    elif old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the few renames that swap the finished folder into place."""
    signals = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Pretty, key-ordered, UTF-8 JSON (Chinese text kept readable)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def write_results(folder: Path, results: Results) -> list[str]:
    """One CSV per decision family plus duals; returns the file names written."""
    written = []
    for field, name in TABLE_FILES.items():
        frame: pd.DataFrame = getattr(results, field)
        if field in ("modules", "storage") and frame.empty:
            continue
        frame.to_csv(folder / name, index=False, float_format="%.6f", lineterminator="\n")
        written.append(name)
    return written


def write_frame(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """A derived table (investment, utilisation, energy summary) as CSV."""
    frame.to_csv(folder / name, index=False, float_format="%.6f", lineterminator="\n")


def write_diagnosis(folder: Path, markdown: str, data: dict[str, Any]) -> None:
    """diagnosis.md and diagnosis.json into `folder` (created if needed), each replaced atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("diagnosis.md", markdown), ("diagnosis.json", json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")):
        partial = folder / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(folder / name)

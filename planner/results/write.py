"""Results -> output folder: tidy CSVs, plan.json, manifest.json, written atomically.

Everything goes into a hidden staging folder next to the target; only a complete folder is moved
into place, so a failed or interrupted run never leaves a half-written output folder.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from planner.results import folders
from planner.results.extract import Results
from planner.results.text import markdown_safe

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
    "vintage": "vintage.csv",
}
"""Results field -> file name of its tidy CSV."""


@contextlib.contextmanager
def staging(target: Path, force: bool, protect: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield a fresh staging folder; on success it replaces `target`, on any error it vanishes.

    See `planner.results.folders`: only a folder the planner wrote is replaced, one run at a time.
    Ctrl-C and SIGTERM (turned into KeyboardInterrupt by the CLI) remove the staging folder; a run
    killed outright (SIGKILL, power cut) leaves only a hidden `.<name>.partial-<pid>-*` folder,
    which the next run into the same parent folder removes.
    """
    with folders.staging(target, force, "plan", protect) as stage:
        yield stage


def clean_stale(target: Path) -> list[Path]:
    """Remove staging folders of runs that died (their process is gone); restore an interrupted swap."""
    return folders.clean_stale(Path(target))


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Pretty, key-ordered, UTF-8 JSON (Chinese text kept readable)."""
    folders.atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n")


def write_results(folder: Path, results: Results) -> list[str]:
    """One CSV per decision family plus duals; returns the file names written."""
    written = []
    for field, name in TABLE_FILES.items():
        frame: pd.DataFrame = getattr(results, field)
        if field in ("modules", "storage", "vintage") and frame.empty:
            continue
        frame.to_csv(folder / name, index=False, float_format="%.6f", lineterminator="\n")
        written.append(name)
    return written


def write_frame(folder: Path, name: str, frame: pd.DataFrame) -> None:
    """A derived table (investment, utilisation, energy summary) as CSV."""
    frame.to_csv(folder / name, index=False, float_format="%.6f", lineterminator="\n")


def write_diagnosis(folder: Path, markdown: str, data: dict[str, Any]) -> None:
    """diagnosis.md and diagnosis.json into `folder` (which exists), each replaced atomically."""
    folders.atomic_write(folder / "diagnosis.json", json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    folders.atomic_write(folder / "diagnosis.md", markdown_safe(markdown))

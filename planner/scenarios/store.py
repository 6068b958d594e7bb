"""A sweep's files: one JSON result per scenario (what makes a rerun resume), the table, the page.

<out>/scenarios/<scenario id>.json   one per finished scenario, written as results arrive
<out>/results.parquet, results.csv   one row per scenario: parameters, status, reason, KPIs
<out>/sweep.html                     trade-off charts and the failures
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

FINISHED = frozenset({"optimal", "feasible", "infeasible", "unbounded", "time_limit", "invalid"})
"""Statuses a rerun keeps; scenarios that ended in `error` (a crash, a lost worker) are tried again."""


class ScenarioStore:
    """Per-scenario result files in `<out>/scenarios/`, written atomically."""

    def __init__(self, out_dir: Path) -> None:
        self.folder = out_dir / "scenarios"

    def finished(self) -> set[str]:
        """Ids of the scenarios whose result file holds a final status."""
        done: set[str] = set()
        if not self.folder.is_dir():
            return done
        for path in self.folder.glob("*.json"):
            try:
                row = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            if row.get("status") in FINISHED:
                done.add(path.stem)
        return done

    def write(self, row: dict[str, Any]) -> None:
        """Store one scenario's result (temporary file + rename: never half-written)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".partial-", suffix=".json", dir=self.folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(row, f, ensure_ascii=False, sort_keys=True, default=str)
        Path(tmp).replace(self.folder / f"{row['scenario_id']}.json")

    def read(self, scenario_id: str) -> dict[str, Any] | None:
        """A stored result, or None."""
        path = self.folder / f"{scenario_id}.json"
        if not path.is_file():
            return None
        result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return result


def write_table(out_dir: Path, table: pd.DataFrame) -> list[Path]:
    """results.parquet and results.csv."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet, csv = out_dir / "results.parquet", out_dir / "results.csv"
    table.to_parquet(parquet, index=False)
    table.to_csv(csv, index=False, lineterminator="\n")
    return [parquet, csv]


def write_page(out_dir: Path, html: str) -> Path:
    """sweep.html."""
    path = out_dir / "sweep.html"
    path.write_text(html, encoding="utf-8")
    return path

"""A sweep's files: one JSON result per scenario (what makes a rerun resume), the table, the page.

<out>/scenarios/<scenario id>.json   one per finished scenario, written as results arrive
<out>/results.parquet, results.csv   one row per scenario: parameters, status, reason, KPIs
<out>/sweep.html                     trade-off charts and the failures
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from planner.results.folders import atomic_write

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
            row = _load(path)
            if row is not None and row.get("status") in FINISHED:
                done.add(path.stem)
        return done

    def write(self, row: dict[str, Any]) -> None:
        """Store one scenario's result (temporary file + rename: never half-written)."""
        self.folder.mkdir(exist_ok=True)
        atomic_write(
            self.folder / f"{row['scenario_id']}.json", json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
        )

    def read(self, scenario_id: str) -> dict[str, Any] | None:
        """A stored result, or None."""
        return _load(self.folder / f"{scenario_id}.json")


def _load(path: Path) -> dict[str, Any] | None:
    """A stored result; None when missing or corrupt (an edited or truncated file is solved again)."""
    try:
        row = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if (
        not isinstance(row, dict)
        or not isinstance(row.get("status"), str)
        or not isinstance(row.get("plan"), dict | None)
    ):
        return None
    return row


def write_table(out_dir: Path, table: pd.DataFrame) -> list[Path]:
    """results.parquet and results.csv, each written atomically; mixed-type columns become text."""
    table = table.copy()
    for column in table.columns[table.dtypes == object]:  # noqa: E721 - elementwise dtype test, not a type check
        kinds = {type(v) for v in table[column] if v is not None}
        if len(kinds) > 1 or not kinds <= {str}:
            table[column] = [None if v is None else str(v) for v in table[column]]
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    parquet = atomic_write(out_dir / "results.parquet", buffer.getvalue())
    csv = atomic_write(out_dir / "results.csv", table.to_csv(index=False, lineterminator="\n"))
    return [parquet, csv]


def write_page(out_dir: Path, html: str) -> Path:
    """sweep.html, written atomically."""
    return atomic_write(out_dir / "sweep.html", html)

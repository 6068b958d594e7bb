"""plan.xlsx: a plan folder's headline and tables in one workbook, for readers who live in Excel.

Sheet `plan` holds the headline (every scalar of plan.json, one per row: key, value); then one sheet
per tidy CSV the folder holds, with the CSV's columns and numbers as numbers. A table above
`MAX_CELLS` cells (hourly dispatch of a long run) is left out with a row saying so on the `plan`
sheet; its CSV in the folder is complete. The CSVs stay the reference: plan.xlsx is written from them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from planner.inputs.xlsx import Cell, sheet_xml, workbook_bytes
from planner.results import folders

FILE = "plan.xlsx"
SHEETS = (
    "racks_new", "racks", "investment", "utilisation", "load", "unmet", "energy_summary", "energy",
    "certificates", "bandwidth", "modules", "storage", "duals",
)
"""CSV files (without .csv) copied into the workbook, in this order, when the folder has them."""
MAX_CELLS = 200_000


def _scalars(plan: dict[str, Any]) -> list[tuple[str, Any]]:
    rows = []
    for key, value in plan.items():
        if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
            rows.append((key, value if not isinstance(value, bool) else str(value).lower()))
    return rows


def write_plan_workbook(folder: Path, plan: dict[str, Any]) -> Path:
    """Write `folder`/plan.xlsx from the plan's headline and the folder's CSV tables; returns its path."""
    head: list[list[Cell]] = [["key", "value"], *([key, value] for key, value in _scalars(plan))]
    tables: list[tuple[str, bytes]] = []
    for name in SHEETS:
        path = folder / f"{name}.csv"
        if not path.is_file():
            continue
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        if records and len(records) * len(records[0]) > MAX_CELLS:
            head.append([f"{name}.csv", f"{len(records) - 1} rows: too large for this workbook; see the CSV"])
            continue
        tables.append((name, sheet_xml(records)))
    target = folder / FILE
    folders.atomic_write(target, workbook_bytes([("plan", sheet_xml(head, numbers_in_text=False)), *tables]))
    return target

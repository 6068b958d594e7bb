"""plan.xlsx: a plan folder's headline and tables in one workbook, for readers who live in Excel.

Sheet `plan` holds the headline (every scalar of plan.json, one per row: key, value); then one sheet
per tidy CSV the folder holds, with the CSV's columns and numbers as numbers. A table above
`MAX_CELLS` cells (hourly dispatch of a long run) is left out with a row saying so on the `plan`
sheet; its CSV in the folder is complete. The CSVs stay the reference: plan.xlsx is written from them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from planner.results import folders

FILE = "plan.xlsx"
SHEETS = (
    "racks_new", "racks", "investment", "utilisation", "load", "unmet", "energy_summary", "energy",
    "certificates", "bandwidth", "modules", "storage", "duals",
)
"""CSV files (without .csv) copied into the workbook, in this order, when the folder has them."""
MAX_CELLS = 200_000
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_FIXED = (1980, 1, 1, 0, 0, 0)


def _repeatable(data: bytes) -> bytes:
    """The workbook with its clock readings fixed: zip entry times and the document's created/modified."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                part = _STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", part)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=_FIXED), part, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _number(text: str) -> Any:  # noqa: ANN401 - a cell value
    if text == "":
        return None
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text


def _scalars(plan: dict[str, Any]) -> list[tuple[str, Any]]:
    rows = []
    for key, value in plan.items():
        if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
            rows.append((key, value if not isinstance(value, bool) else str(value).lower()))
    return rows


def write_plan_workbook(folder: Path, plan: dict[str, Any]) -> Path:
    """Write `folder`/plan.xlsx from the plan's headline and the folder's CSV tables; returns its path."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    head = book.create_sheet("plan")
    head.append(["key", "value"])
    for key, value in _scalars(plan):
        head.append([key, value])
    for name in SHEETS:
        path = folder / f"{name}.csv"
        if not path.is_file():
            continue
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        if records and len(records) * len(records[0]) > MAX_CELLS:
            head.append([f"{name}.csv", f"{len(records) - 1} rows: too large for this workbook; see the CSV"])
            continue
        sheet = book.create_sheet(name)
        for i, row in enumerate(records):
            sheet.append(row if i == 0 else [_number(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    target = folder / FILE
    folders.atomic_write(target, _repeatable(buffer.getvalue()))
    return target

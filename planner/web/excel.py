"""Cases as Excel workbooks: one sheet per table (the CSV's columns), the scenario on its own sheet.

The `scenario` sheet has two columns, `setting` (a dotted key such as `budget.total_yi_yuan`) and
`value`. A workbook read back becomes a case folder that the CLI's reader then checks, so its
problems name `demand.csv:12` for row 12 of the `demand` sheet. Refused before reading: macros
(vbaProject.bin, .xlsm), external links, any formula, more sheets, entries or unpacked bytes than
the limits (an .xlsx is a zip, so zip-bomb checks apply).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook

from planner.inputs.schema import TABLES
from planner.web import store
from planner.web.store import UploadError
from planner.web.uploads import MAX_ENTRIES, MAX_UNPACKED_BYTES, MAX_UPLOAD_BYTES

SCENARIO_SHEET = "scenario"


def _flatten(node: Any, prefix: str, out: list[tuple[str, Any]]) -> None:  # noqa: ANN401 - YAML data
    if isinstance(node, dict) and node:
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(node, list | dict):
        out.append((prefix, yaml.safe_dump(node, default_flow_style=True).strip()))
    else:
        out.append((prefix, node))


def _cell(text: str) -> Any:  # noqa: ANN401 - a cell value
    """A CSV cell as Excel should hold it: numbers as numbers, the rest as text."""
    if text == "":
        return None
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text) if _is_float(text) else text
    except ValueError:
        return text


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in {"nan", "inf", "-inf", "infinity", "-infinity"}


def write_workbook(folder: Path) -> bytes:
    """A case folder as .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SCENARIO_SHEET
    sheet.append(["setting", "value"])
    rows: list[tuple[str, Any]] = []
    _flatten(store.read_scenario(folder), "", rows)
    for key, value in rows:
        sheet.append([key, value])
    for name in store.table_names(folder):
        columns, table = store.read_table(folder, name)
        ws = book.create_sheet(name)
        ws.append(columns)
        for row in table:
            ws.append([_cell(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _check_package(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError([f"the workbook is over {MAX_UPLOAD_BYTES / 1e6:.0f} MB; refused"])
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise UploadError(["not a readable .xlsx workbook"]) from None
    reasons = []
    if len(infos) > MAX_ENTRIES * 5:
        reasons.append(f"the workbook has {len(infos)} parts; refused")
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        reasons.append(f"the workbook unpacks to more than {MAX_UNPACKED_BYTES / 1e6:.0f} MB; refused")
    names = [i.filename.lower() for i in infos]
    if any(n.endswith("vbaproject.bin") for n in names):
        reasons.append("the workbook holds macros (VBA); save it as a plain .xlsx without macros")
    if any(n.startswith("xl/externallinks/") for n in names):
        reasons.append("the workbook links to other workbooks; paste the values instead")
    if reasons:
        raise UploadError(reasons)


def _text(value: Any) -> str:  # noqa: ANN401 - a cell value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(data: bytes, dest: Path) -> None:
    """Write the case a workbook holds into `dest` (then read it with the CLI's reader). Raises UploadError."""
    _check_package(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise UploadError([f"not a readable .xlsx workbook ({type(err).__name__})"]) from None
    reasons: list[str] = []
    sheets: dict[str, list[list[Any]]] = {}
    for ws in book.worksheets:
        if ws.title != SCENARIO_SHEET and ws.title not in TABLES:
            reasons.append(
                f"sheet '{ws.title}': not a table of a case (expected {SCENARIO_SHEET}, {', '.join(TABLES)})"
            )
            continue
        rows = []
        for r, row in enumerate(ws.iter_rows(), start=1):
            reasons.extend(
                f"sheet '{ws.title}' row {r}: a formula ({c.value}); paste values instead"
                for c in row
                if getattr(c, "data_type", None) == "f"
            )
            rows.append([cell.value for cell in row])
        sheets[ws.title] = rows
    book.close()
    if SCENARIO_SHEET not in sheets:
        reasons.append(f"no '{SCENARIO_SHEET}' sheet with the settings")
    if reasons:
        raise UploadError(reasons[:50])
    scenario: dict[Any, Any] = {}
    for setting in sheets.pop(SCENARIO_SHEET)[1:]:
        if not setting or setting[0] in (None, ""):
            continue
        value = setting[1] if len(setting) > 1 else None
        if isinstance(value, str) and value.strip().startswith(("[", "{")):
            value = yaml.safe_load(value)
        node = scenario
        *parents, leaf = [int(p) if p.isdigit() else p for p in str(setting[0]).split(".")]
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    store.write_scenario(scenario, dest)
    for name, rows in sheets.items():
        if not rows:
            continue
        width = len(rows[0])
        header = [_text(c) for c in rows[0]]
        while header and header[-1] == "":
            header.pop()
        body = [[_text(c) for c in (row + [None] * width)[: len(header)]] for row in rows[1:]]
        store.write_table(dest, name, header, [r for r in body if any(r)])

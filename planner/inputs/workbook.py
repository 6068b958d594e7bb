"""Cases as Excel workbooks: one sheet per table (the CSV's columns), the scenario settings on their own sheet.

The `scenario` sheet has two columns, `setting` (a dotted key such as `budget.total_yi_yuan`) and
`value`; lists and mappings are written as YAML flow text (`[a, b]`). A workbook is unpacked into a
case folder that the CSV reader then checks, so its problems name `demand.csv:12` for row 12 of the
`demand` sheet. Refused before reading: macros (vbaProject.bin), external links, any formula, sheets
that are not tables of a case, more parts or unpacked bytes than the limits (an .xlsx is a zip, so
zip-bomb checks apply). `planner solve case.xlsx`, `planner export --xlsx` and the web upload share
this module.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from planner.errors import InputError, Problem
from planner.inputs.read import SCENARIO_FILE, read_yaml
from planner.inputs.schema import TABLES
from planner.inputs.xlsx import Cell, sheet_xml, workbook_bytes

SCENARIO_SHEET = "scenario"
PROFILES_SHEET = "profiles_hourly"
"""Optional sheet holding profiles/hourly.csv.gz (cluster_id, hour, wind_cf, solar_cf, hydro_cf), for --days/--hours."""
PROFILES_FILE = Path("profiles") / "hourly.csv.gz"
SUFFIX = ".xlsx"


@dataclass(frozen=True)
class WorkbookLimits:
    """Bounds on a workbook before any cell is read (an .xlsx is a zip of XML parts)."""

    max_bytes: int = 20 * 1024 * 1024
    max_parts: int = 1000
    max_unpacked_bytes: int = 100 * 1024 * 1024


class WorkbookError(InputError):
    """A workbook refused before it was read as a case (macros, formulas, links, size); lists every reason."""

    @property
    def reasons(self) -> list[str]:
        """The reasons alone, without the file name."""
        return [p.message for p in self.problems]


def is_workbook(case: str | Path) -> bool:
    """A case given as an .xlsx file rather than a folder."""
    path = Path(case)
    return path.suffix.lower() == SUFFIX and not path.is_dir()


def _flatten(node: Any, prefix: str, out: list[tuple[str, Any]]) -> None:  # noqa: ANN401 - YAML data
    if isinstance(node, dict) and node:
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(node, list | dict):
        out.append((prefix, yaml.safe_dump(node, default_flow_style=True).strip()))
    else:
        out.append((prefix, node))


def _setting(value: Any) -> Cell:  # noqa: ANN401 - a YAML scalar
    """A scenario setting as a cell: YAML's scalars as they are, anything else (a date) as its text."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _text(value: Any) -> str:  # noqa: ANN401 - a cell value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_csv_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    """A CSV table's header and rows as text cells, as the file holds them."""
    text = path.read_text(encoding="utf-8-sig")
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    if not records:
        return [], []
    header, rows = records[0], records[1:]
    return header, [r + [""] * (len(header) - len(r)) for r in rows]


def write_csv_cells(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    """Write a table as CSV; one line per row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_workbook(folder: Path) -> bytes:
    """A case folder (scenario.yaml and the CSV tables) as .xlsx bytes; InputError if scenario.yaml is unreadable."""
    problems: list[Problem] = []
    scenario, _ = read_yaml(folder / SCENARIO_FILE, problems, inside=folder)
    if scenario is None:
        raise InputError(problems)
    settings: list[tuple[str, Any]] = []
    _flatten(scenario, "", settings)
    head: list[list[Cell]] = [["setting", "value"], *([key, _setting(value)] for key, value in settings)]
    sheets = [(SCENARIO_SHEET, sheet_xml(head, numbers_in_text=False))]
    for name in TABLES:
        path = folder / f"{name}.csv"
        if path.is_file():
            columns, table = read_csv_cells(path)
            sheets.append((name, sheet_xml([columns, *table])))
    hourly = folder / PROFILES_FILE
    if hourly.is_file():
        text = gzip.decompress(hourly.read_bytes()).decode("utf-8-sig")
        sheets.append((PROFILES_SHEET, sheet_xml(list(csv.reader(io.StringIO(text, newline=""))))))
    return workbook_bytes(sheets)


def _check_package(data: bytes, source: str, limits: WorkbookLimits) -> None:
    def refuse(reasons: list[str]) -> WorkbookError:
        return WorkbookError([Problem(source, r) for r in reasons])

    if len(data) > limits.max_bytes:
        raise refuse([f"the workbook is over {limits.max_bytes / 1e6:.0f} MB; refused"])
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise refuse(["not a readable .xlsx workbook"]) from None
    reasons = []
    if len(infos) > limits.max_parts:
        reasons.append(f"the workbook has {len(infos)} parts; refused")
    if sum(i.file_size for i in infos) > limits.max_unpacked_bytes:
        reasons.append(f"the workbook unpacks to more than {limits.max_unpacked_bytes / 1e6:.0f} MB; refused")
    names = [i.filename.lower() for i in infos]
    if any(n.endswith("vbaproject.bin") for n in names):
        reasons.append("the workbook holds macros (VBA); save it as a plain .xlsx without macros")
    if any(n.startswith("xl/externallinks/") for n in names):
        reasons.append("the workbook links to other workbooks; paste the values instead")
    if reasons:
        raise refuse(reasons)


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
"""A formula element in a worksheet part (`<f>`, `<f t="shared" .../>`, or namespace-prefixed `<x:f>`)."""


def _has_formula(data: bytes) -> bool:
    """Whether any worksheet part of the (already size-checked) package holds a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return any(
            _FORMULA.search(package.read(info)) is not None
            for info in package.infolist()
            if info.filename.lower().startswith("xl/worksheets/") and info.filename.lower().endswith(".xml")
        )


def _sheet_reasons(names: list[str]) -> list[str]:
    expected = ", ".join((SCENARIO_SHEET, *TABLES, PROFILES_SHEET))
    return [
        f"sheet '{name}': not a table of a case (expected {expected})"
        for name in names
        if name not in (SCENARIO_SHEET, PROFILES_SHEET) and name not in TABLES
    ]


def _sheets(data: bytes, source: str) -> dict[str, list[list[Any]]]:
    """Every sheet's cells, empty cells as None.

    python-calamine reads the cells (13x faster than openpyxl on the default case's 87,600-row profiles); a
    workbook with a formula goes through openpyxl, which shows each formula's text so the refusal can name its
    sheet, row and formula.
    """
    if _has_formula(data):
        return _sheets_openpyxl(data, source)
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        reasons = _sheet_reasons(names)
        sheets: dict[str, list[list[Any]]] = {
            name: [
                [None if value == "" else value for value in row]  # an empty cell, as openpyxl reads it
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for name in names
            if not _sheet_reasons([name])
        }
    except (CalamineError, ValueError, OSError) as err:  # a damaged package or part
        raise WorkbookError([Problem(source, f"not a readable .xlsx workbook ({type(err).__name__})")]) from None
    return _checked(sheets, reasons, source)


def _checked(sheets: dict[str, list[list[Any]]], reasons: list[str], source: str) -> dict[str, list[list[Any]]]:
    if SCENARIO_SHEET not in sheets:
        reasons.append(f"no '{SCENARIO_SHEET}' sheet with the settings")
    if reasons:
        raise WorkbookError([Problem(source, r) for r in reasons[:50]])
    return sheets


def _sheets_openpyxl(data: bytes, source: str) -> dict[str, list[list[Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise WorkbookError([Problem(source, f"not a readable .xlsx workbook ({type(err).__name__})")]) from None
    reasons = _sheet_reasons([ws.title for ws in book.worksheets])
    sheets: dict[str, list[list[Any]]] = {}
    for ws in book.worksheets:
        if _sheet_reasons([ws.title]):
            continue
        rows = [list(row) for row in ws.iter_rows(values_only=True)]
        # read without data_only, a formula cell's value is its text: `=SUM(A1:A3)`
        reasons.extend(
            f"sheet '{ws.title}' row {r}: a formula ({v}); paste values instead"
            for r, row in enumerate(rows, start=1) for v in row if isinstance(v, str) and v.startswith("=")
        )
        sheets[ws.title] = rows
    book.close()
    return _checked(sheets, reasons, source)


def _scenario(rows: list[list[Any]]) -> dict[Any, Any]:
    scenario: dict[Any, Any] = {}
    for row in rows[1:]:
        if not row or row[0] in (None, ""):
            continue
        value = row[1] if len(row) > 1 else None
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)  # a whole number is a number cell either way; the settings read it as an integer
        if isinstance(value, str) and value.strip().startswith(("[", "{")):
            value = yaml.safe_load(value)
        node = scenario
        *parents, leaf = [int(p) if p.isdigit() else p for p in str(row[0]).split(".")]
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return scenario


def read_workbook(data: bytes, dest: Path, source: str = "workbook.xlsx", limits: WorkbookLimits | None = None) -> None:
    """Write the case a workbook holds into folder `dest` (then read it with the CSV reader). Raises WorkbookError."""
    sheets = _sheets_checked(data, source, limits or WorkbookLimits())
    scenario = _scenario(sheets.pop(SCENARIO_SHEET))
    text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
    (dest / SCENARIO_FILE).write_text(text, encoding="utf-8")
    for name, rows in sheets.items():
        if not rows:
            continue
        width = len(rows[0])
        header = [_text(c) for c in rows[0]]
        while header and header[-1] == "":
            header.pop()
        body = [[_text(c) for c in (row + [None] * width)[: len(header)]] for row in rows[1:]]
        body = [r for r in body if any(r)]
        if name == PROFILES_SHEET:
            buffer = io.StringIO(newline="")
            csv.writer(buffer, lineterminator="\n").writerows([header, *body])
            (dest / PROFILES_FILE).parent.mkdir(exist_ok=True)
            packed = gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=1, mtime=0)  # a temporary folder
            (dest / PROFILES_FILE).write_bytes(packed)
            continue
        write_csv_cells(dest / f"{name}.csv", header, body)


def _sheets_checked(data: bytes, source: str, limits: WorkbookLimits) -> dict[str, list[list[Any]]]:
    _check_package(data, source, limits)
    return _sheets(data, source)


@contextlib.contextmanager
def case_folder(case: str | Path) -> Iterator[Path]:
    """The case as a folder: a folder as it is, a workbook unpacked into a temporary folder named after it."""
    path = Path(case)
    if not is_workbook(path):
        yield path
        return
    if not path.is_file():
        raise InputError([Problem(str(path), "workbook not found; expected an .xlsx file or a case folder")])
    with tempfile.TemporaryDirectory(prefix="planner-xlsx-") as tmp:
        folder = Path(tmp) / path.stem
        folder.mkdir()
        read_workbook(path.read_bytes(), folder, source=str(path))
        try:
            yield folder
        except InputError as err:
            raise InputError([_relocate(p, folder, path) for p in err.problems]) from None


def _relocate(problem: Problem, folder: Path, book: Path) -> Problem:
    """A problem in the unpacked folder, named by its sheet: `case.xlsx[demand]:12` is row 12 of sheet demand."""
    try:
        inner = Path(problem.file).resolve().relative_to(folder.resolve())
    except ValueError:
        return problem
    if inner == PROFILES_FILE:
        sheet = PROFILES_SHEET
    elif inner.name == SCENARIO_FILE:
        return Problem(f"{book}[{SCENARIO_SHEET}]", problem.message, None, problem.column, problem.value)
    else:
        sheet = inner.name.removesuffix(".csv")
    return Problem(f"{book}[{sheet}]", problem.message, problem.row, problem.column, problem.value)

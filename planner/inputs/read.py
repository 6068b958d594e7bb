"""Case folder -> validated `Inputs`; every problem found is reported at once with its location.

A case is a folder holding `scenario.yaml` and one CSV per table (see `schema.TABLES`). Reading
happens in two steps so that scenario overlays can patch a case before it is validated:
`read_raw` gives a `RawCase` (scenario dict + string tables), `validate` turns it into `Inputs`.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from planner.errors import InputError, Problem
from planner.inputs import safe_yaml
from planner.inputs.crosscheck import cross_check
from planner.inputs.limits import PROBLEMS, TABLE_CELLS, TABLE_MB, YAML_KB, read_checked
from planner.inputs.schema import KEYS, OPTIONAL_TABLES, TABLES, Inputs, Scenario

SCENARIO_FILE = "scenario.yaml"


@dataclass
class RawTable:
    """A CSV table as text cells, with the file it came from and each row's line number."""

    file: str
    frame: pd.DataFrame
    lines: list[int]
    patched: dict[tuple[int, str], str] = field(default_factory=dict)
    """(row position, column) -> `file:line` of the overlay that set the cell, for error messages."""


@dataclass
class RawCase:
    """A case before validation: the scenario mapping and string tables, with their origins."""

    folder: Path
    scenario: dict[str, Any]
    scenario_lines: dict[tuple[Any, ...], int]
    scenario_file: str
    tables: dict[str, RawTable] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    scenario_origins: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """Setting path -> overlay file that set it (its line is in scenario_lines); others come from scenario_file."""


def load_inputs(case: str | Path, overlays: list[str | Path] | tuple[str | Path, ...] = ()) -> Inputs:
    """Read, patch with each overlay in order, and validate a case folder."""
    from planner.inputs.overlay import apply_overlay

    raw = read_raw(case)
    for path in overlays:
        raw = apply_overlay(raw, Path(path))
    return validate(raw)


def inputs_hash(raw_or_folder: RawCase) -> str:
    """SHA-256 over every file that went into the case (scenario, tables and overlays)."""
    digest = hashlib.sha256()
    for path in raw_or_folder.sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_raw(case: str | Path) -> RawCase:
    """Read `scenario.yaml` and every table as text; problems of form are kept for `validate`."""
    folder = Path(case)
    if not folder.is_dir():
        raise InputError(
            [Problem(str(folder), "case folder not found; expected a folder holding scenario.yaml and the CSV tables")]
        )
    problems: list[Problem] = []
    scenario_path = folder / SCENARIO_FILE
    scenario, lines = read_yaml(scenario_path, problems, inside=folder)
    raw = RawCase(folder, scenario or {}, lines, str(scenario_path), sources=[scenario_path])
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            if name not in OPTIONAL_TABLES:
                problems.append(Problem(str(path), f"missing table; expected {name}.csv in {folder}"))
            continue
        table = read_csv(path, problems, inside=folder)
        if table is not None:
            raw.tables[name] = table
            raw.sources.append(path)
    raw.problems = problems
    return raw


def read_yaml(
    path: Path, problems: list[Problem], inside: Path | None = None
) -> tuple[dict[str, Any] | None, dict[tuple[Any, ...], int]]:
    """Parse a YAML mapping (YAML 1.2 rules, see `safe_yaml`) and remember the line of every key path.

    The file must be a regular file within the size limit (and inside folder `inside` when given).
    """
    if not path.exists():
        problems.append(Problem(str(path), "file not found"))
        return None, {}
    data_bytes = read_checked(path, YAML_KB, problems, inside)
    text = None if data_bytes is None else _decode(data_bytes, path, problems)
    if text is None:
        return None, {}
    try:
        data, node = safe_yaml.load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problems.append(Problem(str(path), f"not valid YAML: {getattr(err, 'problem', err)}", row=row))
        return None, {}
    except (ValueError, RecursionError, MemoryError) as err:
        problems.append(Problem(str(path), f"not valid YAML: {type(err).__name__}"))
        return None, {}
    if not isinstance(data, dict):
        problems.append(Problem(str(path), f"expected a mapping of settings, found {type(data).__name__}"))
        return None, {}
    lines: dict[tuple[Any, ...], int] = {}
    _collect_lines(node, (), lines)
    return data, lines


def _collect_lines(node: yaml.Node | None, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = safe_yaml.key_of(key_node)
            out[(*path, key)] = key_node.start_mark.line + 1
            _collect_lines(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*path, i)] = item.start_mark.line + 1
            _collect_lines(item, (*path, i), out)


def _decode(data: bytes, path: Path, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        guess = ""
        with contextlib.suppress(UnicodeDecodeError):
            data.decode("gb18030")
            guess = " (it looks like GBK/GB18030, the Chinese Windows default)"
        problems.append(
            Problem(str(path), f"file is not UTF-8 text{guess}; save it as UTF-8 (Excel: 'CSV UTF-8')", row=line)
        )
        return None


def read_csv(path: Path, problems: list[Problem], inside: Path | None = None) -> RawTable | None:
    """Read a CSV as text cells (blank cells as None), remembering each row's line in the file.

    Python's csv module rather than pandas: cells stay exactly as typed (no type guessing, no
    NaN), a row's line number is right even after a quoted multi-line cell, and small tables
    read in well under a millisecond. Rows whose cells are all blank are skipped. The file must be
    a regular file within the size and row limits (`planner.inputs.limits`).
    """
    data = read_checked(path, TABLE_MB, problems, inside)
    text = None if data is None else _decode(data, path, problems)
    del data
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(str(path), "file is empty; expected a header line and rows"))
        return None
    reader = csv.reader(_lines(text), strict=True)
    header: list[str] | None = None
    rows: list[list[str | None]] = []
    lines: list[int] = []
    ok = True
    try:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            if len(record) > len(header):
                problems.append(
                    Problem(
                        str(path),
                        f"row has {len(record)} cells but the header has {len(header)}; check for stray commas or "
                        "unquoted text",
                        row=start,
                    )
                )
                ok = False
                continue
            rows.append([cell.strip() or None for cell in record] + [None] * (len(header) - len(record)))
            lines.append(start)
            if len(rows) * len(header) > TABLE_CELLS.value:
                problems.append(
                    Problem(
                        str(path),
                        f"more than {TABLE_CELLS.value:,} cells ({len(rows) - 1:,} rows of {len(header)} columns); "
                        f"raise {TABLE_CELLS.variable}=N if the table is right",
                        row=start,
                    )
                )
                return None
    except csv.Error as err:
        problems.append(Problem(str(path), f"not a readable CSV table: {err}", row=reader.line_num))
        return None
    if header is None:
        problems.append(Problem(str(path), "file is empty; expected a header line and rows"))
        return None
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        problems.extend(
            Problem(str(path), f"column '{c}' appears more than once in the header", row=1) for c in repeated
        )
        return None
    if not ok:
        return None
    return RawTable(str(path), pd.DataFrame(rows, columns=header, dtype=object), lines)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> Iterator[str]:
    r"""The text's lines with their endings, one at a time.

    Lines end at \n, \r\n or a lone \r, as `io.StringIO(newline="")` splits them; a StringIO would
    hold a 4-byte-per-character copy of a large table.
    """
    for match in _LINE.finditer(text):
        yield match.group()


# --------------------------------------------------------------------------- validation


def validate(raw: RawCase, checked: dict[str, tuple[RawTable, list[BaseModel]]] | None = None) -> Inputs:
    """Validate the scenario, every row and the cross-references; raise all problems together.

    `checked`: tables validated before without a problem, by name, kept by a caller that validates variants
    of one case (the tune page): a table that is the very object checked before is not checked again, and
    tables checked now without a problem are added. The scenario and the cross-references are always checked.
    """
    problems: list[Problem] = list(raw.problems)
    scenario = _validate_scenario(raw, problems) if raw.scenario or not raw.problems else None
    rows: dict[str, list[BaseModel]] = {}
    for name, table in raw.tables.items():
        seen = checked.get(name) if checked is not None else None
        if seen is not None and seen[0] is table:
            rows[name] = seen[1]
            continue
        start = len(problems)
        rows[name] = _validate_table(name, table, problems)
        if checked is not None and len(problems) == start:
            checked[name] = (table, rows[name])
    cross_check(raw, rows, scenario, problems)
    if problems:
        raise InputError(problems)
    assert scenario is not None
    tables: dict[str, Any] = {name: tuple(r) for name, r in rows.items()}  # each table's rows, of its own model
    return Inputs(scenario=scenario, **tables)


def _validate_scenario(raw: RawCase, problems: list[Problem]) -> Scenario | None:
    booleans = _boolean_numbers(raw)
    try:
        scenario = Scenario.model_validate(raw.scenario)
    except ValidationError as err:
        booleans.extend(_union_errors(err.errors()))
        scenario = None
    for loc, message, value in booleans:
        line = _line_for(raw.scenario_lines, loc)
        if isinstance(value, dict | list):
            value = None
        file = next(
            (raw.scenario_origins[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in raw.scenario_origins),
            raw.scenario_file,
        )
        problems.append(Problem(file, message, row=line, column=".".join(map(str, loc)) or None, value=value))
    return None if booleans else scenario


def _boolean_numbers(raw: RawCase) -> list[tuple[tuple[Any, ...], str, object]]:
    """true/false where a number is expected: pydantic's lax mode would read them as 1 and 0."""
    if not _has_bool(raw.scenario):
        return []
    try:
        Scenario.model_validate(raw.scenario, strict=True)
    except ValidationError as err:
        found = {
            _clean_loc(i["loc"]): i["input"]
            for i in err.errors()
            if isinstance(i.get("input"), bool) and i["type"] in {"int_type", "float_type"}
        }
        return [(loc, "expected a number, found true/false", value) for loc, value in found.items()]
    return []


def _has_bool(tree: object) -> bool:
    if isinstance(tree, bool):
        return True
    if isinstance(tree, dict):
        return any(_has_bool(v) for v in tree.values())
    if isinstance(tree, list):
        return any(_has_bool(v) for v in tree)
    return False


def _union_errors(items: list[Any]) -> list[tuple[tuple[Any, ...], str, object]]:
    """(location, message, value) per error, with a number-or-mapping setting's two branches merged.

    For `yearly_yi_yuan: -5` pydantic reports the number branch (">= 0") and the mapping branch
    ("a valid dictionary"); only the branch the user was writing is worth showing.
    """
    out: list[tuple[tuple[Any, ...], str, object]] = []
    by_loc: dict[tuple[Any, ...], list[Any]] = {}
    for item in items:
        by_loc.setdefault(_clean_loc(item["loc"]), []).append(item)
    for loc, group in by_loc.items():
        value = group[0].get("input") if group[0]["type"] != "missing" else None
        members = [i for i in group if _is_union_member(i["loc"])]
        nested = any(len(other) > len(loc) and other[: len(loc)] == loc for other in by_loc)
        if members and len(members) == len(group):
            scalar = [i for i in members if i["type"] != "dict_type"]
            if isinstance(value, dict) or nested:
                continue  # the mapping branch's own errors (one per bad year) are reported at their keys
            if all(i["type"] in {"dict_type", "float_type", "int_type"} for i in members):
                out.append((loc, "expected a number, or a mapping of year -> number", value))
                continue
            group = scalar or members
        out.extend((loc, _message(i), value) for i in group)
    return out


def _is_union_member(loc: tuple[Any, ...]) -> bool:
    return any(isinstance(p, str) and ("[" in p or p.startswith("constrained-") or p in {"float", "int"}) for p in loc)


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union-member and validator names from an error location."""
    return tuple(
        p
        for p in loc
        if not (isinstance(p, str) and ("[" in p or p.startswith("constrained-") or p in {"float", "int"}))
    )


def _line_for(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    for n in range(len(loc), 0, -1):
        for key in (loc[:n], tuple(int(p) if isinstance(p, str) and p.isdigit() else p for p in loc[:n])):
            if key in lines:
                return lines[key]
    return None


def _message(item: ErrorDetails) -> str:
    if item["type"] == "missing":
        return "required value is missing"
    if item["type"] == "extra_forbidden":
        return "unknown setting; check the spelling against docs/inputs.md"
    return str(item["msg"])


def _validate_table(name: str, table: RawTable, problems: list[Problem]) -> list[BaseModel]:
    """Check a table's header, then each row; rows of a table with a bad header are skipped."""
    model = TABLES[name]
    expected = list(model.model_fields)
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    columns = list(table.frame.columns)
    bad_header = False
    for column in required:
        if column not in columns:
            bad_header = True
            problems.append(
                Problem(table.file, f"missing column '{column}'; the header must include {', '.join(required)}", row=1)
            )
    for column in columns:
        if column not in expected:
            bad_header = True
            hint = difflib.get_close_matches(column, expected, n=1)
            did_you_mean = f"; did you mean '{hint[0]}'?" if hint else f"; expected columns: {', '.join(expected)}"
            problems.append(Problem(table.file, f"unknown column '{column}'{did_you_mean}", row=1))
    if table.frame.empty:
        problems.append(Problem(table.file, "table has a header but no rows"))
        return []
    if bad_header:
        return []
    out: list[BaseModel] = []
    start = len(problems)
    for position, (line, record) in enumerate(zip(table.lines, table.frame.to_dict("records"), strict=False)):
        if len(problems) - start >= PROBLEMS.value:
            problems.append(
                Problem(
                    table.file,
                    f"... and possibly more: checking stopped after {PROBLEMS.value} problems in this file",
                    row=line,
                )
            )
            return out
        cells = {k: v for k, v in record.items() if v is not None}
        try:
            out.append(model.model_validate(cells))
        except ValidationError as err:
            for item in err.errors():
                field = str(item["loc"][0]) if item["loc"] else None
                value = record.get(field) if field else None
                message = _expected(item, model, field)
                if (position, field) in table.patched:
                    message += f" (value set by {table.patched[(position, str(field))]})"
                problems.append(Problem(table.file, message, row=line, column=field, value=value))
    _check_duplicates(name, table, problems)
    return out


def _expected(item: ErrorDetails, model: type[BaseModel], column: str | None) -> str:
    message = _message(item)
    field_info = model.model_fields.get(column or "")
    extra = field_info.json_schema_extra if field_info is not None else None
    if (
        isinstance(extra, dict)
        and "unit" in extra
        and item["type"] in {"float_parsing", "int_parsing", "finite_number"}
    ):
        message += f" (in {extra['unit']})"
    return message


def _check_duplicates(name: str, table: RawTable, problems: list[Problem]) -> None:
    keys = [k for k in KEYS[name] if k in table.frame.columns]
    if len(keys) != len(KEYS[name]):
        return
    duplicated = table.frame.duplicated(subset=keys, keep="first")
    positions = duplicated[duplicated].index
    if len(positions) > PROBLEMS.value:
        problems.append(
            Problem(
                table.file,
                f"{len(positions):,} duplicate rows; the first {PROBLEMS.value} follow",
                row=table.lines[positions[0]],
            )
        )
    for position in positions[: PROBLEMS.value]:
        key = ", ".join(f"{k}={table.frame.at[position, k]!s}" for k in keys)
        problems.append(
            Problem(
                table.file,
                f"duplicate row for {key}; each ({', '.join(keys)}) may appear once",
                row=table.lines[position],
            )
        )

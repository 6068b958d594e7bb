"""Bad input, by generation: mutated tiny cases must be rejected cleanly through the CLI.

Each example writes the valid tiny case, breaks it one way (a bad cell, a broken table, a missing or
mis-encoded file, a broken scenario.yaml), optionally puts byte-order marks on every file, and runs
`planner validate` or `planner solve` on it. Every one must end with exit 2, a message naming the
file (and its row and column where the fault has one), no traceback, and nothing written.

Which values are bad is decided here, from the schema's declared bounds and an independent reading
of numbers (ASCII, finite, within bounds), not by the validator under test.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from planner.inputs.schema import ID_PATTERN, TABLES
from tests.conftest import BASE_SCENARIO, base_tables

runner = CliRunner()
REQUIRED_TABLES = ("hubs", "clusters", "workloads", "demand", "links")
EXAMPLES = settings(max_examples=170, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TALLY = {"generated": 0, "rejected_cleanly": 0}
"""Counted across the module; conftest prints it at the end of the test session."""


# --------------------------------------------------------------------------- the oracle


@dataclass(frozen=True)
class FieldRule:
    """What the schema declares about a column: kind, bounds, whether a value is required."""

    kind: str  # "number", "integer", "id", "text", "choice"
    required: bool
    lower: float = -math.inf
    lower_open: bool = False
    upper: float = math.inf
    choices: tuple[str, ...] = ()


def field_rule(table: str, column: str) -> FieldRule:
    info = TABLES[table].model_fields[column]
    annotation, metadata = info.annotation, list(info.metadata)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if args and typing.get_origin(annotation) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = args[0]
        if typing.get_origin(inner) is typing.Annotated:
            base, *extra = typing.get_args(inner)
            metadata += [m for e in extra for m in getattr(e, "metadata", [e])]
            annotation = base
        else:
            annotation = inner
    lower, upper, open_ = -math.inf, math.inf, False
    for m in metadata:
        if isinstance(m, annotated_types.Ge):
            lower = float(m.ge)
        elif isinstance(m, annotated_types.Gt):
            lower, open_ = float(m.gt), True
        elif isinstance(m, annotated_types.Le):
            upper = float(m.le)
    if typing.get_origin(annotation) is typing.Literal:
        return FieldRule("choice", info.is_required(), choices=typing.get_args(annotation))
    if annotation is int:
        return FieldRule("integer", info.is_required(), lower, open_, upper)
    if annotation is float:
        return FieldRule("number", info.is_required(), lower, open_, upper)
    is_id = any(getattr(m, "pattern", None) == ID_PATTERN for m in metadata)
    return FieldRule("id" if is_id else "text", info.is_required())


def is_bad(rule: FieldRule, text: str) -> bool:
    """Whether a cell's text is invalid for its column (cells are stripped, blank means missing)."""
    cell = text.strip()
    if not cell:
        return rule.required
    if rule.kind == "id":
        return re.fullmatch(ID_PATTERN, cell) is None
    if rule.kind == "choice":
        return cell not in rule.choices
    if rule.kind == "text":
        return False
    if not cell.isascii():
        return True
    try:
        number = float(cell)
    except ValueError:
        return True
    if (
        not math.isfinite(number)
        or number < rule.lower
        or number > rule.upper
        or (rule.lower_open and number <= rule.lower)
    ):
        return True
    return rule.kind == "integer" and number != int(number)


CELL_COLUMNS = [(t, c) for t in REQUIRED_TABLES for c in base_tables()[t][0] if field_rule(t, c).kind != "text"]
NUMBER_TEXT = st.text(alphabet="0123456789.-+eE ,abcxyzNnaIiFf_", min_size=1, max_size=8)
SPECIAL = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e999",
    "-1",
    "-0.5",
    "1e300",
    "12 racks",
    "1,5",
    "０",
    "",
    " ",
    "TRUE",
    "北京",
    "Bad Id",
    "a-b",
    "x__y",
    "9lives",
    "north",
    "2026.5",
    "#N/A",
    "NULL",
    "=1+1",
    "\u00a0",
]


# --------------------------------------------------------------------------- writing a case


def csv_text(rows: list[dict[str, Any]], header: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = header if header is not None else list(rows[0])
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return buffer.getvalue()


@dataclass
class Broken:
    """A mutated case: file contents by name, and where the error must be reported."""

    files: dict[str, bytes]
    file: str
    row: int | None = None
    column: str | None = None


def valid_files() -> dict[str, bytes]:
    files = {f"{t}.csv": csv_text(rows).encode() for t, rows in base_tables().items()}
    files["scenario.yaml"] = yaml.safe_dump(BASE_SCENARIO, allow_unicode=True, sort_keys=False).encode()
    return files


def with_bom(files: dict[str, bytes]) -> dict[str, bytes]:
    return {
        name: (b"\xef\xbb\xbf" + data if data and not data.startswith(b"\xef\xbb\xbf") else data)
        for name, data in files.items()
    }


def check_rejected(broken: Broken, command: str, bom: bool) -> None:
    """Write the case, run the command, and demand a clean, located rejection with nothing written."""
    TALLY["generated"] += 1
    files = with_bom(broken.files) if bom else broken.files
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case"
        case.mkdir()
        for name, data in files.items():
            (case / name).write_bytes(data)
        before = sorted((p.name, p.read_bytes()) for p in case.iterdir())
        out = Path(tmp) / "plans" / "out"
        args = ["validate", str(case)] if command == "validate" else ["solve", str(case), "--out", str(out)]
        result = runner.invoke(app, args)
        text = result.output
        assert result.exit_code == 2, f"exit {result.exit_code}: {text}\n{result.exception!r}"
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in text
        where = str(case / broken.file)
        if broken.row is not None:
            where += f":{broken.row}"
        assert where in text, f"expected {where} in:\n{text}"
        if broken.column is not None:
            assert re.search(rf"{re.escape(str(case / broken.file))}(:\d+)?: {re.escape(broken.column)}:", text), (
                f"column {broken.column} not named:\n{text}"
            )
        assert sorted((p.name, p.read_bytes()) for p in case.iterdir()) == before
        assert not (Path(tmp) / "plans").exists()
    TALLY["rejected_cleanly"] += 1


# --------------------------------------------------------------------------- mutations


@st.composite
def bad_cells(draw: st.DrawFn) -> Broken:
    """One cell of one table gets a value its column does not allow."""
    table, column = draw(st.sampled_from(CELL_COLUMNS))
    rule = field_rule(table, column)
    tables = base_tables()
    index = draw(st.integers(0, len(tables[table]) - 1))
    value = draw(st.sampled_from(SPECIAL) | NUMBER_TEXT | st.text(max_size=6))
    if not is_bad(rule, value):
        value = draw(st.sampled_from([v for v in SPECIAL if is_bad(rule, v)]))
    tables[table][index][column] = value
    files = valid_files()
    files[f"{table}.csv"] = csv_text(tables[table]).encode()
    return Broken(files, f"{table}.csv", row=index + 2, column=column)


def _drop_column(tables: dict[str, list[dict[str, Any]]], table: str, column: str) -> Broken:
    header = [c for c in tables[table][0] if c != column]
    files = valid_files()
    files[f"{table}.csv"] = csv_text(tables[table], header).encode()
    return Broken(files, f"{table}.csv", row=1)


def _rename_column(tables: dict[str, list[dict[str, Any]]], table: str, column: str, new: str) -> Broken:
    for row in tables[table]:
        row[new] = row.pop(column)
    files = valid_files()
    files[f"{table}.csv"] = csv_text(tables[table]).encode()
    return Broken(files, f"{table}.csv", row=1)


@st.composite
def broken_tables(draw: st.DrawFn) -> Broken:
    """A whole table goes wrong: columns dropped or renamed, rows duplicated, files empty, missing,
    mis-encoded, ragged, unquoted, or naming ids that do not exist."""
    table = draw(st.sampled_from(REQUIRED_TABLES))
    tables = base_tables()
    rows = tables[table]
    kind = draw(st.sampled_from(["drop", "rename", "duplicate", "empty", "header_only", "missing", "gbk", "ragged",
                                 "quote", "unknown_id", "blank_required"]))
    files = valid_files()
    name = f"{table}.csv"
    required = [c for c in rows[0] if field_rule(table, c).required]
    if kind == "drop":
        return _drop_column(tables, table, draw(st.sampled_from(required)))
    if kind == "rename":
        column = draw(st.sampled_from(list(rows[0])))
        new = draw(
            st.sampled_from(
                [
                    n
                    for n in (column.upper(), column + "_x", column.replace("_", " "), "col", column[:-1])
                    if n not in rows[0]
                ]
            )
        )
        return _rename_column(tables, table, column, new)
    if kind == "duplicate":
        index = draw(st.integers(0, len(rows) - 1))
        rows.append(dict(rows[index]))
        files[name] = csv_text(rows).encode()
        return Broken(files, name, row=len(rows) + 1)
    if kind == "empty":
        files[name] = draw(st.sampled_from([b"", b"\n\n", b"   \n"]))
        return Broken(files, name)
    if kind == "header_only":
        files[name] = csv_text(rows).splitlines(keepends=True)[0].encode()
        return Broken(files, name)
    if kind == "missing":
        missing = draw(st.sampled_from([name, "scenario.yaml"]))
        del files[missing]
        return Broken(files, missing)
    if kind == "gbk":
        gbk_table = draw(st.sampled_from(["hubs", "clusters", "workloads"]))  # these hold Chinese names
        files[f"{gbk_table}.csv"] = csv_text(tables[gbk_table]).encode("gbk")
        return Broken(files, f"{gbk_table}.csv", row=2)
    if kind == "ragged":
        index = draw(st.integers(0, len(rows) - 1))
        lines = csv_text(rows).splitlines(keepends=True)
        lines[index + 1] = lines[index + 1].rstrip("\n") + ",extra,cells\n"
        files[name] = "".join(lines).encode()
        return Broken(files, name, row=index + 2)
    if kind == "quote":
        lines = csv_text(rows).splitlines(keepends=True)
        lines[-1] = '"' + lines[-1]
        files[name] = "".join(lines).encode()
        return Broken(files, name)
    if kind == "unknown_id":
        refs = {
            "hubs": None,
            "clusters": "hub_id",
            "workloads": None,
            "demand": draw(st.sampled_from(["hub_id", "workload_id"])),
            "links": draw(st.sampled_from(["hub_id", "cluster_id"])),
        }
        column = refs[table]
        if column is None:  # primary tables hold no references: break the referring table instead
            table, column = ("clusters", "hub_id") if table == "hubs" else ("demand", "workload_id")
            rows, name = tables[table], f"{table}.csv"
        index = draw(st.integers(0, len(rows) - 1))
        rows[index][column] = draw(st.sampled_from(["nowhere", "h3", "east9", "realtime"]))
        files[name] = csv_text(rows).encode()
        return Broken(files, name, row=index + 2, column=column)
    column = draw(st.sampled_from(required))
    index = draw(st.integers(0, len(rows) - 1))
    rows[index][column] = ""
    files[name] = csv_text(rows).encode()
    return Broken(files, name, row=index + 2, column=column)


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


SCENARIO_BREAKS: list[tuple[tuple[str, ...], Any]] = [
    (("years",), 2026),
    (("years",), "2026-2027"),
    (("years", "first"), "soon"),
    (("years", "last"), 1999),
    (("years", "first"), 2026.5),
    (("discount_rate",), "high"),
    (("discount_rate",), -0.1),
    (("discount_rate",), [0.05]),
    (("rack",), 5),
    (("rack", "power_kw"), 0),
    (("rack", "it_load_factor"), 1.5),
    (("rack", "lifetime_years"), "long"),
    (("budget", "total_yi_yuan"), -1),
    (("budget", "yearly_yi_yuan"), "lots"),
    (("budget", "yearly_yi_yuan"), {2026: -1, 2027: 1}),
    (("budget", "yearly_yi_yuan"), [1, 2]),
    (("budget", "yearly_yi_yuan"), 1e300),
    (("policy", "utilisation_min"), "most"),
    (("policy", "green_share_min_new"), 80),
    (("policy", "carbon_cap_mt"), -3),
    (("policy", "carbon_price_yuan_per_t"), None),
    (("solver", "name"), "gurobi"),
    (("solver", "threads"), 0),
    (("unmet_penalty_yuan_per_rack_year",), "free"),
    (("name",), "Bad Name"),
    (("name",), 12),
    (("discount",), 0.05),
    (("policy", "west_share"), 0.5),
    (("build_module_racks",), -10),
    (("money_unit",), "USD"),
    (("policy",), None),
    (("years", "first"), float("nan")),
    (("rack", "power_kw"), float("inf")),
]


@st.composite
def broken_scenarios(draw: st.DrawFn) -> Broken:
    """scenario.yaml with a wrong type or value at some key, or not YAML at all."""
    files = valid_files()
    if draw(st.booleans()):
        scenario = yaml.safe_load(files["scenario.yaml"])
        path, value = draw(st.sampled_from(SCENARIO_BREAKS))
        _set_path(scenario, path, value)
        files["scenario.yaml"] = yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False).encode()
        return Broken(files, "scenario.yaml")
    text = files["scenario.yaml"].decode()
    lines = text.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    junk = draw(
        st.sampled_from(
            [
                "years: {first: 2026\n",
                "\tname: tiny\n",
                "policy: [1, 2\n",
                "- just a list\n",
                ": no key\n",
                "budget: {total_yi_yuan: 1}: 2\n",
                "? [a, b]\n: 1\n",
                "key: 'unterminated\n",
                "@reserved\n",
                "name: &a tiny\nname2: *b\n",
                "!!python/object:os.system ls\n",
            ]
        )
    )
    lines.insert(index, junk)
    files["scenario.yaml"] = "".join(lines).encode()
    return Broken(files, "scenario.yaml")


# --------------------------------------------------------------------------- the tests


@EXAMPLES
@given(broken=bad_cells(), command=st.sampled_from(["validate", "solve"]), bom=st.booleans())
def test_bad_cells_are_rejected_with_file_row_and_column(broken: Broken, command: str, bom: bool) -> None:
    check_rejected(broken, command, bom)


@EXAMPLES
@given(broken=broken_tables(), command=st.sampled_from(["validate", "solve"]), bom=st.booleans())
def test_broken_tables_are_rejected_naming_the_file(broken: Broken, command: str, bom: bool) -> None:
    check_rejected(broken, command, bom)


@EXAMPLES
@given(broken=broken_scenarios(), command=st.sampled_from(["validate", "solve"]), bom=st.booleans())
def test_broken_scenarios_are_rejected_naming_the_file(broken: Broken, command: str, bom: bool) -> None:
    check_rejected(broken, command, bom)


# --------------------------------------------------------------------------- the valid side


def write(files: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_the_unbroken_case_is_valid(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(write(valid_files(), tmp_path / "case"))])
    assert result.exit_code == 0, result.output


def test_byte_order_marks_are_accepted(tmp_path: Path) -> None:
    # Excel's "CSV UTF-8" writes a BOM; it must not turn the first column into an unknown one
    case = write(with_bom(valid_files()), tmp_path / "case")
    assert (case / "hubs.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = runner.invoke(app, ["validate", str(case)])
    assert result.exit_code == 0, result.output


def test_gbk_file_is_named_as_gbk(tmp_path: Path) -> None:
    files = valid_files()
    files["hubs.csv"] = csv_text(base_tables()["hubs"]).encode("gbk")
    result = runner.invoke(app, ["validate", str(write(files, tmp_path / "case"))])
    assert result.exit_code == 2
    assert (
        "hubs.csv:2: file is not UTF-8 text (it looks like GBK/GB18030, the Chinese Windows default)" in result.output
    )


def test_oracle_matches_hand_examples() -> None:
    racks = field_rule("clusters", "racks_existing")
    assert (racks.lower, racks.upper, racks.required) == (0.0, 1e8, True)
    assert [is_bad(racks, v) for v in ["5", " 5 ", "-1", "nan", "1e300", "５", "", "1_000"]] == [
        False,
        False,
        True,
        True,
        True,
        True,
        True,
        False,
    ]
    share = field_rule("hubs", "new_racks_share_min")
    assert (share.kind, share.required, share.upper) == ("number", False, 1.0)
    assert is_bad(share, "") is False
    assert is_bad(field_rule("demand", "year"), "2026.5") is True
    assert is_bad(field_rule("hubs", "region"), "north") is True


def test_number_or_mapping_settings_give_one_message(tmp_path: Path) -> None:
    # budget.yearly_yi_yuan is a number or a year -> number mapping; report only the branch being written
    for value, expected in [
        (-5, "budget.yearly_yi_yuan: -5 - Input should be greater than or equal to 0"),
        ([1, 2], "budget.yearly_yi_yuan: expected a number, or a mapping of year -> number"),
        ({2026: "abc", 2027: 1}, "budget.yearly_yi_yuan.2026: 'abc' - Input should be a valid number"),
    ]:
        files = valid_files()
        scenario = yaml.safe_load(files["scenario.yaml"])
        scenario["budget"]["yearly_yi_yuan"] = value
        files["scenario.yaml"] = yaml.safe_dump(scenario, sort_keys=False).encode()
        result = runner.invoke(app, ["validate", str(write(files, tmp_path / f"case{len(str(value))}"))])
        assert result.exit_code == 2
        assert expected in result.output
        assert result.output.count("yearly_yi_yuan") == 1, result.output

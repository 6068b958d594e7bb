"""The one reader of a solved plan's output folder (plus report files and package assets).

Two readings of what `planner solve` wrote (plan.json, manifest.json, inputs.json, the tidy CSVs):
`read_plan_folder` for reports and comparisons (everything as written, so a report rebuilt later
with `planner report OUT_DIR` is the one written at solve time), and `read_plan_tables` /
`read_inputs_json` / `read_json_object` for `planner verify` (the decision tables with their
numbers parsed and checked). Both go through the same JSON reader, and every problem is a
`PlanFolderError` naming the file (and row and column where there is one). Nothing here imports
the model builder: verify's independence rests on it (tests/test_verify.py).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from planner.errors import PlanFolderError, Problem
from planner.inputs.limits import PLAN_TABLE_MB, read_checked
from planner.inputs.schema import Inputs
from planner.results.folders import atomic_write
from planner.results.plan_checks import check_frame, check_summary
from planner.results.text import markdown_safe

REPORT_TABLES = (
    "racks_new",
    "racks",
    "load",
    "unmet",
    "bandwidth",
    "investment",
    "utilisation",
    "energy_summary",
    "duals",
)
"""CSV files (without `.csv`) a report needs besides plan.json, manifest.json and inputs.json."""

_ID_COLUMNS = ("cluster", "hub", "workload", "slice", "family", "key", "unit")


@dataclass(frozen=True)
class SavedPlan:
    """A solved plan as written to its output folder."""

    plan: dict[str, Any]
    manifest: dict[str, Any]
    inputs: Inputs
    tables: dict[str, pd.DataFrame]


def read_plan_folder(folder: str | Path) -> SavedPlan:
    """Read a plan folder; every missing or unreadable file is reported at once (PlanFolderError)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanFolderError([Problem(str(folder), "no such plan folder; run `planner solve CASE --out DIR` first")])
    problems: list[Problem] = []
    plan = _read_json(folder / "plan.json", problems)
    manifest = _read_json(folder / "manifest.json", problems)
    raw_inputs = _read_json(folder / "inputs.json", problems)
    tables = {
        name: frame for name in REPORT_TABLES if (frame := _read_csv(folder / f"{name}.csv", problems)) is not None
    }
    if (folder / "vintage.csv").exists() and (frame := _read_csv(folder / "vintage.csv", problems)) is not None:
        tables["vintage"] = frame  # retrofits and retirements: written only by plans with those options
    inputs = None
    if raw_inputs is not None:
        try:
            inputs = Inputs.model_validate(raw_inputs)
        except ValidationError as error:
            first = error.errors()[0]
            problems.append(
                Problem(
                    str(folder / "inputs.json"),
                    f"not valid planning inputs ({error.error_count()} error(s)); first: {first['msg']}",
                    column=".".join(map(str, first["loc"])) or None,
                )
            )
    if plan is not None:
        check_summary(str(folder / "plan.json"), plan, problems)
    for name, frame in tables.items():
        check_frame(name, str(folder / f"{name}.csv"), frame, problems)
    if problems or plan is None or manifest is None or inputs is None:
        raise PlanFolderError(problems)
    return SavedPlan(plan=plan, manifest=manifest, inputs=inputs, tables=tables)


def _read_json(
    path: Path, problems: list[Problem], missing: str = "missing; the folder is not a complete plan"
) -> dict[str, Any] | None:
    """A JSON object (a bounded regular file), or None with the problem appended."""
    if not path.exists():
        problems.append(Problem(str(path), missing))
        return None
    raw = read_checked(path, PLAN_TABLE_MB, problems)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        problems.append(Problem(str(path), f"cannot be read: {error}"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(str(path), "expected a JSON object"))
        return None
    return data


def _read_csv(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    dtypes = dict.fromkeys(_ID_COLUMNS, str)
    if not path.exists():
        problems.append(Problem(str(path), "missing; the folder is not a complete plan"))
        return None
    data = read_checked(path, PLAN_TABLE_MB, problems)
    if data is None:
        return None
    try:
        return pd.read_csv(io.BytesIO(data), dtype=dtypes, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        problems.append(Problem(str(path), f"cannot be read: {error}"))
    return None


# --------------------------------------------------------------------------- for planner verify

ID_COLUMNS = {"cluster": str, "hub": str, "workload": str, "slice": str}

PLAN_TABLES: dict[str, tuple[str, ...]] = {
    "racks_new": ("cluster", "year", "new_racks"),
    "racks": ("cluster", "year", "racks"),
    "load": ("workload", "hub", "cluster", "year", "load_racks"),
    "unmet": ("workload", "hub", "year", "unmet_racks"),
    "energy": ("cluster", "year", "slice", "grid_gwh", "renewable_gwh"),
    "certificates": ("cluster", "year", "certificates_gwh"),
    "bandwidth": ("hub", "cluster", "year", "traffic_gbps", "bandwidth_new_gbps", "capacity_gbps"),
    "modules": ("cluster", "year", "modules"),
    "storage": ("cluster", "year", "battery_mw", "battery_mwh", "battery_mw_new", "battery_mwh_new"),
    "utilisation": ("cluster", "year", "load_racks"),
    "vintage": ("cluster", "year", "retrofit_racks", "retire_racks", "retrofit_load_racks"),
}
"""Table (file `<name>.csv`) -> the columns verify reads from it."""


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object from a file, or a PlanFolderError saying what is wrong with it."""
    problems: list[Problem] = []
    data = _read_json(path, problems, missing="file not found; is this an output folder written by `planner solve`?")
    if data is None:
        raise PlanFolderError(problems)
    return data


def read_inputs_json(path: Path) -> Inputs:
    """The validated inputs a plan was solved from."""
    try:
        return Inputs.model_validate(read_json_object(path))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"])) or "(top level)"
        raise PlanFolderError(
            [Problem(str(path), f"not a valid set of planning inputs: {where}: {first['msg']}")]
        ) from error


def read_plan_tables(
    folder: Path, modules: bool, storage: bool = False, vintage: bool = False
) -> dict[str, pd.DataFrame]:
    """Every plan table of an output folder, numbers parsed.

    modules.csv only for modular builds, storage.csv only with batteries, vintage.csv only with
    retrofit or retirement options.
    """
    problems: list[Problem] = []
    frames = {}
    for name, columns in PLAN_TABLES.items():
        skip = {"modules": not modules, "storage": not storage, "vintage": not vintage}
        if skip.get(name, False):
            frames[name] = pd.DataFrame(columns=list(columns))
            continue
        frames[name] = _read_table(folder / f"{name}.csv", columns, problems, OPTIONAL_COLUMNS.get(name, ()))
    if problems:
        raise PlanFolderError(problems)
    return frames


OPTIONAL_COLUMNS = {
    "energy": ("charge_gwh", "discharge_gwh", "green_direct_gwh"),
    "racks": ("load_new_racks",),
    "racks_new": ("opened",),
}
"""Columns kept when present (battery charge and discharge: written only by runs that can build
batteries; load on new racks: written since existing racks carry their own PUE; direct green supply:
written by plans with 绿电直连; opened: sites with an opening cost)."""


def _read_table(
    path: Path, columns: tuple[str, ...], problems: list[Problem], optional: tuple[str, ...] = ()
) -> pd.DataFrame:
    if not path.exists():
        problems.append(Problem(str(path), "plan table missing from the output folder"))
        return pd.DataFrame()
    data = read_checked(path, PLAN_TABLE_MB, problems)
    if data is None:
        return pd.DataFrame()
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype={c: t for c, t in ID_COLUMNS.items() if c in columns},
            keep_default_na=False,
            na_values=[""],
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        problems.append(Problem(str(path), f"not a readable CSV table: {error}"))
        return pd.DataFrame()
    before = len(problems)
    missing = [c for c in columns if c not in frame.columns]
    columns = columns + tuple(c for c in optional if c in frame.columns)
    if missing:
        problems.append(Problem(str(path), f"missing column(s) {', '.join(missing)}", row=1))
        return pd.DataFrame()
    for column in columns:
        if column in ID_COLUMNS:
            continue
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = numbers.isna() & frame[column].notna() | frame[column].isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2
            problems.append(
                Problem(str(path), "not a number", row=row, column=column, value=frame[column].iloc[row - 2])
            )
        frame[column] = numbers
    if len(problems) == before:
        check_frame(path.stem, str(path), frame, problems)
    return frame[list(columns)]


# --------------------------------------------------------------------------- report files and assets


def write_text_files(folder: Path, files: dict[str, str]) -> None:
    """Write each file through a temporary name and rename, so none is left half-written (on any error)."""
    folder = Path(folder)
    for name, text in files.items():
        atomic_write(folder / name, markdown_safe(text) if name.endswith(".md") else text)


def read_asset(name: str) -> str:
    """Text of a file shipped in `planner/report/assets/`."""
    return resources.files("planner.report").joinpath("assets", name).read_text(encoding="utf-8")


def read_bytes(path: Path) -> bytes:
    """Bytes of a file (a system font to embed)."""
    return Path(path).read_bytes()

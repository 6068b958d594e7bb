"""Read a plan's output folder back: plan.json, inputs.json and the tidy CSVs (for `planner verify`).

Every problem is a `PlanFolderError` naming the file (and row and column where there is one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from planner.errors import PlanFolderError, Problem
from planner.inputs.schema import Inputs

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
}
"""Table (file `<name>.csv`) -> the columns verify reads from it."""


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object from a file, or a PlanFolderError saying what is wrong with it."""
    if not path.exists():
        raise PlanFolderError([Problem(str(path), "file not found; is this an output folder written by `planner solve`?")])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PlanFolderError([Problem(str(path), f"not readable JSON: {error}")]) from error
    if not isinstance(data, dict):
        raise PlanFolderError([Problem(str(path), "expected a JSON object")])
    return data


def read_inputs_json(path: Path) -> Inputs:
    """The validated inputs a plan was solved from."""
    try:
        return Inputs.model_validate(read_json_object(path))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise PlanFolderError([Problem(str(path), f"not a valid set of planning inputs: {where}: {first['msg']}")]) from error


def read_plan_tables(folder: Path, modules: bool) -> dict[str, pd.DataFrame]:
    """Every plan table of an output folder (modules.csv only for modular builds), numbers parsed."""
    problems: list[Problem] = []
    frames = {}
    for name, columns in PLAN_TABLES.items():
        if name == "modules" and not modules:
            frames[name] = pd.DataFrame(columns=list(columns))
            continue
        frames[name] = _read_table(folder / f"{name}.csv", columns, problems, OPTIONAL_COLUMNS.get(name, ()))
    if problems:
        raise PlanFolderError(problems)
    return frames


OPTIONAL_COLUMNS = {"energy": ("charge_gwh", "discharge_gwh"), "racks": ("load_new_racks",)}
"""Columns kept when present (battery charge and discharge: written only by runs that can build
batteries; load on new racks: written since existing racks carry their own PUE)."""


def _read_table(path: Path, columns: tuple[str, ...], problems: list[Problem], optional: tuple[str, ...] = ()) -> pd.DataFrame:
    if not path.exists():
        problems.append(Problem(str(path), "plan table missing from the output folder"))
        return pd.DataFrame()
    try:
        frame = pd.read_csv(path, dtype={c: t for c, t in ID_COLUMNS.items() if c in columns}, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        problems.append(Problem(str(path), f"not a readable CSV table: {error}"))
        return pd.DataFrame()
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
            problems.append(Problem(str(path), "not a number", row=row, column=column, value=frame[column].iloc[row - 2]))
        frame[column] = numbers
    if "year" in frame.columns and not frame["year"].isna().any():
        frame["year"] = frame["year"].astype(int)
    return frame[list(columns)]

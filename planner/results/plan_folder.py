"""A solved plan's output folder, read back for reporting; report files and package assets.

`read_plan_folder` is the only way the report code sees a plan: it reads what `planner solve`
wrote (plan.json, manifest.json, inputs.json and the tidy CSVs), so a report rebuilt later with
`planner report OUT_DIR` is the same as the one written at solve time.
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
from planner.inputs.schema import Inputs
from planner.inputs.limits import TABLE_MB, read_checked
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
    tables = {name: frame for name in REPORT_TABLES if (frame := _read_csv(folder / f"{name}.csv", problems)) is not None}
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


def _read_json(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    if not path.exists():
        problems.append(Problem(str(path), "missing; the folder is not a complete plan"))
        return None
    raw = read_checked(path, TABLE_MB, problems)
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
    data = read_checked(path, TABLE_MB, problems)
    if data is None:
        return None
    try:
        return pd.read_csv(io.BytesIO(data), dtype=dtypes, keep_default_na=False, na_values=[""])
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        problems.append(Problem(str(path), f"cannot be read: {error}"))
    return None


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

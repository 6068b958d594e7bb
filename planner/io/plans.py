"""Read solved plan folders back (for `planner compare`) and write derived pages next to them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError, PlannerError, Problem

NO_PLAN = ("infeasible", "unbounded", "time_limit", "error")


@dataclass(frozen=True)
class SavedPlan:
    """A plan folder as written by `planner solve`: plan.json and the shadow prices."""

    folder: Path
    plan: dict[str, Any]
    duals: pd.DataFrame  # family, key, dual, unit, slack, binding


def read_plan(folder: str | Path) -> SavedPlan:
    """Read plan.json and duals.csv from a plan folder; a folder without a plan is an error."""
    folder = Path(folder)
    plan_path = folder / "plan.json"
    if not plan_path.is_file():
        raise InputError([Problem(str(folder), "not a plan folder: plan.json is missing; pass folders written by `planner solve`")])
    try:
        plan: dict[str, Any] = json.loads(plan_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError([Problem(str(plan_path), f"not valid JSON: {err.msg}", row=err.lineno)]) from err
    if plan.get("status") in NO_PLAN or "objective_yi_yuan" not in plan:
        raise PlannerError(f"{folder} holds no plan to compare (status {plan.get('status', 'unknown')})")
    duals_path = folder / "duals.csv"
    duals = pd.read_csv(duals_path, keep_default_na=False) if duals_path.is_file() else pd.DataFrame(columns=["family", "key", "dual", "unit", "slack", "binding"])
    duals["binding"] = duals["binding"].astype(str).str.lower().eq("true")
    return SavedPlan(folder, plan, duals)


def write_text(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write text files (UTF-8) into `folder`, creating it; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

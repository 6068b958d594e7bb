"""Checks on a plan folder read back as input (report, compare, verify).

Edited or corrupt files are located problems (file:row: column), never a traceback and never
numbers silently taken as read.

`check_summary` checks plan.json: its status must be a plan (`optimal` or `feasible`) and every
headline number a finite number, mappings of numbers included. `check_frame` checks one tidy CSV:
the columns the readers need, a finite number in every number cell, whole years, no repeated key.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import Problem

PLAN_STATUSES = ("optimal", "feasible")

NUMBER_KEYS = (
    "objective_yi_yuan", "investment_total_yi_yuan", "new_racks_total", "new_racks_east", "new_racks_west",
    "demand_rack_years", "served_rack_years", "unmet_rack_years", "average_pue", "green_share", "facility_energy_gwh",
    "emissions_mt_co2", "west_share_of_new_racks",
)
"""plan.json headline numbers that must be finite numbers when present (objective: always)."""

MAPPING_SUFFIXES = ("_yi_yuan", "_racks", "_by_year", "_by_hub", "_by_cluster", "_cluster_year")
"""plan.json mappings (cost breakdown, racks by hub, ...) whose leaves must be numbers."""

TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "racks_new": (("cluster", "year"), ("new_racks",)),
    "racks": (("cluster", "year"), ("racks",)),
    "load": (("workload", "hub", "cluster", "year"), ("load_racks",)),
    "unmet": (("workload", "hub", "year"), ("unmet_racks",)),
    "energy": (("cluster", "year", "slice"), ("grid_gwh", "renewable_gwh")),
    "certificates": (("cluster", "year"), ("certificates_gwh",)),
    "bandwidth": (("hub", "cluster", "year"), ("traffic_gbps", "bandwidth_new_gbps", "capacity_gbps")),
    "modules": (("cluster", "year"), ("modules",)),
    "investment": (("hub", "year"), ("racks_yi_yuan", "network_yi_yuan", "total_yi_yuan")),
    "utilisation": (("cluster", "year"), ("racks", "load_racks")),
    "energy_summary": (("cluster", "year"), ("grid_gwh", "renewable_gwh", "facility_gwh", "it_gwh", "emissions_mt")),
    "duals": (("family", "key"), ("dual",)),
}
"""Table -> (key columns, number columns) that readers rely on; other columns are passed through."""


def check_summary(path: str, plan: dict[str, Any], problems: list[Problem], totals: bool = True) -> None:
    """plan.json: a plan's status and finite headline numbers, and (`totals`) that its totals add up.

    `planner verify` passes totals=False: it measures how far each total is off, as a violation.
    """
    status = plan.get("status")
    before = len(problems)
    if status not in PLAN_STATUSES:
        message = (
            f"'{status}' is not a plan (expected optimal or feasible); a run that ended without a plan has nothing to "
            "report"
        )
        problems.append(Problem(path, message, column="status"))
        return
    for key in NUMBER_KEYS:
        if key in plan or key == "objective_yi_yuan":
            value = plan.get(key)
            if not _number(value):
                problems.append(
                    Problem(
                        path,
                        "expected a finite number",
                        column=key,
                        value=value if not isinstance(value, dict | list) else None,
                    )
                )
    for key, value in plan.items():
        if isinstance(value, dict) and key.endswith(MAPPING_SUFFIXES):
            bad = _bad_leaf(value, key)
            if bad is not None:
                problems.append(Problem(path, "expected a finite number", column=bad[0], value=bad[1]))
    if totals and len(problems) == before:
        _check_totals(path, plan, problems)


TOTALS = (
    ("objective_yi_yuan", ("cost_breakdown_yi_yuan",)),
    ("investment_total_yi_yuan", ("investment_by_hub_yi_yuan",)),
    ("new_racks_total", ("new_racks_east", "new_racks_west")),
)
"""plan.json totals and the parts they are the sum of; an edited number breaks the sum."""


def _check_totals(path: str, plan: dict[str, Any], problems: list[Problem]) -> None:
    for total, parts in TOTALS:
        if total not in plan or not all(p in plan for p in parts):
            continue
        values = [plan[p] for p in parts]
        found = sum(sum(v.values()) if isinstance(v, dict) else v for v in values)
        if abs(found - plan[total]) > 1e-3 * max(1.0, abs(plan[total])) + 0.5 * (total == "new_racks_total"):
            problems.append(
                Problem(
                    path,
                    f"is not the sum of {' + '.join(parts)} ({found:,.6g}); the file was edited",
                    column=total,
                    value=plan[total],
                )
            )


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _bad_leaf(tree: dict[str, Any], prefix: str) -> tuple[str, object] | None:
    for key, value in tree.items():
        where = f"{prefix}.{key}"
        if isinstance(value, dict):
            found = _bad_leaf(value, where)
            if found is not None:
                return found
        elif value is not None and not _number(value):
            return where, value if not isinstance(value, list) else None
    return None


def check_frame(name: str, path: str, frame: pd.DataFrame, problems: list[Problem], required: bool = True) -> bool:
    """One tidy CSV of a plan folder; returns False (with located problems) when it cannot be used.

    Rows are reported as file lines (the header is line 1). Number cells must hold finite numbers;
    `nan`, `inf` or text such as `abc` are problems, as are a year that is not a whole number, a
    blank key cell and a key repeated on two rows.
    """
    keys, numbers = TABLES.get(name, ((), ()))
    missing = [c for c in (*keys, *numbers) if c not in frame.columns]
    if missing:
        problems.append(
            Problem(
                path,
                f"missing column(s) {', '.join(missing)}; the file was edited or is not from `planner solve`",
                row=1,
            )
        )
        return False
    if frame.empty and required and name not in ("duals", "modules", "unmet"):
        problems.append(Problem(path, "has a header but no rows", row=1))
        return False
    before = len(problems)
    for column in numbers:
        _numbers(path, frame, column, problems, integer=False)
    for column in keys:
        if column == "year":
            _numbers(path, frame, column, problems, integer=True)
        else:
            blank = frame[column].isna() | (frame[column].astype(str).str.strip() == "")
            if blank.any():
                row = int(np.flatnonzero(blank.to_numpy())[0])
                problems.append(Problem(path, "a key cell is blank", row=row + 2, column=column))
    if len(problems) == before and keys:
        repeated = frame.duplicated(subset=list(keys), keep="first")
        if repeated.any():
            row = int(np.flatnonzero(repeated.to_numpy())[0])
            shown = ", ".join(f"{k}={frame[k].iloc[row]}" for k in keys)
            problems.append(Problem(path, f"row repeats the key {shown}; each key may appear once", row=row + 2))
    return len(problems) == before


def _numbers(path: str, frame: pd.DataFrame, column: str, problems: list[Problem], integer: bool) -> None:
    cells = frame[column]
    values = pd.to_numeric(cells, errors="coerce")
    finite = np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    blank = cells.isna().to_numpy()
    bad = ~finite & ~blank if not integer else ~finite
    if integer:
        bad |= finite & (np.mod(np.nan_to_num(values.to_numpy(dtype=float, na_value=0.0)), 1) != 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        what = "expected a whole year" if integer else "expected a finite number"
        problems.append(Problem(path, what, row=row + 2, column=column, value=cells.iloc[row]))
        return
    frame[column] = values.astype(int) if integer else values

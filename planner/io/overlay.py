"""Scenario overlays: small YAML files that change a case's settings and table rows.

An overlay names its base case and changes only what it changes::

    # What if the 2026-2030 budget were cut by 30 %?
    base: inputs/default
    name: budget_cut
    set:                      # deep-merged into scenario.yaml
      budget: {total_yi_yuan: 1400}
    tables:
      clusters:
        - match: {cluster_id: zhongwei}      # rows whose cells equal these values
          set: {pue: 1.15}                   # cells to overwrite
      demand:
        - match: {workload_id: batch}
          scale: {demand_racks: 1.2}         # multiply numeric cells

Unknown keys, tables, columns and ids are errors naming the overlay file and line.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError, Problem
from planner.io.read import RawCase, read_yaml
from planner.schema import TABLES

OVERLAY_KEYS = ("base", "name", "description", "set", "tables")
PATCH_KEYS = ("match", "set", "scale")


def apply_overlay(raw: RawCase, path: Path) -> RawCase:
    """Return a copy of `raw` with the overlay at `path` applied; raise every problem at once."""
    problems: list[Problem] = []
    data, lines = read_yaml(path, problems)
    if problems or data is None:
        raise InputError(problems)
    file = str(path)
    for key in data:
        if key not in OVERLAY_KEYS:
            problems.append(_unknown(file, lines.get((key,)), "overlay key", str(key), OVERLAY_KEYS))
    out = copy.deepcopy(raw)
    out.sources.append(path)
    if isinstance(data.get("set"), dict):
        _merge(out.scenario, data["set"])
    elif data.get("set") is not None:
        problems.append(Problem(file, "'set' must be a mapping of scenario settings", row=lines.get(("set",))))
    if data.get("name") is not None:
        out.scenario["name"] = data["name"]
    tables = data.get("tables") or {}
    if not isinstance(tables, dict):
        problems.append(Problem(file, "'tables' must map table names to lists of patches", row=lines.get(("tables",))))
        tables = {}
    for table, patches in tables.items():
        _patch_table(out, file, lines, str(table), patches, problems)
    if problems:
        raise InputError(problems)
    return out


def _merge(target: dict[str, Any], change: dict[str, Any]) -> None:
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _unknown(file: str, line: int | None, what: str, value: str, allowed: tuple[str, ...] | list[str]) -> Problem:
    hint = difflib.get_close_matches(value, list(allowed), n=1)
    advice = f"did you mean '{hint[0]}'?" if hint else f"expected one of {', '.join(allowed)}"
    return Problem(file, f"unknown {what}; {advice}", row=line, value=value)


def _patch_table(out: RawCase, file: str, lines: dict[tuple[Any, ...], int], table: str, patches: Any, problems: list[Problem]) -> None:
    here = lines.get(("tables", table))
    if table not in TABLES or table not in out.tables:
        problems.append(_unknown(file, here, "table", table, sorted(out.tables)))
        return
    if not isinstance(patches, list):
        problems.append(Problem(file, f"tables.{table} must be a list of patches", row=here))
        return
    frame = out.tables[table].frame
    columns = list(TABLES[table].model_fields)
    for i, patch in enumerate(patches):
        line = lines.get(("tables", table, i), here)
        if not isinstance(patch, dict) or not set(patch) <= set(PATCH_KEYS) or "match" not in patch:
            problems.append(Problem(file, f"each patch needs 'match' and 'set' and/or 'scale' (keys: {', '.join(PATCH_KEYS)})", row=line))
            continue
        bad = [c for part in ("match", "set", "scale") for c in (patch.get(part) or {}) if c not in columns]
        if bad:
            problems.extend(_unknown(file, line, f"column of {table}.csv", c, columns) for c in bad)
            continue
        mask = pd.Series(True, index=frame.index)
        for column, value in patch["match"].items():
            mask &= frame[column].astype(str) == str(value)
        if not mask.any():
            shown = ", ".join(f"{k}={v}" for k, v in patch["match"].items())
            problems.append(Problem(file, f"no row of {table}.csv matches {shown}; check the ids", row=line))
            continue
        for column, value in (patch.get("set") or {}).items():
            frame.loc[mask, column] = None if value is None else str(value)
        for column, factor in (patch.get("scale") or {}).items():
            try:
                frame.loc[mask, column] = (frame.loc[mask, column].astype(float) * float(factor)).map(repr)
            except (TypeError, ValueError):
                problems.append(Problem(file, f"cannot scale {table}.{column} by {factor!r}: both must be numbers", row=line))

"""Scenario overlays: small YAML files that change a case's settings and table rows.

An overlay names its base case and changes only what it changes::

    # What if the 2026-2030 budget were cut by 30 %?
    base: inputs/default
    name: budget_cut
    description: Budgets 30 % below the default case.
    description_zh: 预算比默认案例低 30 %。   # optional: shown on the web's Chinese pages
    set:                      # deep-merged into scenario.yaml
      budget: {total_yi_yuan: 700}
    tables:
      clusters:
        - match: {cluster_id: zhongwei}      # rows whose cells equal these values
          set: {pue: 1.15}                   # cells to overwrite
      links:
        - match: {hub_id: yangtze_delta, cluster_id: [qingyang, zhongwei]}   # a list matches any of its values
          scale: {bandwidth_existing_gbps: 0.2}                              # multiply numeric cells
      demand:
        - match: {}                          # an empty match selects every row
          scale: {demand_racks: 1.1}
        - add: {hub_id: jingjinji, workload_id: batch, year: 2030, demand_racks: 1000}   # a new row

Several overlays apply in order, each to the result of the one before. `base` documents which
case the overlay was written for; applying it to another case only logs a warning. Unknown keys,
tables, columns and ids are errors naming the overlay file and line, and a bad value an overlay
puts into a setting or a cell is reported at the overlay's line.
"""

from __future__ import annotations

import copy
import difflib
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from planner.errors import InputError, Problem
from planner.inputs.read import RawCase, RawTable, read_yaml
from planner.inputs.schema import TABLES

logger = logging.getLogger(__name__)

OVERLAY_KEYS = ("base", "name", "description", "description_zh", "set", "tables")
PATCH_KEYS = ("match", "set", "scale")
ADD_KEY = "add"

Lines = dict[tuple[Any, ...], int]


def apply_overlay(raw: RawCase, path: Path) -> RawCase:
    """Return a copy of `raw` with the overlay at `path` applied; raise every problem at once."""
    problems: list[Problem] = []
    data, lines = read_yaml(path, problems)
    if problems or data is None:
        raise InputError(problems)
    file = str(path)
    problems.extend(
        _unknown(file, lines.get((key,)), "overlay key", str(key), OVERLAY_KEYS)
        for key in data
        if key not in OVERLAY_KEYS
    )
    _check_base(raw, path, data.get("base"))
    out = apply_patch(raw, data, file, lines, problems)
    out.sources.append(path)
    return out


def apply_patch(
    raw: RawCase, change: dict[str, Any], file: str, lines: Lines | None = None, problems: list[Problem] | None = None
) -> RawCase:
    """Apply an overlay mapping (`name`, `description`, `set`, `tables`) to a copy of `raw`.

    `file` and `lines` locate problems (a sweep passes its own file); raises InputError with
    every problem found, including those already in `problems`.
    """
    lines = lines or {}
    problems = problems if problems is not None else []
    # the scenario and its origins copied; tables shared with `raw` until a patch changes one (`_patch_table` copies
    # it first): the tables a scenario does not touch stay the very objects, which `validate(raw, checked)` skips
    out = copy.copy(raw)
    out.scenario, out.scenario_lines = copy.deepcopy(raw.scenario), dict(raw.scenario_lines)
    out.scenario_origins, out.tables = dict(raw.scenario_origins), dict(raw.tables)
    out.sources, out.problems = list(raw.sources), list(raw.problems)
    settings = change.get("set")
    if isinstance(settings, dict):
        _merge(out, settings, (), file, lines)
    elif settings is not None:
        problems.append(Problem(file, "'set' must be a mapping of scenario settings", row=lines.get(("set",))))
    for key in ("name", "description"):
        if change.get(key) is not None:
            _merge(out, {key: change[key]}, (), file, {("set", key): lines.get((key,), 0)})
    tables = change.get("tables") or {}
    if not isinstance(tables, dict):
        problems.append(Problem(file, "'tables' must map table names to lists of patches", row=lines.get(("tables",))))
        tables = {}
    for table, patches in tables.items():
        _patch_table(out, file, lines, str(table), patches, problems)
    if problems:
        raise InputError(problems)
    return out


def _check_base(raw: RawCase, path: Path, base: object) -> None:
    if base is None:
        return
    candidates = [Path(str(base)), path.parent / str(base), path.parent.parent / str(base)]
    found = next((c for c in candidates if c.is_dir()), None)
    if found is None or found.resolve() != raw.folder.resolve():
        logger.warning("overlay %s was written for base case '%s' but is applied to %s", path, base, raw.folder)


def _merge(out: RawCase, change: dict[str, Any], path: tuple[Any, ...], file: str, lines: Lines) -> None:
    """Deep-merge `change` into the scenario at `path`, remembering where each setting came from."""
    target: dict[str, Any] = out.scenario
    for part in path:
        target = target[part]
    for key, value in change.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(out, value, here, file, lines)
            continue
        target[key] = copy.deepcopy(value)
        out.scenario_origins[here] = file
        for sub in [k for k in out.scenario_lines if k[: len(here)] == here]:
            del out.scenario_lines[sub]
        out.scenario_lines[here] = lines.get(("set", *here), 0)
        for sub, line in lines.items():
            if sub[: len(here) + 1] == ("set", *here) and len(sub) > len(here) + 1:
                out.scenario_lines[sub[1:]] = line
                out.scenario_origins[sub[1:]] = file


def _unknown(file: str, line: int | None, what: str, value: str, allowed: tuple[str, ...] | list[str]) -> Problem:
    hint = difflib.get_close_matches(value, list(allowed), n=1)
    advice = f"did you mean '{hint[0]}'?" if hint else f"expected one of {', '.join(allowed)}"
    return Problem(file, f"unknown {what}; {advice}", row=line, value=value)


def _patch_table(out: RawCase, file: str, lines: Lines, table: str, patches: object, problems: list[Problem]) -> None:
    here = lines.get(("tables", table))
    if table not in TABLES or table not in out.tables:
        problems.append(_unknown(file, here, "table", table, sorted(out.tables)))
        return
    if not isinstance(patches, list):
        problems.append(Problem(file, f"tables.{table} must be a list of patches", row=here))
        return
    raw_table = out.tables[table] = copy.deepcopy(out.tables[table])  # never change the base case's table
    columns = list(TABLES[table].model_fields)
    for i, patch in enumerate(patches):
        line = lines.get(("tables", table, i), here)
        if isinstance(patch, dict) and ADD_KEY in patch:
            _add_row(raw_table, patch, columns, file, line, problems)
            continue
        if (
            not isinstance(patch, dict)
            or not set(patch) <= set(PATCH_KEYS)
            or "match" not in patch
            or not isinstance(patch["match"], dict)
        ):
            problems.append(
                Problem(
                    file,
                    f"each patch needs a 'match' mapping and 'set' and/or 'scale' (keys: {', '.join(PATCH_KEYS)})",
                    row=line,
                )
            )
            continue
        bad = [c for part in PATCH_KEYS for c in (patch.get(part) or {}) if c not in columns]
        if bad:
            problems.extend(_unknown(file, line, f"column of {table}.csv", c, columns) for c in bad)
            continue
        mask = _match(raw_table.frame, patch["match"])
        if not mask.any():
            shown = ", ".join(f"{k}={v}" for k, v in patch["match"].items())
            problems.append(Problem(file, f"no row of {table}.csv matches {shown}; check the ids", row=line))
            continue
        _set_cells(
            raw_table.frame, mask, patch, file if line is None else f"{file}:{line}", raw_table.patched, problems, line
        )


def _add_row(
    table: RawTable, patch: dict[str, Any], columns: list[str], file: str, line: int | None, problems: list[Problem]
) -> None:
    """Append one row (`- add: {column: value, ...}`): a site or link the base case does not have."""
    row = patch[ADD_KEY]
    if set(patch) != {ADD_KEY} or not isinstance(row, dict):
        message = "an 'add' patch is one mapping of the new row's cells, with no other keys"
        problems.append(Problem(file, message, row=line))
        return
    bad = [c for c in row if c not in columns]
    if bad:
        problems.extend(_unknown(file, line, f"column of {table.file}", str(c), columns) for c in bad)
        return
    for column in row:
        if column not in table.frame.columns:
            table.frame[column] = None  # a column the base file leaves out: blank in its rows
    position = len(table.frame)
    cells = {c: None if row.get(c) is None else str(row[c]) for c in table.frame.columns}
    added = pd.DataFrame([cells], columns=table.frame.columns, dtype=object)
    table.frame = pd.concat([table.frame, added], ignore_index=True).astype(object)
    table.frame.iloc[position] = pd.Series(cells, dtype=object)  # keep blanks as None, not NaN
    table.lines.append(line or 0)
    table.patched.update({(position, str(c)): file if line is None else f"{file}:{line}" for c in row})


def _match(frame: pd.DataFrame, match: dict[str, Any]) -> pd.Series:
    """Rows whose cells equal every given value; a list value matches any of its items."""
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        wanted = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        mask &= frame[column].astype(str).isin(wanted)
    return mask


def _set_cells(
    frame: pd.DataFrame,
    mask: pd.Series,
    patch: dict[str, Any],
    where: str,
    patched: dict[tuple[int, str], str],
    problems: list[Problem],
    line: int | None,
) -> None:
    file = where if line is None else where.rsplit(":", 1)[0]
    for column, value in (patch.get("set") or {}).items():
        if column not in frame.columns:
            frame[column] = None  # a column the base file leaves out: blank in the other rows
        frame.loc[mask, column] = None if value is None else str(value)
        patched.update({(int(i), column): where for i in frame.index[mask]})
    for column, factor in (patch.get("scale") or {}).items():
        cells = frame.loc[mask, column]
        numbers = pd.to_numeric(cells, errors="coerce")
        if isinstance(factor, bool) or not isinstance(factor, int | float) or (numbers.isna() & cells.notna()).any():
            problems.append(
                Problem(
                    file, f"cannot scale {column} by {factor!r}: the factor and the cells must be numbers", row=line
                )
            )
            continue
        scaled = numbers * float(factor)
        frame.loc[mask, column] = [None if pd.isna(x) else repr(float(x)) for x in scaled]
        patched.update({(int(i), column): where for i in frame.index[mask]})

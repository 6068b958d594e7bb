"""Cross-reference checks over a whole case: every problem is appended, none stops the others.

These run on the raw id columns (so a misspelt id is found even when other cells of the same
file are broken) and, for the checks that need numbers, on the rows that validated.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from planner.errors import Problem
from planner.inputs.limits import PROBLEMS
from planner.inputs.schema import Cluster, Demand, Link, Profile, Scenario, Workload

if TYPE_CHECKING:
    from planner.inputs.read import RawCase, RawTable

REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("clusters", "hub_id", "hubs"),
    ("demand", "hub_id", "hubs"),
    ("demand", "workload_id", "workloads"),
    ("links", "hub_id", "hubs"),
    ("links", "cluster_id", "clusters"),
    ("profiles", "cluster_id", "clusters"),
    ("compute", "workload_id", "workloads"),
    ("cluster_years", "cluster_id", "clusters"),
)
"""(table, column, referenced table): each value must be an id of the referenced table."""

ID_COLUMN = {"hubs": "hub_id", "clusters": "cluster_id", "workloads": "workload_id"}


def cross_check(
    raw: RawCase, rows: dict[str, list[BaseModel]], scenario: Scenario | None, problems: list[Problem]
) -> None:
    """Append every cross-reference problem of the case to `problems`."""
    ids = {name: _raw_ids(raw.tables.get(name), column) for name, column in ID_COLUMN.items()}
    misspelt = _misspelt_definitions(raw, ids, problems)
    for table, column, target in REFERENCES:
        _check_references(raw.tables.get(table), column, ids[target], target, problems, misspelt.get(target, set()))
    if scenario is None or problems or set(raw.tables) < {"hubs", "clusters", "workloads", "demand", "links"}:
        return
    years = range(scenario.years.first, scenario.years.last + 1)
    _check_demand_years(raw, rows, years, problems)
    _check_pue_caps(raw, rows, problems)
    _check_pue_delta(raw, rows, problems)
    _check_cooling_types(raw, rows, scenario, problems)
    _check_it_capex(raw, rows, scenario, problems)
    _check_profiles(raw, rows, problems)
    _check_latency_reach(raw, rows, problems)
    _check_scenario_years(raw, scenario, years, problems)


def _raw_ids(table: RawTable | None, column: str) -> set[str]:
    if table is None or column not in table.frame.columns:
        return set()
    return {str(v) for v in table.frame[column].dropna()}


def _misspelt_definitions(raw: RawCase, ids: dict[str, set[str]], problems: list[Problem]) -> dict[str, set[str]]:
    """Ids misspelt where they are defined: an id no table refers to, close to an unknown id others use.

    One problem at the definition (`clusters.csv:2`), suggesting what the other files use, instead of
    one per referring row suggesting the typo. Returns, per defining table, the unknown ids so explained.
    """
    explained: dict[str, set[str]] = {}
    for target, id_column in ID_COLUMN.items():
        defining = raw.tables.get(target)
        if defining is None or id_column not in defining.frame.columns:
            continue
        uses: dict[str, list[str]] = {}
        for table, column, referenced in REFERENCES:
            source = raw.tables.get(table)
            if referenced != target or source is None or column not in source.frame.columns:
                continue
            for value in source.frame[column].dropna():
                uses.setdefault(str(value), []).append(source.file)
        unused = sorted(ids[target] - set(uses))
        unknown = sorted(set(uses) - ids[target])
        if (
            len(unused) * len(unknown) > 10_000
        ):  # a handful of typos, not a hostile table: keep the spelling search small
            continue
        for value in unused:
            match = difflib.get_close_matches(value, [u for u in unknown if u not in explained.get(target, set())], n=1)
            if not match:
                continue
            files = sorted({Path(f).name for f in uses[match[0]]})
            position = next(i for i, v in defining.frame[id_column].items() if str(v) == value)
            problems.append(
                Problem(
                    defining.file,
                    f"{id_column[:-3]} id used by no other file, but {' and '.join(files)} "
                    f"{'uses' if len(files) == 1 else 'use'} '{match[0]}' ({len(uses[match[0]])} rows); did you mean "
                    f"'{match[0]}'?",
                    row=defining.lines[cast(int, position)],
                    column=id_column,
                    value=value,
                )
            )
            explained.setdefault(target, set()).add(match[0])
    return explained


def _check_references(
    table: RawTable | None,
    column: str,
    known: set[str],
    target: str,
    problems: list[Problem],
    explained: set[str] | None = None,
) -> None:
    if table is None or column not in table.frame.columns or not known:
        return
    ordered = sorted(known)
    shown = ", ".join(ordered[:10]) + (f", ... ({len(ordered):,} in all)" if len(ordered) > 10 else "")
    unknown = [
        (position, value)
        for position, value in table.frame[column].items()
        if value is not None and value not in known and value not in (explained or ())
    ]
    for position, value in unknown[: PROBLEMS.value]:
        hint = difflib.get_close_matches(str(value), ordered, n=1) if len(ordered) <= 1000 else []
        advice = f"did you mean '{hint[0]}'?" if hint else f"expected one of {shown}"
        problems.append(
            Problem(
                table.file,
                f"unknown {column[:-3]} id (not in {target}.csv); {advice}",
                row=table.lines[cast(int, position)],
                column=column,
                value=value,
            )
        )
    if len(unknown) > PROBLEMS.value:
        problems.append(
            Problem(table.file, f"... and {len(unknown) - PROBLEMS.value:,} more rows with an unknown {column[:-3]} id")
        )


def _located(raw: RawCase, table: str, rows: Iterable[BaseModel]) -> Iterable[tuple[int, Any]]:
    lines = raw.tables[table].lines
    return zip(lines, rows, strict=False)


def _check_demand_years(raw: RawCase, rows: dict[str, list[BaseModel]], years: range, problems: list[Problem]) -> None:
    if "demand" not in raw.tables:
        return
    file = raw.tables["demand"].file
    seen: set[tuple[str, int]] = set()
    for line, row in _located(raw, "demand", rows.get("demand", [])):
        assert isinstance(row, Demand)
        if row.year not in years:
            problems.append(
                Problem(
                    file,
                    f"year outside the planning horizon {years.start}-{years.stop - 1} (scenario.yaml years)",
                    row=line,
                    column="year",
                    value=row.year,
                )
            )
        seen.add((row.hub_id, row.year))
    hubs = sorted(_raw_ids(raw.tables.get("hubs"), "hub_id"))
    missing = [f"{h} {y}" for h in hubs for y in years if (h, y) not in seen]
    if missing and rows.get("demand"):
        shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        problems.append(
            Problem(file, f"no demand rows for hub/year: {shown}; give every hub a row for every year (0 is fine)")
        )


def _check_pue_caps(raw: RawCase, rows: dict[str, list[BaseModel]], problems: list[Problem]) -> None:
    if "clusters" not in raw.tables:
        return
    file = raw.tables["clusters"].file
    for line, row in _located(raw, "clusters", rows.get("clusters", [])):
        assert isinstance(row, Cluster)
        broken: list[tuple[bool, str, str, object]] = [
            (
                row.pue > row.pue_max,
                f"PUE above the cluster's cap pue_max={row.pue_max}; lower pue or raise pue_max",
                "pue",
                row.pue,
            ),
            (
                row.racks_in_use_existing is not None and row.racks_in_use_existing > row.racks_existing,
                f"racks in use exceed the existing racks ({row.racks_existing:g})",
                "racks_in_use_existing",
                row.racks_in_use_existing,
            ),
            (
                row.racks_max is not None and row.racks_existing > row.racks_max,
                f"existing racks exceed racks_max={row.racks_max or 0:g}; the land limit is already broken",
                "racks_existing",
                row.racks_existing,
            ),
        ]
        problems.extend(
            Problem(file, message, row=line, column=column, value=value)
            for failed, message, column, value in broken
            if failed
        )


def _check_pue_delta(raw: RawCase, rows: dict[str, list[BaseModel]], problems: list[Problem]) -> None:
    """A class's PUE difference keeps every PUE it meets at 1 or above: lowest cluster PUE + pue_delta >= 1."""
    clusters = [c for c in rows.get("clusters", []) if isinstance(c, Cluster)]
    if not clusters:
        return
    pues = [(p, c.cluster_id) for c in clusters for p in (c.pue, c.pue_max, c.pue_existing) if p is not None]
    lowest, where = min(pues)
    for line, row in _located(raw, "workloads", rows.get("workloads", [])):
        assert isinstance(row, Workload)
        if lowest + row.pue_delta < 1.0:
            message = (
                f"gives a PUE of {lowest + row.pue_delta:.3f} at {where} (PUE {lowest:g}), below 1; "
                f"expected pue_delta >= {1.0 - lowest:.3f}"
            )
            problems.append(
                Problem(raw.tables["workloads"].file, message, row=line, column="pue_delta", value=row.pue_delta)
            )


def _check_cooling_types(
    raw: RawCase, rows: dict[str, list[BaseModel]], scenario: Scenario, problems: list[Problem]
) -> None:
    """Every cluster without its own WUE has a cooling type that `water.wue_l_per_kwh` prices."""
    known = scenario.water.wue_l_per_kwh
    for line, row in _located(raw, "clusters", rows.get("clusters", [])):
        assert isinstance(row, Cluster)
        cooling = row.cooling_type or scenario.water.cooling_type
        if row.wue_l_per_kwh is None and cooling not in known:
            message = (f"cooling type '{cooling}' has no WUE in water.wue_l_per_kwh ({', '.join(known)}); "
                       "add it there or give wue_l_per_kwh")
            file = raw.tables["clusters"].file
            problems.append(Problem(file, message, row=line, column="cooling_type", value=cooling))


def _check_it_capex(
    raw: RawCase, rows: dict[str, list[BaseModel]], scenario: Scenario, problems: list[Problem]
) -> None:
    """With `it_capex: true` every workload class states its IT capex per rack and the equipment's life."""
    if not scenario.it_capex:
        return
    for line, row in _located(raw, "workloads", rows.get("workloads", [])):
        assert isinstance(row, Workload)
        for column in ("it_capex_yuan_per_rack", "it_lifetime_years"):
            if getattr(row, column) is None:
                message = f"it_capex is on (scenario.yaml) but class '{row.workload_id}' gives no {column}"
                problems.append(Problem(raw.tables["workloads"].file, message, row=line, column=column))


def _check_profiles(raw: RawCase, rows: dict[str, list[BaseModel]], problems: list[Problem]) -> None:
    profiles = [r for r in rows.get("profiles", []) if isinstance(r, Profile)]
    if not profiles:
        return
    file = raw.tables["profiles"].file
    slices_by_cluster: dict[str, set[str]] = {}
    hours: dict[str, float] = {}
    for row in profiles:
        slices_by_cluster.setdefault(row.cluster_id, set()).add(row.slice_id)
        hours[row.cluster_id] = hours.get(row.cluster_id, 0.0) + row.weight_hours
    clusters = _raw_ids(raw.tables.get("clusters"), "cluster_id")
    reference = next(iter(slices_by_cluster.values()))
    for cluster in sorted(clusters):
        got = slices_by_cluster.get(cluster)
        if got is None:
            problems.append(
                Problem(file, f"no profile rows for cluster '{cluster}'; every cluster needs the same slices")
            )
        elif got != reference:
            problems.append(
                Problem(
                    file,
                    f"cluster '{cluster}' has slices that differ from the other clusters'; every cluster needs the "
                    "same slices",
                )
            )
        elif abs(hours[cluster] - 8760) > 1:
            problems.append(
                Problem(file, f"weight_hours of cluster '{cluster}' sum to {hours[cluster]:g}; expected 8760")
            )


def _check_latency_reach(raw: RawCase, rows: dict[str, list[BaseModel]], problems: list[Problem]) -> None:
    """Every (workload, hub) with demand needs a cluster within the class's latency limit."""
    workloads = {w.workload_id: w for w in rows.get("workloads", []) if isinstance(w, Workload)}
    links: dict[str, list[Link]] = {}
    for link in rows.get("links", []):
        assert isinstance(link, Link)
        links.setdefault(link.hub_id, []).append(link)
    demanded = {(r.workload_id, r.hub_id) for r in rows.get("demand", []) if isinstance(r, Demand) and _demanded(r)}
    for workload_id, hub_id in sorted(demanded):
        workload = workloads.get(workload_id)
        options = links.get(hub_id, [])
        if workload is None:
            continue
        limit = workload.latency_max_rtt_ms
        if not options:
            problems.append(
                Problem(
                    raw.tables["links"].file, f"hub '{hub_id}' has demand but no links to any cluster; add rows for it"
                )
            )
        elif limit is not None and all(link.round_trip_ms > limit for link in options):
            nearest = min(options, key=lambda link: link.round_trip_ms)
            problems.append(
                Problem(
                    raw.tables["links"].file,
                    f"workload '{workload_id}' at hub '{hub_id}' needs RTT <= {limit:g} ms but no linked cluster is "
                    f"that close (nearest: {nearest.cluster_id} at {nearest.round_trip_ms:g} ms)",
                )
            )


def _check_scenario_years(raw: RawCase, scenario: Scenario, years: range, problems: list[Problem]) -> None:
    mappings = {
        ("budget", "yearly_yi_yuan"): scenario.budget.yearly_yi_yuan,
        ("policy", "carbon_cap_mt"): scenario.policy.carbon_cap_mt,
    }
    for path, value in mappings.items():
        if not isinstance(value, dict):
            continue
        for year in value:
            if year not in years:
                line = raw.scenario_lines.get((*path, year))
                problems.append(
                    Problem(
                        raw.scenario_file,
                        f"year outside the planning horizon {years.start}-{years.stop - 1}",
                        row=line,
                        column=".".join(path),
                        value=year,
                    )
                )
        absent = [y for y in years if y not in value]
        if absent:
            problems.append(
                Problem(
                    raw.scenario_file,
                    f"no value for year(s) {', '.join(map(str, absent))}; give every planning year",
                    row=raw.scenario_lines.get(path),
                    column=".".join(path),
                )
            )


def _demanded(row: Demand) -> bool:
    """Whether a demand row asks for anything, in whichever unit it gives."""
    units = ("demand_racks", "demand_kind_racks", "demand_it_mw", "demand_eflops")
    return any((getattr(row, c) or 0) > 0 for c in units)

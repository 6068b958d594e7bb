"""Compute and power density: rack kinds, demand in other units, and compute (EFLOPS) per rack.

The model counts every rack in standard-rack equivalents: one rack of a class's kind at `rack_kw` is
`rack_kw / rack.power_kw` standard racks (the programme's 标准机架 is defined by its 2.5 kW of power), so
power, cooling and the grid connection follow the kind's density. Demand may be given per row in
standard racks (`demand_racks`), racks of the class's own kind (`demand_kind_racks`), MW of rated IT
load in use (`demand_it_mw`) or compute (`demand_eflops`, at the case's `compute_precision`, through
the class's `pflops_per_rack` for that year in compute.csv). `fill_demand_racks` turns each into
standard racks before the case is used anywhere, so every later stage reads `demand_racks` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

UNITS = ("demand_racks", "demand_kind_racks", "demand_it_mw", "demand_eflops")
"""The demand columns; each row gives one of them (or `demand_racks` with one other that agrees)."""

PFLOPS_PER_EFLOPS = 1000.0


def _get(row: Any, key: str) -> Any:  # noqa: ANN401 - a row as a mapping or a validated model
    return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)


def standard_racks_per_rack(workloads: Iterable[Any], power_kw: float) -> dict[str, float]:
    """Standard racks one rack of each class's kind counts as: rack_kw / power_kw (1 for a standard rack)."""
    out = {}
    for w in workloads:
        kw = _get(w, "rack_kw")
        out[str(_get(w, "workload_id"))] = 1.0 if kw in (None, "") else float(kw) / power_kw
    return out


def eflops_per_standard_rack(
    compute: Iterable[Any], per_rack: Mapping[str, float]
) -> dict[tuple[str, int], float]:
    """EFLOPS of one standard rack in use per (class, year): pflops_per_rack / 1000 / (racks per kind rack)."""
    out = {}
    for row in compute:
        w = str(_get(row, "workload_id"))
        pflops = float(_get(row, "pflops_per_rack"))
        out[(w, int(_get(row, "year")))] = pflops / PFLOPS_PER_EFLOPS / per_rack.get(w, 1.0)
    return out


def standard_racks(
    row: Any,  # noqa: ANN401 - a row as a mapping or a validated model
    per_rack: Mapping[str, float],
    eflops: Mapping[tuple[str, int], float],
    power_kw: float,
) -> float | None:
    """The row's demand in standard racks from whichever unit it gives (None if it gives none it can convert)."""
    w, year = str(_get(row, "workload_id")), int(_get(row, "year"))
    if _get(row, "demand_kind_racks") not in (None, ""):
        return float(_get(row, "demand_kind_racks")) * per_rack.get(w, 1.0)
    if _get(row, "demand_it_mw") not in (None, ""):
        return float(_get(row, "demand_it_mw")) * 1e3 / power_kw
    if _get(row, "demand_eflops") not in (None, ""):
        rate = eflops.get((w, year))
        return None if not rate else float(_get(row, "demand_eflops")) / rate
    value = _get(row, "demand_racks")
    return None if value in (None, "") else float(value)


def fill_demand_racks(data: Any) -> Any:  # noqa: ANN401 - the Inputs mapping before validation
    """Give every demand row its standard racks; a row giving two units must agree (raises ValueError)."""
    if not isinstance(data, dict) or "demand" not in data or "scenario" not in data:
        return data
    rack = _get(data["scenario"], "rack")
    power_kw = float(_get(rack, "power_kw") or 2.5) if rack is not None else 2.5
    per_rack = standard_racks_per_rack(data.get("workloads") or (), power_kw)
    eflops = eflops_per_standard_rack(data.get("compute") or (), per_rack)
    rows, problems = [], []
    for row in data["demand"]:
        given = _get(row, "demand_racks")
        value = standard_racks(row, per_rack, eflops, power_kw)
        where = f"demand {_get(row, 'hub_id')}/{_get(row, 'workload_id')}/{_get(row, 'year')}"
        if value is None:
            problems.append(f"{where}: demand_eflops needs pflops_per_rack for its class and year in compute.csv")
            rows.append(row)
            continue
        if given not in (None, "") and abs(float(given) - value) > 1e-6 * max(1.0, value):
            problems.append(f"{where}: demand_racks={given} disagrees with the other unit ({value:.6g} standard racks)")
        update = {"demand_racks": value}
        filled = {**row, **update} if isinstance(row, Mapping) else row.model_copy(update=update)
        rows.append(filled)
    if problems:
        raise ValueError("; ".join(problems[:20]))
    return {**data, "demand": tuple(rows)}

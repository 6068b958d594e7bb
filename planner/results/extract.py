"""Solved model -> `Results`: tidy DataFrames of decisions and shadow prices in report units.

Nothing downstream of this module holds a PuLP object. Report units: racks, GWh, 亿元, Gbps,
Mt CO2; shadow prices in the units listed in `DUAL_UNITS` (present values at the first year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from planner.model import Built, _lp, registry
from planner.model.data import RACKS_PER_KRACK
from planner.model.registry import REGISTRY
from planner.model.variables import Vars
from planner.solver.solve import SolveResult

DUAL_UNITS: dict[str, tuple[str, float]] = {f.name: f.dual for f in REGISTRY}
"""Family -> (unit of its shadow price, factor from model units): what one more unit of the row's
right-hand side changes total discounted cost by. Declared with each family in the registry."""

BINDING_TOL = 1e-7


@dataclass(frozen=True)
class Results:
    """Decisions and shadow prices of one solved plan, in report units."""

    status: str
    objective_yi: float | None
    cost_terms_yi: dict[str, float]
    racks_new: pd.DataFrame  # cluster, year, new_racks
    racks: pd.DataFrame  # cluster, year, racks, load_new_racks
    load: pd.DataFrame  # workload, hub, cluster, year, load_racks
    unmet: pd.DataFrame  # workload, hub, year, unmet_racks
    energy: pd.DataFrame  # cluster, year, slice, grid_gwh, renewable_gwh (+ charge/discharge, green_direct_gwh)
    certificates: pd.DataFrame  # cluster, year, certificates_gwh
    bandwidth: pd.DataFrame  # hub, cluster, year, traffic_gbps, capacity_gbps, bandwidth_new_gbps
    modules: pd.DataFrame  # cluster, year, modules (MILP only)
    duals: pd.DataFrame  # family, key, dual, unit, slack, binding
    duals_note: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    storage: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # cluster, year, battery_mw, battery_mwh, battery_mw_new, battery_mwh_new
    vintage: pd.DataFrame = field(default_factory=pd.DataFrame)  # cluster, year, retrofit/retire/retrofit_load racks


def _frame(values: pd.Series, column: str, scale: float = 1.0) -> pd.DataFrame:
    frame = values.index.to_frame(index=False)
    frame[column] = np.round(values.to_numpy(dtype=float) * scale, 9) + 0.0
    return frame


def extract(built: Built, solve: SolveResult, duals_note: str = "") -> Results:
    """Read primal values and row duals off a solved model."""
    v, d, m = built.vars, built.data, built.model
    k = RACKS_PER_KRACK
    objective_terms = {name: _lp.terms_value(built.model, t) for name, t in built.model.objective_terms.items()}
    return Results(
        status=str(solve.status),
        objective_yi=solve.objective,
        cost_terms_yi=objective_terms,
        racks_new=_racks_new(built),
        racks=_racks(built),
        load=_frame(_lp.values(m, v.load), "load_racks", k),
        unmet=_frame(_lp.values(m, v.unmet), "unmet_racks", k),
        energy=_energy(m, v),
        certificates=_frame(_lp.values(m, v.certificates), "certificates_gwh"),
        bandwidth=_bandwidth(built),
        modules=_frame(_lp.values(m, v.modules), "modules"),
        duals=duals(built),
        duals_note=duals_note,
        extra={"module_racks": None if d.module_kracks is None else d.module_kracks * k},
        storage=_storage(m, v),
        vintage=_vintage(built),
    )


def _racks_new(built: Built) -> pd.DataFrame:
    """Racks built per cluster and year; with opening costs, also whether the site opens that year (1/0)."""
    v, m = built.vars, built.model
    frame = _frame(_lp.values(m, v.racks_new), "new_racks", RACKS_PER_KRACK)
    if not v.opened.empty:
        opened = _lp.values(m, v.opened).reindex(v.racks_new.index, fill_value=0.0)
        frame["opened"] = np.round(opened.to_numpy(), 9) + 0.0
    return frame


def _vintage(built: Built) -> pd.DataFrame:
    """Existing racks retrofitted and retired per year, and the load on retrofitted racks (clusters with an option)."""
    v, d, m = built.vars, built.data, built.model
    index = d.retrofit_clusters.union(d.retire_clusters)
    if index.empty:
        return pd.DataFrame()
    cy = pd.MultiIndex.from_product([pd.Index(index, name="cluster"), d.years])
    frame = cy.to_frame(index=False)
    columns = (("retrofit", "retrofit_racks"), ("retire", "retire_racks"), ("retrofit_load", "retrofit_load_racks"))
    for name, column in columns:
        values = _lp.values(m, getattr(v, name)).reindex(cy, fill_value=0.0)
        frame[column] = np.round(values.to_numpy() * RACKS_PER_KRACK, 9) + 0.0
    return frame


def _racks(built: Built) -> pd.DataFrame:
    """Racks installed and the load carried on racks built in the horizon, per cluster and year.

    Where the model chooses the split (`new_load_cap` clusters) the load on new racks is its
    variable; elsewhere the racks in place fill first: max(0, served - u_max * racks_existing).
    """
    v, d, m = built.vars, built.data, built.model
    frame = _frame(_lp.values(m, v.racks), "racks", RACKS_PER_KRACK)
    chosen = _lp.values(m, v.new_load)
    served = _lp.values(m, v.class_load).groupby(level=["cluster", "year"]).sum().reindex(chosen.index, fill_value=0.0)
    first = cast(pd.Series, np.maximum(0.0, served - d.utilisation_max * _lp.align(d.racks_existing, chosen.index)))
    split = chosen.index.get_level_values("cluster").isin(d.vintage_split)
    values = np.where(split, chosen.to_numpy(), first.to_numpy())
    frame["load_new_racks"] = np.round(values * RACKS_PER_KRACK, 9) + 0.0
    return frame


def _energy(m: _lp.Model, v: Vars) -> pd.DataFrame:
    """Grid and renewable energy per slice; battery charge and discharge (0 without batteries); direct supply if any."""
    frame = _frame(_lp.values(m, v.grid), "grid_gwh")
    frame["renewable_gwh"] = np.round(_lp.values(m, v.renewable).to_numpy(), 9) + 0.0
    for name, column in (("charge", "charge_gwh"), ("discharge", "discharge_gwh")):
        values = _lp.values(m, getattr(v, name)).reindex(v.grid.index, fill_value=0.0)
        frame[column] = np.round(values.to_numpy(), 9) + 0.0
    if not v.green_direct.empty:  # written only by plans with direct green supply
        direct = _lp.values(m, v.green_direct).reindex(v.grid.index, fill_value=0.0)
        frame["green_direct_gwh"] = np.round(direct.to_numpy(), 9) + 0.0
    return frame


def _storage(m: _lp.Model, v: Vars) -> pd.DataFrame:
    """Battery power (MW) and energy (MWh) installed and built per storage cluster and year."""
    frame = _frame(_lp.values(m, v.battery_gw), "battery_mw", 1e3)
    frame["battery_mwh"] = np.round(_lp.values(m, v.battery_gwh).to_numpy() * 1e3, 9) + 0.0
    frame["battery_mw_new"] = np.round(_lp.values(m, v.battery_gw_new).to_numpy() * 1e3, 9) + 0.0
    frame["battery_mwh_new"] = np.round(_lp.values(m, v.battery_gwh_new).to_numpy() * 1e3, 9) + 0.0
    return frame


def _bandwidth(built: Built) -> pd.DataFrame:
    """Traffic and capacity per link and year (Gbps)."""
    v, d, m = built.vars, built.data, built.model
    load = _lp.values(m, v.load)
    gbps = load * _lp.align(d.gbps_per_krack, load.index).to_numpy()
    traffic = gbps.groupby(level=["hub", "cluster", "year"]).sum()
    links = pd.Series(np.zeros(len(d.links), dtype=np.int64), index=d.links)
    index = _lp.broadcast(links, d.years).index  # every link x every year, link-major
    traffic = traffic.reindex(index, fill_value=0.0)
    added = _lp.values(m, v.bandwidth_new).reindex(index, fill_value=0.0)
    cumulative = added.groupby(level=["hub", "cluster"]).cumsum()
    frame = index.to_frame(index=False)
    frame["traffic_gbps"] = np.round(traffic.to_numpy(), 6) + 0.0
    frame["bandwidth_new_gbps"] = np.round(added.to_numpy(), 6) + 0.0
    frame["capacity_gbps"] = (
        np.round(_lp.align(d.bandwidth_existing, index).to_numpy() + cumulative.to_numpy(), 6) + 0.0
    )
    return frame


def row_keys(rows: pd.Index) -> np.ndarray:
    """Each row's key as text, levels joined by "/" (`str` of each level value), built per level, not per row."""
    if not isinstance(rows, pd.MultiIndex):
        codes, uniques = pd.factorize(rows)
        return np.array([str(k) for k in uniques] + ["nan"], dtype=object)[codes]
    text: np.ndarray | None = None
    for level, level_codes in zip(rows.levels, rows.codes, strict=True):
        values = np.array([str(k) for k in level] + ["nan"], dtype=object)  # code -1 (a missing value) reads "nan"
        part = values[np.asarray(level_codes)]
        text = part if text is None else text + "/" + part
    return np.zeros(0, dtype=object) if text is None else text


def duals(built: Built) -> pd.DataFrame:
    """Every row's shadow price and slack, by family, in report units."""
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("family", "key", "dual", "unit", "slack", "binding")}
    for family, (pi, slack) in _lp.row_duals(built.model).items():
        unit, factor = registry.family(family).dual  # an undeclared family is an error, never "亿元/unit"
        n = len(pi)
        columns["family"].append(np.full(n, family, dtype=object))
        columns["key"].append(row_keys(built.model.rows[family]))
        columns["dual"].append(np.round(pi * factor, 6) + 0.0)
        columns["unit"].append(np.full(n, unit, dtype=object))
        columns["slack"].append(np.round(slack, 9) + 0.0)
        columns["binding"].append((np.abs(np.nan_to_num(slack)) <= 1e-6) & (np.abs(np.nan_to_num(pi)) > BINDING_TOL))
    if not columns["family"]:
        return pd.DataFrame(columns=list(columns))
    return pd.DataFrame(
        {name: np.concatenate(parts) for name, parts in columns.items()}
    )  # one frame, not one per family

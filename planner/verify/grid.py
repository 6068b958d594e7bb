"""Verify 算电协同 and water: grid connection and import limits, direct green supply, water caps.

Read from the plan's CSVs and the case's inputs only (report units: MW, GWh, m³), as the rest of
`planner.verify`; nothing here imports the model builder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.verify.base import Case, CheckResult, Plan, compare, direct_gwh, racks_installed, served

HOURS_PER_YEAR = 8760.0


def check_power(case: Case, plan: Plan) -> CheckResult:
    """power_kw * pue[c] * racks[c,y] / 1000 <= power_max_mw[c,y] where set (the year's limit, else the cluster's)."""
    cl = case.clusters.reindex(case.cluster_years.get_level_values("cluster"))
    limit = case.limits["power_max_mw"].reindex(case.cluster_years).to_numpy(dtype=float)
    mw = case.power_kw * cl["pue"].to_numpy() * racks_installed(plan, case).to_numpy() / 1e3
    has = ~np.isnan(limit)
    return compare("power_limit", case.cluster_years[has], mw[has], "<=", limit[has], "MW")


def check_grid_import(case: Case, plan: Plan) -> CheckResult:
    """Average grid draw in each slice, grid[c,y,t] * 1000 / weight_hours[t], <= grid_import_mw[c,y] where set."""
    e = plan.energy_cyt
    cy = pd.MultiIndex.from_arrays([e.index.get_level_values("cluster"), e.index.get_level_values("year")])
    limit = case.limits["grid_import_mw"].reindex(cy).to_numpy(dtype=float)
    cs = pd.MultiIndex.from_arrays([e.index.get_level_values("cluster"), e.index.get_level_values("slice")])
    hours = case.weight_hours.reindex(cs).to_numpy()
    mw = e["grid_gwh"].to_numpy() * 1e3 / hours
    has = ~np.isnan(limit)
    return compare("grid_import", e.index[has], mw[has], "<=", limit[has], "MW")


def direct_available_gwh(case: Case, index: pd.Index) -> np.ndarray:
    """GWh of direct green supply available per (cluster, year, slice) row: MW x own mix's availability x hours."""
    clusters = index.get_level_values("cluster")
    cl = case.clusters.reindex(clusters)
    mix = np.array(cl[["wind_mw", "solar_mw", "hydro_mw"]].to_numpy(dtype=float))
    mix[mix.sum(axis=1) == 0] = 1.0
    mix = mix / mix.sum(axis=1, keepdims=True)
    cs = pd.MultiIndex.from_arrays([clusters, index.get_level_values("slice")])
    cf = case.capacity_factors.reindex(cs)[["wind_cf", "solar_cf", "hydro_cf"]].to_numpy(dtype=float)
    hours = case.weight_hours.reindex(cs).to_numpy()
    mw = cl["green_direct_mw"].astype(float).fillna(0.0).to_numpy()
    return np.asarray(mw * (cf * mix).sum(axis=1) * hours / 1e3)


def check_green_direct_availability(case: Case, plan: Plan) -> CheckResult:
    """direct[c,y,t] <= green_direct_mw[c] * (mix-weighted availability)[c,t] * weight_hours[t] / 1000."""
    e = plan.energy_cyt
    available = direct_available_gwh(case, e.index)
    return compare("green_direct_availability", e.index, direct_gwh(e.reset_index()), "<=", available, "GWh")


def water_m3(case: Case, plan: Plan) -> pd.Series:
    """Site water per (cluster, year): WUE (L/kWh) x IT energy of the racks in use (kWh) / 1000."""
    cl = case.clusters.reindex(case.cluster_years.get_level_values("cluster"))
    wue = cl["wue_l_per_kwh"].to_numpy(dtype=float)
    it_kwh = served(plan, case).to_numpy() * case.power_kw * case.it_load_factor * HOURS_PER_YEAR
    return pd.Series(wue * it_kwh / 1e3, index=case.cluster_years)


def check_water_cap(case: Case, plan: Plan) -> CheckResult:
    """wue[c] * IT energy[c,y] <= water_max_m3[c,y] (m³) where a cap is set."""
    limit = case.limits["water_max_m3"].reindex(case.cluster_years).to_numpy(dtype=float)
    has = ~np.isnan(limit)
    return compare("water_cap", case.cluster_years[has], water_m3(case, plan).to_numpy()[has], "<=", limit[has], "m3")

"""Verify batteries and hourly green matching from the plan's tables (storage.csv, energy.csv).

The state of charge is not written; it is pinned down by charging and discharging up to one
constant per storage period, so the two rows that hold it are checked in the form that does not
need it: over a period the net charge returns to zero (`storage_balance`), and the swing of the
state of charge within the period fits in the battery (`storage_energy`).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from planner.verify.base import Case, CheckResult, Plan, compare, load_on_new_racks


def _batteries(case: Case, plan: Plan) -> pd.DataFrame:
    """storage.csv by (cluster, year) over every storage cluster and year (NaN where a row is missing)."""
    index = pd.MultiIndex.from_product([case.storage_clusters, case.years], names=["cluster", "year"])
    return plan.storage.set_index(["cluster", "year"]).reindex(index)


def _stored_energy(case: Case, plan: Plan) -> pd.DataFrame:
    """energy.csv rows at storage clusters, with each slice's hours, period and position in its period."""
    e = plan.energy[plan.energy["cluster"].isin(case.storage_clusters)].copy()
    for column in ("charge_gwh", "discharge_gwh"):
        if column not in e.columns:
            e[column] = np.nan  # a storage run writes both: missing means they cannot be checked
    hours = case.weight_hours.reindex(pd.MultiIndex.from_frame(e[["cluster", "slice"]]))
    e["hours"] = hours.to_numpy()
    e["period"] = case.slice_period.reindex(e["slice"]).to_numpy()
    e["order"] = (
        pd.Series(np.arange(len(case.slice_period)), index=case.slice_period.index).reindex(e["slice"]).to_numpy()
    )
    return e.sort_values(["cluster", "year", "order"])


def _stock(case: Case, plan: Plan, family: str, stock: str, new: str, unit: str) -> CheckResult:
    if case.storage_clusters.empty:
        return CheckResult(family, 0, unit, 0.0)
    b = _batteries(case, plan)
    built = b[new].groupby(level="cluster").cumsum()
    return compare(family, b.index, b[stock], "==", built, unit)


def check_battery_power_stock(case: Case, plan: Plan) -> CheckResult:
    """battery_mw[c,y] = sum_{y' <= y} battery_mw_new[c,y'] (none at the start)."""
    return _stock(case, plan, "battery_power_stock", "battery_mw", "battery_mw_new", "MW")


def check_battery_energy_stock(case: Case, plan: Plan) -> CheckResult:
    """battery_mwh[c,y] = sum_{y' <= y} battery_mwh_new[c,y']."""
    return _stock(case, plan, "battery_energy_stock", "battery_mwh", "battery_mwh_new", "MWh")


def check_storage_power(case: Case, plan: Plan) -> CheckResult:
    """charge[c,y,t] + discharge[c,y,t] <= w[t] * battery_mw[c,y] / 1000 (GWh)."""
    if case.storage_clusters.empty:
        return CheckResult("storage_power", 0, "GWh", 0.0)
    e = _stored_energy(case, plan)
    mw = _batteries(case, plan)["battery_mw"].reindex(pd.MultiIndex.from_frame(e[["cluster", "year"]])).to_numpy()
    keys = e[["cluster", "year", "slice"]]
    return compare(
        "storage_power", keys, e["charge_gwh"] + e["discharge_gwh"], "<=", e["hours"].to_numpy() * mw / 1e3, "GWh"
    )


def check_storage_charge_green(case: Case, plan: Plan) -> CheckResult:
    """charge[c,y,t] <= renewable[c,y,t]: batteries charge from contracted renewables only."""
    if case.storage_clusters.empty:
        return CheckResult("storage_charge_green", 0, "GWh", 0.0)
    e = _stored_energy(case, plan)
    return compare(
        "storage_charge_green", e[["cluster", "year", "slice"]], e["charge_gwh"], "<=", e["renewable_gwh"], "GWh"
    )


def _swing(e: pd.DataFrame, eta: float) -> pd.DataFrame:
    """Per (cluster, year, period): the net change of the state of charge and its swing (GWh per hour)."""
    e = e.assign(delta=(eta * e["charge_gwh"] - e["discharge_gwh"] / eta) / e["hours"])
    e["level"] = e.groupby(["cluster", "year", "period"], sort=False)["delta"].cumsum()
    grouped = e.groupby(["cluster", "year", "period"], sort=True)
    return pd.DataFrame(
        {
            "net": grouped["delta"].sum(min_count=1),
            "swing": grouped["level"].max() - grouped["level"].min(),
            "size": grouped["delta"].apply(lambda d: float(np.abs(d).sum())),
        }
    )


def check_storage_balance(case: Case, plan: Plan) -> CheckResult:
    """Over each storage period the state of charge returns to its start.

    sum_t (eta * charge - discharge / eta) / w[t] = 0.
    """
    if case.storage_clusters.empty:
        return CheckResult("storage_balance", 0, "GWh", 0.0)
    s = _swing(_stored_energy(case, plan), case.battery_efficiency)
    return compare("storage_balance", s.index, s["net"], "==", 0.0, "GWh", scale=s["size"])


def check_storage_energy(case: Case, plan: Plan) -> CheckResult:
    """The state of charge fits in the battery: its swing within each period <= battery_mwh[c,y] / 1000 (GWh)."""
    if case.storage_clusters.empty:
        return CheckResult("storage_energy", 0, "GWh", 0.0)
    s = _swing(_stored_energy(case, plan), case.battery_efficiency)
    keys = cast(pd.MultiIndex, s.index).droplevel("period")
    gwh = _batteries(case, plan)["battery_mwh"].reindex(keys).to_numpy() / 1e3
    return compare("storage_energy", s.index, s["swing"], "<=", gwh, "GWh")


def check_green_hourly(case: Case, plan: Plan) -> CheckResult:
    """Hourly matching in every slice.

    renewable + direct - charge + discharge >= g[c] * e_new[c] * w[t] / sum(w) * new_load[c,y].
    """
    if case.green_matching != "hourly":
        return CheckResult("green_hourly", 0, "GWh", 0.0)
    floor = case.clusters["green_share_min_new"]
    e = plan.energy[plan.energy["cluster"].isin(floor.index[floor > 0])]
    cl = case.clusters.reindex(e["cluster"])
    e_new = cl["pue"].to_numpy() * case.power_kw * case.it_load_factor * 8760.0 / 1e6
    hours = case.weight_hours.reindex(pd.MultiIndex.from_frame(e[["cluster", "slice"]])).to_numpy()
    total_hours = float(
        case.weight_hours.xs(case.weight_hours.index.get_level_values("cluster")[0], level="cluster").sum()
    )
    new = load_on_new_racks(plan, case).reindex(pd.MultiIndex.from_frame(e[["cluster", "year"]])).to_numpy()
    need = cl["green_share_min_new"].to_numpy() * e_new * hours / total_hours * new
    net = (
        np.zeros(len(e))
        if "charge_gwh" not in e.columns
        else (e["discharge_gwh"] - e["charge_gwh"]).fillna(0.0).to_numpy()
    )
    direct = e["green_direct_gwh"].to_numpy() if "green_direct_gwh" in e.columns else np.zeros(len(e))
    green = e["renewable_gwh"].to_numpy() + direct + net
    return compare("green_hourly", e[["cluster", "year", "slice"]], green, ">=", need, "GWh")

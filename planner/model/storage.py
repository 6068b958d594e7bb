"""Battery storage at a cluster: power and energy capacity built over the years, hourly operation.

Energy variables of a slice are totals over the hours the slice stands for (w[t] hours, each one
hour of its period), like grid and renewable energy; the state of charge is per represented hour.
A battery's state of charge carries over between consecutive slices of a period, cyclically.
"""

from __future__ import annotations

import pandas as pd

from planner.model import _lp
from planner.model._lp import Builder
from planner.model.data import ModelData
from planner.model.expressions import stock_accounting
from planner.model.variables import Vars

CYT = ["cluster", "year", "slice"]


def add_battery_power_stock(m: Builder, d: ModelData, v: Vars) -> None:
    """Battery power installed is every build so far (none exist at the start).

    battery_gw[c,y] - battery_gw[c,y-1] - battery_gw_new[c,y] = 0        for storage clusters c, all y
    """
    if v.battery_gw.empty:
        return
    m.add_rows("battery_power_stock", stock_accounting(v.battery_gw, v.battery_gw_new), "==", 0.0)


def add_battery_energy_stock(m: Builder, d: ModelData, v: Vars) -> None:
    """Battery energy installed is every build so far.

    battery_gwh[c,y] - battery_gwh[c,y-1] - battery_gwh_new[c,y] = 0        for storage clusters c, all y
    """
    if v.battery_gwh.empty:
        return
    m.add_rows("battery_energy_stock", stock_accounting(v.battery_gwh, v.battery_gwh_new), "==", 0.0)


def add_storage_balance(m: Builder, d: ModelData, v: Vars) -> None:
    """State of charge moves with charging (after losses) and discharging (before losses).

    soc[c,y,t] - soc[c,y,prev(t)] - eta / w[t] * charge[c,y,t] + 1 / (eta * w[t]) * discharge[c,y,t] = 0
        for all c, y, t
    """
    if v.soc.empty:
        return
    frame = v.soc.index.to_frame(index=False)
    prev_slice = d.slice_prev.reindex(frame["slice"]).to_numpy()
    previous = pd.Series(
        v.soc.reindex(pd.MultiIndex.from_arrays([frame["cluster"], frame["year"], prev_slice])).to_numpy(),
        index=v.soc.index,
    )
    hours = d.slice_hours
    eta = d.battery_efficiency
    lhs = (
        _lp.terms(v.soc, by=CYT)
        - _lp.terms(previous, by=CYT)
        - _lp.terms(v.charge, by=CYT, coef=eta / hours)
        + _lp.terms(v.discharge, by=CYT, coef=1.0 / (eta * hours))
    )
    m.add_rows("storage_balance", lhs, "==", 0.0)


def add_storage_power(m: Builder, d: ModelData, v: Vars) -> None:
    """Charging plus discharging within the battery's power over the slice's hours.

    charge[c,y,t] + discharge[c,y,t] - w[t] * battery_gw[c,y] <= 0        for all c, y, t
    """
    if v.charge.empty:
        return
    power = _lp.align(v.battery_gw, v.charge.index)
    lhs = _lp.terms(v.charge, by=CYT) + _lp.terms(v.discharge, by=CYT) - _lp.terms(power, by=CYT, coef=d.slice_hours)
    m.add_rows("storage_power", lhs, "<=", 0.0)


def add_storage_energy(m: Builder, d: ModelData, v: Vars) -> None:
    """State of charge within the battery's energy capacity.

    soc[c,y,t] - battery_gwh[c,y] <= 0        for all c, y, t
    """
    if v.soc.empty:
        return
    lhs = _lp.terms(v.soc, by=CYT) - _lp.terms(_lp.align(v.battery_gwh, v.soc.index), by=CYT)
    m.add_rows("storage_energy", lhs, "<=", 0.0)


def add_storage_charge_green(m: Builder, d: ModelData, v: Vars) -> None:
    """Batteries charge only from contracted renewables, so what they give back is green.

    charge[c,y,t] - renewable[c,y,t] <= 0        for storage clusters c, all y, t

    Notes:
        Without this row, grid energy routed through a battery would count towards the green floor.
    """
    if v.charge.empty:
        return
    renewable = v.renewable.reindex(v.charge.index)
    m.add_rows("storage_charge_green", _lp.terms(v.charge, by=CYT) - _lp.terms(renewable, by=CYT), "<=", 0.0)

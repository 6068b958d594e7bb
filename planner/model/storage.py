"""Battery storage at a cluster: power and energy capacity built over the years, hourly operation.

Energy variables of a slice are totals over the hours the slice stands for (w[t] hours, each one
hour of its period), like grid and renewable energy; the state of charge is per represented hour.
A battery's state of charge carries over between consecutive slices of a period, cyclically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.model.data import ModelData
from planner.model import _lp
from planner.model._lp import Model
from planner.model.variables import Vars

CY = ["cluster", "year"]
CYT = ["cluster", "year", "slice"]


def _stock(m: Model, family: str, stock: pd.Series, new: pd.Series) -> None:
    previous = stock.groupby(level="cluster").shift(1)
    has_previous = previous.notna().to_numpy()
    prev = pd.Series(previous.to_numpy()[has_previous], index=stock.index[has_previous])
    m.add_rows(family, _lp.terms(stock, by=CY) - _lp.terms(new, by=CY) - _lp.terms(prev, by=CY), "==", 0.0)


def add_battery_power_stock(m: Model, d: ModelData, v: Vars) -> None:
    """Battery power installed is every build so far (none exist at the start).

    battery_gw[c,y] - battery_gw[c,y-1] - battery_gw_new[c,y] = 0        for storage clusters c, all y
    """
    if v.battery_gw.empty:
        return
    _stock(m, "battery_power_stock", v.battery_gw, v.battery_gw_new)


def add_battery_energy_stock(m: Model, d: ModelData, v: Vars) -> None:
    """Battery energy installed is every build so far.

    battery_gwh[c,y] - battery_gwh[c,y-1] - battery_gwh_new[c,y] = 0        for storage clusters c, all y
    """
    if v.battery_gwh.empty:
        return
    _stock(m, "battery_energy_stock", v.battery_gwh, v.battery_gwh_new)


def add_storage_balance(m: Model, d: ModelData, v: Vars) -> None:
    """State of charge moves with charging (after losses) and discharging (before losses).

    soc[c,y,t] - soc[c,y,prev(t)] - eta / w[t] * charge[c,y,t] + 1 / (eta * w[t]) * discharge[c,y,t] = 0        for all c, y, t
    """
    if v.soc.empty:
        return
    frame = v.soc.index.to_frame(index=False)
    prev_slice = d.slice_prev.reindex(frame["slice"]).to_numpy()
    prev = v.soc.reindex(pd.MultiIndex.from_arrays([frame["cluster"], frame["year"], prev_slice])).to_numpy()
    hours = d.slice_hours
    eta = d.battery_efficiency
    lhs = (
        _lp.terms(v.soc, by=CYT)
        - _lp.Terms(_lp.key_frame(v.soc.index)[CYT], prev.astype("int64"), np.ones(len(frame)))
        - _lp.terms(v.charge, by=CYT, coef=eta / hours)
        + _lp.terms(v.discharge, by=CYT, coef=1.0 / (eta * hours))
    )
    m.add_rows("storage_balance", lhs, "==", 0.0)


def add_storage_power(m: Model, d: ModelData, v: Vars) -> None:
    """Charging plus discharging within the battery's power over the slice's hours.

    charge[c,y,t] + discharge[c,y,t] - w[t] * battery_gw[c,y] <= 0        for all c, y, t
    """
    if v.charge.empty:
        return
    frame = v.charge.index.to_frame(index=False)
    power = v.battery_gw.reindex(pd.MultiIndex.from_frame(frame[CY])).to_numpy()
    hours = d.slice_hours.reindex(frame["slice"]).to_numpy()
    lhs = _lp.terms(v.charge, by=CYT) + _lp.terms(v.discharge, by=CYT) - _lp.Terms(_lp.key_frame(v.charge.index)[CYT], power.astype("int64"), hours)
    m.add_rows("storage_power", lhs, "<=", 0.0)


def add_storage_energy(m: Model, d: ModelData, v: Vars) -> None:
    """State of charge within the battery's energy capacity.

    soc[c,y,t] - battery_gwh[c,y] <= 0        for all c, y, t
    """
    if v.soc.empty:
        return
    frame = v.soc.index.to_frame(index=False)
    energy = v.battery_gwh.reindex(pd.MultiIndex.from_frame(frame[CY])).to_numpy()
    lhs = _lp.terms(v.soc, by=CYT) - _lp.Terms(_lp.key_frame(v.soc.index)[CYT], energy.astype("int64"), np.ones(len(frame)))
    m.add_rows("storage_energy", lhs, "<=", 0.0)


def add_storage_charge_green(m: Model, d: ModelData, v: Vars) -> None:
    """Batteries charge only from contracted renewables, so what they give back is green.

    charge[c,y,t] - renewable[c,y,t] <= 0        for storage clusters c, all y, t

    Notes:
        Without this row, grid energy routed through a battery would count towards the green floor.
    """
    if v.charge.empty:
        return
    renewable = v.renewable.reindex(v.charge.index)
    m.add_rows("storage_charge_green", _lp.terms(v.charge, by=CYT) - _lp.terms(renewable, by=CYT), "<=", 0.0)

"""Rack stock, build limits and how much of the stock may and must be used."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.model.data import ModelData
from planner.model import _lp
from planner.model._lp import Builder
from planner.model.expressions import served, stock_accounting
from planner.model.variables import Vars

CY = ["cluster", "year"]


def add_rack_stock(m: Builder, d: ModelData, v: Vars) -> None:
    """Racks installed are the existing stock plus every build so far.

    racks[c,y] - racks[c,y-1] - racks_new[c,y] = 0 (y > y0);  racks[c,y0] - racks_new[c,y0] = existing[c]
    """
    clusters = v.racks.index.get_level_values("cluster")
    first_year = ~clusters.duplicated()  # the index runs year by year within each cluster
    rhs = pd.Series(np.where(first_year, d.racks_existing.reindex(clusters).to_numpy(), 0.0), index=v.racks.index)
    m.add_rows("rack_stock", stock_accounting(v.racks, v.racks_new), "==", rhs)


def add_build_rate(m: Builder, d: ModelData, v: Vars) -> None:
    """Construction pace: no more than build_max racks per cluster and year.

    racks_new[c,y] <= build_max[c]        for all c, y
    """
    m.add_rows("build_rate", _lp.terms(v.racks_new, by=CY), "<=", _lp.align(d.build_max, v.racks_new.index))


def add_land_limit(m: Builder, d: ModelData, v: Vars) -> None:
    """Land and planning limit on the rack stock.

    racks[c,y] <= racks_max[c]        for all c with a limit, all y
    """
    if d.racks_max.empty:
        return
    racks = _lp.subset(v.racks, d.racks_max.index)
    m.add_rows("land_limit", _lp.terms(racks, by=CY), "<=", _lp.align(d.racks_max, racks.index))


def add_power_limit(m: Builder, d: ModelData, v: Vars) -> None:
    """Grid connection: facility power of the stock at rated load within the cluster's limit.

    power_kw * pue[c] * racks[c,y] <= power_max[c]   (MW)        for all c with a limit, all y
    """
    if d.power_max_mw.empty:
        return
    racks = _lp.subset(v.racks, d.power_max_mw.index)
    m.add_rows("power_limit", _lp.terms(racks, by=CY, coef=d.mw_per_krack), "<=", _lp.align(d.power_max_mw, racks.index))


def add_capacity(m: Builder, d: ModelData, v: Vars) -> None:
    """Load served at a cluster fits in its racks, less a turnover reserve.

    sum_w class_load[w,c,y] - u_max * racks[c,y] <= 0        for all c, y
    """
    lhs = served(v) - _lp.terms(v.racks, by=CY, coef=d.utilisation_max)
    m.add_rows("capacity", lhs, "<=", 0.0)


def add_utilisation_floor(m: Builder, d: ModelData, v: Vars) -> None:
    """Racks must be used at least to the policy floor (上架率, programme target 65 %).

    sum_w class_load[w,c,y] - u_min[c] * racks[c,y] >= 0        for all c with u_min[c] > 0, all y
    """
    floor = d.utilisation_min[d.utilisation_min > 0]
    if floor.empty:
        return
    lhs = _lp.terms(_lp.subset(v.class_load, floor.index), by=CY) - _lp.terms(_lp.subset(v.racks, floor.index), by=CY, coef=floor)
    m.add_rows("utilisation_floor", lhs, ">=", 0.0)


def add_build_modules(m: Builder, d: ModelData, v: Vars) -> None:
    """Lumpy builds: racks come in whole modules (mixed-integer plans only).

    racks_new[c,y] - module * modules[c,y] = 0,  modules integer        for all c, y
    """
    if d.module_kracks is None:
        return
    lhs = _lp.terms(v.racks_new, by=CY) - _lp.terms(v.modules, by=CY, coef=d.module_kracks)
    m.add_rows("build_modules", lhs, "==", 0.0)

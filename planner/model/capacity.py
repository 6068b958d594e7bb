"""Rack stock, build limits and how much of the stock may and must be used."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.model import _lp
from planner.model._lp import Builder
from planner.model.data import ModelData
from planner.model.expressions import served, stock_accounting
from planner.model.variables import Vars

CY = ["cluster", "year"]


def add_rack_stock(m: Builder, d: ModelData, v: Vars) -> None:
    """Racks installed are the existing stock plus every build so far.

    racks[c,y] - racks[c,y-1] - racks_new[c,y] + retire[c,y] = 0        (y > y0)
    racks[c,y0] - racks_new[c,y0] + retire[c,y0] = existing[c]

    Notes:
        The retire term exists only where existing racks may be retired (`vintage_stock`).
    """
    clusters = v.racks.index.get_level_values("cluster")
    first_year = ~clusters.duplicated()  # the index runs year by year within each cluster
    rhs = pd.Series(np.where(first_year, d.racks_existing.reindex(clusters).to_numpy(), 0.0), index=v.racks.index)
    lhs = stock_accounting(v.racks, v.racks_new)
    if not v.retire.empty:
        lhs = lhs + _lp.terms(v.retire, by=CY)
    m.add_rows("rack_stock", lhs, "==", rhs)


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

    power_kw * pue[c] * racks[c,y] <= power_max[c,y]   (MW)        for all c, y with a limit

    Notes:
        The limit is the cluster's `power_max_mw`, or its `cluster_years.csv` value for that year.
    """
    if d.power_max_mw.empty:
        return
    racks = v.racks[_lp.align(d.power_max_mw, v.racks.index).notna().to_numpy()]
    m.add_rows(
        "power_limit", _lp.terms(racks, by=CY, coef=d.mw_per_krack), "<=", _lp.align(d.power_max_mw, racks.index)
    )


def add_capacity(m: Builder, d: ModelData, v: Vars) -> None:
    """Load served at a cluster fits in its racks, less a turnover reserve.

    sum_w class_load[w,c,y] - u_max * racks[c,y] <= 0        for all c, y
    """
    lhs = served(v) - _lp.terms(v.racks, by=CY, coef=d.utilisation_max)
    m.add_rows("capacity", lhs, "<=", 0.0)


def add_utilisation_floor(m: Builder, d: ModelData, v: Vars) -> None:
    """Racks must be used at least to the policy floor (上架率, programme target 65 %), from its start year.

    all_racks:  sum_w class_load[w,c,y] - u_min[c] * racks[c,y] >= 0
    new_racks:  new_load[c,y] - u_min[c] * racks[c,y] >= -u_min[c] * racks_existing[c]
                for all c with u_min[c] > 0, all y >= from[c], each c in its scope

    Notes:
        The approval letters word the floor as an average over a cluster's start-up zone (all its
        racks) with no year; `from[c]` and the scope say when and over which racks it is read.
    """

    def applies(index: pd.Index, scope: str) -> np.ndarray:
        years = index.get_level_values("year").to_numpy()
        mask: np.ndarray = (
            (_lp.align(d.utilisation_min, index).to_numpy() > 0)
            & (years >= _lp.align(d.utilisation_min_from, index).to_numpy())
            & (_lp.align(d.utilisation_min_scope, index).to_numpy() == scope)
        )
        return mask

    whole, new = applies(v.racks.index, "all_racks"), applies(v.racks.index, "new_racks")
    if not (whole.any() or new.any()):
        return
    floor = d.utilisation_min
    lhs: _lp.Terms | None = None
    if whole.any():
        load = v.class_load[applies(v.class_load.index, "all_racks")]
        lhs = _lp.terms(load, by=CY) - _lp.terms(v.racks[whole], by=CY, coef=floor)
    if new.any():
        part = _lp.terms(v.new_load[new], by=CY) - _lp.terms(v.racks[new], by=CY, coef=floor)
        lhs = part if lhs is None else lhs + part
    rhs = -(_lp.align(floor, v.racks.index) * _lp.align(d.racks_existing, v.racks.index)).where(new, 0.0)
    assert lhs is not None
    m.add_rows("utilisation_floor", lhs, ">=", rhs)


def add_base_year_load(m: Builder, d: ModelData, v: Vars) -> None:
    """The first year is the observed state: the racks in place carry at most their tenants then.

    sum_w class_load[w,c,y0] - new_load[c,y0] <= in_use0[c]        for c with racks_in_use_existing, y0 the first year

    Notes:
        Load beyond the observed tenants goes on new racks in the first year; from the second year
        on the racks in place may fill up to u_max.
    """
    if d.in_use_existing.empty:
        return
    y0 = d.years[0]
    load = _lp.subset(v.class_load, d.in_use_existing.index)
    load = load[load.index.get_level_values("year") == y0]
    new = _lp.subset(v.new_load, d.in_use_existing.index)
    new = new[new.index.get_level_values("year") == y0]
    lhs = _lp.terms(load, by=CY) - _lp.terms(new, by=CY)
    m.add_rows("base_year_load", lhs, "<=", _lp.align(d.in_use_existing, new.index))


def add_incumbent_load(m: Builder, d: ModelData, v: Vars) -> None:
    """Tenants stay: a pinned cluster keeps at least the retained share of last year's load.

    sum_w class_load[w,c,y] - retention * sum_w class_load[w,c,y-1] >= 0        for c with racks_in_use_existing, y > y0

    Notes:
        Relative to last year, so scaling all demand (a sweep's draw) never makes it infeasible;
        with `base_year_load` and first-year demand equal to the tenants in place, the base year
        reproduces the observed state.
    """
    if d.in_use_existing.empty or len(d.years) < 2:
        return
    load = _lp.subset(v.class_load, d.in_use_existing.index)
    later = load[load.index.get_level_values("year") > d.years[0]]
    frame = load.index.to_frame(index=False)
    frame["year"] = frame["year"] + 1  # last year's load, keyed by the year it is compared in
    previous = pd.Series(load.to_numpy(), index=pd.MultiIndex.from_frame(frame))
    previous = previous[previous.index.get_level_values("year") <= d.years[-1]]
    lhs = _lp.terms(later, by=CY) - _lp.terms(previous, by=CY, coef=d.tenant_retention)
    m.add_rows("incumbent_load", lhs, ">=", 0.0)


def add_build_modules(m: Builder, d: ModelData, v: Vars) -> None:
    """Lumpy builds: racks come in whole modules, the site's own size or the case's (mixed-integer plans only).

    racks_new[c,y] - module[c] * modules[c,y] = 0,  modules integer        for all c with a module size, all y
    """
    if d.module_site_kracks.empty:
        return
    racks_new = _lp.subset(v.racks_new, d.module_site_kracks.index)
    lhs = _lp.terms(racks_new, by=CY) - _lp.terms(v.modules, by=CY, coef=d.module_site_kracks)
    m.add_rows("build_modules", lhs, "==", 0.0)


def add_site_opening(m: Builder, d: ModelData, v: Vars) -> None:
    """A site with an opening cost builds only from the year it opens (mixed-integer plans only).

    racks_new[c,y] - build_max[c] * sum_{y' <= y} opened[c,y'] <= 0,  opened binary    for c with an opening cost, all y

    Notes:
        The objective's capex term pays open_cost[c] as annuities from the opening year; opening twice
        only costs more, so no row limits sum_y opened[c,y] to one.
    """
    if d.open_cost_overnight.empty:
        return
    racks_new = _lp.subset(v.racks_new, d.open_cost_overnight.index)
    pairs = v.opened.index.to_frame(index=False).merge(d.years.rename("row_year").to_frame(index=False), how="cross")
    pairs = pairs[pairs["year"] <= pairs["row_year"]]  # opened in y' counts in every row year y >= y'
    opened = v.opened.reindex(pd.MultiIndex.from_frame(pairs[["cluster", "year"]])).to_numpy()
    by_row = pd.Series(opened, index=pd.MultiIndex.from_arrays([pairs["cluster"], pairs["row_year"]], names=CY))
    lhs = _lp.terms(racks_new, by=CY) - _lp.terms(by_row, by=CY, coef=_lp.align(d.build_max, by_row.index))
    m.add_rows("site_opening", lhs, "<=", 0.0)


def add_vintage_stock(m: Builder, d: ModelData, v: Vars) -> None:
    """Existing racks retrofitted or retired so far are at most the stock in place at the start.

    sum_{y' <= y} (retrofit[c,y'] + retire[c,y']) <= racks_existing[c]        for c with either option, all y
    """
    parts = [s for s in (v.retrofit, v.retire) if not s.empty]
    if not parts:
        return
    lhs = _lp.running_total(parts[0], "year", d.years)
    for part in parts[1:]:
        lhs = lhs + _lp.running_total(part, "year", d.years)
    m.add_rows("vintage_stock", lhs, "<=", d.racks_existing)


def add_retire_deadline(m: Builder, d: ModelData, v: Vars) -> None:
    """Existing racks above the policy's PUE threshold are all retrofitted or retired by the deadline.

    sum_{y' <= y} (retrofit[c,y'] + retire[c,y']) >= racks_existing[c]        for c with pue_ex[c] > threshold, y >= by

    Notes:
        The Jul-2024 action plan's 1.5 (`policy.retire_pue_above`); racks that cannot be retrofitted
        (no `retrofit_capex_yuan_per_rack`) must be retired, at `retire_cost_yuan_per_rack` or nothing.
    """
    if d.retire_by.empty:
        return
    parts = [_lp.subset(s, d.retire_by.index) for s in (v.retrofit, v.retire)]
    lhs: _lp.Terms | None = None
    for part in parts:
        if not part.empty:
            total = _lp.running_total(part, "year", d.years)
            lhs = total if lhs is None else lhs + total
    assert lhs is not None  # every cluster under the deadline may retire
    years = lhs.keys["year"].to_numpy(dtype=int)
    lhs = lhs.where(years >= d.retire_by.reindex(lhs.keys["cluster"].astype(str)).to_numpy())
    m.add_rows("retire_deadline", lhs, ">=", d.racks_existing)

"""Shared left-hand-side pieces used by more than one family."""

from __future__ import annotations

import pandas as pd

from planner.model import _lp
from planner.model._lp import Terms
from planner.model.data import ModelData
from planner.model.variables import Vars

CY = ["cluster", "year"]


def served(v: Vars) -> Terms:
    """Racks in use at each cluster and year: sum_w class_load[w,c,y] (= sum_{w,h} load[w,h,c,y])."""
    return _lp.terms(v.class_load, by=CY)


def stock_accounting(stock: pd.Series, new: pd.Series) -> Terms:
    """Stock carried over plus what is built: stock[c,y] - stock[c,y-1] - new[c,y].

    No previous term in the first year.
    """
    previous = stock.groupby(level="cluster").shift(1)
    has_previous = previous.notna().to_numpy()
    prev = pd.Series(previous.to_numpy()[has_previous], index=stock.index[has_previous])
    return _lp.terms(stock, by=CY) - _lp.terms(new, by=CY) - _lp.terms(prev, by=CY)


def investment(d: ModelData, v: Vars, by: list[str]) -> Terms:
    """Overnight investment in 亿元: capex[c] * racks_new[c,y] + bw_capex[h,c] * bandwidth_new[h,c,y]."""
    racks = _lp.terms(v.racks_new, by=by, coef=d.capex)
    if v.bandwidth_new.empty:
        return racks
    return racks + _lp.terms(v.bandwidth_new, by=by, coef=d.bandwidth_capex)

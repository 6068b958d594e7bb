"""Shared left-hand-side pieces used by more than one family."""

from __future__ import annotations

from planner.model.data import ModelData
from planner.model import _lp
from planner.model._lp import Terms
from planner.model.variables import Vars


def served(v: Vars) -> Terms:
    """Racks in use at each cluster and year: sum_w class_load[w,c,y] (= sum_{w,h} load[w,h,c,y])."""
    return _lp.terms(v.class_load, by=["cluster", "year"])


def investment(d: ModelData, v: Vars, by: list[str]) -> Terms:
    """Overnight investment in 亿元: capex[c] * racks_new[c,y] + bw_capex[h,c] * bandwidth_new[h,c,y]."""
    racks = _lp.terms(v.racks_new, by=by, coef=d.capex)
    if v.bandwidth_new.empty:
        return racks
    return racks + _lp.terms(v.bandwidth_new, by=by, coef=d.bandwidth_capex)

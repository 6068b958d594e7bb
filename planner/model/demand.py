"""Demand balance."""

from __future__ import annotations

from planner.model import _lp
from planner.model._lp import Builder
from planner.model.data import ModelData
from planner.model.variables import Vars


def add_demand_met(m: Builder, d: ModelData, v: Vars) -> None:
    """Every hub's demand of every class is served somewhere or counted as unmet.

    sum_c load[w,h,c,y] + unmet[w,h,y] = demand[w,h,y]        for all (w,h,y) with demand > 0
    """
    keys = ["workload", "hub", "year"]
    lhs = _lp.terms(v.load, by=keys) + _lp.terms(v.unmet, by=keys)
    m.add_rows("demand_met", lhs, "==", d.demand)


def add_class_load_balance(m: Builder, d: ModelData, v: Vars) -> None:
    """Load of a class at a cluster is what the hubs send there (keeps the hourly rows short).

    sum_h load[w,h,c,y] - class_load[w,c,y] = 0        for all (w,c) reachable, all y
    """
    keys = ["workload", "cluster", "year"]
    m.add_rows("class_load_balance", _lp.terms(v.load, by=keys) - _lp.terms(v.class_load, by=keys), "==", 0.0)

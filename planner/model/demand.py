"""Demand balance."""

from __future__ import annotations

import pandas as pd

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


def add_intelligent_share(m: Builder, d: ModelData, v: Vars) -> None:
    """Intelligent (AI) compute is at least a share s of all the plan's compute each year (EFLOPS).

    sum_{w,c} (ai[w] - s) * e[w,y] * class_load[w,c,y] >= 0        for y >= from, when the policy sets s

    Notes:
        e[w,y] is EFLOPS per krack in use at the case's precision (compute.csv); ai[w] is 1 for classes
        of the intelligent kind. The Oct 2023 action plan targets 35 % by 2025. Demand is given, so the
        plan can only meet the floor by leaving general-purpose demand unserved: its dual says what the
        demand mix's gap to the target costs.
    """
    s = d.intelligent_share_min
    if s is None:
        return
    load = _lp.subset(v.class_load, d.years[d.years >= d.intelligent_share_from], level="year")
    rate = _lp.align(d.eflops_per_krack, load.index).fillna(0.0)
    ai = _lp.align(pd.Series(1.0, index=d.intelligent), load.index).fillna(0.0)
    m.add_rows("intelligent_share", _lp.terms(load, by=["year"], coef=(ai - s) * rate), ">=", 0.0)

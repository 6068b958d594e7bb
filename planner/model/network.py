"""Hub-cluster links: traffic within capacity, capacity growth within its limit."""

from __future__ import annotations

import pandas as pd

from planner.model import _lp
from planner.model._lp import Builder
from planner.model.data import ModelData
from planner.model.variables import Vars

HCY = ["hub", "cluster", "year"]


def add_link_bandwidth(m: Builder, d: ModelData, v: Vars) -> None:
    """Traffic of the load served over a link fits in its existing plus added capacity.

    sum_w gbps[w] * load[w,h,c,y] - sum_{y' <= y} bandwidth_new[h,c,y'] <= bw_existing[h,c]        for all links, y
    """
    lhs = _lp.terms(v.load, by=HCY, coef=d.gbps_per_krack)
    if not v.bandwidth_new.empty:
        lhs = lhs - _lp.running_total(v.bandwidth_new, "year", d.years)
    rows = lhs.keys.drop_duplicates()
    rhs = d.bandwidth_existing.reindex(pd.MultiIndex.from_frame(rows[["hub", "cluster"]])).to_numpy()
    m.add_rows("link_bandwidth", lhs, "<=", pd.Series(rhs, index=pd.MultiIndex.from_frame(rows)))


def add_link_expansion_limit(m: Builder, d: ModelData, v: Vars) -> None:
    """Capacity added to a link over the horizon stays within its expansion limit.

    sum_y bandwidth_new[h,c,y] <= bw_expansion_max[h,c]        for all links that can grow
    """
    if v.bandwidth_new.empty:
        return
    m.add_rows(
        "link_expansion_limit", _lp.terms(v.bandwidth_new, by=["hub", "cluster"]), "<=", d.bandwidth_expansion_max
    )

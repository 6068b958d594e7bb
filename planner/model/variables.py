"""Decision variables: one field of `Vars` per family, each a Series on its own sparse index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from planner.model._lp import Builder
from planner.model.data import ModelData, _cross


@dataclass(frozen=True)
class Vars:
    """Every variable family of the model (units are model units: krack, GWh, Gbps)."""

    racks_new: pd.Series  # [cluster, year] krack built in the year
    racks: pd.Series  # [cluster, year] krack installed
    modules: pd.Series  # [cluster, year] whole build modules (empty for an LP)
    load: pd.Series  # [workload, hub, cluster, year] krack in use, only latency-feasible triples
    class_load: pd.Series  # [workload, cluster, year] krack in use per class, summed over hubs
    unmet: pd.Series  # [workload, hub, year] krack of demand not served
    new_load: pd.Series  # [cluster, year] krack in use beyond the existing stock
    grid: pd.Series  # [cluster, year, slice] GWh bought from the grid
    renewable: pd.Series  # [cluster, year, slice] GWh of contracted renewables
    certificates: pd.Series  # [cluster, year] GWh of green certificates
    bandwidth_new: pd.Series  # [hub, cluster, year] Gbps added
    battery_gw_new: pd.Series  # [cluster, year] GW of battery power built (storage clusters only)
    battery_gwh_new: pd.Series  # [cluster, year] GWh of battery energy built
    battery_gw: pd.Series  # [cluster, year] GW of battery power installed
    battery_gwh: pd.Series  # [cluster, year] GWh of battery energy installed
    charge: pd.Series  # [cluster, year, slice] GWh into batteries over the slice
    discharge: pd.Series  # [cluster, year, slice] GWh out of batteries over the slice
    soc: pd.Series  # [cluster, year, slice] GWh stored at the end of one hour of the slice
    opened: pd.Series  # [cluster, year] 1 if the site opens in the year (sites with an opening cost only), binary
    green_direct: pd.Series  # [cluster, year, slice] GWh of direct green supply (绿电直连 clusters only)
    retrofit: pd.Series  # [cluster, year] krack of existing racks retrofitted to pue_max in the year
    retire: pd.Series  # [cluster, year] krack of existing racks retired in the year
    retrofit_load: pd.Series  # [cluster, year] krack in use on retrofitted racks


def _product(*indexes: pd.Index) -> pd.MultiIndex:
    """`pd.MultiIndex.from_product(indexes)`; from codes when every index is sorted and unique (the usual sets)."""
    if not all(i.is_monotonic_increasing and i.is_unique and not i.hasnans for i in indexes):
        return pd.MultiIndex.from_product(indexes)
    sizes = [len(i) for i in indexes]
    total = int(np.prod(sizes))
    codes: list[Any] = []  # pandas-stubs type codes as sequences of ints
    for k, size in enumerate(sizes):
        inner = int(np.prod(sizes[k + 1 :]))
        codes.append(np.tile(np.repeat(np.arange(size), inner), total // max(size * inner, 1)) if total else [])
    levels: list[Any] = list(indexes)
    return pd.MultiIndex(levels=levels, codes=codes, names=[i.name for i in indexes], verify_integrity=False)


def _with_years(index: pd.MultiIndex, years: pd.Index) -> pd.MultiIndex:
    return _cross(index, years)


def _class_pairs(d: ModelData) -> pd.MultiIndex:
    frame = d.served.to_frame(index=False)[["workload", "cluster"]].drop_duplicates()
    return pd.MultiIndex.from_frame(frame.sort_values(["workload", "cluster"]))


def add_variables(m: Builder, d: ModelData) -> Vars:
    """Create every variable family on its index; sparsity comes from the indexes."""
    cy = _product(d.clusters, d.years)
    cyt = _product(d.clusters, d.years, d.slices)
    battery_cy = _product(d.storage_clusters, d.years)
    battery_cyt = _product(d.storage_clusters, d.years, d.slices)
    opening_cy = _product(pd.Index(d.open_cost_overnight.index, name="cluster"), d.years)
    modules_index = _product(pd.Index(d.module_site_kracks.index, name="cluster"), d.years)
    direct = pd.Index(d.green_direct_gwh.index.get_level_values("cluster").unique(), name="cluster")
    growable = (
        _with_years(pd.MultiIndex.from_tuples(list(d.bandwidth_expansion_max.index), names=["hub", "cluster"]), d.years)
        if len(d.bandwidth_expansion_max)
        else _product(d.hubs[:0], d.clusters[:0], d.years[:0])
    )
    growable.names = ["hub", "cluster", "year"]
    return Vars(
        racks_new=m.add_vars("racks_new", cy),
        racks=m.add_vars("racks", cy),
        modules=m.add_vars("modules", modules_index, integer=True),
        load=m.add_vars("load", _with_years(d.served, d.years)),
        class_load=m.add_vars("class_load", _with_years(_class_pairs(d), d.years)),
        unmet=m.add_vars("unmet", d.demand.index),
        new_load=m.add_vars("new_load", cy),
        grid=m.add_vars("grid", cyt),
        renewable=m.add_vars("renewable", cyt),
        certificates=m.add_vars("certificates", cy),
        bandwidth_new=m.add_vars("bandwidth_new", growable),
        battery_gw_new=m.add_vars("battery_gw_new", battery_cy),
        battery_gwh_new=m.add_vars("battery_gwh_new", battery_cy),
        battery_gw=m.add_vars("battery_gw", battery_cy),
        battery_gwh=m.add_vars("battery_gwh", battery_cy),
        charge=m.add_vars("charge", battery_cyt),
        discharge=m.add_vars("discharge", battery_cyt),
        soc=m.add_vars("soc", battery_cyt),
        opened=m.add_vars("opened", opening_cy, ub=1.0, integer=True),
        retrofit=m.add_vars("retrofit", _product(d.retrofit_clusters, d.years)),
        retire=m.add_vars("retire", _product(d.retire_clusters, d.years)),
        retrofit_load=m.add_vars("retrofit_load", _product(d.retrofit_clusters, d.years)),
        green_direct=m.add_vars("green_direct", _product(direct, d.years, d.slices)),
    )

"""Programme policy: budgets, regional shares of new racks, carbon cap."""

from __future__ import annotations

from planner.model import _lp
from planner.model._lp import Builder
from planner.model.data import ModelData
from planner.model.expressions import investment
from planner.model.variables import Vars


def add_budget_yearly(m: Builder, d: ModelData, v: Vars) -> None:
    """Investment in racks and links in each year within that year's budget.

    sum_c capex[c] * racks_new[c,y] + sum_{h,c} bw_capex[h,c] * bandwidth_new[h,c,y] <= budget[y]
        for years with a budget
    """
    if d.budget_yearly.empty:
        return
    m.add_rows(
        "budget_yearly", investment(d, v, by=["year"]).subset(d.budget_yearly.index, "year"), "<=", d.budget_yearly
    )


def add_budget_total(m: Builder, d: ModelData, v: Vars) -> None:
    """Investment over the whole horizon within the total budget.

    sum_{c,y} capex[c] * racks_new[c,y] + sum_{h,c,y} bw_capex[h,c] * bandwidth_new[h,c,y] <= budget_total
    """
    if d.budget_total is None:
        return
    m.add_rows("budget_total", investment(d, v, by=[]), "<=", d.budget_total)


def add_west_share(m: Builder, d: ModelData, v: Vars) -> None:
    """Western clusters get at least a share s of all new racks over the horizon.

    sum_{c west, y} racks_new[c,y] - s * sum_{c,y} racks_new[c,y] >= 0
    """
    s = d.west_share_min
    if s is None:
        return
    west = _lp.align(d.cluster_region, v.racks_new.index).eq("west").astype(float)
    m.add_rows("west_share", _lp.terms(v.racks_new, by=[], coef=west - s), ">=", 0.0)


def add_hub_share(m: Builder, d: ModelData, v: Vars) -> None:
    """A hub's clusters get at least their share of all new racks over the horizon.

    sum_{c in h, y} racks_new[c,y] - s[h] * sum_{c,y} racks_new[c,y] >= 0        for hubs with a share
    """
    if d.hub_share_min.empty:
        return
    racks_new = _lp.broadcast(v.racks_new, d.hub_share_min.index.rename("hub"))
    hubs = racks_new.index.get_level_values("hub")
    coef = (_lp.align(d.cluster_hub, racks_new.index).to_numpy() == hubs).astype(float) - d.hub_share_min.reindex(
        hubs
    ).to_numpy()
    m.add_rows("hub_share", _lp.terms(racks_new, by=["hub"], coef=coef), ">=", 0.0)


def add_national_hubs_share(m: Builder, d: ModelData, v: Vars) -> None:
    """Sites in the national hubs get at least a share s of all new racks over the horizon (the 60 % rule).

    sum_{c in hubs, y} racks_new[c,y] - s * sum_{c,y} racks_new[c,y] >= 0        when some site is outside the hubs

    Notes:
        发改数据〔2023〕1779号: "国家枢纽节点地区各类新增算力占全国新增算力的60%以上". New
        compute is counted in standard racks built; sites outside the hubs are clusters with `in_hubs` false.
    """
    s = d.national_hubs_share_min
    if s is None:
        return
    inside = _lp.align(d.in_hubs, v.racks_new.index).astype(float)
    m.add_rows("national_hubs_share", _lp.terms(v.racks_new, by=[], coef=inside - s), ">=", 0.0)


def add_carbon_cap(m: Builder, d: ModelData, v: Vars) -> None:
    """Grid emissions of all clusters within the year's cap (location-based factors).

    sum_{c,t} ef[c] * grid[c,y,t] + sum_{c,t} ef_direct[c] * direct[c,y,t] <= cap[y]   (kt CO2)    years with a cap
    """
    if d.carbon_cap_kt.empty:
        return
    grid = _lp.subset(v.grid, d.carbon_cap_kt.index, level="year")
    lhs = _lp.terms(grid, by=["year"], coef=d.grid_kt_per_gwh)
    if not v.green_direct.empty:
        direct = _lp.subset(v.green_direct, d.carbon_cap_kt.index, level="year")
        lhs = lhs + _lp.terms(direct, by=["year"], coef=d.green_direct_kt_per_gwh)
    m.add_rows("carbon_cap", lhs, "<=", d.carbon_cap_kt)


def add_water_cap(m: Builder, d: ModelData, v: Vars) -> None:
    """Site water use (WUE x IT energy) within the cluster's yearly cap (arid west).

    wue[c] * it_year * sum_w class_load[w,c,y] <= water_max[c,y]   (1e3 m3)        for all c, y with a cap

    Notes:
        WUE is litres per kWh of IT energy (The Green Grid); it_year is the IT energy of one krack
        in use over the year, so water follows the racks in use whatever their PUE.
    """
    if d.water_max_km3.empty:
        return
    load = v.class_load[_lp.align(d.water_max_km3, v.class_load.index).notna().to_numpy()]
    coef = d.wue_m3_per_gwh * float(d.it_gwh_flat.sum()) / 1e3
    m.add_rows("water_cap", _lp.terms(load, by=["cluster", "year"], coef=coef), "<=", d.water_max_km3)

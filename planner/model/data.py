"""Validated `Inputs` -> `ModelData`: named pandas sets and parameters in model units.

Model units keep the matrix well scaled: racks in thousands (krack), energy in GWh, money in
亿元 (1e8 yuan), bandwidth in Gbps, emissions in kt CO2. `SCALE` converts back for reports.
All joins, filters and broadcasts happen here; the model code only aligns by level name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from planner.inputs.compute import eflops_per_standard_rack, standard_racks_per_rack
from planner.inputs.schema import Inputs, Scenario

logger = logging.getLogger(__name__)

RACKS_PER_KRACK = 1000.0
YUAN_PER_YI = 1e8
HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class ModelData:
    """Everything the model builder reads. Built once from Inputs; no I/O."""

    hubs: pd.Index  # name "hub"
    clusters: pd.Index  # name "cluster"
    workloads: pd.Index  # name "workload"
    years: pd.Index  # name "year"
    slices: pd.Index  # name "slice"
    served: pd.MultiIndex  # (workload, hub, cluster) pairs allowed by latency
    links: pd.MultiIndex  # (hub, cluster)
    cluster_hub: pd.Series  # [cluster] -> hub id
    cluster_region: pd.Series  # [cluster] -> "east" | "west"
    racks_existing: pd.Series  # [cluster] krack
    racks_max: pd.Series  # [cluster] krack, only clusters with a limit
    build_max: pd.Series  # [cluster] krack/year
    power_max_mw: pd.Series  # [cluster, year] MW, only cluster-years with a limit
    mw_per_krack: pd.Series  # [cluster] facility MW per krack at rated power
    capex: pd.Series  # [cluster] 亿元/krack overnight
    capex_cost: pd.Series  # [cluster, year] 亿元/krack, present value of annuities inside the horizon
    fixed_opex_cost: pd.Series  # [cluster, year] 亿元/krack, discounted
    pue: pd.Series  # [cluster] of new racks
    pue_existing: pd.Series  # [cluster] of the racks in place at the start
    pue_delta: pd.Series  # [workload] the class's kind's PUE minus the cluster's (0: the cluster's PUE)
    it_gwh_flat: pd.Series  # [slice] IT energy of 1 krack in use over the slice, any workload
    it_gwh_per_krack: pd.Series  # [workload, slice] IT energy of 1 krack in use over the slice
    new_load_gwh_per_krack: pd.Series  # [cluster] facility GWh per krack-year of load on new racks
    grid_cost: pd.Series  # [cluster, year] 亿元/GWh incl. carbon price, discounted
    grid_price_cost: pd.Series  # [cluster, year] 亿元/GWh, discounted, energy only
    carbon_cost: pd.Series  # [cluster, year] 亿元/GWh, discounted, carbon price only
    ppa_cost: pd.Series  # [cluster, year] 亿元/GWh, discounted
    certificate_cost: pd.Series  # [cluster, year] 亿元/GWh, discounted
    grid_kt_per_gwh: pd.Series  # [cluster]
    renewable_gwh: pd.Series  # [cluster, slice] available contracted renewable energy per year
    green_share_min_new: pd.Series  # [cluster]
    certificate_share_max: float | None
    utilisation_min: pd.Series  # [cluster]
    utilisation_min_from: pd.Series  # [cluster] first year the floor applies
    utilisation_min_scope: pd.Series  # [cluster] "all_racks" | "new_racks"
    vintage_split: pd.Index  # clusters whose load is split between existing and new racks by choice
    in_use_existing: pd.Series  # [cluster] krack in use on the existing stock at the start, pinned clusters only
    tenant_retention: float  # share of a pinned cluster's load still there a year later
    utilisation_max: float
    demand: pd.Series  # [workload, hub, year] krack
    unmet_cost: pd.Series  # [workload, hub, year] 亿元/krack, discounted
    gbps_per_krack: pd.Series  # [workload]
    transit_cost: pd.Series  # [workload, hub, cluster, year] 亿元/krack of load, discounted
    bandwidth_existing: pd.Series  # [hub, cluster] Gbps
    bandwidth_expansion_max: pd.Series  # [hub, cluster] Gbps, links that can grow
    bandwidth_capex: pd.Series  # [hub, cluster] 亿元/Gbps overnight
    bandwidth_capex_cost: pd.Series  # [hub, cluster, year] 亿元/Gbps, present value of annuities
    budget_yearly: pd.Series  # [year] 亿元, only years with a budget
    budget_total: float | None
    west_share_min: float | None
    hub_share_min: pd.Series  # [hub]
    carbon_cap_kt: pd.Series  # [year] kt, only years with a cap
    discount: pd.Series  # [year]
    module_kracks: float | None
    slice_hours: pd.Series  # [slice] hours of the year each slice stands for
    slice_prev: pd.Series  # [slice] -> the slice before it in its storage period (cyclic)
    storage_clusters: pd.Index  # clusters that may build batteries (empty: no storage in the model)
    battery_gw_cost: pd.Series  # [cluster, year] 亿元/GW, present value of annuities inside the horizon
    battery_gwh_cost: pd.Series  # [cluster, year] 亿元/GWh, present value of annuities inside the horizon
    battery_efficiency: float  # one-way (charge = discharge = sqrt(round trip))
    green_matching: str  # "annual" | "hourly"
    module_site_kracks: pd.Series  # [cluster] krack per build module, clusters built in modules only
    open_cost: pd.Series  # [cluster, year] 亿元 present value of the opening cost's annuities, sites with one only
    open_cost_overnight: pd.Series  # [cluster] 亿元 overnight opening cost, sites with one only
    eflops_per_krack: pd.Series  # [workload, year] EFLOPS per krack in use, classes with a compute rate only
    intelligent: pd.Index  # workloads of the intelligent (AI) kind
    intelligent_share_min: float | None  # floor on intelligent compute's share of all compute
    intelligent_share_from: int  # first year the floor applies
    in_hubs: pd.Series  # [cluster] True for national-hub sites, False for sites outside the hubs
    national_hubs_share_min: float | None  # floor on the hubs' share of new racks; None when no site is outside
    grid_import_mw: pd.Series  # [cluster, year] MW, only cluster-years with a provincial import limit
    tou_factor: pd.Series  # [slice] grid price multiplier by hour of day (1 without time-of-use prices)
    green_direct_gwh: pd.Series  # [cluster, slice] direct green supply available per year, clusters with it only
    green_direct_cost: pd.Series  # [cluster, year] 亿元/GWh, discounted, price only
    green_direct_carbon_cost: pd.Series  # [cluster, year] 亿元/GWh, discounted, carbon price only
    green_direct_kt_per_gwh: pd.Series  # [cluster]
    wue_m3_per_gwh: pd.Series  # [cluster] site water per GWh of IT energy
    water_max_km3: pd.Series  # [cluster, year] 1e3 m3, only cluster-years with a cap
    retrofit_clusters: pd.Index  # clusters whose existing racks may be retrofitted to pue_max
    retrofit_cost: pd.Series  # [cluster, year] 亿元/krack, present value of annuities inside the horizon
    retrofit_capex: pd.Series  # [cluster] 亿元/krack overnight
    pue_retrofit: pd.Series  # [cluster] PUE of retrofitted racks (pue_max)
    retire_clusters: pd.Index  # clusters whose existing racks may (or must) be retired
    retire_cost: pd.Series  # [cluster, year] 亿元/krack, discounted, paid in the year of retirement
    retire_by: pd.Series  # [cluster] year by which racks above the policy PUE are retrofitted or retired
    it_capex_annual: pd.Series  # [workload] 亿元 per krack in use per year (IT annuity), only with `it_capex` on
    it_capex_cost: pd.Series  # [workload, year] 亿元 per krack in use, the annuity discounted; only with `it_capex` on


def build_data(inputs: Inputs, profiles: pd.DataFrame | None = None) -> ModelData:
    """Turn validated inputs into indexed parameters in model units.

    `profiles` (columns cluster, slice, period, weight_hours, wind_cf, solar_cf, hydro_cf) replaces
    the case's own slices, e.g. representative days from `planner.inputs.timeseries`.
    """
    s = inputs.scenario
    hubs = pd.DataFrame([h.model_dump() for h in inputs.hubs]).set_index("hub_id")
    clusters = _clusters(inputs)
    workloads = pd.DataFrame([w.model_dump() for w in inputs.workloads]).set_index("workload_id")
    links = pd.DataFrame([link.model_dump() for link in inputs.links]).set_index(["hub_id", "cluster_id"])
    hubs.index.name, workloads.index.name = "hub", "workload"
    links.index.names = ["hub", "cluster"]
    years = pd.Index(range(s.years.first, s.years.last + 1), name="year")
    discount = pd.Series(
        (1.0 + s.discount_rate) ** -(years - s.years.first).to_numpy(dtype=float), index=years, name="discount"
    )

    profiles = _profiles(inputs, clusters) if profiles is None else profiles.set_index(["cluster", "slice"])
    slices = pd.Index(profiles.index.get_level_values("slice").unique(), name="slice")
    first_cluster = profiles.xs(profiles.index.get_level_values("cluster")[0], level="cluster")
    weights = first_cluster["weight_hours"].reindex(slices)
    storage = _storage(s, clusters, slices, years, discount)

    kw_in_use = s.rack.power_kw * s.rack.it_load_factor
    it_per_slice = pd.Series(kw_in_use * weights.to_numpy() / 1e3, index=slices)  # GWh per krack
    it_gwh = pd.Series(
        np.tile(it_per_slice.to_numpy(), len(workloads)),
        index=pd.MultiIndex.from_product([workloads.index, slices]),
    )
    pue = clusters["pue"]
    pue_existing = clusters["pue_existing"].astype(float).fillna(pue)
    floor = _floor(s, clusters, years)
    in_use0 = clusters["racks_in_use_existing"].astype(float) / RACKS_PER_KRACK
    money = _money(s, clusters, years, discount)
    demand = _demand(inputs, years, workloads.index, hubs.index)
    served = _served(links, workloads)
    transit = _transit(links, workloads, served, years, discount)
    bandwidth_capex = links["expansion_capex_yuan_per_gbps"] / YUAN_PER_YI

    policy = s.policy
    open_cost = clusters["open_cost_yuan"].dropna().astype(float) / YUAN_PER_YI
    return ModelData(
        hubs=pd.Index(hubs.index, name="hub"),
        clusters=pd.Index(clusters.index, name="cluster"),
        workloads=pd.Index(workloads.index, name="workload"),
        years=years,
        slices=slices,
        served=served,
        links=pd.MultiIndex.from_tuples(list(links.index), names=["hub", "cluster"]),
        cluster_hub=clusters["hub_id"],
        cluster_region=clusters["hub_id"].map(hubs["region"]),
        racks_existing=clusters["racks_existing"] / RACKS_PER_KRACK,
        racks_max=clusters["racks_max"].dropna() / RACKS_PER_KRACK,
        build_max=clusters["build_max_racks_per_year"] / RACKS_PER_KRACK,
        power_max_mw=_cluster_year_limit(clusters["power_max_mw"], inputs, "power_max_mw", years),
        mw_per_krack=s.rack.power_kw * pue,
        **_capex(s, clusters, discount),
        fixed_opex_cost=_per_year(clusters["fixed_opex_yuan_per_rack_year"] * RACKS_PER_KRACK / YUAN_PER_YI, discount),
        pue=pue,
        pue_existing=pue_existing,
        pue_delta=workloads["pue_delta"].astype(float).rename_axis("workload"),
        it_gwh_flat=it_per_slice.rename("it_gwh"),
        it_gwh_per_krack=it_gwh,
        new_load_gwh_per_krack=pue * kw_in_use * HOURS_PER_YEAR / 1e3,
        **_carbon(s, clusters["grid_co2_kg_per_kwh"], money["grid_price"], discount),
        grid_price_cost=money["grid_price"],
        ppa_cost=money["ppa"],
        certificate_cost=money["certificate"],
        grid_kt_per_gwh=clusters["grid_co2_kg_per_kwh"],
        renewable_gwh=_renewables(profiles, clusters),
        green_share_min_new=_green_floor(s, clusters),
        certificate_share_max=policy.certificate_share_max,
        utilisation_min=floor["u_min"],
        utilisation_min_from=floor["from_year"],
        utilisation_min_scope=floor["scope"],
        vintage_split=_vintage_split(s, clusters, pue_existing, floor),
        in_use_existing=in_use0.dropna(),
        tenant_retention=s.rack.tenant_retention_per_year,
        utilisation_max=s.rack.utilisation_max,
        demand=demand,
        unmet_cost=_unmet_cost(demand, s.unmet_penalty_yuan_per_rack_year, discount),
        gbps_per_krack=workloads["gbps_per_rack"] * RACKS_PER_KRACK,
        transit_cost=transit,
        bandwidth_existing=links["bandwidth_existing_gbps"],
        bandwidth_expansion_max=links.loc[links["bandwidth_expansion_max_gbps"] > 0, "bandwidth_expansion_max_gbps"],
        bandwidth_capex=bandwidth_capex,
        bandwidth_capex_cost=_annuity_cost(bandwidth_capex, s.discount_rate, s.rack.lifetime_years, discount),
        budget_yearly=_by_year(s.budget.yearly_yi_yuan, years),
        budget_total=s.budget.total_yi_yuan,
        west_share_min=policy.west_share_min_new_racks,
        hub_share_min=hubs["new_racks_share_min"].dropna().astype(float),
        carbon_cap_kt=_by_year(policy.carbon_cap_mt, years) * 1e3,
        discount=discount,
        module_kracks=None if s.build_module_racks is None else s.build_module_racks / RACKS_PER_KRACK,
        slice_hours=weights.astype(float).rename("slice_hours"),
        slice_prev=_previous_slice(first_cluster["period"].reindex(slices)),
        green_matching=policy.green_matching,
        module_site_kracks=_site_modules(s, clusters),
        eflops_per_krack=_eflops(inputs),
        intelligent=pd.Index(workloads.index[workloads["compute_kind"] == "intelligent"], name="workload"),
        intelligent_share_min=policy.intelligent_share_min,
        intelligent_share_from=policy.intelligent_share_from_year or s.years.first,
        open_cost=_annuity_cost(open_cost, s.discount_rate, s.rack.lifetime_years, discount),
        open_cost_overnight=open_cost,
        in_hubs=clusters["in_hubs"].astype(bool),
        national_hubs_share_min=None if clusters["in_hubs"].all() else policy.national_hubs_share_min_new_racks,
        grid_import_mw=_cluster_year_limit(clusters["grid_import_mw"], inputs, "grid_import_mw", years),
        tou_factor=_tou_factor(s, slices),
        **_green_direct(s, clusters, profiles, discount),
        wue_m3_per_gwh=clusters["wue_l_per_kwh"]
        .astype(float)
        .fillna(clusters["cooling_type"].fillna(s.water.cooling_type).map(s.water.wue_l_per_kwh))
        .astype(float)
        * 1e3,
        water_max_km3=_cluster_year_limit(pd.Series(np.nan, index=clusters.index), inputs, "water_max_m3", years) / 1e3,
        **_vintage(s, clusters, pue_existing, discount),
        **storage,
        **_it_capex(s, workloads, discount),
    )


def _clusters(inputs: Inputs) -> pd.DataFrame:
    """clusters.csv's rows as a frame indexed by `cluster`."""
    clusters = pd.DataFrame([c.model_dump() for c in inputs.clusters]).set_index("cluster_id")
    clusters.index.name = "cluster"
    return clusters


class _Capex(TypedDict):
    capex: pd.Series
    capex_cost: pd.Series


def _capex(s: Scenario, clusters: pd.DataFrame, discount: pd.Series) -> _Capex:
    """Overnight rack capex (亿元/krack) and the present value of its annuities inside the horizon."""
    return {
        "capex": clusters["capex_yuan_per_rack"] * RACKS_PER_KRACK / YUAN_PER_YI,
        "capex_cost": _annuity_cost(
            clusters["capex_yuan_per_rack"] * RACKS_PER_KRACK / YUAN_PER_YI,
            s.discount_rate,
            s.rack.lifetime_years,
            discount,
        ),
    }


class _Carbon(TypedDict):
    grid_cost: pd.Series
    carbon_cost: pd.Series


def _carbon(s: Scenario, grid_co2: pd.Series, grid_price: pd.Series, discount: pd.Series) -> _Carbon:
    """The carbon price on grid energy (亿元/GWh, discounted) and the grid's cost with it."""
    carbon_yi_per_gwh = grid_co2 * s.policy.carbon_price_yuan_per_t * 1e3 / YUAN_PER_YI
    carbon = _per_year(carbon_yi_per_gwh, discount)
    return {"grid_cost": grid_price + carbon, "carbon_cost": carbon}


def _green_direct_carbon(s: Scenario, factor: pd.Series, discount: pd.Series) -> pd.Series:
    """The carbon price on direct green supply (亿元/GWh, discounted)."""
    return _per_year(factor * s.policy.carbon_price_yuan_per_t * 1e3 / YUAN_PER_YI, discount)


def _green_floor(s: Scenario, clusters: pd.DataFrame) -> pd.Series:
    """Green-power floor for new racks per cluster: the site's own, else the policy's."""
    return clusters["green_share_min_new"].fillna(s.policy.green_share_min_new).astype(float)


def _vintage_split(s: Scenario, clusters: pd.DataFrame, pue_existing: pd.Series, floor: pd.DataFrame) -> pd.Index:
    """Clusters whose load is split between existing and new racks by the model's choice."""
    in_use0 = clusters["racks_in_use_existing"].astype(float) / RACKS_PER_KRACK
    split: pd.Index = pd.Index(
        clusters.index[
            (pue_existing != clusters["pue"])
            | ((floor["scope"] == "new_racks") & (floor["u_min"] > 0))
            | in_use0.notna()
            | _has_vintage_option(s, clusters, pue_existing)
        ],
        name="cluster",
    )
    return split


def _updated_capex(d: ModelData, new: Inputs) -> dict[str, Any]:
    return dict(_capex(new.scenario, _clusters(new), d.discount))


def _updated_carbon(d: ModelData, new: Inputs) -> dict[str, Any]:
    s = new.scenario
    return {
        **_carbon(s, d.grid_kt_per_gwh, d.grid_price_cost, d.discount),
        "green_direct_carbon_cost": _green_direct_carbon(s, d.green_direct_kt_per_gwh, d.discount),
    }


def _updated_floor(d: ModelData, new: Inputs) -> dict[str, Any]:
    clusters, s = _clusters(new), new.scenario
    floor = _floor(s, clusters, d.years)
    return {
        "utilisation_min": floor["u_min"],
        "utilisation_min_from": floor["from_year"],
        "utilisation_min_scope": floor["scope"],
        "vintage_split": _vintage_split(s, clusters, d.pue_existing, floor),
    }


def _updated_budget_yearly(d: ModelData, new: Inputs) -> dict[str, Any]:
    return {"budget_yearly": _by_year(new.scenario.budget.yearly_yi_yuan, d.years)}


def _updated_green_floor(d: ModelData, new: Inputs) -> dict[str, Any]:
    return {"green_share_min_new": _green_floor(new.scenario, _clusters(new))}


def _updated_demand(d: ModelData, new: Inputs) -> dict[str, Any]:
    demand = _demand(new, d.years, d.workloads, d.hubs)
    penalty = new.scenario.unmet_penalty_yuan_per_rack_year
    return {"demand": demand, "unmet_cost": _unmet_cost(demand, penalty, d.discount)}


UPDATES: dict[str, Callable[[ModelData, Inputs], dict[str, Any]]] = {
    "scenario.name": lambda d, new: {},
    "scenario.description": lambda d, new: {},
    "scenario.budget.total_yi_yuan": lambda d, new: {"budget_total": new.scenario.budget.total_yi_yuan},
    "scenario.budget.yearly_yi_yuan": _updated_budget_yearly,
    "scenario.policy.green_share_min_new": _updated_green_floor,
    "scenario.policy.certificate_share_max": lambda d, new: {
        "certificate_share_max": new.scenario.policy.certificate_share_max
    },
    "scenario.policy.west_share_min_new_racks": lambda d, new: {
        "west_share_min": new.scenario.policy.west_share_min_new_racks
    },
    "scenario.policy.carbon_price_yuan_per_t": _updated_carbon,
    "scenario.policy.utilisation_min": _updated_floor,
    "scenario.policy.utilisation_min_from_year": _updated_floor,
    "scenario.policy.utilisation_min_scope": _updated_floor,
    "clusters.capex_yuan_per_rack": _updated_capex,
    "demand.demand_racks": _updated_demand,
}
"""What a changed setting (`scenario.<path>` or `<table>.<column>`) feeds: the ModelData fields `build_data` would
give, made by the same helpers. `update_data` uses it; tests/test_update_data.py compares it with `build_data`."""


def update_data(d: ModelData, old: Inputs, new: Inputs) -> tuple[ModelData, set[str]] | None:
    """`new`'s ModelData made from `old`'s (`d`) when the cases differ only in settings listed in `UPDATES`.

    Returns the data and the names of the fields recomputed, or None (then `build_data(new)`).
    """
    changed = input_changes(old, new)
    if changed is None or not changed <= UPDATES.keys():
        return None
    fields: dict[str, Any] = {}
    for key in sorted(changed):
        fields |= UPDATES[key](d, new)
    return replace(d, **fields), set(fields)


def input_changes(old: Inputs, new: Inputs) -> set[str] | None:
    """What differs between two cases: `scenario.<dotted path>` and `<table>.<column>`.

    None when a table's rows were added or removed.
    """
    out: set[str] = set()
    for name in type(new).model_fields:
        a, b = getattr(old, name), getattr(new, name)
        if a is b:
            continue
        if name == "scenario":
            if a != b:
                out |= {f"scenario.{path}" for path in _dict_changes(a.model_dump(), b.model_dump())}
            continue
        if len(a) != len(b):
            return None
        for x, y in zip(a, b, strict=True):
            if x is not y and x != y:
                out |= {f"{name}.{f}" for f in type(x).model_fields if getattr(x, f) != getattr(y, f)}
    return out


def _dict_changes(a: object, b: object, path: str = "") -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        out: set[str] = set()
        for key in a:
            out |= _dict_changes(a[key], b[key], f"{path}.{key}" if path else str(key))
        return out
    return set() if a == b else {path}


def _cluster_year_limit(per_cluster: pd.Series, inputs: Inputs, column: str, years: pd.Index) -> pd.Series:
    """A limit per (cluster, year): the cluster's value, overridden by `cluster_years.csv`; blanks dropped."""
    index = pd.MultiIndex.from_product([per_cluster.index.rename("cluster"), years])
    out = pd.Series(np.repeat(per_cluster.astype(float).to_numpy(), len(years)), index=index, dtype=float)
    rows = [(r.cluster_id, r.year, getattr(r, column)) for r in inputs.cluster_years if getattr(r, column) is not None]
    if rows:
        keys = pd.MultiIndex.from_tuples([(c, y) for c, y, _ in rows], names=["cluster", "year"])
        given = pd.Series([float(v) for *_, v in rows], index=keys)
        given = given[given.index.isin(index)]
        out.loc[given.index] = given.to_numpy()
    return out.dropna()


def _tou_factor(s: Scenario, slices: pd.Index) -> pd.Series:
    """Grid price multiplier per slice from its hour of day (`dNNNhHH`, `hNNNN`); 1 off or without an hour."""
    factor = pd.Series(1.0, index=slices, name="tou_factor")
    if not s.tariff.time_of_use:
        return factor
    text = slices.to_series().astype(str)
    day_hour = text.str.extract(r"^d\d+h(\d{2})$")[0].astype(float)
    year_hour = text.str.extract(r"^h(\d{4})$")[0].astype(float) % 24
    hour = day_hour.fillna(year_hour)
    factor[hour.isin(s.tariff.peak_hours).to_numpy()] = s.tariff.peak_factor
    factor[hour.isin(s.tariff.valley_hours).to_numpy()] = s.tariff.valley_factor
    return factor


class _GreenDirect(TypedDict):
    green_direct_gwh: pd.Series
    green_direct_cost: pd.Series
    green_direct_carbon_cost: pd.Series
    green_direct_kt_per_gwh: pd.Series


class _Vintage(TypedDict):
    retrofit_clusters: pd.Index
    retrofit_cost: pd.Series
    retrofit_capex: pd.Series
    pue_retrofit: pd.Series
    retire_clusters: pd.Index
    retire_cost: pd.Series
    retire_by: pd.Series


def _green_direct(s: Scenario, clusters: pd.DataFrame, profiles: pd.DataFrame, discount: pd.Series) -> _GreenDirect:
    """Direct green supply (绿电直连): GWh per slice (capacity x the cluster's renewable mix), cost, factor."""
    mw = clusters["green_direct_mw"].astype(float).fillna(0.0)
    scope = clusters.index[mw > 0]
    mix = clusters.loc[scope, ["wind_mw", "solar_mw", "hydro_mw"]].astype(float)
    mix[mix.sum(axis=1) == 0] = 1.0  # no own renewables listed: an even wind/solar/hydro mix
    share = mix.div(mix.sum(axis=1), axis=0).rename(columns=lambda c: c.replace("_mw", "_cf"))
    p = profiles[profiles.index.get_level_values("cluster").isin(scope)]
    cf = (p[["wind_cf", "solar_cf", "hydro_cf"]] * share.reindex(p.index, level="cluster").to_numpy()).sum(axis=1)
    gwh = (cf * mw.reindex(p.index, level="cluster") * p["weight_hours"] / 1e3).rename("green_direct_gwh")
    factor = clusters.loc[scope, "green_direct_co2_kg_per_kwh"].astype(float).fillna(0.0)
    price = clusters.loc[scope, "green_direct_price_yuan_per_kwh"].astype(float) * 1e6 / YUAN_PER_YI
    return {
        "green_direct_gwh": gwh,
        "green_direct_cost": _per_year(price, discount),
        "green_direct_carbon_cost": _green_direct_carbon(s, factor, discount),
        "green_direct_kt_per_gwh": factor,
    }


def _has_vintage_option(s: Scenario, clusters: pd.DataFrame, pue_existing: pd.Series) -> pd.Series:
    """Clusters whose existing racks may be retrofitted or retired, or must go under the PUE policy."""
    retrofit = clusters["retrofit_capex_yuan_per_rack"].notna() & (pue_existing > clusters["pue_max"])
    threshold = np.inf if s.policy.retire_pue_above is None else s.policy.retire_pue_above
    must = pue_existing > threshold
    return (retrofit | clusters["retire_cost_yuan_per_rack"].notna() | must) & (clusters["racks_existing"] > 0)


def _vintage(s: Scenario, clusters: pd.DataFrame, pue_existing: pd.Series, discount: pd.Series) -> _Vintage:
    """Retrofit and retirement of the existing stock: who may, at what cost, and who must by when."""
    has = _has_vintage_option(s, clusters, pue_existing)
    retrofit = clusters.index[
        has & clusters["retrofit_capex_yuan_per_rack"].notna() & (pue_existing > clusters["pue_max"])
    ]
    above = has & (pue_existing > (np.inf if s.policy.retire_pue_above is None else s.policy.retire_pue_above))
    retire = clusters.index[has & (clusters["retire_cost_yuan_per_rack"].notna() | above)]
    capex = clusters.loc[retrofit, "retrofit_capex_yuan_per_rack"].astype(float) * RACKS_PER_KRACK / YUAN_PER_YI
    cost = clusters.loc[retire, "retire_cost_yuan_per_rack"].astype(float).fillna(0.0) * RACKS_PER_KRACK / YUAN_PER_YI
    by = s.years.last if s.policy.retire_by_year is None else s.policy.retire_by_year
    return {
        "retrofit_clusters": pd.Index(retrofit, name="cluster"),
        "retrofit_cost": _annuity_cost(capex, s.discount_rate, s.rack.lifetime_years, discount),
        "retrofit_capex": capex,
        "pue_retrofit": clusters.loc[retrofit, "pue_max"].astype(float),
        "retire_clusters": pd.Index(retire, name="cluster"),
        "retire_cost": _per_year(cost, discount),
        "retire_by": pd.Series(by, index=pd.Index(clusters.index[above], name="cluster"), dtype=int),
    }


class _ItCapex(TypedDict):
    it_capex_annual: pd.Series
    it_capex_cost: pd.Series


def _it_capex(s: Scenario, workloads: pd.DataFrame, discount: pd.Series) -> _ItCapex:
    """IT equipment per krack (1000 standard racks) in use: the kind's price / (rack_kw / power_kw), annuitised.

    annual[w] = it_capex[w] / (rack_kw[w] / power_kw) * crf(r, L[w]);  cost[w,y] = annual[w] * discount[y]
    """
    index = pd.Index(workloads.index if s.it_capex else workloads.index[:0], name="workload")
    kinds = workloads.loc[index]
    per_rack = (kinds["rack_kw"].astype(float) / s.rack.power_kw).fillna(1.0)  # standard racks per rack of the kind
    life = kinds["it_lifetime_years"].astype(float)
    r = s.discount_rate
    crf = 1.0 / life if r == 0 else r / (1.0 - (1.0 + r) ** -life)
    annual = (kinds["it_capex_yuan_per_rack"].astype(float) / per_rack * RACKS_PER_KRACK / YUAN_PER_YI * crf)
    annual = annual.rename("it_capex_annual").rename_axis("workload")
    dear = annual.index[annual * YUAN_PER_YI / RACKS_PER_KRACK > s.unmet_penalty_yuan_per_rack_year]
    if len(dear):
        logger.warning(
            "IT capex of class(es) %s exceeds the unmet-demand penalty per rack-year (%g yuan): the plan will rather "
            "leave that demand unserved; raise unmet_penalty_yuan_per_rack_year if it must be served",
            ", ".join(map(str, dear)),
            s.unmet_penalty_yuan_per_rack_year,
        )
    return {"it_capex_annual": annual, "it_capex_cost": _per_year(annual, discount)}


def _floor(s: Scenario, clusters: pd.DataFrame, years: pd.Index) -> pd.DataFrame:
    """Per cluster: utilisation floor, the first year it applies and the racks it covers (policy defaults filled)."""
    policy = s.policy
    first = s.years.first if policy.utilisation_min_from_year is None else policy.utilisation_min_from_year
    return pd.DataFrame(
        {
            "u_min": clusters["utilisation_min"].astype(float).fillna(policy.utilisation_min),
            "from_year": clusters["utilisation_min_from_year"].astype(float).fillna(first).astype(int),
            "scope": clusters["utilisation_min_scope"]
            .astype(object)
            .where(clusters["utilisation_min_scope"].notna(), policy.utilisation_min_scope),
        },
        index=clusters.index,
    )


def _eflops(inputs: Inputs) -> pd.Series:
    """EFLOPS per krack (1000 standard racks) in use, per (workload, year) the case gives a rate for."""
    per_rack = standard_racks_per_rack(inputs.workloads, inputs.scenario.rack.power_kw)
    rates = eflops_per_standard_rack(inputs.compute, per_rack)
    names = ["workload", "year"]
    index = (
        pd.MultiIndex.from_tuples(list(rates), names=names)
        if rates
        else pd.MultiIndex.from_arrays([[], []], names=names)
    )
    return pd.Series([r * RACKS_PER_KRACK for r in rates.values()], index=index, dtype=float, name="eflops_per_krack")


def _site_modules(s: Scenario, clusters: pd.DataFrame) -> pd.Series:
    """Module size per cluster in krack: the site's own, else the case's; clusters without one are left out."""
    size = clusters["build_module_racks"].astype(float)
    if s.build_module_racks is not None:
        size = size.fillna(s.build_module_racks)
    return (size.dropna() / RACKS_PER_KRACK).rename("module_kracks")


def _previous_slice(period: pd.Series) -> pd.Series:
    """The slice before each slice in its period, wrapping from the first to the last."""
    frame = pd.DataFrame({"slice": period.index, "period": period.to_numpy()})
    prev = frame.groupby("period", sort=False)["slice"].shift(1)
    last = frame.groupby("period", sort=False)["slice"].transform("last")
    return pd.Series(prev.fillna(last).to_numpy(), index=period.index, name="slice_prev")


class _Storage(TypedDict):
    """ModelData's battery fields, as `_storage` computes them."""

    storage_clusters: pd.Index
    battery_gw_cost: pd.Series
    battery_gwh_cost: pd.Series
    battery_efficiency: float


def _storage(s: object, clusters: pd.DataFrame, slices: pd.Index, years: pd.Index, discount: pd.Series) -> _Storage:
    """Battery scope and costs: 1 yuan/kW = 0.01 亿元/GW; no batteries with a single slice."""
    from planner.inputs.schema import Scenario

    assert isinstance(s, Scenario)
    b = s.storage
    scope = clusters.index if b.clusters is None else clusters.index[clusters.index.isin(b.clusters)]
    if not b.enabled or len(slices) < 2:
        scope = scope[:0]
    scope = pd.Index(scope, name="cluster")
    per_gw = pd.Series(b.power_capex_yuan_per_kw * 1e6 / YUAN_PER_YI, index=scope)
    per_gwh = pd.Series(b.energy_capex_yuan_per_kwh * 1e6 / YUAN_PER_YI, index=scope)
    return {
        "storage_clusters": scope,
        "battery_gw_cost": _annuity_cost(per_gw, s.discount_rate, b.lifetime_years, discount),
        "battery_gwh_cost": _annuity_cost(per_gwh, s.discount_rate, b.lifetime_years, discount),
        "battery_efficiency": float(np.sqrt(b.roundtrip_efficiency)),
    }


def _profiles(inputs: Inputs, clusters: pd.DataFrame) -> pd.DataFrame:
    """Per (cluster, slice): weight and availability; one `year` slice from annual factors if none given."""
    if inputs.profiles:
        frame = pd.DataFrame([p.model_dump() for p in inputs.profiles])
        frame = frame.rename(columns={"cluster_id": "cluster", "slice_id": "slice", "period_id": "period"})
        frame["period"] = frame["period"].fillna(frame["slice"])
        return frame.set_index(["cluster", "slice"]).sort_index(level="cluster", sort_remaining=False)
    frame = clusters[["wind_cf", "solar_cf", "hydro_cf"]].copy()
    frame["weight_hours"] = HOURS_PER_YEAR
    frame["slice"] = "year"
    frame["period"] = "year"
    return frame.set_index("slice", append=True)


def _renewables(profiles: pd.DataFrame, clusters: pd.DataFrame) -> pd.Series:
    """GWh of contractable renewable energy per cluster and slice (per year of operation)."""
    mw = clusters[["wind_mw", "solar_mw", "hydro_mw"]].reindex(profiles.index, level="cluster")
    power = (
        mw["wind_mw"] * profiles["wind_cf"]
        + mw["solar_mw"] * profiles["solar_cf"]
        + mw["hydro_mw"] * profiles["hydro_cf"]
    )
    return (power * profiles["weight_hours"] / 1e3).rename("renewable_gwh")


def _money(s: Scenario, clusters: pd.DataFrame, years: pd.Index, discount: pd.Series) -> dict[str, pd.Series]:
    """Discounted energy prices in 亿元/GWh (1 yuan/kWh = 0.01 亿元/GWh); the carbon price is `_carbon`'s."""
    grid_yuan_per_kwh = clusters["power_price_yuan_per_kwh"] + clusters["td_fee_yuan_per_kwh"].astype(float).fillna(0.0)
    return {
        "grid_price": _per_year(grid_yuan_per_kwh * 1e6 / YUAN_PER_YI, discount),
        "ppa": _per_year(clusters["ppa_price_yuan_per_kwh"] * 1e6 / YUAN_PER_YI, discount),
        "certificate": _per_year(clusters["certificate_price_yuan_per_mwh"] * 1e3 / YUAN_PER_YI, discount),
    }


def _cross(index: pd.Index, years: pd.Index) -> pd.MultiIndex:
    """Every entry of `index` paired with every year, entity-major (matches np.outer(...).ravel()).

    Built from level codes (sorted levels, as `MultiIndex.from_frame` of the cross join gives them).
    """
    flat = not isinstance(index, pd.MultiIndex) and len(index) > 0 and len(years) > 0
    if flat and _is_sorted_set(index) and _is_sorted_set(years):
        n, k = len(index), len(years)  # a set of entities: its values are the level, in order
        entity_year: list[Any] = [np.repeat(np.arange(n), k), np.tile(np.arange(k), n)]
        sets: list[Any] = [index, years]
        return pd.MultiIndex(levels=sets, codes=entity_year, names=[index.name, years.name], verify_integrity=False)
    if len(index) == 0:  # an empty subset (a feature the case does not use): empty levels of the same dtypes
        names = list(index.names)
        arrays = [index.get_level_values(n) for n in range(len(names))] + [years[:0]]
        return pd.MultiIndex.from_arrays(arrays, names=[*names, years.name])
    inner = index if isinstance(index, pd.MultiIndex) else pd.MultiIndex.from_arrays([index])
    sorted_levels = all(level.is_monotonic_increasing for level in inner.levels)
    if len(inner) == 0 or not sorted_levels or any((c < 0).any() for c in inner.codes) or not inner.is_unique:
        # the reference path (merge + from_frame), whose levels the fast one reproduces
        left = index.to_frame(index=False)
        right = years.to_frame(index=False)
        return pd.MultiIndex.from_frame(left.merge(right, how="cross"))
    inner = inner.remove_unused_levels()
    year_codes, year_levels = pd.factorize(years, sort=True)
    n, k = len(inner), len(years)
    codes: list[Any] = [np.repeat(c, k) for c in inner.codes] + [np.tile(year_codes, n)]
    levels: list[Any] = [*inner.levels, year_levels]
    return pd.MultiIndex(levels=levels, codes=codes, names=[*inner.names, years.name], verify_integrity=False)


def _is_sorted_set(index: pd.Index) -> bool:
    return bool(index.is_monotonic_increasing and index.is_unique and not index.hasnans)


def _per_year(values: pd.Series, discount: pd.Series) -> pd.Series:
    """Broadcast a per-entity yearly cost over years, discounted."""
    out = np.outer(values.to_numpy(dtype=float), discount.to_numpy()).ravel()
    return pd.Series(out, index=_cross(values.index, discount.index))


def _annuity_cost(overnight: pd.Series, rate: float, lifetime: int, discount: pd.Series) -> pd.Series:
    """Present value of the capex annuities paid from the build year to the horizon's end.

    crf = r / (1 - (1+r)^-L);  cost[y] = overnight * crf * sum_{y' >= y} discount[y']
    """
    crf = 1.0 / lifetime if rate == 0 else rate / (1.0 - (1.0 + rate) ** -lifetime)
    remaining = discount[::-1].cumsum()[::-1]
    return _per_year(overnight * crf, remaining)


def _demand(inputs: Inputs, years: pd.Index, workloads: pd.Index, hubs: pd.Index) -> pd.Series:
    frame = pd.DataFrame([d.model_dump() for d in inputs.demand])
    series = frame.set_index(["workload_id", "hub_id", "year"])["demand_racks"] / RACKS_PER_KRACK
    series.index.names = ["workload", "hub", "year"]
    full = pd.MultiIndex.from_product([workloads, hubs, years])
    series = series.groupby(level=["workload", "hub", "year"]).sum().reindex(full, fill_value=0.0)
    return series[series > 0].rename("demand")


def _served(links: pd.DataFrame, workloads: pd.DataFrame) -> pd.MultiIndex:
    """(workload, hub, cluster) triples whose link meets the class's latency limit."""
    limit = workloads["latency_max_rtt_ms"].astype(float).fillna(np.inf)
    pairs = links["rtt_ms"].to_frame().reset_index().merge(limit.rename("limit").reset_index(), how="cross")
    pairs = pairs[pairs["rtt_ms"] <= pairs["limit"]]
    return pd.MultiIndex.from_frame(pairs[["workload", "hub", "cluster"]]).sort_values()


def _transit(
    links: pd.DataFrame, workloads: pd.DataFrame, served: pd.MultiIndex, years: pd.Index, discount: pd.Series
) -> pd.Series:
    """Transmission fee per krack of load served over a link, discounted (亿元/krack)."""
    fee = links["transit_yuan_per_gbps_year"] / YUAN_PER_YI
    per_krack = workloads["gbps_per_rack"] * RACKS_PER_KRACK
    frame = served.to_frame(index=False)
    base = frame.join(fee.rename("fee"), on=["hub", "cluster"]).join(per_krack.rename("gbps"), on="workload")
    values = (base["fee"] * base["gbps"]).to_numpy()
    return pd.Series(np.outer(values, discount.to_numpy()).ravel(), index=_cross(served, years))


def _unmet_cost(demand: pd.Series, penalty_yuan_per_rack: float, discount: pd.Series) -> pd.Series:
    per_krack = penalty_yuan_per_rack * RACKS_PER_KRACK / YUAN_PER_YI
    return pd.Series(per_krack * discount.reindex(demand.index.get_level_values("year")).to_numpy(), index=demand.index)


def _by_year(value: float | dict[int, float] | None, years: pd.Index) -> pd.Series:
    if value is None:
        return pd.Series([], index=pd.Index([], name="year", dtype=int), dtype=float)
    if isinstance(value, dict):
        return pd.Series({y: float(value[y]) for y in years}, dtype=float).rename_axis("year")
    return pd.Series(float(value), index=years)

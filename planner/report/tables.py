"""Pure functions: a saved plan -> the summary tables a report shows (no I/O, no rendering).

Every number comes from plan.json or from the tidy CSVs written next to it, which are the same
`Results` tables plan.json was computed from. Names are "中文 English" everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from planner.inputs.schema import Inputs
from planner.report.glossary import Lang
from planner.results.plan_folder import SavedPlan

COST_LABELS = {
    "capex": "Annualised investment 年化投资",
    "it_capex": "IT equipment (servers, accelerators), annualised IT设备（服务器、加速卡）年化投资",
    "fixed_opex": "Fixed operation 固定运维",
    "electricity": "Grid electricity 电网购电",
    "renewables": "Contracted renewables (green-power trading) 绿电交易",
    "certificates": "Green certificates 绿证",
    "carbon": "Shadow carbon price 影子碳价",
    "network": "Network 网络",
    "unmet_penalty": "Unmet demand penalty 未满足需求",
    "storage": "Battery storage 储能",
}
"""Objective term -> label in the report (the terms of `planner.model.objective.COST_TERMS`)."""


@dataclass(frozen=True)
class View:
    """A saved plan with the lookups every report table needs."""

    plan: dict[str, Any]
    manifest: dict[str, Any]
    inputs: Inputs
    t: dict[str, pd.DataFrame]
    hubs: pd.DataFrame  # index hub_id
    clusters: pd.DataFrame  # index cluster_id
    workloads: pd.DataFrame  # index workload_id
    links: pd.DataFrame  # index (hub_id, cluster_id)
    years: list[int]
    discount: pd.Series  # [year] present-value factor at the first year
    lang: Lang = field(default_factory=Lang)

    @cached_property
    def binding_rows(self) -> dict[str, pd.DataFrame]:
        """Binding rows of duals.csv by family: key, dual, unit (computed once per report)."""
        d = self.t["duals"]
        d = d.loc[d["binding"].astype(bool), ["family", "key", "dual", "unit"]]
        return {str(f): g[["key", "dual", "unit"]] for f, g in d.groupby("family", sort=False)}

    @property
    def first(self) -> int:
        """First planning year (duals are present values at this year)."""
        return self.years[0]

    @property
    def last(self) -> int:
        """Last planning year."""
        return self.years[-1]

    @cached_property
    def names(self) -> dict[str, tuple[str, str]]:
        """Hub, cluster and workload id -> (Chinese, English) name (clusters first, as ids may repeat)."""
        out: dict[str, tuple[str, str]] = {}
        for table in (self.workloads, self.hubs, self.clusters):
            out.update(
                {
                    str(k): (str(zh), str(en))
                    for k, zh, en in zip(table.index, table["name_zh"], table["name_en"], strict=True)
                }
            )
        return out

    def name(self, key: str) -> str:
        """Name of a hub, cluster or workload id in the page's language(s): "中文 English" for both."""
        zh, en = self.names.get(key, (key, key))
        return self.lang(en, zh)

    def zh(self, key: str) -> str:
        """Chinese name of a hub, cluster or workload id."""
        return self.names.get(key, (key, key))[0]

    def en(self, key: str) -> str:
        """English name of a hub, cluster or workload id."""
        return self.names.get(key, (key, key))[1]

    def link(self, hub: str, cluster: str) -> str:
        """Bilingual link name: "长三角 Yangtze River Delta → 芜湖 Wuhu"."""
        return f"{self.name(hub)} → {self.name(cluster)}"


def per_view(fn: Callable[[View], pd.DataFrame]) -> Callable[[View], pd.DataFrame]:
    """Compute a table once per report (several sections use it); each caller gets its own copy."""

    @functools.wraps(fn)
    def once(v: View) -> pd.DataFrame:
        cache: dict[str, pd.DataFrame] = v.__dict__.setdefault("_tables", {})
        if fn.__name__ not in cache:
            cache[fn.__name__] = fn(v)
        return cache[fn.__name__].copy()

    return once


def make_view(saved: SavedPlan, lang: Lang | None = None) -> View:
    """Index the inputs by id and compute the discount factors of the planning years."""
    s = saved.inputs.scenario
    years = list(range(s.years.first, s.years.last + 1))
    discount = pd.Series([(1.0 + s.discount_rate) ** -(y - s.years.first) for y in years], index=years)

    def frame(rows: tuple[Any, ...], key: str | list[str]) -> pd.DataFrame:
        return pd.DataFrame([r.model_dump() for r in rows]).set_index(key)

    return View(
        plan=saved.plan,
        manifest=saved.manifest,
        inputs=saved.inputs,
        t=saved.tables,
        hubs=frame(saved.inputs.hubs, "hub_id"),
        clusters=frame(saved.inputs.clusters, "cluster_id"),
        workloads=frame(saved.inputs.workloads, "workload_id"),
        links=frame(saved.inputs.links, ["hub_id", "cluster_id"]),
        years=years,
        discount=discount,
        lang=lang or Lang(),
    )


# --------------------------------------------------------------------------- number formats


def num(x: float, digits: int = 0) -> str:
    """Thousands separators and fixed decimals; `-0` shown as `0`."""
    value = round(float(x), digits) + 0.0
    return f"{value:,.{digits}f}"


def pct(x: float, digits: int = 1) -> str:
    """A share as a percentage: 0.778 -> `77.8 %`."""
    return f"{num(100.0 * float(x), digits)} %"


def year_span(years: list[int]) -> str:
    """[2026, 2027, 2028, 2030] -> `2026–2028, 2030`."""
    if not years:
        return ""
    years = sorted(years)
    runs, start, prev = [], years[0], years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(runs)


# --------------------------------------------------------------------------- headline


def headline(v: View) -> pd.DataFrame:
    """The headline numbers, straight from plan.json, as (what, value) rows."""
    p = v.plan
    span = f"{v.first}–{v.last}"
    status = str(p["status"]) + (
        " (mixed-integer" + (f", gap {pct(p['gap'], 3)})" if p.get("gap") is not None else ")")
        if p.get("mip")
        else " (LP)"
    )
    rows = [
        ("Status", status),
        (f"Total cost, discounted to {v.first} (亿元)", num(p["objective_yi_yuan"], 2)),
        (f"Investment {span}, undiscounted (亿元)", num(p["investment_total_yi_yuan"], 2)),
        (f"New racks {span} (racks)", num(p["new_racks_total"])),
        (
            "New racks east / west (racks)",
            f"{num(p['new_racks_east'])} / {num(p['new_racks_west'])}",
        ),
        ("West share of new racks", pct(p["west_share_of_new_racks"])),
        ("Green-power share of facility energy", pct(p["green_share"])),
        (f"Grid emissions {span} (Mt CO2)", num(p["emissions_mt_co2"], 2)),
        (f"Unmet demand {span} (rack-years)", num(p["unmet_rack_years"])),
        ("Average PUE", num(p["average_pue"], 3)),
    ]
    if "it_capex" in p["cost_breakdown_yi_yuan"]:  # IT equipment, apart from the facility capex
        costs = p["cost_breakdown_yi_yuan"]
        rows[3:3] = [
            (f"Facility capex, annualised, discounted to {v.first} (亿元)", num(costs["capex"], 2)),
            (f"IT capex, annualised, discounted to {v.first} (亿元)", num(costs["it_capex"], 2)),
        ]
    return pd.DataFrame(rows, columns=["What", "Value"])


def scope_statement(v: View) -> str:
    """What the plan's money and green numbers include and exclude, for the report's first screen."""
    s, p = v.inputs.scenario, v.plan
    capex = ("facility only (building, power, cooling, land); IT equipment (servers, network gear) is excluded"
             if s.capex_basis == "facility" else "facility and IT equipment (servers, network gear)")
    if s.it_capex:
        capex = ("facility (building, power, cooling, land), with IT equipment (servers, accelerators) as its own "
                 "term: an annuity over the equipment's life on every rack in use")
    has_budget = s.budget.total_yi_yuan is not None or s.budget.yearly_yi_yuan is not None
    budget = (
        f"budgets count {'facility' if s.budget.basis == 'facility' else 'facility and IT'} investment, like the capex"
        if has_budget
        else "no investment budget is imposed"
    )
    carbon = (
        f"a shadow carbon price of {num(s.policy.carbon_price_yuan_per_t)} yuan/t values grid emissions in the cost "
        "(data centres are not in the national emissions trading scheme, so nobody pays it)"
        if s.policy.carbon_price_yuan_per_t > 0
        else "no carbon price"
    )
    resolution = str(p.get("time_resolution", ""))
    caveat = (
        "; a single yearly slice lets a year's renewables cover load whenever it falls, so it overstates green power "
        "against the hourly year"
        if resolution.startswith("yearly")
        else (
            "; representative days keep hourly coincidence of load and renewables (cost within about 0.1 % of the full "
            "year)"
        )
        if "representative" in resolution
        else ""
    )
    return (f"What this plan covers: capex is {capex}; {budget}; {carbon}. Energy, green share and emissions are from "
            f"{resolution or 'the case resolution'}{caveat}.")


def cost_breakdown(v: View) -> pd.DataFrame:
    """Objective terms in 亿元 (present value) and their share of the total."""
    terms = v.plan["cost_breakdown_yi_yuan"]
    total = sum(terms.values())
    rows = [(COST_LABELS.get(k, k), num(x, 2), pct(x / total if total else 0.0)) for k, x in terms.items()]
    rows.append(("Total 合计", num(total, 2), pct(1.0 if total else 0.0)))
    return pd.DataFrame(rows, columns=["Cost term", f"亿元 (PV {v.first})", "Share"])


# --------------------------------------------------------------------------- chart data


@per_view
def new_racks_by_cluster_year(v: View) -> pd.DataFrame:
    """New racks (racks): rows clusters in input order, columns years."""
    pivot = v.t["racks_new"].pivot_table(index="cluster", columns="year", values="new_racks", aggfunc="sum")
    return pivot.reindex(index=v.clusters.index, columns=v.years).fillna(0.0)


def investment_by_hub_year(v: View) -> pd.DataFrame:
    """Overnight investment (亿元, undiscounted): rows hubs in input order, columns years."""
    pivot = v.t["investment"].pivot_table(index="hub", columns="year", values="total_yi_yuan", aggfunc="sum")
    return pivot.reindex(index=v.hubs.index, columns=v.years).fillna(0.0)


@per_view
def energy_mix(v: View) -> pd.DataFrame:
    """Facility energy over the horizon per cluster (GWh): grid without / with certificates, renewables."""
    e = (
        v.t["energy_summary"]
        .groupby("cluster")[["grid_gwh", "renewable_gwh", "certificates_gwh", "facility_gwh", "emissions_mt"]]
        .sum()
    )
    e = e.reindex(v.clusters.index).fillna(0.0)
    out = pd.DataFrame(index=e.index)
    out["grid_gwh"] = (e["grid_gwh"] - e["certificates_gwh"]).clip(lower=0.0)
    out["certified_grid_gwh"] = e["certificates_gwh"]
    out["renewable_gwh"] = e["renewable_gwh"]
    out["facility_gwh"] = e["facility_gwh"]
    out["green_share"] = np.where(
        e["facility_gwh"] > 0,
        (e["renewable_gwh"] + e["certificates_gwh"]) / e["facility_gwh"].where(e["facility_gwh"] > 0, 1.0),
        0.0,
    )
    out["emissions_mt"] = e["emissions_mt"]
    return out


@per_view
def utilisation_matrix(v: View) -> pd.DataFrame:
    """Racks in use / racks installed (上架率): rows clusters, columns years (NaN without racks)."""
    u = v.t["utilisation"]
    u = u.assign(utilisation=u["utilisation"].where(u["racks"] > 0))
    return u.pivot_table(index="cluster", columns="year", values="utilisation", aggfunc="first", dropna=False).reindex(
        index=v.clusters.index, columns=v.years
    )


def utilisation_floor(v: View) -> pd.Series:
    """Each cluster's 上架率 floor: its own override or the policy value."""
    policy = v.inputs.scenario.policy.utilisation_min
    return v.clusters["utilisation_min"].astype(float).fillna(policy)


def green_floor(v: View) -> pd.Series:
    """Each cluster's green-power floor for new racks: its own override or the policy value."""
    policy = v.inputs.scenario.policy.green_share_min_new
    return v.clusters["green_share_min_new"].astype(float).fillna(policy)


def link_use(v: View) -> pd.DataFrame:
    """Links that carry traffic: traffic and capacity (Gbps) in each link's busiest year, by use."""
    b = v.t["bandwidth"]
    b = b[b.groupby(["hub", "cluster"])["traffic_gbps"].transform("max") > 1e-6].copy()
    if b.empty:
        return pd.DataFrame(columns=["hub", "cluster", "year", "traffic_gbps", "capacity_gbps", "added_gbps", "use"])
    b["use"] = b["traffic_gbps"] / b["capacity_gbps"].where(b["capacity_gbps"] > 0, np.nan)
    peak = b.sort_values(["use", "year"], ascending=[False, False]).groupby(["hub", "cluster"], sort=False).head(1)
    added = v.t["bandwidth"].groupby(["hub", "cluster"])["bandwidth_new_gbps"].sum()
    peak = peak.assign(added_gbps=added.reindex(pd.MultiIndex.from_frame(peak[["hub", "cluster"]])).to_numpy())
    peak = peak.sort_values(["use", "traffic_gbps"], ascending=False, kind="stable")
    return peak[["hub", "cluster", "year", "traffic_gbps", "capacity_gbps", "added_gbps", "use"]].reset_index(drop=True)


def flows(v: View, year: int) -> pd.DataFrame:
    """Racks in use per (hub, cluster) in one year, all workload classes together; positive only."""
    load = v.t["load"]
    f = load[load["year"] == year].groupby(["hub", "cluster"], as_index=False)["load_racks"].sum()
    shown: pd.DataFrame = (
        f[f["load_racks"] > 0.5].sort_values("load_racks", ascending=False, kind="stable").reset_index(drop=True)
    )
    return shown


# --------------------------------------------------------------------------- tables per cluster and hub


def cluster_table(v: View) -> pd.DataFrame:
    """One row per cluster: racks, use, energy, emissions and investment over the horizon."""
    new = new_racks_by_cluster_year(v).sum(axis=1)
    racks = v.t["racks"].pivot_table(index="cluster", columns="year", values="racks").reindex(v.clusters.index)
    util = utilisation_matrix(v)
    mix = energy_mix(v)
    capex = v.clusters["capex_yuan_per_rack"] * new / 1e8
    c = v.clusters
    return pd.DataFrame(
        {
            "数据中心集群 Cluster": [v.name(k) for k in c.index],
            "国家枢纽节点 Hub": [v.zh(h) for h in c["hub_id"]],
            "Region": [v.hubs.at[h, "region"] for h in c["hub_id"]],
            "Existing racks": [num(x) for x in c["racks_existing"]],
            "New racks": [num(x) for x in new],
            f"Racks {v.last}": [num(x) for x in racks[v.last]],
            f"上架率 {v.last}": [pct(x, 0) if pd.notna(x) else "–" for x in util[v.last]],
            "PUE": [num(x, 2) for x in c["pue"]],
            "Energy (GWh)": [num(x) for x in mix["facility_gwh"]],
            "Green share": [pct(x, 0) for x in mix["green_share"]],
            "Emissions (Mt CO2)": [num(x, 2) for x in mix["emissions_mt"]],
            "Rack investment (亿元)": [num(x, 2) for x in capex],
        }
    )


def hub_table(v: View) -> pd.DataFrame:
    """One row per hub: demand, where it is served, new racks and investment at its clusters."""
    load = v.t["load"].groupby(["hub", "cluster"])["load_racks"].sum()
    served = load.groupby(level="hub").sum().reindex(v.hubs.index, fill_value=0.0)
    home = v.clusters["hub_id"]
    local = (
        load[[home.get(c) == h for h, c in load.index]].groupby(level="hub").sum().reindex(v.hubs.index, fill_value=0.0)
    )
    unmet = v.t["unmet"].groupby("hub")["unmet_racks"].sum().reindex(v.hubs.index, fill_value=0.0)
    p = v.plan
    rows = []
    for h in v.hubs.index:
        top = (
            load[h].sort_values(ascending=False) if h in load.index.get_level_values("hub") else pd.Series(dtype=float)
        )
        top = top[top > 0.005 * max(served[h], 1.0)].head(3)
        where = ", ".join(f"{v.zh(c)} {pct(x / served[h], 0)}" for c, x in top.items()) if served[h] > 0 else "–"
        rows.append(
            {
                "国家枢纽节点 Hub": v.name(h),
                "Region": v.hubs.at[h, "region"],
                "Demand (rack-years)": num(served[h] + unmet[h]),
                "Served at own clusters": pct(local[h] / served[h], 0) if served[h] > 0 else "–",
                "Main clusters serving it": where,
                "Unmet (rack-years)": num(unmet[h]),
                "New racks at its clusters": num(p["new_racks_by_hub"].get(h, 0.0)),
                "Investment (亿元)": num(p["investment_by_hub_yi_yuan"].get(h, 0.0), 2),
            }
        )
        if "it_capex_by_hub_yi_yuan" in p:  # IT equipment annuities at its clusters, apart from the facility
            rows[-1]["IT capex (亿元)"] = num(p["it_capex_by_hub_yi_yuan"].get(h, 0.0), 2)
    return pd.DataFrame(rows)


def manifest_rows(v: View) -> pd.DataFrame:
    """The run's manifest as (what, value) rows."""
    m = v.manifest
    solver = m.get("solver", {})
    size = m.get("model_size", {})
    timings = m.get("timings_s", {})
    gap = m.get("gap")
    versions = ", ".join(f"{k} {x}" for k, x in m.get("versions", {}).items())
    rows = [
        ("Case", f"{m.get('case')} ({m.get('case_folder')})"),
        ("Inputs SHA-256", str(m.get("inputs_sha256"))),
        (
            "Solver",
            f"{solver.get('name')} {solver.get('version')}; "
            + ", ".join(
                f"{k.replace('_', ' ')} {'default' if x is None else x}"
                for k, x in (solver.get("options") or {}).items()
            ),
        ),
        ("Status / gap", f"{m.get('status')} / {'n/a' if gap is None else f'{gap:.2e}'}"),
        (
            "Model size",
            f"{num(size.get('rows', 0))} rows, {num(size.get('columns', 0))} columns, "
            f"{num(size.get('nonzeros', 0))} non-zeros, {num(size.get('integer_columns', 0))} integer",
        ),
        ("Times (s)", ", ".join(f"{k.removesuffix('_s')} {x:.2f}" for k, x in timings.items())),
        ("Versions", versions),
        ("Time resolution", str(v.plan.get("time_resolution", ""))),
        ("Shadow prices", str(v.plan.get("duals_note", ""))),
    ]
    return pd.DataFrame(rows, columns=["What", "Value"])

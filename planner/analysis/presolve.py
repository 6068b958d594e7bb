"""Pre-solve checks: impossible or doubtful cases found from the inputs alone, explained in domain words.

Every check is a bound that holds for any plan, so an `error` finding proves that no plan exists
(the run stops with exit 3 before building the model) and a `warning` flags a shortfall the plan
will carry (demand that cannot be served is counted as unmet at the penalty price).

What can make this model infeasible: only constraints that force activity. Building nothing new
always satisfies the green-power floors, certificate shares, budgets and new-rack shares, and
unmet demand absorbs any shortfall. What forces activity is the existing stock: racks cannot be
removed (power limit), and the utilisation floor forces load onto existing racks, which needs
hubs that can send it (latency, links), link capacity (expansion -> budget) and energy (carbon cap).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import pandas as pd

from planner.errors import InfeasibleError
from planner.inputs.schema import Inputs
from planner.verify.base import Case, case_frames

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """One pre-solve finding: an `error` proves infeasibility, a `warning` flags a certain shortfall."""

    severity: Literal["error", "warning"]
    check: str
    message: str
    families: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def check_case(inputs: Inputs) -> list[Finding]:
    """Every pre-solve finding for a validated case, errors first."""
    case = case_frames(inputs)
    reach = Reach(case)
    findings: list[Finding] = []
    for check in (
        _existing_power,
        _floor_above_max,
        _floor_vs_demand,
        _links_vs_budget,
        _carbon_vs_floor,
        _demand_beyond_reach,
    ):
        findings.extend(check(case, reach))
    return sorted(findings, key=lambda f: f.severity != "error")


def presolve(inputs: Inputs) -> list[Finding]:
    """Run the checks: log each warning; raise InfeasibleError (exit 3) listing every error."""
    findings = check_case(inputs)
    for finding in findings:
        if finding.severity == "warning":
            logger.warning("%s", finding.message)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        lines = "\n".join(f"  - {f.message}" for f in errors)
        families = tuple(dict.fromkeys(family for f in errors for family in f.families))
        msg = (f"case '{inputs.scenario.name}' has no feasible plan (found before solving):\n{lines}\n"
               "Nothing was written.")
        raise InfeasibleError(msg, families=families)
    return findings


def name(case: Case, cluster: str) -> str:
    """A cluster as planners know it: `张家口 (zhangjiakou)`."""
    return f"{case.clusters.at[cluster, 'name_zh']!s} ({cluster})"


def hub_name(case: Case, hub: str) -> str:
    """A hub as planners know it: `京津冀 (jingjinji)`."""
    return f"{case.hubs.at[hub, 'name_zh']!s} ({hub})"


def _num(frame: pd.DataFrame, row: object, column: str) -> float:
    """A numeric cell of an input table (pandas-stubs type `.at` as any scalar)."""
    return cast(float, frame.at[row, column])


class Reach:
    """Upper bounds on what can flow where: eligible demand per link and year, within link capacity."""

    def __init__(self, case: Case) -> None:
        links = case.links.reset_index()
        demand = case.demand[case.demand > 0].reset_index()
        pairs = demand.merge(
            links[["hub", "cluster", "rtt_ms", "bandwidth_existing_gbps", "bandwidth_expansion_max_gbps"]], on="hub"
        )
        limit = case.workloads["latency_max_rtt_ms"].reindex(pairs["workload"]).to_numpy()
        pairs = pairs[np.isnan(limit) | (pairs["rtt_ms"].to_numpy() <= limit)].copy()
        pairs["gbps_per_rack"] = case.workloads["gbps_per_rack"].reindex(pairs["workload"]).to_numpy()
        self.pairs = pairs
        """Rows (workload, hub, cluster, year) that latency allows, with the demand and the link."""
        self._load_max: dict[bool, pd.Series] = {}

    def load_max(self, existing_links_only: bool = False) -> pd.Series:
        """Most racks in use each (hub, cluster, year) link can carry: eligible demand within bandwidth."""
        if existing_links_only not in self._load_max:  # several checks ask; computed once per case
            self._load_max[existing_links_only] = self._compute_load_max(existing_links_only)
        return self._load_max[existing_links_only].copy()

    def _compute_load_max(self, existing_links_only: bool) -> pd.Series:
        p = self.pairs
        keys = ["hub", "cluster", "year"]
        heavy = p["gbps_per_rack"] > 0
        free = p[~heavy].groupby(keys)["demand_racks"].sum()
        # classes with traffic share the link: at most its Gbps over the lightest such class's Gbps/rack
        traffic = (
            p[heavy]
            .groupby(keys)
            .agg(
                demand=("demand_racks", "sum"),
                lightest=("gbps_per_rack", "min"),
                existing=("bandwidth_existing_gbps", "first"),
                expansion=("bandwidth_expansion_max_gbps", "first"),
            )
        )
        gbps = traffic["existing"] + (0.0 if existing_links_only else traffic["expansion"])
        limited = np.minimum(traffic["demand"], gbps / traffic["lightest"])
        return free.add(limited, fill_value=0.0)

    def cluster_load_max(self, existing_links_only: bool = False) -> pd.Series:
        """Most racks in use each (cluster, year) can receive from the hubs."""
        return self.load_max(existing_links_only).groupby(level=["cluster", "year"]).sum()


def _existing_power(case: Case, reach: Reach) -> list[Finding]:
    cl = case.clusters[case.clusters["power_max_mw"].notna()]
    mw = cl["racks_existing"] * case.power_kw * cl["pue"] / 1e3
    over = mw[mw > cl["power_max_mw"] * (1 + 1e-9)]
    return [
        Finding(
            "error",
            "existing_power",
            f"{name(case, c)}: its {_num(cl, c, 'racks_existing'):,.0f} existing racks draw {mw[c]:,.1f} MW at rated "
            f"load (PUE {_num(cl, c, 'pue'):g}), above its {_num(cl, c, 'power_max_mw'):,.1f} MW grid connection "
            f"(power_max_mw); racks are never removed, so no plan fits. Raise power_max_mw to at least {mw[c]:,.1f} "
            "MW or correct racks_existing.",
            ("power_limit", "rack_stock"),
        )
        for c in over.index
    ]


def _floor_above_max(case: Case, reach: Reach) -> list[Finding]:
    cl = case.clusters
    bad = cl[(cl["utilisation_min"] > case.utilisation_max) & (cl["racks_existing"] > 0)]
    return [
        Finding(
            "error",
            "floor_above_max",
            f"{name(case, c)}: its utilisation floor ({_num(bad, c, 'utilisation_min'):.0%} of racks in use) is above "
            f"the most that may be in use (rack.utilisation_max {case.utilisation_max:.0%}), and its "
            f"{_num(bad, c, 'racks_existing'):,.0f} existing racks cannot be removed. Lower utilisation_min or raise "
            "utilisation_max.",
            ("utilisation_floor", "capacity"),
        )
        for c in bad.index
    ]


def _forced_load(case: Case) -> pd.Series:
    """Racks in use the utilisation floor forces onto existing racks, per cluster (same every year it applies).

    A floor over new racks only forces nothing onto the existing stock.
    """
    cl = case.clusters
    forced = cl["utilisation_min"] * cl["racks_existing"] * (cl["utilisation_min_scope"] == "all_racks")
    return forced[forced > 0]


def _floor_years(case: Case, forced: pd.Series) -> pd.MultiIndex:
    """(cluster, year) pairs where a cluster's floor applies (its start year on)."""
    start = case.clusters["utilisation_min_from_year"]
    pairs = [(c, y) for c in forced.index for y in case.years if y >= start[c]]
    return pd.MultiIndex.from_tuples(pairs, names=["cluster", "year"])


def _floor_vs_demand(case: Case, reach: Reach) -> list[Finding]:
    forced = _forced_load(case)
    if forced.empty:
        return []
    can = reach.cluster_load_max().reindex(_floor_years(case, forced), fill_value=0.0)
    need = forced.reindex(can.index.get_level_values("cluster")).to_numpy()
    short = can[can.to_numpy() < need * (1 - 1e-9) - 1e-6]
    out = []
    for label, group in short.groupby(level="cluster"):
        cluster = cast(str, label)
        year = int(group.index.get_level_values("year")[0])
        hubs = sorted(reach.pairs.loc[reach.pairs["cluster"] == cluster, "hub"].unique())
        within = ", ".join(hub_name(case, h) for h in hubs) or "no hub"
        years = ", ".join(str(y) for y in group.index.get_level_values("year"))
        out.append(
            Finding(
                "error",
                "floor_vs_demand",
                f"{name(case, cluster)}: the {_num(case.clusters, cluster, 'utilisation_min'):.0%} utilisation floor "
                f"needs {forced[cluster]:,.0f} of its {_num(case.clusters, cluster, 'racks_existing'):,.0f} existing "
                f"racks in use, but in {years} the hubs within its latency reach ({within}) can send it at most "
                f"{group.iloc[0]:,.0f} racks of load in {year} (their eligible demand, within link capacity incl. "
                "expansion). Lower utilisation_min there, raise the demand it can serve, or widen the links.",
                ("utilisation_floor", "demand_met", "link_bandwidth"),
            )
        )
    if not out:
        out += _floor_vs_total_demand(case, reach, forced)
    return out


def _floor_vs_total_demand(case: Case, reach: Reach, forced: pd.Series) -> list[Finding]:
    """All floors together against all the demand that can reach any floor cluster."""
    p = reach.pairs[reach.pairs["cluster"].isin(forced.index)]
    demand = (
        p.drop_duplicates(["workload", "hub", "year"])
        .groupby("year")["demand_racks"]
        .sum()
        .reindex(case.years, fill_value=0.0)
    )
    applies = _floor_years(case, forced).to_frame(index=False)
    need = (
        applies.assign(forced=forced.reindex(applies["cluster"]).to_numpy())
        .groupby("year")["forced"]
        .sum()
        .reindex(case.years, fill_value=0.0)
    )
    short = demand[demand < need * (1 - 1e-9)]
    if short.empty:
        return []
    year = int(short.index[0])
    total = float(need[year])
    return [
        Finding(
            "error",
            "floors_vs_total_demand",
            f"the utilisation floors together need {total:,.0f} existing racks in use (at "
            f"{_join_names(case, forced.index)}), but all the demand that can reach those clusters in {year} is "
            f"{short.iloc[0]:,.0f} racks. Lower the floors (policy.utilisation_min or per-cluster utilisation_min) or "
            "check the demand table.",
            ("utilisation_floor", "demand_met"),
        )
    ]


def _links_vs_budget(case: Case, reach: Reach) -> list[Finding]:
    """Link capacity the floors force in the first year, at its cheapest, against the budgets."""
    forced = _forced_load(case)
    forced = forced[case.clusters["utilisation_min_from_year"].reindex(forced.index) <= case.years[0]]
    budgets = {
        "budget_yearly": None if case.budget_yearly is None else float(case.budget_yearly.iloc[0]),
        "budget_total": case.budget_total,
    }
    if forced.empty or all(v is None for v in budgets.values()):
        return []
    y0 = case.years[0]
    carry = reach.cluster_load_max(existing_links_only=True).xs(y0, level="year").reindex(forced.index, fill_value=0.0)
    p = reach.pairs[(reach.pairs["year"] == y0) & reach.pairs["cluster"].isin(forced.index)]
    # load beyond what the existing links carry is traffic-bearing: price it at the lightest such class
    lightest = p[p["gbps_per_rack"] > 0].groupby("cluster")["gbps_per_rack"].min().reindex(forced.index).fillna(0.0)
    links = case.links.reset_index()
    growable = links[links["bandwidth_expansion_max_gbps"] > 0]
    cheapest = growable.groupby("cluster")["expansion_capex_yuan_per_gbps"].min().reindex(forced.index)
    gbps = (forced - carry).clip(lower=0.0) * lightest
    cost_yi = (gbps * cheapest / 1e8).fillna(0.0)
    need = float(cost_yi.sum())
    out = []
    for family, budget in budgets.items():
        if budget is not None and need > budget * (1 + 1e-9) + 1e-9:
            where = "; ".join(
                f"{gbps[c]:,.0f} Gbps on the links to {name(case, c)}" for c in cost_yi.index if cost_yi[c] > 0
            )
            label = f"the {y0} budget" if family == "budget_yearly" else "the total budget"
            out.append(
                Finding(
                    "error",
                    "links_vs_budget",
                    f"{label} ({budget:,.2f} 亿元) is at least {need - budget:,.2f} 亿元 short of the link capacity "
                    f"the utilisation floors force in {y0}: the existing links cannot carry the floors' load, so at "
                    f"least {where} must be added, costing at least {need:,.2f} 亿元. Raise the budget or lower the "
                    "floors.",
                    (family, "utilisation_floor", "link_bandwidth"),
                )
            )
    return out


def _carbon_vs_floor(case: Case, reach: Reach) -> list[Finding]:
    """Grid emissions the floors' load cannot avoid (renewables at their potential) against the cap."""
    forced = _forced_load(case)
    if forced.empty or case.carbon_cap_mt is None:
        return []
    w = case.weight_hours.reset_index()
    w = w[w["cluster"].isin(forced.index)]
    lowest_shift = min(0.0, float(case.workloads["pue_delta"].astype(float).min()))  # a lower bound: any class
    pue = case.clusters["pue_existing"].reindex(w["cluster"]).to_numpy() + lowest_shift
    facility = (
        forced.reindex(w["cluster"]).to_numpy()
        * case.power_kw
        * case.it_load_factor
        * w["weight_hours"].to_numpy()
        / 1e6
        * pue
    )
    renewable = case.renewable_gwh.reindex(pd.MultiIndex.from_frame(w[["cluster", "slice"]])).to_numpy()
    grid = np.maximum(0.0, facility - renewable)
    by_cluster = (
        pd.Series(
            grid * case.clusters["grid_co2_kg_per_kwh"].reindex(w["cluster"]).to_numpy() / 1e3,
            index=w["cluster"].to_numpy(),
        )
        .groupby(level=0)
        .sum()
    )
    start = case.clusters["utilisation_min_from_year"].reindex(by_cluster.index)
    yearly = pd.Series({y: float(by_cluster[start <= y].sum()) for y in case.carbon_cap_mt.index})
    mt = float(yearly.max())
    over = case.carbon_cap_mt[case.carbon_cap_mt < yearly * (1 - 1e-9) - 1e-12]
    out = []
    for cap, years in over.groupby(over).groups.items():
        caps = (
            f"the {' and '.join(map(str, years))} carbon cap{'s' if len(years) > 1 else ''} ({cap:,.3f} Mt CO2 a year)"
        )
        out.append(
            Finding(
                "error",
                "carbon_vs_floor",
                f"{caps} {'are' if len(years) > 1 else 'is'} below the {mt:,.3f} Mt a year that the utilisation "
                f"floors alone emit: the floors keep {forced.sum():,.0f} existing racks in use at "
                f"{_join_names(case, forced.index)} ({float(facility.sum()):,.1f} GWh a year), and the renewable "
                f"potential there covers only {float(np.minimum(facility, renewable).sum()):,.1f} GWh of it. Raise "
                "the cap, lower the floors, or add renewable potential (wind_mw/solar_mw/hydro_mw) there.",
                ("carbon_cap", "utilisation_floor", "renewable_availability"),
            )
        )
    return out


def _join_names(case: Case, clusters: pd.Index) -> str:
    names = [name(case, c) for c in clusters]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _capacity_max(case: Case) -> pd.Series:
    """Most racks each (cluster, year) can hold: build pace, land and grid connection."""
    cl = case.clusters
    years = case.years.to_numpy()
    steps = years - years[0] + 1
    racks = (
        cl["racks_existing"].to_numpy()[:, None] + cl["build_max_racks_per_year"].to_numpy()[:, None] * steps[None, :]
    )
    land = cl["racks_max"].fillna(np.inf).to_numpy()[:, None]
    power = (cl["power_max_mw"].fillna(np.inf) * 1e3 / (case.power_kw * cl["pue"])).to_numpy()[:, None]
    cap = np.maximum(cl["racks_existing"].to_numpy()[:, None], np.minimum(racks, np.minimum(land, power)))
    return pd.Series(cap.ravel(), index=pd.MultiIndex.from_product([cl.index.rename("cluster"), case.years]))


def _green_new_load_max(case: Case) -> pd.Series:
    """Most new load each cluster's green floor allows when certificates are capped (inf if not)."""
    cl = case.clusters
    s = case.certificate_share_max
    if s is None or s >= 1:
        return pd.Series(np.inf, index=cl.index)
    potential = case.renewable_gwh.groupby(level="cluster").sum().reindex(cl.index, fill_value=0.0)
    e_new = cl["pue"] * case.power_kw * case.it_load_factor * 8760.0 / 1e6
    need = cl["green_share_min_new"] * e_new * (1 - s)
    return (potential / need.where(need > 0)).fillna(np.inf)


def _demand_beyond_reach(case: Case, reach: Reach) -> list[Finding]:
    """Warn where a hub's demand of a class exceeds what its eligible clusters could ever serve."""
    cap = _capacity_max(case)
    green = _green_new_load_max(case)
    in_use = np.minimum(
        case.utilisation_max * cap.to_numpy(),
        case.utilisation_max * case.clusters["racks_existing"].reindex(cap.index.get_level_values("cluster")).to_numpy()
        + green.reindex(cap.index.get_level_values("cluster")).to_numpy(),
    )
    in_use = pd.Series(in_use, index=cap.index)
    p = reach.pairs.copy()
    p["cluster_max"] = in_use.reindex(pd.MultiIndex.from_frame(p[["cluster", "year"]])).to_numpy()
    link = reach.load_max()
    p["link_max"] = link.reindex(pd.MultiIndex.from_frame(p[["hub", "cluster", "year"]])).to_numpy()
    p["serve_max"] = p[["cluster_max", "link_max"]].min(axis=1)
    best = p.groupby(["workload", "hub", "year"])["serve_max"].sum()
    demand = case.demand[case.demand > 0]
    short = (demand - best.reindex(demand.index, fill_value=0.0))
    short = short[short > 1e-6 * demand.reindex(short.index) + 1e-6]
    out = []
    for key, group in short.groupby(level=["workload", "hub"]):
        workload, hub = cast(tuple[str, str], key)
        years = group.index.get_level_values("year")
        worst = int(years[int(np.argmax(group.to_numpy()))])
        out.append(
            Finding(
                "warning",
                "demand_beyond_reach",
                f"{case.workloads.at[workload, 'name_en']!s} demand ({workload}) at {hub_name(case, hub)} exceeds "
                f"what the clusters within its latency limit can ever serve in {', '.join(map(str, years))}: at least "
                f"{group.max():,.0f} racks will be unmet in {worst} (build pace, land, power, link and green-power "
                f"limits), at {case.unmet_penalty_yuan_per_rack_year:,.0f} yuan per rack-year.",
                ("demand_met",),
            )
        )
    return out

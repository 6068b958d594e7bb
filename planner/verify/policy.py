"""Verify the network and programme-policy families: links, budgets, regional shares, carbon cap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.verify.base import Case, CheckResult, Plan, compare, investment_by_year, racks_built


def check_links(case: Case, plan: Plan) -> list[CheckResult]:
    """Traffic within existing + added capacity; additions within the expansion limit and reported consistently."""
    bw = plan.bandwidth.set_index(["hub", "cluster", "year"]).reindex(case.link_years)
    load = plan.load.assign(
        gbps=plan.load["load_racks"] * case.workloads["gbps_per_rack"].reindex(plan.load["workload"]).to_numpy()
    )
    traffic = load.groupby(["hub", "cluster", "year"])["gbps"].sum().reindex(case.link_years, fill_value=0.0)
    added = bw["bandwidth_new_gbps"].fillna(0.0)
    links = case.links.reindex(
        pd.MultiIndex.from_arrays(
            [case.link_years.get_level_values("hub"), case.link_years.get_level_values("cluster")]
        )
    )
    capacity = links["bandwidth_existing_gbps"].to_numpy() + added.groupby(level=["hub", "cluster"]).cumsum().to_numpy()
    total_added = added.groupby(level=["hub", "cluster"]).sum().reindex(case.links.index, fill_value=0.0)
    return [
        compare("link_bandwidth", case.link_years, traffic, "<=", capacity, "Gbps"),
        compare(
            "link_expansion_limit",
            case.links.index,
            total_added,
            "<=",
            case.links["bandwidth_expansion_max_gbps"],
            "Gbps",
        ),
        compare("bandwidth_table_traffic", case.link_years, bw["traffic_gbps"], "==", traffic, "Gbps"),
        compare("bandwidth_table_capacity", case.link_years, bw["capacity_gbps"], "==", capacity, "Gbps"),
    ]


def check_budgets(case: Case, plan: Plan) -> list[CheckResult]:
    """Investment per year within the yearly budget and over the horizon within the total budget."""
    spent = investment_by_year(case, plan)
    out = []
    if case.budget_yearly is not None:
        years = case.budget_yearly.index
        out.append(
            compare("budget_yearly", years, spent.reindex(years, fill_value=0.0), "<=", case.budget_yearly, "亿元")
        )
    if case.budget_total is not None:
        out.append(
            compare("budget_total", pd.Index(["total"]), np.array([spent.sum()]), "<=", case.budget_total, "亿元")
        )
    return out


def check_shares(case: Case, plan: Plan) -> list[CheckResult]:
    """West, hub and national-hubs (60 % rule) floors on the share of all new racks over the horizon."""
    new = racks_built(plan, case).fillna(0.0).groupby(level="cluster").sum()
    total = float(new.sum())
    out = []
    if case.west_share_min is not None:
        west = float(new[case.clusters["region"].reindex(new.index).eq("west").to_numpy()].sum())
        out.append(
            compare(
                "west_share",
                pd.Index(["west"]),
                np.array([west]),
                ">=",
                case.west_share_min * total,
                "racks",
                scale=total,
            )
        )
    shares = case.hubs["new_racks_share_min"].dropna()
    if not shares.empty:
        by_hub = (
            new.groupby(case.clusters["hub_id"].reindex(new.index).to_numpy())
            .sum()
            .reindex(shares.index, fill_value=0.0)
        )
        out.append(compare("hub_share", shares.index, by_hub, ">=", shares * total, "racks", scale=total))
    if case.national_hubs_share_min is not None:
        inside = float(new[case.clusters["in_hubs"].reindex(new.index).astype(bool).to_numpy()].sum())
        floor = case.national_hubs_share_min * total
        hubs = pd.Index(["hubs"])
        out.append(compare("national_hubs_share", hubs, np.array([inside]), ">=", floor, "racks", scale=total))
    return out


def check_carbon(case: Case, plan: Plan) -> CheckResult:
    """sum_{c,t} (grid[c,y,t] * ef[c] + direct[c,y,t] * ef_direct[c]) / 1000 <= cap[y] (Mt CO2), years with a cap."""
    if case.carbon_cap_mt is None:
        return CheckResult("carbon_cap", 0, "Mt CO2", 0.0)
    e = plan.energy_cyt
    ef = case.clusters["grid_co2_kg_per_kwh"].reindex(e.index.get_level_values("cluster")).to_numpy()
    direct_factor = case.clusters["green_direct_co2_kg_per_kwh"].astype(float).fillna(0.0)
    ef_direct = direct_factor.reindex(e.index.get_level_values("cluster")).to_numpy()
    direct = e["green_direct_gwh"].to_numpy() if "green_direct_gwh" in e.columns else np.zeros(len(e))
    per_row = (e["grid_gwh"].to_numpy() * ef + direct * ef_direct) / 1e3
    mt = pd.Series(per_row, index=e.index.get_level_values("year")).groupby(level=0).sum()
    years = case.carbon_cap_mt.index
    return compare("carbon_cap", years, mt.reindex(years, fill_value=0.0), "<=", case.carbon_cap_mt, "Mt CO2")


def check_intelligent_share(case: Case, plan: Plan) -> CheckResult:
    """Intelligent EFLOPS >= s * all EFLOPS in each year from the floor's first (load.csv x compute.csv rates)."""
    if case.intelligent_share_min is None:
        return CheckResult("intelligent_share", 0, "EFLOPS", 0.0)
    load = plan.load[plan.load["year"] >= case.intelligent_share_from]
    rate = case.eflops_per_rack.reindex(pd.MultiIndex.from_frame(load[["workload", "year"]])).fillna(0.0).to_numpy()
    eflops = load["load_racks"].to_numpy() * rate
    ai = (case.workloads["compute_kind"].reindex(load["workload"]).to_numpy() == "intelligent")
    years = pd.Index(sorted(set(load["year"])), name="year")
    total = pd.Series(eflops, index=load["year"].to_numpy()).groupby(level=0).sum().reindex(years, fill_value=0.0)
    by_year = pd.Series(eflops * ai, index=load["year"].to_numpy()).groupby(level=0).sum()
    intelligent = by_year.reindex(years, fill_value=0.0)
    floor = case.intelligent_share_min * total
    scale = float(total.max()) if len(total) else 0.0
    return compare("intelligent_share", years, intelligent, ">=", floor, "EFLOPS", scale=scale)

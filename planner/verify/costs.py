"""Verify the money and the headline numbers: cost terms recomputed from the tables, KPIs recomputed.

Every cost term of the objective (the `planner/model/objective.py` docstring) is recomputed in
yuan from the plan's tables and the case's prices, discounted to the first year, and compared
with `plan.json`'s `cost_breakdown_yi_yuan`; the objective must equal the sum of the terms.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from planner.verify.base import (
    Case,
    CheckResult,
    Plan,
    compare,
    investment_by_year,
    racks_built,
    racks_installed,
    vintage_frame,
)

YI = 1e8
"""Yuan per 亿元."""


def _opening_costs(case: Case, plan: Plan) -> float:
    """Sites' opening costs (yuan) paid as annuities from the year they open, like the facility capex."""
    if "opened" not in plan.racks_new.columns:
        return 0.0
    opened = plan.racks_new.set_index(["cluster", "year"])["opened"]
    by_cluster = case.clusters["open_cost_yuan"].astype(float).fillna(0.0)
    cost = by_cluster.reindex(opened.index.get_level_values("cluster")).fillna(0.0).to_numpy()
    annuity = case.annuity_factor().reindex(opened.index.get_level_values("year")).to_numpy()
    return float(np.sum(opened.to_numpy(dtype=float) * cost * annuity))


def _it_capex(case: Case, plan: Plan) -> float:
    """IT equipment (yuan): each standard rack in use pays its kind's price x power_kw / rack_kw, annuitised.

    The price is per rack of the class's kind (`rack_kw`, blank: a standard rack); the annuity is over the
    equipment's own life `it_lifetime_years`, paid in every year the rack is in use.
    """
    w = case.workloads
    load = plan.load
    r = case.discount_rate
    life = w["it_lifetime_years"].astype(float)
    crf = 1.0 / life if r == 0 else r / (1.0 - (1.0 + r) ** -life)
    kind_kw = w["rack_kw"].astype(float).fillna(case.power_kw)
    yuan_per_rack_year = w["it_capex_yuan_per_rack"].astype(float) * case.power_kw / kind_kw * crf
    price = yuan_per_rack_year.reindex(load["workload"]).to_numpy()
    return float(np.sum(load["load_racks"].to_numpy() * price * case.discount(load["year"]).to_numpy()))


def recompute_costs(case: Case, plan: Plan) -> dict[str, float]:
    """The objective's terms in 亿元 (present value at the first year) from the plan's tables."""
    cl = case.clusters
    cy = case.cluster_years
    clusters_cy = cy.get_level_values("cluster")
    years_cy = cy.get_level_values("year")
    annuity = case.annuity_factor()
    new = racks_built(plan, case).fillna(0.0).to_numpy()
    racks = racks_installed(plan, case).fillna(0.0).to_numpy()
    capex = float(
        np.sum(new * cl["capex_yuan_per_rack"].reindex(clusters_cy).to_numpy() * annuity.reindex(years_cy).to_numpy())
    )
    capex += _opening_costs(case, plan)
    vintage = vintage_frame(plan, case)  # retrofits paid as annuities like new racks, retirements once
    retrofit_yuan = cl["retrofit_capex_yuan_per_rack"].astype(float).fillna(0.0).reindex(clusters_cy).to_numpy()
    retire_yuan = cl["retire_cost_yuan_per_rack"].astype(float).fillna(0.0).reindex(clusters_cy).to_numpy()
    capex += float(np.sum(vintage["retrofit_racks"].to_numpy() * retrofit_yuan * annuity.reindex(years_cy).to_numpy()))
    capex += float(np.sum(vintage["retire_racks"].to_numpy() * retire_yuan * case.discount(years_cy).to_numpy()))
    fixed = float(
        np.sum(
            racks
            * cl["fixed_opex_yuan_per_rack_year"].reindex(clusters_cy).to_numpy()
            * case.discount(years_cy).to_numpy()
        )
    )

    e = plan.energy
    e_cl = cl.reindex(e["cluster"])
    e_df = case.discount(e["year"]).to_numpy()
    grid, renewable = e["grid_gwh"].to_numpy(), e["renewable_gwh"].to_numpy()
    kwh = 1e6  # kWh per GWh
    tou = case.tou_factor.reindex(e["slice"]).fillna(1.0).to_numpy() if len(case.tou_factor) else 1.0
    td_fee = e_cl["td_fee_yuan_per_kwh"].astype(float).fillna(0.0).to_numpy()
    price = e_cl["power_price_yuan_per_kwh"].to_numpy() + td_fee
    electricity = float(np.sum(grid * kwh * price * tou * e_df))
    direct = e["green_direct_gwh"].to_numpy() if "green_direct_gwh" in e.columns else np.zeros(len(e))
    direct_price = e_cl["green_direct_price_yuan_per_kwh"].astype(float).fillna(0.0).to_numpy()
    ppa = e_cl["ppa_price_yuan_per_kwh"].to_numpy()
    renewables = float(np.sum((renewable * ppa + direct * direct_price) * kwh * e_df))
    ef_direct = e_cl["green_direct_co2_kg_per_kwh"].astype(float).fillna(0.0).to_numpy()
    tonnes = (grid * e_cl["grid_co2_kg_per_kwh"].to_numpy() + direct * ef_direct) * kwh / 1e3
    carbon = float(np.sum(tonnes * case.carbon_price_yuan_per_t * e_df))
    cert = plan.certificates
    certificates = float(
        np.sum(
            cert["certificates_gwh"].to_numpy()
            * 1e3
            * cl["certificate_price_yuan_per_mwh"].reindex(cert["cluster"]).to_numpy()
            * case.discount(cert["year"]).to_numpy()
        )
    )

    bw = plan.bandwidth
    link = case.links.reindex(pd.MultiIndex.from_frame(bw[["hub", "cluster"]]))
    expansion = float(
        np.sum(
            bw["bandwidth_new_gbps"].to_numpy()
            * np.nan_to_num(link["expansion_capex_yuan_per_gbps"].to_numpy())
            * annuity.reindex(bw["year"]).to_numpy()
        )
    )
    load = plan.load
    fee = (
        case.links["transit_yuan_per_gbps_year"].reindex(pd.MultiIndex.from_frame(load[["hub", "cluster"]])).to_numpy()
    )
    gbps = load["load_racks"].to_numpy() * case.workloads["gbps_per_rack"].reindex(load["workload"]).to_numpy()
    transit = float(np.sum(gbps * np.nan_to_num(fee) * case.discount(load["year"]).to_numpy()))
    unmet = plan.unmet
    penalty = float(
        np.sum(
            unmet["unmet_racks"].to_numpy()
            * case.unmet_penalty_yuan_per_rack_year
            * case.discount(unmet["year"]).to_numpy()
        )
    )
    yuan = {
        "capex": capex,
        "fixed_opex": fixed,
        "electricity": electricity,
        "renewables": renewables,
        "certificates": certificates,
        "carbon": carbon,
        "network": expansion + transit,
        "unmet_penalty": penalty,
    }
    if not case.storage_enabled:
        yuan["storage"] = 0.0  # no battery columns in the model
    if case.it_capex:
        yuan["it_capex"] = _it_capex(case, plan)
    return {k: v / YI for k, v in yuan.items()}


def check_costs(case: Case, plan: Plan) -> list[CheckResult]:
    """The objective equals the sum of its cost terms, and each term equals its recomputation."""
    summary = plan.summary
    terms = {str(k): float(v) for k, v in (summary.get("cost_breakdown_yi_yuan") or {}).items()}
    objective = summary.get("objective_yi_yuan")
    total = sum(terms.values())
    scale = max(abs(total), 1.0)
    out = [
        compare(
            "objective_sum",
            pd.Index(["objective"]),
            np.array([np.nan if objective is None else objective]),
            "==",
            total,
            "亿元",
            scale=scale,
        )
    ]
    mine = recompute_costs(case, plan)
    # with batteries enabled their cost term is not recomputed (only its share of the objective sum is checked)
    names = sorted((set(mine) | set(terms)) - ({"storage"} if case.storage_enabled else set()))
    reported = np.array([terms.get(n, np.nan) for n in names])
    recomputed = np.array([mine.get(n, np.nan) for n in names])
    # 6-decimal tables: a term's recomputation can differ by a few 1e-6 亿元 per 1,000 rows; scale it by the objective
    out.append(compare("cost_terms", pd.Index(names), reported, "==", recomputed, "亿元", scale=scale))
    return [replace(c, kind="cost") for c in out]


def check_kpis(case: Case, plan: Plan) -> list[CheckResult]:
    """Headline numbers of plan.json recomputed from the tables (rounded as plan.json rounds them)."""
    s = plan.summary
    new = racks_built(plan, case).fillna(0.0)
    region = case.clusters["region"].reindex(new.index.get_level_values("cluster")).to_numpy()
    e = plan.energy
    direct = e["green_direct_gwh"] if "green_direct_gwh" in e.columns else 0.0 * e["grid_gwh"]
    facility = float((e["grid_gwh"] + e["renewable_gwh"] + direct).sum())
    it = float(
        plan.load["load_racks"].sum()
        * case.power_kw
        * case.it_load_factor
        * case.weight_hours.groupby(level="cluster").sum().mean()
        / 1e6
    )
    green = float(e["renewable_gwh"].sum() + direct.sum() + plan.certificates["certificates_gwh"].sum())
    ef_direct = case.clusters["green_direct_co2_kg_per_kwh"].astype(float).fillna(0.0).reindex(e["cluster"]).to_numpy()
    ef = case.clusters["grid_co2_kg_per_kwh"].reindex(e["cluster"]).to_numpy()
    emissions = float(((e["grid_gwh"] * ef + direct * ef_direct) / 1e3).sum())
    unmet = float(plan.unmet["unmet_racks"].sum())
    checks = {
        # name: (reported, recomputed, unit)
        "new_racks_total": (s.get("new_racks_total"), float(new.sum()), "racks"),
        "new_racks_west": (s.get("new_racks_west"), float(new[region == "west"].sum()), "racks"),
        "new_racks_east": (s.get("new_racks_east"), float(new[region != "west"].sum()), "racks"),
        "unmet_rack_years": (s.get("unmet_rack_years"), unmet, "racks"),
        "served_rack_years": (s.get("served_rack_years"), float(case.demand.sum()) - unmet, "racks"),
        "investment_total_yi_yuan": (
            s.get("investment_total_yi_yuan"),
            float(investment_by_year(case, plan).sum()),
            "亿元",
        ),
        "facility_energy_gwh": (s.get("facility_energy_gwh"), facility, "GWh"),
        "green_share": (s.get("green_share"), green / facility if facility > 0 else 0.0, "-"),
        "average_pue": (s.get("average_pue"), facility / it if it > 0 else 0.0, "-"),
        "emissions_mt_co2": (s.get("emissions_mt_co2"), emissions, "Mt CO2"),
    }
    out = []
    for unit in ("racks", "亿元", "GWh", "-", "Mt CO2"):
        names = [n for n, (_, _, u) in checks.items() if u == unit]
        reported = np.array([np.nan if (r := checks[n][0]) is None else float(r) for n in names])
        recomputed = np.array([checks[n][1] for n in names])
        rounding = 0.05 if unit in ("racks", "GWh") else 1e-6  # plan.json rounds racks and GWh to 0.1, the rest to 1e-6
        out.append(compare(f"kpis ({unit})", pd.Index(names), reported, "==", recomputed, unit, atol=rounding + 1e-6))
    return [replace(c, kind="kpi") for c in out]

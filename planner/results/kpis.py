"""Plan KPIs a planner asks first, computed from `Results` and the case's parameters.

Pure functions, no I/O: `plan_summary` is what `plan.json` holds besides status and metadata.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from planner.model.data import RACKS_PER_KRACK, ModelData
from planner.results.extract import Results


def _r(x: float, digits: int = 6) -> float:
    return float(round(float(x), digits)) + 0.0


def _series_dict(s: pd.Series, digits: int = 6) -> dict[str, float]:
    return {str(k): _r(v, digits) for k, v in s.items()}


def investment(results: Results, d: ModelData) -> pd.DataFrame:
    """Overnight investment (亿元) by hub and year: racks at the hub's clusters + links from the hub."""
    racks = results.racks_new.copy()
    racks["hub"] = racks["cluster"].map(d.cluster_hub)
    racks["racks_yi_yuan"] = racks["new_racks"] / RACKS_PER_KRACK * racks["cluster"].map(d.capex).to_numpy()
    bw = results.bandwidth.copy()
    capex = d.bandwidth_capex.reindex(pd.MultiIndex.from_frame(bw[["hub", "cluster"]])).to_numpy()
    bw["network_yi_yuan"] = bw["bandwidth_new_gbps"] * np.nan_to_num(capex)
    by_racks = racks.groupby(["hub", "year"])["racks_yi_yuan"].sum()
    by_network = bw.groupby(["hub", "year"])["network_yi_yuan"].sum()
    index = pd.MultiIndex.from_product([d.hubs, d.years], names=["hub", "year"])
    out = pd.DataFrame(
        {
            "racks_yi_yuan": by_racks.reindex(index, fill_value=0.0),
            "network_yi_yuan": by_network.reindex(index, fill_value=0.0),
        }
    )
    out["total_yi_yuan"] = out["racks_yi_yuan"] + out["network_yi_yuan"]
    if not d.it_capex_annual.empty:  # the IT annuities paid that year (undiscounted), apart from the facility total
        load = results.load
        it = load["load_racks"] / RACKS_PER_KRACK * load["workload"].map(d.it_capex_annual).to_numpy()
        by_it = it.groupby([load["cluster"].map(d.cluster_hub).rename("hub"), load["year"]]).sum()
        out["it_capex_yi_yuan"] = by_it.reindex(index, fill_value=0.0)
    return out.reset_index()


def energy_by_cluster_year(results: Results, d: ModelData) -> pd.DataFrame:
    """Facility, IT, grid, renewable and certificate energy (GWh) and emissions (Mt) per cluster-year."""
    optional = ("charge_gwh", "discharge_gwh", "green_direct_gwh")
    columns = ["grid_gwh", "renewable_gwh"] + [c for c in optional if c in results.energy.columns]
    e = results.energy.groupby(["cluster", "year"])[columns].sum()
    e["certificates_gwh"] = (
        results.certificates.set_index(["cluster", "year"])["certificates_gwh"].reindex(e.index).fillna(0.0)
    )
    # battery losses are part of the facility's consumption: what came in minus what is still stored
    e["facility_gwh"] = e["grid_gwh"] + e["renewable_gwh"]
    clusters = e.index.get_level_values("cluster")
    if "green_direct_gwh" in e.columns:
        e["facility_gwh"] += e["green_direct_gwh"]
    # IT energy from the racks in use (existing and new racks may run at different PUEs)
    served = results.load.groupby(["cluster", "year"])["load_racks"].sum().reindex(e.index, fill_value=0.0)
    e["it_gwh"] = served.to_numpy() / RACKS_PER_KRACK * float(d.it_gwh_flat.sum())
    ef = d.grid_kt_per_gwh.reindex(clusters).to_numpy()
    e["emissions_mt"] = e["grid_gwh"] * ef / 1e3
    if "green_direct_gwh" in e.columns:
        ef_direct = d.green_direct_kt_per_gwh.reindex(clusters).fillna(0.0).to_numpy()
        e["emissions_mt"] += e["green_direct_gwh"] * ef_direct / 1e3
    return _power_and_water(results, d, e).reset_index()


def _power_and_water(results: Results, d: ModelData, e: pd.DataFrame) -> pd.DataFrame:
    """Power limits used and water per cluster-year (算电协同, water).

    facility_mw: rated facility power of the racks installed (power_limit's left-hand side);
    grid_peak_mw: the largest average grid draw over the slices (grid_import's); water_m3: WUE x IT energy.
    """
    racks = results.racks.set_index(["cluster", "year"])["racks"].reindex(e.index, fill_value=0.0)
    mw_per_krack = d.mw_per_krack.reindex(e.index.get_level_values("cluster")).to_numpy()
    e["facility_mw"] = racks.to_numpy() / RACKS_PER_KRACK * mw_per_krack
    energy = results.energy
    mw = energy["grid_gwh"].to_numpy() * 1e3 / d.slice_hours.reindex(energy["slice"]).to_numpy()
    cy = pd.MultiIndex.from_frame(energy[["cluster", "year"]])
    peak = pd.Series(mw, index=cy).groupby(level=["cluster", "year"]).max()
    e["grid_peak_mw"] = peak.reindex(e.index, fill_value=0.0).to_numpy()
    e["water_m3"] = e["it_gwh"] * d.wue_m3_per_gwh.reindex(e.index.get_level_values("cluster")).to_numpy()
    return e


def utilisation(results: Results) -> pd.DataFrame:
    """Racks in use / racks installed per cluster-year."""
    served = results.load.groupby(["cluster", "year"])["load_racks"].sum()
    racks = results.racks.set_index(["cluster", "year"])["racks"]
    out = pd.DataFrame({"racks": racks, "load_racks": served.reindex(racks.index, fill_value=0.0)})
    out["utilisation"] = np.where(out["racks"] > 0, out["load_racks"] / out["racks"].where(out["racks"] > 0, 1.0), 0.0)
    return out.reset_index()


def plan_summary(results: Results, d: ModelData, tables: dict[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """Headline numbers and breakdowns for plan.json (units in every key).

    `tables`: the `investment`, `energy` and `utilisation` frames when the caller already made them.
    """
    tables = tables or {}
    new = results.racks_new.assign(
        hub=lambda f: f["cluster"].map(d.cluster_hub), region=lambda f: f["cluster"].map(d.cluster_region)
    )
    total_new = float(new["new_racks"].sum())
    west_new = float(new.loc[new["region"] == "west", "new_racks"].sum())
    inv = tables["investment"] if "investment" in tables else investment(results, d)
    energy = tables["energy"] if "energy" in tables else energy_by_cluster_year(results, d)
    if "green_direct_gwh" in energy.columns:  # direct green supply is green power bought: counted with the renewables
        energy = energy.assign(renewable_gwh=energy["renewable_gwh"] + energy["green_direct_gwh"])
    by_year = energy.groupby("year")[
        ["facility_gwh", "it_gwh", "grid_gwh", "renewable_gwh", "certificates_gwh", "emissions_mt"]
    ].sum()
    demand_total = float(d.demand.sum() * RACKS_PER_KRACK)
    unmet_total = float(results.unmet["unmet_racks"].sum())
    util = tables["utilisation"] if "utilisation" in tables else utilisation(results)
    facility, it = float(by_year["facility_gwh"].sum()), float(by_year["it_gwh"].sum())
    green = float(by_year["renewable_gwh"].sum() + by_year["certificates_gwh"].sum())
    return {
        "objective_yi_yuan": None if results.objective_yi is None else _r(results.objective_yi),
        "cost_breakdown_yi_yuan": {k: _r(v) for k, v in results.cost_terms_yi.items()},
        "new_racks_total": _r(total_new, 1),
        "new_racks_east": _r(total_new - west_new, 1),
        "new_racks_west": _r(west_new, 1),
        "west_share_of_new_racks": _r(west_new / total_new if total_new > 0 else 0.0),
        "new_racks_by_hub": _series_dict(new.groupby("hub")["new_racks"].sum().reindex(d.hubs, fill_value=0.0), 1),
        "new_racks_by_cluster": _series_dict(
            new.groupby("cluster")["new_racks"].sum().reindex(d.clusters, fill_value=0.0), 1
        ),
        "new_racks_by_year": _series_dict(new.groupby("year")["new_racks"].sum(), 1),
        "investment_total_yi_yuan": _r(inv["total_yi_yuan"].sum()),
        "investment_by_hub_yi_yuan": _series_dict(inv.groupby("hub")["total_yi_yuan"].sum().reindex(d.hubs)),
        "investment_by_year_yi_yuan": _series_dict(inv.groupby("year")["total_yi_yuan"].sum()),
        "investment_by_hub_year_yi_yuan": {
            str(h): _series_dict(g.set_index("year")["total_yi_yuan"]) for h, g in inv.groupby("hub")
        },
        "demand_rack_years": _r(demand_total, 1),
        "served_rack_years": _r(demand_total - unmet_total, 1),
        "unmet_rack_years": _r(unmet_total, 1),
        "unmet_by_hub_workload_racks": _unmet_breakdown(results),
        "average_pue": _r(facility / it if it > 0 else 0.0),
        "green_share": _r(green / facility if facility > 0 else 0.0),
        "green_share_by_year": _series_dict(
            (by_year["renewable_gwh"] + by_year["certificates_gwh"])
            / by_year["facility_gwh"].where(by_year["facility_gwh"] > 0)
        ),
        "facility_energy_gwh": _r(facility, 1),
        "emissions_mt_co2": _r(float(by_year["emissions_mt"].sum())),
        "emissions_mt_co2_by_year": _series_dict(by_year["emissions_mt"]),
        "utilisation_by_cluster_year": {
            str(c): _series_dict(g.set_index("year")["utilisation"]) for c, g in util.groupby("cluster")
        },
        **compute_summary(results, d),
        **_it_capex_summary(inv),
    }


def _it_capex_summary(inv: pd.DataFrame) -> dict[str, Any]:
    """IT equipment annuities paid (亿元, undiscounted) by year and by hub; empty without `it_capex`."""
    if "it_capex_yi_yuan" not in inv.columns:
        return {}
    return {
        "it_capex_total_yi_yuan": _r(inv["it_capex_yi_yuan"].sum()),
        "it_capex_by_year_yi_yuan": _series_dict(inv.groupby("year")["it_capex_yi_yuan"].sum()),
        "it_capex_by_hub_yi_yuan": _series_dict(inv.groupby("hub")["it_capex_yi_yuan"].sum()),
    }


def compute_summary(results: Results, d: ModelData) -> dict[str, Any]:
    """Compute (EFLOPS) by cluster and year and the intelligent share by year; empty without compute rates."""
    if d.eflops_per_krack.empty:
        return {}
    load = results.load
    keys = pd.MultiIndex.from_frame(load[["workload", "year"]])
    eflops = load["load_racks"].to_numpy() / RACKS_PER_KRACK * d.eflops_per_krack.reindex(keys).fillna(0.0).to_numpy()
    frame = load.assign(eflops=eflops, ai=load["workload"].isin(d.intelligent))
    by_year = frame.groupby("year")["eflops"].sum()
    ai = frame[frame["ai"]].groupby("year")["eflops"].sum().reindex(by_year.index, fill_value=0.0)
    return {
        "compute_eflops_by_cluster_year": {
            str(c): _series_dict(g.groupby("year")["eflops"].sum()) for c, g in frame.groupby("cluster")
        },
        "compute_eflops_by_year": _series_dict(by_year),
        "intelligent_share_of_compute_by_year": _series_dict(ai / by_year.where(by_year > 0)),
    }


def _unmet_breakdown(results: Results) -> dict[str, dict[str, float]]:
    unmet = results.unmet[results.unmet["unmet_racks"] > 1e-6]
    out: dict[str, dict[str, float]] = {}
    for (hub, workload), g in unmet.groupby(["hub", "workload"]):
        out.setdefault(str(hub), {})[str(workload)] = _r(g["unmet_racks"].sum(), 1)
    return out

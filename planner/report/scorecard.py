"""Policy scorecard: each programme target, its required value, what the plan achieves, and whether it binds.

A target binds when its row in duals.csv has zero slack and a non-zero shadow price.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from planner.report.tables import (
    View,
    green_floor,
    num,
    pct,
    per_view,
    utilisation_floor,
    utilisation_matrix,
    year_span,
)

TOL = 1e-6
"""Tolerance for "met": the CSVs carry six decimals and the LP its own feasibility tolerance."""
MET, NOT_MET = "✓", "✗"


def binding_keys(v: View, family: str) -> pd.DataFrame:
    """Binding rows of one family: key, dual."""
    return v.binding_rows.get(family, _NO_ROWS)


_NO_ROWS = pd.DataFrame({"key": pd.Series(dtype=str), "dual": pd.Series(dtype=float), "unit": pd.Series(dtype=str)})


def _binding_years(v: View, family: str, cluster: str) -> list[int]:
    keys = binding_keys(v, family)["key"]
    return sorted({int(k.split("/")[1]) for k in keys if k.split("/")[0] == cluster})


def new_load_racks(v: View) -> pd.DataFrame:
    """Racks in use on racks built in the horizon, per cluster-year (the model's new_load).

    racks.csv's `load_new_racks` where the plan wrote it (the model may choose the split), else
    what the existing stock cannot carry.
    """
    u = v.t["utilisation"][["cluster", "year", "load_racks"]].copy()
    racks = v.t["racks"]
    if "load_new_racks" in racks.columns:
        chosen = racks.set_index(["cluster", "year"])["load_new_racks"]
        u["new_load_racks"] = chosen.reindex(pd.MultiIndex.from_frame(u[["cluster", "year"]])).to_numpy(dtype=float)
        return u
    u_max = v.inputs.scenario.rack.utilisation_max
    existing = u["cluster"].map(v.clusters["racks_existing"]).to_numpy(dtype=float)
    u["new_load_racks"] = np.clip(u["load_racks"].to_numpy() - u_max * existing, 0.0, None)
    return u


def _floor_years(v: View, c: object, u: pd.Series) -> pd.Series:
    """The years of a cluster's 上架率 series in which its floor applies (its start year on)."""
    policy = v.inputs.scenario.policy
    start = (
        cast(float, v.clusters.at[c, "utilisation_min_from_year"])
        if "utilisation_min_from_year" in v.clusters.columns
        else None
    )
    if start is None or pd.isna(start):
        start = policy.utilisation_min_from_year if policy.utilisation_min_from_year is not None else v.first
    kept: pd.Series = u[u.index >= int(start)]
    return kept


def utilisation_in_floor_years(v: View) -> pd.Series:
    """Each cluster's lowest 上架率 over the years its floor applies (NaN: no racks in those years)."""
    util = utilisation_matrix(v)
    lows = {c: _floor_years(v, c, cast(pd.Series, util.loc[c]).dropna()).min() for c in util.index}
    return pd.Series(lows, index=util.index, dtype=float)


@per_view
def green_coverage(v: View) -> pd.DataFrame:
    """Green power (renewables + certificates) / energy of the load on new racks, per cluster-year."""
    rack = v.inputs.scenario.rack
    load = new_load_racks(v)
    pue = load["cluster"].map(v.clusters["pue"]).to_numpy(dtype=float)
    load["new_energy_gwh"] = load["new_load_racks"] * pue * rack.power_kw * rack.it_load_factor * 8760.0 / 1e6
    e = v.t["energy_summary"].set_index(["cluster", "year"])
    green = (
        (e["renewable_gwh"] + e["certificates_gwh"])
        .reindex(pd.MultiIndex.from_frame(load[["cluster", "year"]]))
        .to_numpy()
    )
    load["green_gwh"] = np.nan_to_num(green)
    load["coverage"] = np.where(
        load["new_energy_gwh"] > TOL,
        load["green_gwh"] / load["new_energy_gwh"].where(load["new_energy_gwh"] > TOL, 1.0),
        np.nan,
    )
    return load


def cluster_targets(v: View) -> pd.DataFrame:
    """Per cluster: PUE against its cap, lowest 上架率 against the floor, green power for new racks."""
    util = utilisation_matrix(v)
    floor, gfloor = utilisation_floor(v), green_floor(v)
    cover = green_coverage(v).pivot_table(
        index="cluster", columns="year", values="coverage", aggfunc="first", dropna=False
    )
    rows = []
    for label, row in v.clusters.iterrows():
        c = cast(str, label)
        u = _floor_years(v, c, cast(pd.Series, util.loc[c]).dropna())  # one cluster's row
        g = cast(pd.Series, cover.loc[c]).dropna() if c in cover.index else pd.Series(dtype=float)
        u_years, g_years = (
            _binding_years(v, "utilisation_floor", str(c)),
            _binding_years(v, "green_share", str(c)),
        )
        rows.append(
            {
                "数据中心集群 Cluster": v.name(str(c)),
                "PUE (cap)": (
                    f"{num(row['pue'], 2)} (≤ {num(row['pue_max'], 2)}) "
                    f"{MET if row['pue'] <= row['pue_max'] + TOL else NOT_MET}"
                ),
                "上架率 lowest year (floor)": _lowest(u, float(floor[c]), 1),
                "上架率 floor binds in": year_span(u_years) or "–",
                "Green power / new racks' energy, lowest year (floor)": _coverage(g, float(gfloor[c])),
                "Green floor binds in": year_span(g_years) or "–",
            }
        )
    return pd.DataFrame(rows)


def _lowest(u: pd.Series, floor: float, digits: int) -> str:
    """`65.0 % in 2026 (≥ 65 %) ✓`: the lowest yearly value against its floor."""
    if not len(u):
        return "no racks"
    low = float(u.min())
    return f"{pct(low, digits)} in {u.idxmin()} (≥ {pct(floor, 0)}) {MET if low >= floor - TOL else NOT_MET}"


def _coverage(g: pd.Series, floor: float) -> str:
    """Lowest yearly green coverage of new racks' energy against the floor; "> 100 %" above it all."""
    if not len(g):
        return f"no new load (≥ {pct(floor, 0)})"
    low = float(g.min())
    if low > 1.0 + TOL:
        return f"> 100 % every year (≥ {pct(floor, 0)}) {MET}"
    return _lowest(g, floor, 0)


def _binds(v: View, family: str, key: str) -> str:
    rows = binding_keys(v, family)
    hit = rows[rows["key"] == key]
    if hit.empty:
        return "no"
    return f"binds (saves {num(abs(float(hit['dual'].iloc[0])), 3)} {hit['unit'].iloc[0]})"


def _check(achieved: float, bound: float, sense: str) -> str:
    ok = achieved <= bound * (1 + TOL) + TOL if sense == "<=" else achieved >= bound * (1 - TOL) - TOL
    return MET if ok else NOT_MET


def programme_targets(v: View) -> pd.DataFrame:
    """Budgets, regional shares, carbon cap, certificate share and latency tiers (those that are set)."""
    s, p = v.inputs.scenario, v.plan
    rows: list[tuple[str, str, str, str, str]] = []
    invest = p["investment_by_year_yi_yuan"]
    yearly = s.budget.yearly_yi_yuan
    for y in v.years if yearly is not None else []:
        bound = float(yearly[y]) if isinstance(yearly, dict) else float(yearly or 0.0)
        got = float(invest.get(str(y), 0.0))
        rows.append(
            (
                f"Investment budget {y}",
                f"≤ {num(bound, 2)} 亿元",
                f"{num(got, 2)} 亿元",
                _check(got, bound, "<="),
                _binds(v, "budget_yearly", str(y)),
            )
        )
    if s.budget.total_yi_yuan is not None:
        got = float(p["investment_total_yi_yuan"])
        rows.append(
            (
                f"Investment budget {v.first}–{v.last}",
                f"≤ {num(s.budget.total_yi_yuan, 2)} 亿元",
                f"{num(got, 2)} 亿元",
                _check(got, s.budget.total_yi_yuan, "<="),
                _binds(v, "budget_total", "total"),
            )
        )
    new = v.t["racks_new"].groupby("cluster")["new_racks"].sum()
    total_new = float(new.sum())
    by_hub = new.groupby(v.clusters["hub_id"].reindex(new.index)).sum()
    west = float(new[v.clusters["hub_id"].reindex(new.index).map(v.hubs["region"]).eq("west").to_numpy()].sum())
    if s.policy.west_share_min_new_racks is not None:
        got = west / total_new if total_new > 0 else 0.0
        rows.append(
            (
                "Western clusters' share of new racks",
                f"≥ {pct(s.policy.west_share_min_new_racks)}",
                pct(got),
                _check(got, s.policy.west_share_min_new_racks, ">="),
                _binds(v, "west_share", "total"),
            )
        )
    for h, share in v.hubs["new_racks_share_min"].dropna().items():
        got = float(by_hub.get(h, 0.0)) / total_new if total_new > 0 else 0.0
        rows.append(
            (
                f"Share of new racks at {v.name(str(h))}",
                f"≥ {pct(share)}",
                pct(got),
                _check(got, float(share), ">="),
                _binds(v, "hub_share", str(h)),
            )
        )
    floor = s.policy.national_hubs_share_min_new_racks
    in_hubs = v.clusters["in_hubs"].astype(bool) if "in_hubs" in v.clusters else None
    if floor is not None and in_hubs is not None and not in_hubs.all():
        inside = float(new[in_hubs.reindex(new.index).to_numpy()].sum())
        got = inside / total_new if total_new > 0 else 1.0
        rows.append(("New racks in the national hubs (60 % rule)", f"≥ {pct(floor)}", pct(got),
                     _check(got, floor, ">="), _binds(v, "national_hubs_share", "total")))
    rows += _carbon_rows(v)
    rows += _certificate_rows(v)
    rows += _latency_rows(v)
    return pd.DataFrame(rows, columns=["Target", "Required", "Achieved", "Met", "Binds?"])


def _carbon_rows(v: View) -> list[tuple[str, str, str, str, str]]:
    cap = v.inputs.scenario.policy.carbon_cap_mt
    if cap is None:
        return []
    emissions = v.plan["emissions_mt_co2_by_year"]
    rows = []
    for y in v.years:
        bound = float(cap[y] if isinstance(cap, dict) else cap)
        got = float(emissions.get(str(y), 0.0))
        rows.append(
            (
                f"Carbon cap {y}",
                f"≤ {num(bound, 3)} Mt CO2",
                f"{num(got, 3)} Mt CO2",
                _check(got, bound, "<="),
                _binds(v, "carbon_cap", str(y)),
            )
        )
    return rows


def _certificate_rows(v: View) -> list[tuple[str, str, str, str, str]]:
    limit = v.inputs.scenario.policy.certificate_share_max
    if limit is None:
        return []
    e = v.t["energy_summary"]
    green = e["renewable_gwh"] + e["certificates_gwh"]
    share = (e["certificates_gwh"] / green.where(green > TOL)).fillna(0.0)
    got = float(share.max()) if len(share) else 0.0
    binds = binding_keys(v, "certificate_share")
    where = f"binds at {len(binds)} cluster-year(s)" if len(binds) else "no"
    return [
        (
            "Certificates' share of green power (highest cluster-year)",
            f"≤ {pct(limit)}",
            pct(got),
            _check(got, limit, "<="),
            where,
        )
    ]


def _latency_rows(v: View) -> list[tuple[str, str, str, str, str]]:
    load = v.t["load"]
    used = cast(
        pd.DataFrame,  # as_index=False: a frame (pandas-stubs say Series)
        load[load["load_racks"] > 0.5].groupby(["workload", "hub", "cluster"], as_index=False)["load_racks"].sum(),
    )
    rtt = v.links["rtt_ms"]
    used["rtt_ms"] = rtt.reindex(pd.MultiIndex.from_frame(used[["hub", "cluster"]])).to_numpy()
    rows = []
    for w, row in v.workloads.iterrows():
        limit = row["latency_max_rtt_ms"]
        if pd.isna(limit):
            continue
        mine = used[used["workload"] == w]
        got = float(mine["rtt_ms"].max()) if len(mine) else 0.0
        rows.append(
            (
                f"Latency tier {v.name(str(w))}",
                f"RTT ≤ {num(limit, 1)} ms",
                f"longest link used {num(got, 1)} ms",
                _check(got, float(limit), "<="),
                "by construction (only links within the tier can serve it)",
            )
        )
    return rows

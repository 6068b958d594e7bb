"""The report's first page: the findings in sentences, every policy target against the plan, the scope.

Every number in a sentence comes from plan.json, duals.csv or the inputs; `Finding.numbers` keeps the
values a sentence cites so a test can hold them against plan.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from planner.report.compute import compute_targets
from planner.report.glossary import Lang, count, wan
from planner.report.scorecard import TOL, binding_keys, green_coverage, utilisation_in_floor_years
from planner.report.tables import View, num, pct, utilisation_floor, year_span

MET, NOT_MET, NOT_MODELLED, NOT_SET = "✓ met", "✗ not met", "– not modelled", "– not set"
EN = Lang("en")
VERDICT_ZH = {MET: "✓ 达标", NOT_MET: "✗ 未达标", NOT_MODELLED: "– 未建模", NOT_SET: "– 本情景未设"}


@dataclass(frozen=True)
class Finding:
    """One finding: its sentence in English and Chinese, and the numbers it cites."""

    key: str
    en: str
    zh: str
    numbers: dict[str, Any] = field(default_factory=dict)



def _water_row(v: View) -> tuple[str, str, str, str]:
    """Site water over the horizon (WUE x IT energy), against the caps where the case sets any."""
    lang, e = v.lang, v.t["energy_summary"]
    if "water_m3" not in e.columns:
        return (lang("Water use (WUE)", "用水效率 WUE"), "–", "–", NOT_MODELLED)
    used = f"{num(float(e['water_m3'].sum()) / 1e6, 1)} " + lang("million m³", "百万立方米")
    caps = [(r.cluster_id, r.year, r.water_max_m3) for r in v.inputs.cluster_years if r.water_max_m3 is not None]
    if not caps:
        return (lang("Water use (WUE)", "用水效率 WUE"), "–", used, NOT_SET)
    by = e.set_index(["cluster", "year"])["water_m3"]
    over = any(float(by.get((c, y), 0.0)) > cap * (1 + TOL) + 1.0 for c, y, cap in caps)
    n = len({c for c, _, _ in caps})
    return (lang("Water use (WUE)", "用水效率 WUE"), lang(f"caps at {n} cluster(s)", f"{n} 个集群设上限"),
            used, NOT_MET if over else MET)


def _compute_row(v: View) -> tuple[str, str, str, str]:
    """Compute in use in the last year (EFLOPS, plan.json); no national EFLOPS target is set by a case."""
    lang = v.lang
    by_year = v.plan.get("compute_eflops_by_year") or {}
    title = lang("Computing power (EFLOPS)", "算力规模 EFLOPS")
    if not by_year:
        return (title, "–", lang("no compute rates in the case (compute.csv)", "本情景未给算力折算（compute.csv）"),
                NOT_SET)
    last = max(by_year, key=int)
    eflops = _sig(float(by_year[last]))
    got = lang(f"{eflops} EFLOPS in {last}", f"{eflops} EFLOPS（{last} 年）")
    return (title, "–", got, NOT_SET)


def _budget_years(v: View) -> tuple[list[int], list[float]]:
    rows = binding_keys(v, "budget_yearly")
    years = [int(k) for k in rows["key"]]
    return years, [abs(float(d)) for d in rows["dual"]]


def findings(v: View, top_limit: dict[str, Any] | None = None) -> list[Finding]:
    """Three to five findings, most important first (unmet demand leads when there is any)."""
    p, out = v.plan, []
    unmet = float(p["unmet_rack_years"])
    if unmet > 0.5:
        share = unmet / float(p["demand_rack_years"]) if p["demand_rack_years"] else 0.0
        worst = max(
            p.get("unmet_by_hub_workload_racks") or {"": 0.0},
            key=lambda k: _total(p["unmet_by_hub_workload_racks"][k]) if k else 0.0,
        )
        hub = worst.split("/")[0] if worst else ""
        out.append(
            Finding(
                "unmet",
                f"{num(unmet)} rack-years of demand ({pct(share)}) are not "
                f"served{f', most at {v.en(hub)}' if hub else ''}.",
                f"{wan(unmet)} 架·年需求（{pct(share)}）未被满足{f'，主要在{v.zh(hub)}' if hub else ''}。",
                {"unmet_rack_years": unmet},
            )
        )
    total, west = float(p["new_racks_total"]), float(p["west_share_of_new_racks"])
    by_cluster = pd.Series(p["new_racks_by_cluster"], dtype=float)
    if total > 0.5:
        lead = str(by_cluster.idxmax())
        out.append(
            Finding(
                "west",
                f"{pct(west, 0)} of the {count(total, EN, en_unit='new racks')} go to the western clusters; "
                f"{v.en(lead)} takes the most ({count(float(by_cluster[lead]), EN)}).",
                f"新增 {wan(total)}标准机架，{pct(west, 0)} "
                f"布局在西部集群；{v.zh(lead)}最多（{wan(float(by_cluster[lead]))}标准机架）。",
                {
                    "west_share_of_new_racks": west,
                    "new_racks_total": total,
                    "lead_cluster": lead,
                    "lead_racks": float(by_cluster[lead]),
                },
            )
        )
    else:
        out.append(
            Finding(
                "west",
                "No new racks are built: the existing racks carry all demand served.",
                "不新建机架：现有机架承载全部已满足需求。",
                {"new_racks_total": total},
            )
        )
    years, duals = _budget_years(v)
    total_binds = not binding_keys(v, "budget_total").empty
    if years:
        last = years[duals.index(max(duals))]
        out.append(
            Finding(
                "budget",
                f"The yearly investment budget binds in {year_span(years)}; each extra 亿元 in {last} would save "
                f"{_sig(max(duals))} 亿元 of total cost (present value).",
                f"年度投资预算在 {year_span(years)} 年为紧约束；{last} 年每增加 1 亿元预算，总成本（现值）可降低 "
                f"{_sig(max(duals))} 亿元。",
                {"budget_years": years, "budget_worth": max(duals)},
            )
        )
    elif total_binds:
        d = abs(float(binding_keys(v, "budget_total")["dual"].iloc[0]))
        out.append(
            Finding(
                "budget",
                f"The {v.first}–{v.last} investment budget binds; each extra 亿元 would save {_sig(d)} 亿元 of total "
                "cost (present value).",
                f"{v.first}–{v.last} 年总投资预算为紧约束；每增加 1 亿元，总成本（现值）可降低 {_sig(d)} 亿元。",
                {"budget_years": [], "budget_worth": d},
            )
        )
    out.append(_green_finding(v))
    if len(out) < 4:  # no budget binds: say what the plan costs and emits
        cost, invest, emitted = (
            float(p["objective_yi_yuan"]),
            float(p["investment_total_yi_yuan"]),
            float(p["emissions_mt_co2"]),
        )
        out.append(
            Finding(
                "cost",
                f"Total cost {num(cost, 1)} 亿元 (present value at {v.first}); investment {num(invest, 1)} 亿元, "
                f"undiscounted; emissions {num(emitted, 1)} Mt CO2 over {v.first}–{v.last}.",
                f"总成本 {num(cost, 1)} 亿元（{v.first} 年现值）；投资 {num(invest, 1)} "
                f"亿元（不折现）；{v.first}–{v.last} 年排放 {num(emitted, 1)} Mt CO2。",
                {"objective_yi_yuan": cost, "investment_total_yi_yuan": invest, "emissions_mt_co2": emitted},
            )
        )
    if top_limit is not None and len(out) < 5:
        out.append(Finding("limit", top_limit["en"], top_limit["zh"], {"relax_yi": top_limit["relax_yi"]}))
    return out[:5]


def _total(x: float | dict[str, float]) -> float:
    return float(sum(x.values())) if isinstance(x, dict) else float(x)


def _sig(x: float) -> str:
    x = abs(float(x))
    return num(x, 0 if x >= 100 else 1 if x >= 10 else 2 if x >= 0.1 else 3)


def _green_finding(v: View) -> Finding:
    p = v.plan
    by_year = {int(y): float(s) for y, s in (p.get("green_share_by_year") or {}).items()}
    green = float(p["green_share"])
    rows = binding_keys(v, "green_share")
    cover = green_coverage(v)
    live = cover[cover["new_energy_gwh"] > TOL]
    live_keys = {f"{c}/{y}" for c, y in zip(live["cluster"], live["year"], strict=True)}
    priced = rows[rows["key"].isin(live_keys)]
    floor = v.inputs.scenario.policy.green_share_min_new
    trend_en = trend_zh = ""
    if len(by_year) > 1:
        a, b = by_year[min(by_year)], by_year[max(by_year)]
        trend_en = f" ({pct(a, 0)} in {min(by_year)}, {pct(b, 0)} in {max(by_year)})"
        trend_zh = f"（{min(by_year)} 年 {pct(a, 0)}，{max(by_year)} 年 {pct(b, 0)}）"
    if len(priced):
        top = priced.loc[cast(int, priced["dual"].abs().idxmax())]
        c, y = str(top["key"]).split("/")
        d = abs(float(cast(float, top["dual"])))
        tail_en = (
            f"; the {pct(floor, 0)} floor for new racks binds at {len(priced)} cluster-year(s), dearest at {v.en(c)} "
            f"in {y} ({_sig(d)} 元/MWh)"
        )
        tail_zh = (
            f"；新建机架 {pct(floor, 0)} 绿电下限在 {len(priced)} 个集群年为紧约束，{v.zh(c)} {y} 年最贵（{_sig(d)} "
            "元/MWh）"
        )
    else:
        tail_en = f"; the {pct(floor, 0)} floor for new racks does not bind anywhere"
        tail_zh = f"；新建机架 {pct(floor, 0)} 绿电下限未形成紧约束"
    return Finding(
        "green",
        f"Green power (contracted renewables and certificates) covers {pct(green)} of facility "
        f"energy{trend_en}{tail_en}.",
        f"绿电（绿电交易与绿证）占设施用电 {pct(green)}{trend_zh}{tail_zh}。",
        {"green_share": green, "green_binding": len(priced)},
    )


def targets(v: View) -> pd.DataFrame:
    """Every programme target with what is required, what the plan achieves and met / not met / not modelled."""
    s, p, lang = v.inputs.scenario, v.plan, v.lang
    rows: list[tuple[str, str, str, str]] = []
    pue_ok = bool((v.clusters["pue"] <= v.clusters["pue_max"] + TOL).all())
    rows.append(
        (
            lang("PUE at every cluster", "各集群 PUE"),
            "≤ " + _range(v.clusters["pue_max"]),
            _range(v.clusters["pue"]),
            MET if pue_ok else NOT_MET,
        )
    )
    floors = utilisation_floor(v)
    lowest = utilisation_in_floor_years(v)  # only the years each cluster's floor applies (its start year on)
    low = (lowest - floors).dropna()
    worst = str(low.idxmin()) if len(low) else ""
    rows.append(
        (
            lang("Utilisation (racks in use / installed)", "上架率"),
            f"≥ {_range(floors, percent=True)}",
            lang("lowest", "最低") + f" {pct(float(lowest[worst]), 0)} ({v.zh(worst)})"
            if worst
            else "–",
            MET if len(low) == 0 or float(low.min()) >= -TOL else NOT_MET,
        )
    )
    cover = green_coverage(v)
    live = cover[cover["new_energy_gwh"] > TOL]
    gfloor = v.clusters["green_share_min_new"].astype(float).fillna(s.policy.green_share_min_new)
    short = live["coverage"] - live["cluster"].map(gfloor).astype(float)  # float also when no cluster has new load
    rows.append(
        (
            lang("Green power for new racks", "新建机架绿电占比"),
            f"≥ {_range(gfloor, percent=True)}",
            lang("lowest", "最低") + f" {pct(live['coverage'].min(), 0)}"
            if len(live)
            else lang("no new load", "无新增负荷"),
            MET if len(live) == 0 or float(short.min()) >= -TOL else NOT_MET,
        )
    )
    rows += _budget_rows(v)
    share = s.policy.west_share_min_new_racks
    west = float(p["west_share_of_new_racks"])
    rows.append(
        (
            lang("Western share of new racks", "西部新增机架占比"),
            f"≥ {pct(share, 0)}" if share is not None else "–",
            pct(west, 0),
            (MET if west >= share - TOL else NOT_MET) if share is not None else NOT_SET,
        )
    )
    rows += compute_targets(v, TOL, (MET, NOT_MET))
    cap = s.policy.carbon_cap_mt
    if cap is not None:
        over = [
            int(y)
            for y, e in p["emissions_mt_co2_by_year"].items()
            if float(e) > float(cap[int(y)] if isinstance(cap, dict) else cap) * (1 + TOL) + TOL
        ]
        rows.append(
            (
                lang("Carbon cap", "碳排放上限"),
                lang("set", "已设"),
                f"{num(p['emissions_mt_co2'], 1)} Mt CO2",
                NOT_MET if over else MET,
            )
        )
    else:
        rows.append((lang("Carbon cap", "碳排放上限"), "–", f"{num(p['emissions_mt_co2'], 1)} Mt CO2", NOT_SET))
    tiers = v.workloads["latency_max_rtt_ms"].dropna()
    if len(tiers):
        rows.append(
            (
                lang("Latency tiers", "时延分级"),
                "RTT ≤ " + ", ".join(f"{num(x, 0)}" for x in sorted(set(tiers))) + " ms",
                lang("by construction", "建模保证"),
                MET,
            )
        )
    unmet = float(p["unmet_rack_years"])
    rows.append(
        (
            lang("All demand served", "需求全部满足"),
            "0",
            f"{wan(unmet)} " + lang("rack-years", "架·年"),
            MET if unmet <= 0.5 else NOT_MET,
        )
    )
    rows.append(_water_row(v))
    rows.append(_compute_row(v))
    verdicts = [lang(r[3].split(" ", 1)[1], VERDICT_ZH[r[3]].split(" ", 1)[1]) for r in rows]
    return pd.DataFrame(
        {
            lang("Target", "目标"): [r[0] for r in rows],
            lang("Required", "要求"): [r[1] for r in rows],
            lang("Plan", "规划结果"): [r[2] for r in rows],
            lang("Verdict", "结论"): [f"{r[3][0]} {w}" for r, w in zip(rows, verdicts, strict=True)],
        }
    )


def _budget_rows(v: View) -> list[tuple[str, str, str, str]]:
    s, p, lang = v.inputs.scenario, v.plan, v.lang
    rows = []
    yearly = s.budget.yearly_yi_yuan
    if yearly is not None:
        invest = {int(y): float(x) for y, x in p["investment_by_year_yi_yuan"].items()}
        bounds = {y: float(yearly[y] if isinstance(yearly, dict) else yearly) for y in v.years}
        over = [y for y in v.years if invest.get(y, 0.0) > bounds[y] * (1 + TOL) + TOL]
        at = [y for y in v.years if invest.get(y, 0.0) >= bounds[y] * (1 - 1e-6) - TOL]
        achieved = (
            lang("at the limit in", "用满") + f" {year_span(at)}"
            if at
            else lang("peak", "最高") + f" {num(max(invest.values(), default=0.0), 0)} 亿元"
        )
        rows.append(
            (
                lang("Yearly investment budget", "年度投资预算"),
                f"≤ {_range(pd.Series(bounds), unit=' 亿元')}",
                achieved,
                NOT_MET if over else MET,
            )
        )
    if s.budget.total_yi_yuan is not None:
        got = float(p["investment_total_yi_yuan"])
        ok = got <= s.budget.total_yi_yuan * (1 + TOL) + TOL
        rows.append(
            (
                lang("Total investment budget", "总投资预算"),
                f"≤ {num(s.budget.total_yi_yuan, 0)} 亿元",
                f"{num(got, 1)} 亿元",
                MET if ok else NOT_MET,
            )
        )
    return rows


def _range(values: pd.Series, percent: bool = False, unit: str = "") -> str:
    lo, hi = float(values.min()), float(values.max())
    show: Callable[[float], str] = (lambda x: pct(x, 0)) if percent else (lambda x: num(x, 2) if x < 10 else num(x, 0))
    return (show(lo) if abs(hi - lo) < 1e-9 else f"{show(lo)}–{show(hi)}") + unit


BASIS = {
    "facility": (
        "facility only (building, power, cooling, land); IT equipment (servers, network gear) excluded",
        "仅含基础设施（建筑、供配电、制冷、土地），不含 IT 设备（服务器、网络设备）",
    ),
    "facility_and_it": (
        "facility and IT equipment (servers, network gear)",
        "含基础设施与 IT 设备（服务器、网络设备）",
    ),
}
"""Capex or budget basis (the scenario's `capex_basis` / `budget.basis`, where the case states it) -> wording."""


def scope(v: View) -> pd.DataFrame:
    """What the plan includes and excludes: capex and budget basis, shadow carbon price, resolution, horizon.

    Reads `capex_basis`, `budget.basis` and the carbon price from the scenario where the case has
    them; a case without the basis fields is read as the input reference defines capex (facility only).
    """
    s, p, lang = v.inputs.scenario, v.plan, v.lang
    capex_basis = _scenario_field(s, "capex_basis") or "facility"
    budget_basis = _scenario_field(s.budget, "basis") or capex_basis
    has_budget = s.budget.total_yi_yuan is not None or s.budget.yearly_yi_yuan is not None
    price = s.policy.carbon_price_yuan_per_t
    capex = lang(*BASIS[capex_basis]) if capex_basis in BASIS else capex_basis
    if s.it_capex:
        capex = lang(
            "facility (building, power, cooling, land); IT equipment (servers, accelerators) counted apart, as an "
            "annuity over its life on every rack in use",
            "基础设施（建筑、供配电、制冷、土地）；IT 设备（服务器、加速卡）另列，按其寿命折年计入每个在用机架",
        )
    if has_budget:
        what_en, what_zh = (
            ("same basis as the rack investment", "与机架投资口径相同")
            if budget_basis == capex_basis
            else BASIS.get(budget_basis, (budget_basis, budget_basis))
        )
        budget = lang(
            f"overnight investment in racks and links, undiscounted; {what_en}",
            f"机架与链路的一次性投资，不折现；{what_zh}",
        )
    else:
        budget = lang("no investment budget is imposed", "未设投资预算")
    carbon = (
        lang(
            f"shadow price of {num(price, 0)} 元/t CO2 on grid emissions, in the cost only (nobody pays it: data "
            "centres are outside the national ETS)",
            f"影子碳价 {num(price, 0)} 元/吨 CO2，仅计入规划成本（数据中心不在全国碳市场内，并非实际缴纳）",
        )
        if price > 0
        else lang("none", "无")
    )
    resolution = str(p.get("time_resolution", "")) or "–"
    if resolution.startswith("yearly"):
        resolution += lang(
            "; one slice a year overstates green power against the hourly year", "；全年单时段会高估绿电与负荷的匹配"
        )
    rows = [
        (lang("Rack investment", "机架投资"), capex),
        (lang("Budget counts", "预算口径"), budget),
        (lang("Carbon price", "碳价"), carbon),
        (lang("Time resolution", "时间分辨率"), resolution),
        (
            lang("Horizon and money", "规划期与货币"),
            f"{v.first}–{v.last}; "
            + lang(
                f"costs are present values at {v.first} ({pct(s.discount_rate, 0)} a year)",
                f"成本为 {v.first} 年现值（折现率 {pct(s.discount_rate, 0)}）",
            ),
        ),
        (
            lang("Not in the model", "未纳入模型"),
            lang(
                "land prices beyond the capex, grid upgrades outside the clusters, an IT load factor of their own "
                "for dense (AI) racks (every kind runs at the case's load factor; a kind's PUE differs from its "
                "cluster's only by its pue_delta, and only in the energy it draws)",
                "投资以外的地价、集群外电网改造、高密度（智算）机架单独的负载率"
                "（各类机架均按统一负载率计；机架类型的 PUE 仅以 pue_delta 调整其耗电量）",
            ),
        ),
    ]
    return pd.DataFrame(rows, columns=[lang("Scope", "范围"), lang("This plan", "本规划")])


def _scenario_field(obj: object, name: str) -> str:
    """A scenario field the calibration may add (capex basis, budget basis, carbon price naming); "" when absent."""
    value = getattr(obj, name, None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(getattr(value, "value", value))

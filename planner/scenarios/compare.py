"""What changed between saved plans: KPIs, racks per cluster, investment per hub, binding constraints.

The first plan is the reference; every other plan is compared with it. `compare()` reads plan
folders and returns a `Comparison` of plain DataFrames; `render_markdown`, `render_html` and
`terminal_tables` turn it into compare.md, compare.html (with inline SVG charts) and rich tables.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd
from rich.table import Table

from planner.results.folders import check_target, claimed
from planner.results.headline import fmt
from planner.results.plan_folder import SavedPlan, read_plan_folder, write_text_files

KPIS: tuple[tuple[str, str, str], ...] = (
    ("objective_yi_yuan", "total discounted cost (亿元)", "money"),
    ("investment_total_yi_yuan", "investment, undiscounted (亿元)", "money"),
    ("new_racks_total", "new racks (racks)", "racks"),
    ("new_racks_east", "new racks east (racks)", "racks"),
    ("new_racks_west", "new racks west (racks)", "racks"),
    ("west_share_of_new_racks", "west share of new racks", "share"),
    ("green_share", "green-power share (of facility energy)", "share"),
    ("emissions_mt_co2", "emissions (Mt CO2)", "mt"),
    ("unmet_rack_years", "unmet demand (rack-years)", "racks"),
    ("average_pue", "average PUE", "ratio"),
    ("facility_energy_gwh", "facility energy (GWh)", "gwh"),
)
"""plan.json key, label with unit, number kind (`planner.results.headline.fmt`: the same format as `planner solve`)."""


@dataclass(frozen=True)
class Comparison:
    """Plans side by side; the first column of each table is the reference plan."""

    names: list[str]
    folders: list[Path]
    kpis: pd.DataFrame  # index: KPI label; one column per plan
    costs: pd.DataFrame  # index: cost term (亿元); one column per plan
    racks_by_cluster: pd.DataFrame  # index: cluster id; new racks per plan
    investment_by_hub: pd.DataFrame  # index: hub id; 亿元 per plan
    binding: pd.DataFrame  # plan, family, key, change, dual_reference, dual_plan, unit
    years: tuple[int, ...] = ()  # the reference plan's first and last year
    plans: pd.DataFrame = field(default_factory=pd.DataFrame)  # index: plan; status, years, time resolution, folder
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)  # hub/cluster id -> (中文, English)

    @property
    def reference(self) -> str:
        """Name of the plan the others are compared with."""
        return self.names[0]

    def _repr_html_(self) -> str:
        """Jupyter: the plans and their headline numbers side by side (the full page is compare.html)."""
        parts = []
        for title, header, rows in _sections(self)[:2]:
            head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
            body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows)
            parts.append(
                '<table><caption '
                f'style="text-align:left">{html.escape(title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            )
        return "".join(parts)


def plan_names(folders: Sequence[Path]) -> list[str]:
    """Folder names, made unique with the parent folder's name where two are alike."""
    names = [f.resolve().name for f in folders]
    if len(set(names)) < len(names):
        names = [f"{f.resolve().parent.name}/{f.resolve().name}" for f in folders]
    if len(set(names)) < len(names):
        names = [f"{n}#{i + 1}" for i, n in enumerate(names)]
    return names


def default_out_dir(folders: Sequence[Path]) -> Path:
    """`<parent of the first plan>/compare_<a>_vs_<b>[_vs_<c>...]`."""
    stems = [f.resolve().name for f in folders]
    return Path(folders[0]).resolve().parent / ("compare_" + "_vs_".join(stems))


def compare(folders: Sequence[str | Path]) -> Comparison:
    """Read each plan folder and line the plans up against the first."""
    paths = [Path(f) for f in folders]
    plans = [read_plan_folder(p) for p in paths]
    names = plan_names(paths)

    def table(key: str) -> pd.DataFrame:
        return pd.DataFrame(
            {n: pd.Series(p.plan.get(key, {}), dtype=float) for n, p in zip(names, plans, strict=True)}
        ).fillna(0.0)

    kpis = pd.DataFrame(
        {n: [p.plan.get(k) for k, _, _ in KPIS] for n, p in zip(names, plans, strict=True)},
        index=[label for _, label, _ in KPIS],
    )
    return Comparison(
        names=names,
        folders=paths,
        kpis=kpis,
        costs=table("cost_breakdown_yi_yuan"),
        racks_by_cluster=table("new_racks_by_cluster"),
        investment_by_hub=table("investment_by_hub_yi_yuan"),
        binding=_binding_changes(plans, names),
        years=tuple(plans[0].plan.get("years") or ()),
        plans=pd.DataFrame(
            {
                "status": [str(p.plan.get("plan_status") or p.plan.get("status")) for p in plans],
                "years": ["-".join(map(str, p.plan.get("years") or ())) for p in plans],
                "time resolution": [str(p.plan.get("time_resolution", "")) for p in plans],
                "folder": [str(f) for f in paths],
            },
            index=pd.Index(names, name="plan"),
        ),
        labels=_labels(plans),
    )


def _labels(plans: list[SavedPlan]) -> dict[str, tuple[str, str]]:
    """Hub and cluster ids -> (Chinese, English) names, from every plan's inputs."""
    out: dict[str, tuple[str, str]] = {}
    for p in plans:
        for h in p.inputs.hubs:
            out.setdefault(h.hub_id, (h.name_zh, h.name_en))
        for c in p.inputs.clusters:
            out.setdefault(c.cluster_id, (c.name_zh, c.name_en))
    return out


def _binding_changes(plans: list[SavedPlan], names: list[str]) -> pd.DataFrame:
    """Rows binding in one plan and not in the reference (a row missing from a plan counts as not binding)."""
    columns = ["plan", "family", "key", "change", "dual_reference", "dual_plan", "unit"]
    duals = [_duals(p) for p in plans]
    ref = duals[0]
    frames = []
    for name, other in zip(names[1:], duals[1:], strict=True):
        both = ref.merge(other, left_index=True, right_index=True, how="outer", suffixes=("_a", "_b"))
        a = both["binding_a"].astype("boolean").fillna(False).astype(bool)
        b = both["binding_b"].astype("boolean").fillna(False).astype(bool)
        changed = both[a != b].reset_index()
        if changed.empty:
            continue
        frames.append(pd.DataFrame({
            "plan": name,
            "family": changed["family"],
            "key": changed["key"],
            "change": (b[a != b].to_numpy()).astype(bool),
            "dual_reference": changed["dual_a"].fillna(0.0).astype(float),
            "dual_plan": changed["dual_b"].fillna(0.0).astype(float),
            "unit": changed["unit_b"].fillna(changed["unit_a"]),
        }))
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    out["change"] = out["change"].map({True: "started binding", False: "stopped binding"})
    return out.sort_values(["plan", "change", "family", "key"], kind="stable").reset_index(drop=True)[columns]


def _duals(p: SavedPlan) -> pd.DataFrame:
    """duals.csv indexed by (family, key), with `binding` as booleans."""
    frame = p.tables["duals"].copy()
    frame["binding"] = frame["binding"].astype(str).str.lower().eq("true")
    return frame.set_index(["family", "key"])[["binding", "dual", "unit"]]


def with_deltas(frame: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Append a `Δ <plan>` column per non-reference plan: plan minus reference."""
    out = frame.copy()
    for column in frame.columns:
        if column != reference:
            out[f"Δ {column}"] = pd.to_numeric(frame[column], errors="coerce") - pd.to_numeric(
                frame[reference], errors="coerce"
            )
    return out


def binding_summary(c: Comparison) -> pd.DataFrame:
    """Count of rows that started / stopped binding, per plan and constraint family."""
    if c.binding.empty:
        return pd.DataFrame(columns=["plan", "family", "started binding", "stopped binding"])
    counts = c.binding.groupby(["plan", "family", "change"]).size().unstack("change", fill_value=0)
    for column in ("started binding", "stopped binding"):
        if column not in counts:
            counts[column] = 0
    return counts[["started binding", "stopped binding"]].reset_index()


def _fmt(value: object, pattern: str = "{:,.2f}") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    try:
        return pattern.format(float(value))  # type: ignore[arg-type]  # any value: what float() refuses is text
    except (TypeError, ValueError):
        return str(value)


def _kpi_rows(c: Comparison) -> list[list[str]]:
    rows = []
    table = with_deltas(c.kpis, c.reference)
    for (_, label, kind), (_, row) in zip(KPIS, table.iterrows(), strict=True):
        rows.append([label, *[fmt(v, kind) for v in row.to_numpy()]])
    return rows


def _number_rows(frame: pd.DataFrame, reference: str, pattern: str) -> list[list[str]]:
    table = with_deltas(frame, reference)
    return [[str(index), *[_fmt(v, pattern) for v in row.to_numpy()]] for index, row in table.iterrows()]


def _sections(c: Comparison) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table, shared by the Markdown, HTML and terminal views."""
    deltas = [f"Δ {n}" for n in c.names[1:]]
    years = "-".join(str(y) for y in c.years) if c.years else "horizon"
    about = [
        [str(name), *map(str, row)] for name, row in zip(c.plans.index, c.plans.itertuples(index=False), strict=True)
    ]
    sections = [
        ("Plans", ["plan", *map(str, c.plans.columns)], about),
        ("Headline numbers", ["KPI", *c.names, *deltas], _kpi_rows(c)),
        (
            "Cost breakdown (亿元, discounted)",
            ["cost term", *c.names, *deltas],
            _number_rows(c.costs, c.reference, "{:,.2f}"),
        ),
        (
            f"New racks per cluster (racks, {years})",
            ["cluster", *c.names, *deltas],
            _number_rows(c.racks_by_cluster, c.reference, "{:,.0f}"),
        ),
        (
            f"Investment per hub (亿元, undiscounted, {years})",
            ["hub", *c.names, *deltas],
            _number_rows(c.investment_by_hub, c.reference, "{:,.2f}"),
        ),
    ]
    summary = binding_summary(c)
    sections.append(
        (
            f"Constraints that started or stopped binding (against {c.reference})",
            ["plan", "family", "started binding", "stopped binding"],
            [[str(v) for v in r] for r in summary.itertuples(index=False)],
        )
    )
    detail = cast(
        list[list[str]],  # plan, family, key, change and unit are text columns
        [
            [r.plan, r.family, r.key, r.change, _fmt(r.dual_reference, "{:,.6g}"), _fmt(r.dual_plan, "{:,.6g}"), r.unit]
            for r in c.binding.itertuples(index=False)
        ],
    )
    sections.append(
        (
            "Binding changes, row by row (shadow prices)",
            ["plan", "family", "key", "change", f"dual {c.reference}", "dual plan", "unit"],
            detail,
        )
    )
    return sections


def terminal_tables(c: Comparison, max_rows: int = 20) -> list[Table]:
    """Rich tables for the terminal; long row-by-row listings are cut to `max_rows`."""
    tables = []
    for title, header, rows in _sections(c):
        table = Table(title=title, title_justify="left")
        for i, column in enumerate(header):
            table.add_column(column, justify="left" if i == 0 or not rows or not _numeric(rows[0][i]) else "right")
        for row in rows[:max_rows]:
            table.add_row(*row)
        if len(rows) > max_rows:
            table.caption = f"{len(rows) - max_rows} more row(s) in compare.md"
        tables.append(table)
    return tables


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").replace("e", "").replace("+", "").isdigit()


def render_markdown(c: Comparison) -> str:
    """compare.md: every table as a Markdown table."""
    lines = [
        f"# Plan comparison: {' vs '.join(c.names)}",
        "",
        f"Reference plan: `{c.reference}` ({c.folders[0]}). Δ columns are plan minus reference.",
        "",
    ]
    for title, header, rows in _sections(c):
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["(none)", ""]
            continue
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines.append("")
    return "\n".join(lines)


def render_html(c: Comparison, lang: str = "both") -> str:
    """compare.html in the house style (see `compare_page`): what changed first, then the numbers."""
    from planner.report.glossary import Lang
    from planner.scenarios.compare_page import render_compare

    return render_compare(c, Lang(lang))


table_sections = _sections
"""(title, header, rows) of every table, as the Markdown, HTML and terminal views show them."""


def write_comparison(c: Comparison, out_dir: Path | None = None) -> list[Path]:
    """Write compare.md and compare.html (default folder: `default_out_dir`); returns the paths."""
    folder = out_dir or default_out_dir(c.folders)
    check_target(folder, tuple(c.folders), replace=False)
    files = {"compare.md": render_markdown(c), "compare.html": render_html(c)}
    with claimed(folder, "compare", tuple(c.folders)) as written:
        write_text_files(written, files)
    return [folder / name for name in files]

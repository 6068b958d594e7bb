"""Report section on 算电协同, the existing stock's vintage and water: limits used, retrofits, water per cluster.

Pure functions of the saved plan (`View`): energy_summary.csv's `facility_mw`, `grid_peak_mw` and
`water_m3`, vintage.csv when the plan wrote one, the case's limits from inputs.json, and the binding
rows of duals.csv for the shadow prices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planner.report.tables import View, num, pct

if TYPE_CHECKING:
    from planner.report.document import Section

LIMIT_FAMILIES = {
    "power_limit": ("grid connection", "电网接入容量", "kW"),
    "grid_import": ("provincial import limit", "省级购电上限", "MWh"),
    "retire_deadline": ("PUE retirement deadline", "PUE 淘汰期限", "rack"),
    "water_cap": ("water cap", "用水上限", "m³"),
}
"""Family -> (English, Chinese) name and the unit its shadow price is per."""


def limits(v: View) -> pd.DataFrame:
    """Per (cluster, year): grid connection, import limit and water cap (NaN: none); a year's cell first."""
    index = pd.MultiIndex.from_product([v.clusters.index, v.years], names=["cluster", "year"])
    out = pd.DataFrame(index=index)
    for column in ("power_max_mw", "grid_import_mw"):
        out[column] = v.clusters[column].astype(float).reindex(index.get_level_values("cluster")).to_numpy()
    out["water_max_m3"] = np.nan
    for row in v.inputs.cluster_years:
        for column in ("power_max_mw", "grid_import_mw", "water_max_m3"):
            value = getattr(row, column)
            if value is not None and (row.cluster_id, row.year) in out.index:
                out.loc[(row.cluster_id, row.year), column] = float(value)
    return out


def power_limits_table(v: View) -> pd.DataFrame:
    """MW used against each grid limit per cluster and year (only cluster-years with a limit)."""
    e = v.t["energy_summary"]
    if "facility_mw" not in e.columns:
        return pd.DataFrame()
    used = e.set_index(["cluster", "year"])[["facility_mw", "grid_peak_mw"]]
    lim = limits(v).join(used, how="left")
    lim = lim[lim["power_max_mw"].notna() | lim["grid_import_mw"].notna()]
    lang = v.lang

    def share(a: float, b: float) -> str:
        return "–" if np.isnan(b) or b <= 0 else pct(a / b)

    def mw(x: float) -> str:
        return "–" if np.isnan(x) else num(x)

    keys = zip(lim.index.get_level_values("cluster"), lim.index.get_level_values("year"), strict=True)
    values = lim[["facility_mw", "power_max_mw", "grid_peak_mw", "grid_import_mw"]].to_numpy(dtype=float)
    rows = [
        {
            lang("Cluster", "集群"): v.name(str(c)),
            lang("Year", "年份"): str(y),
            lang("Facility power, MW", "设施功率 MW"): mw(facility),
            lang("Grid connection, MW", "接入容量 MW"): mw(connection),
            lang("Used", "占用"): share(facility, connection),
            lang("Peak grid draw, MW", "最大购电 MW"): mw(peak),
            lang("Import limit, MW", "购电上限 MW"): mw(imports),
            lang("Used ", "占用 "): share(peak, imports),
        }
        for (c, y), (facility, connection, peak, imports) in zip(keys, values, strict=True)
    ]
    return pd.DataFrame(rows)


def water_table(v: View) -> pd.DataFrame:
    """Site water (thousand m³) per cluster and year, with the cap where one is set."""
    e = v.t["energy_summary"]
    if "water_m3" not in e.columns:
        return pd.DataFrame()
    use = e.pivot_table(index="cluster", columns="year", values="water_m3", aggfunc="sum").reindex(
        index=v.clusters.index, columns=v.years
    )
    caps = limits(v)["water_max_m3"].unstack("year").reindex(index=v.clusters.index, columns=v.years)
    lang = v.lang
    used, capped = use.to_numpy(dtype=float) / 1e3, caps.to_numpy(dtype=float) / 1e3
    rows = []
    for i, c in enumerate(use.index):
        row = {lang("Cluster", "集群"): v.name(str(c))}
        for j, y in enumerate(v.years):
            cell = num(float(used[i, j]))
            row[str(y)] = cell if np.isnan(capped[i, j]) else f"{cell} / {num(float(capped[i, j]))}"
        rows.append(row)
    return pd.DataFrame(rows)


def vintage_table(v: View) -> pd.DataFrame:
    """Existing racks retrofitted and retired per cluster and year (plans with those options only)."""
    t = v.t.get("vintage")
    if t is None or t.empty:
        return pd.DataFrame()
    lang = v.lang
    t = t[(t["retrofit_racks"].abs() > 0.5) | (t["retire_racks"].abs() > 0.5)]
    return pd.DataFrame(
        [
            {
                lang("Cluster", "集群"): v.name(str(r["cluster"])),
                lang("Year", "年份"): str(int(r["year"])),
                lang("Retrofitted racks", "改造机架"): num(r["retrofit_racks"]),
                lang("Retired racks", "退役机架"): num(r["retire_racks"]),
                lang("Racks in use on retrofitted racks", "改造机架在用"): num(r["retrofit_load_racks"]),
            }
            for _, r in t.iterrows()
        ]
    )


def shadow_prices(v: View) -> list[str]:
    """One sentence per binding grid, vintage or water family: where it binds and its largest shadow price."""
    lang, out = v.lang, []
    for family, (en, zh, per) in LIMIT_FAMILIES.items():
        rows = v.binding_rows.get(family)
        if rows is None or rows.empty:
            continue
        at = int(np.argmax(rows["dual"].abs().to_numpy()))
        value, unit, key = abs(float(rows["dual"].iloc[at])), str(rows["unit"].iloc[at]), str(rows["key"].iloc[at])
        out.append(
            lang(
                f"The {en} binds in {len(rows)} row(s); the largest shadow price is {num(value, 1)} {unit} "
                f"at {key}: one more {per} of it would lower the plan's discounted cost by that much.",
                f"{zh}有 {len(rows)} 行约束生效；最大影子价格为 {num(value, 1)} {unit}（{key}）："
                f"每放宽 1 {per}，规划的折现总成本下降该数额。",
            )
        )
    return out


def grid_water_section(v: View) -> Section:
    """算电协同, vintage and water: power limits used, retrofits and retirements, water per cluster."""
    from planner.report.document import Para, Section, Subheading, Table

    lang = v.lang
    blocks: list[Para | Subheading | Table] = [Para(s) for s in shadow_prices(v)]
    power = power_limits_table(v)
    if not power.empty:
        blocks += [
            Subheading(lang("Power limits: how much of each limit the plan uses", "电力约束：规划占用各上限的比例")),
            Table(power),
        ]
    vintage = vintage_table(v)
    if not vintage.empty:
        blocks += [
            Subheading(lang("Existing stock: retrofits and retirements", "存量机架：改造与退役")),
            Table(vintage),
        ]
    water = water_table(v)
    if not water.empty:
        blocks += [
            Subheading(
                lang("Site water per cluster, thousand m³ (use / cap)", "各集群用水量，千立方米（用量 / 上限）")
            ),
            Table(water),
        ]
    if not blocks:
        blocks = [
            Para(
                lang(
                    "This plan folder has no power-limit or water columns (written before they were reported).",
                    "该规划目录没有电力约束或用水数据（生成于这些数据加入之前）。",
                )
            )
        ]
    return Section("grid", lang("Power, existing stock and water", "算电协同、存量机架与用水"), list(blocks))

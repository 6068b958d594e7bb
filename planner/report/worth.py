"""What binds and what it is worth: binding rows of duals.csv turned into plain units and sentences.

Shadow prices are present values at the first planning year (discounted). A `<=` row's dual is
<= 0 and a `>=` row's >= 0 in a minimisation, so |dual| is always what one unit of relief on
the row is worth; each sentence says which way that is. Year-keyed rows also get the value in
that year's money (|dual| / discount factor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from planner.report.scorecard import binding_keys, green_coverage
from planner.report.tables import View, num, pct, year_span

ACCOUNTING = (
    "rack_stock",
    "class_load_balance",
    "power_balance",
    "new_load",
    "new_load_cap",
    "demand_met",
    "build_modules",
)
"""Families whose rows define quantities rather than limit them: not listed as 'binding'."""

MOST_ROWS = 60
"""Most rows listed per family (the rest are counted and stay in duals.csv)."""


def sig(x: float) -> str:
    """About three significant digits with thousands separators: 0.0869, 4.53, 74.9, 2,998."""
    x = abs(float(x))
    digits = 0 if x >= 100 else 1 if x >= 10 else 2 if x >= 1 else 3 if x >= 0.1 else 4
    return num(x, digits)


@dataclass(frozen=True)
class Row:
    """One binding row: where it applies, its year (if any) and its |shadow price| in report units."""

    v: View
    family: str
    parts: list[str]
    value: float
    unit: str

    @property
    def year(self) -> int | None:
        """The row's year, if it has one."""
        years = [int(p) for p in self.parts if p.isdigit() and len(p) == 4]
        return years[0] if years else None

    @property
    def in_year(self) -> float:
        """The value in the row's own year's money (undiscounted)."""
        return self.value / float(self.v.discount[self.year]) if self.year is not None else self.value

    def money(self, unit: str) -> str:
        """`4.53 万元` plus, for a later year, `(5.72 万元 in 2030 money)`."""
        text = f"{sig(self.value)} {unit}"
        if self.year is not None and self.year != self.v.first:
            text += f" ({sig(self.in_year)} {unit} in {self.year} money)"
        return text


def _c(r: Row) -> str:
    return r.v.name(r.parts[0])


def _budget_yearly(r: Row) -> str:
    return f"One more 亿元 of the {r.parts[0]} investment budget lowers total cost by {r.money('亿元')}."


def _budget_total(r: Row) -> str:
    return f"One more 亿元 of the {r.v.first}–{r.v.last} investment budget lowers total cost by {sig(r.value)} 亿元."


def _build_rate(r: Row) -> str:
    pace = r.v.clusters.at[r.parts[0], "build_max_racks_per_year"]
    return f"{_c(r)} builds at its limit of {num(pace)} racks a year in {r.parts[1]}; each rack more that year would lower total cost by {r.money('元')}."


def _land_limit(r: Row) -> str:
    limit = r.v.clusters.at[r.parts[0], "racks_max"]
    return f"{_c(r)} reaches its land/planning limit of {num(limit)} racks in {r.parts[1]}; one rack more allowed would save {r.money('元')}."


def _power_limit(r: Row) -> str:
    limit = r.v.clusters.at[r.parts[0], "power_max_mw"]
    return f"{_c(r)} uses all of its {num(limit)} MW grid connection in {r.parts[1]}; each extra kW would save {r.money('元')}."


def _capacity(r: Row) -> str:
    u_max = r.v.inputs.scenario.rack.utilisation_max
    return f"{_c(r)} is full in {r.parts[1]} ({pct(u_max, 0)} of its racks in use); one more usable rack there that year would save {r.money('元')}."


def _utilisation_floor(r: Row) -> str:
    racks = r.v.t["racks"].set_index(["cluster", "year"])["racks"].get((r.parts[0], int(r.parts[1])), 0.0)
    floor = (
        float(r.v.clusters.at[r.parts[0], "utilisation_min"])
        if pd.notna(r.v.clusters.at[r.parts[0], "utilisation_min"])
        else r.v.inputs.scenario.policy.utilisation_min
    )
    per_point = r.value * racks * 0.01 / 1e4
    return (
        f"The {pct(floor, 0)} 上架率 floor at {_c(r)} in {r.parts[1]} costs {r.money('元')} per rack-year it forces into use "
        f"(about {sig(per_point)} 万元 per percentage point of the floor on {num(racks)} racks)."
    )


def _green_share(r: Row) -> str:
    cover = green_coverage(r.v).set_index(["cluster", "year"])
    energy = float(cover["new_energy_gwh"].get((r.parts[0], int(r.parts[1])), 0.0)) * 1e3
    floor = (
        float(r.v.clusters.at[r.parts[0], "green_share_min_new"])
        if pd.notna(r.v.clusters.at[r.parts[0], "green_share_min_new"])
        else r.v.inputs.scenario.policy.green_share_min_new
    )
    head = f"The {pct(floor, 0)} green-power floor for new racks at {_c(r)} in {r.parts[1]} costs {r.money('元')} per MWh of green power it requires"
    if energy <= 0:
        return head + " (no load on new racks yet: the floor binds at zero, shaping whether new load goes there)."
    return head + f" (about {sig(r.value * energy * 0.01 / 1e4)} 万元 per percentage point on {num(energy / 1e3)} GWh)."


def _renewable_availability(r: Row) -> str:
    when = r.parts[1] if r.parts[2] == "year" else f"{r.parts[1]}, slice {r.parts[2]}"
    return f"{_c(r)} uses all the renewable power it can contract ({when}); each extra MWh available would save {r.money('元')}."


def _certificate_cover(r: Row) -> str:
    return (
        f"Green certificates at {_c(r)} already cover all the grid power bought in {r.parts[1]}; being able to certify one more MWh would save {r.money('元')}."
    )


def _certificate_share(r: Row) -> str:
    return f"Certificates at {_c(r)} are at their cap on the share of green power in {r.parts[1]}; one more MWh allowed would save {r.money('元')}."


def _link_bandwidth(r: Row) -> str:
    return f"The link {r.v.link(r.parts[0], r.parts[1])} is full in {r.parts[2]}; each extra Gbps is worth {r.money('万元')}."


def _link_expansion_limit(r: Row) -> str:
    limit = r.v.links.at[(r.parts[0], r.parts[1]), "bandwidth_expansion_max_gbps"]
    return f"The link {r.v.link(r.parts[0], r.parts[1])} is expanded to its limit (+{num(limit)} Gbps); each extra Gbps allowed is worth {sig(r.value)} 万元."


def _west_share(r: Row) -> str:
    share = r.v.inputs.scenario.policy.west_share_min_new_racks or 0.0
    per_point = r.value * float(r.v.plan["new_racks_total"]) * 0.01 / 1e8
    return (
        f"The {pct(share, 0)} floor on the western clusters' share of new racks costs {sig(r.value)} 元 per rack "
        f"(about {sig(per_point)} 亿元 per percentage point)."
    )


def _hub_share(r: Row) -> str:
    share = float(r.v.hubs.at[r.parts[0], "new_racks_share_min"])
    per_point = r.value * float(r.v.plan["new_racks_total"]) * 0.01 / 1e8
    return (
        f"The {pct(share, 0)} floor on {r.v.name(r.parts[0])}'s share of new racks costs {sig(r.value)} 元 per rack "
        f"(about {sig(per_point)} 亿元 per percentage point)."
    )


def _carbon_cap(r: Row) -> str:
    return f"The {r.parts[0]} carbon cap binds: each extra tonne of CO2 allowed would lower total cost by {r.money('元')}."


FAMILIES: dict[str, tuple[str, Callable[[Row], str]]] = {
    "budget_total": ("Investment budget, whole horizon", _budget_total),
    "budget_yearly": ("Investment budget per year", _budget_yearly),
    "west_share": ("Western share of new racks", _west_share),
    "hub_share": ("Hub share of new racks", _hub_share),
    "carbon_cap": ("Carbon cap", _carbon_cap),
    "green_share": ("Green-power floor for new racks", _green_share),
    "utilisation_floor": ("上架率 floor (racks in use / installed)", _utilisation_floor),
    "certificate_share": ("Certificates' share of green power", _certificate_share),
    "build_rate": ("Construction pace (racks a year)", _build_rate),
    "land_limit": ("Land and planning limit", _land_limit),
    "power_limit": ("Grid connection", _power_limit),
    "link_expansion_limit": ("Link expansion limit", _link_expansion_limit),
    "link_bandwidth": ("Link bandwidth", _link_bandwidth),
    "renewable_availability": ("Contractable renewable power", _renewable_availability),
    "certificate_cover": ("Certificates only cover grid power bought", _certificate_cover),
    "capacity": ("Cluster full (racks in use ≤ usable racks)", _capacity),
}
"""Family -> (title, sentence); the order is the order of the report's section."""


def binding(v: View, most: int = MOST_ROWS) -> pd.DataFrame:
    """Binding inequality rows with their value and a sentence; families in report order, rows by value.

    Every row is listed unless a family has more than `most` (hourly profiles can bind thousands
    of renewable rows); then its `most` most valuable are, and `binding_rows` holds the full count.
    """
    frames = []
    for family, (title, sentence) in FAMILIES.items():
        rows = binding_keys(v, family)
        if rows.empty:
            continue
        items = [Row(v, family, str(k).split("/"), abs(float(d)), str(u)) for k, d, u in rows.itertuples(index=False)]
        items.sort(key=lambda r: (-r.value, r.parts))
        count = len(items)
        items = items[:most]
        frames.append(
            pd.DataFrame(
                {
                    "family": family,
                    "title": title,
                    "binding_rows": count,
                    "where": [_where(r) for r in items],
                    "year": [r.year for r in items],
                    "value": [r.value for r in items],
                    "unit": [r.unit for r in items],
                    "value_in_year": [r.in_year for r in items],
                    "sentence": [sentence(r) for r in items],
                }
            )
        )
    columns = [
        "family",
        "title",
        "binding_rows",
        "where",
        "year",
        "value",
        "unit",
        "value_in_year",
        "sentence",
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _where(r: Row) -> str:
    if r.family in ("link_bandwidth", "link_expansion_limit"):
        return r.v.link(r.parts[0], r.parts[1])
    if r.family in ("budget_total", "budget_yearly", "west_share", "carbon_cap"):
        return "all clusters"
    return r.v.name(r.parts[0])


def unlisted_binding(v: View) -> pd.Series:
    """Binding rows of families not phrased above, counted by family (accounting rows)."""
    d = v.t["duals"]
    rest = d[d["binding"].astype(bool) & ~d["family"].isin(list(FAMILIES))]
    return rest.groupby("family").size()


def demand_cost(v: View) -> pd.DataFrame:
    """What one more rack-year of demand costs (元, in each year's money): rows hub x class, columns years."""
    d = v.t["duals"]
    d = d[d["family"] == "demand_met"]
    if d.empty:
        return pd.DataFrame()
    parts = d["key"].str.split("/", expand=True)
    frame = pd.DataFrame(
        {
            "workload": parts[0],
            "hub": parts[1],
            "year": parts[2].astype(int),
            "dual": d["dual"].to_numpy(),
        }
    )
    frame["value"] = frame["dual"] / frame["year"].map(v.discount)
    pivot = frame.pivot_table(index=["hub", "workload"], columns="year", values="value", aggfunc="first")
    order = [(h, w) for h in v.hubs.index for w in v.workloads.index if (h, w) in pivot.index]
    pivot = pivot.reindex(pd.MultiIndex.from_tuples(order, names=["hub", "workload"]), columns=v.years)
    out = pd.DataFrame({"Hub 枢纽": [v.name(h) for h, _ in order], "Class 业务": [v.zh(w) for _, w in order]})
    for y in v.years:
        out[f"{y} (元/rack-year)"] = [num(x) if pd.notna(x) else "–" for x in pivot[y]]
    return out


def unmet(v: View) -> pd.DataFrame:
    """Unmet demand by hub and class, with the binding constraints that stop it being served."""
    u = v.t["unmet"]
    u = u[u["unmet_racks"] > 0.5]
    rows = []
    for (h, w), g in u.groupby(["hub", "workload"], sort=False):
        years = sorted(int(y) for y in g["year"])
        rows.append(
            {
                "Hub 枢纽": v.name(str(h)),
                "Class 业务": v.name(str(w)),
                "Unmet (rack-years)": num(g["unmet_racks"].sum()),
                "Years": year_span(years),
                "Stopped by": _stoppers(v, str(h), str(w), years),
            }
        )
    return pd.DataFrame(rows, columns=["Hub 枢纽", "Class 业务", "Unmet (rack-years)", "Years", "Stopped by"])


def _stoppers(v: View, hub: str, workload: str, years: list[int]) -> str:
    """Binding rows that limit serving (hub, workload) in the unmet years: budgets, builds, links, caps."""
    limit = v.workloads.at[workload, "latency_max_rtt_ms"]
    links = v.links.loc[hub]
    eligible = [str(c) for c in links.index if pd.isna(limit) or links.at[c, "rtt_ms"] <= limit]
    last = max(years)
    found: list[str] = []

    def add(family: str, label: str, keys: list[str]) -> None:
        rows = binding_keys(v, family)
        hit = sorted(int(k.split("/")[-1]) if k.split("/")[-1].isdigit() else 0 for k in rows["key"] if k in set(keys))
        if hit:
            found.append(label + (f" ({year_span([y for y in hit if y])})" if any(hit) else ""))

    add("budget_total", "total budget", ["total"])
    add("budget_yearly", "yearly budget", [str(y) for y in v.years if y <= last])
    add("carbon_cap", "carbon cap", [str(y) for y in years])
    for c in eligible:
        add(
            "build_rate",
            f"construction pace at {v.zh(c)}",
            [f"{c}/{y}" for y in v.years if y <= last],
        )
        add("land_limit", f"land limit at {v.zh(c)}", [f"{c}/{y}" for y in years])
        add("power_limit", f"grid connection at {v.zh(c)}", [f"{c}/{y}" for y in years])
        add("link_bandwidth", f"link to {v.zh(c)} full", [f"{hub}/{c}/{y}" for y in years])
        add("link_expansion_limit", f"link expansion to {v.zh(c)}", [f"{hub}/{c}"])
    if found:
        return "; ".join(found)
    penalty = v.inputs.scenario.unmet_penalty_yuan_per_rack_year
    return f"no limit binds: serving it would cost more than the unmet-demand penalty ({num(penalty)} 元/rack-year)"

"""Domain words for diagnoses: what a relaxed row means, and what a conflicting family requires.

Rows are named by their family and key (`utilisation_floor`, ("west1", "2026")); amounts and
limits arrive in report units (racks, GWh, 亿元, Gbps, MW, Mt CO2). Names come from the case:
`庆阳 (qingyang)`, `京津冀 (jingjinji)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import pandas as pd

from planner.model import registry
from planner.verify.base import Case

ROW_UNITS: dict[str, tuple[str, float]] = {
    "budget_yearly": ("亿元", 1.0),
    "budget_total": ("亿元", 1.0),
    "utilisation_floor": ("racks", 1e3),
    "incumbent_load": ("racks", 1e3),
    "base_year_load": ("racks", 1e3),
    "green_share": ("GWh", 1.0),
    "certificate_share": ("GWh", 1.0),
    "renewable_availability": ("GWh", 1.0),
    "carbon_cap": ("Mt CO2", 1e-3),
    "land_limit": ("racks", 1e3),
    "build_rate": ("racks", 1e3),
    "power_limit": ("MW", 1.0),
    "grid_import": ("GWh", 1.0),
    "water_cap": ("thousand m3", 1.0),  # model unit: 1e3 m3
    "link_bandwidth": ("Gbps", 1.0),
    "link_expansion_limit": ("Gbps", 1.0),
    "west_share": ("racks", 1e3),
    "hub_share": ("racks", 1e3),
    "national_hubs_share": ("racks", 1e3),
    "intelligent_share": ("EFLOPS", 1.0),
}
"""Families a diagnosis may relax (policy targets and physical limits) -> (report unit, factor from model units)."""

FLOORS = frozenset({"utilisation_floor", "incumbent_load", "green_share", "west_share", "hub_share",
                    "national_hubs_share", "intelligent_share"})
"""Families that demand something (a relaxation lowers them); the rest cap something."""

MECHANICS = frozenset(
    {
        "class_load_balance",
        "rack_stock",
        "power_balance",
        "new_load",
        "new_load_cap",
        "certificate_cover",
        "build_modules",
        "capacity",
    }
)
"""Accounting rows: always part of a conflict's chain, never its cause worth naming."""


class Words:
    """Phrases for one case."""

    def __init__(self, case: Case) -> None:
        self.case = case

    def cluster(self, c: str) -> str:
        """`庆阳 (qingyang)`."""
        cl = self.case.clusters
        return f"{cl.at[c, 'name_zh']!s} ({c})" if c in cl.index else c

    def hub(self, h: str) -> str:
        """`京津冀 (jingjinji)`."""
        hubs = self.case.hubs
        return f"{hubs.at[h, 'name_zh']!s} ({h})" if h in hubs.index else h

    def link(self, h: str, c: str) -> str:
        """`京津冀 (jingjinji) → 张家口 (zhangjiakou)`."""
        return f"{self.hub(h)} → {self.cluster(c)}"

    def relaxed(self, family: str, key: tuple[str, ...], amount: float, limit: float) -> str:
        """What relaxing one row by `amount` means: 'the 2027 budget (120.00 亿元) is 35.00 亿元 short'."""
        cl = self.case.clusters
        k = key
        if family == "budget_yearly":
            return f"the {k[0]} budget ({limit:,.2f} 亿元) is {amount:,.2f} 亿元 short"
        if family == "budget_total":
            return f"the total budget ({limit:,.2f} 亿元) is {amount:,.2f} 亿元 short"
        if family == "carbon_cap":
            return f"the {k[0]} carbon cap ({limit:,.3f} Mt CO2) is {amount:,.3f} Mt short"
        if family == "utilisation_floor":
            return (
                f"the {_num(cl, k[0], 'utilisation_min'):.0%} utilisation floor at {self.cluster(k[0])} in {k[1]} is "
                f"{amount:,.0f} racks in use short"
            )
        if family == "incumbent_load":
            return (
                f"the tenants staying at {self.cluster(k[0])} in {k[1]} are {amount:,.0f} racks in use more than the "
                "demand that can reach it"
            )
        if family == "base_year_load":
            return (
                f"the base-year tenants at {self.cluster(k[0])} ({limit:,.0f} racks in use) are {amount:,.0f} racks "
                "short of the load that has to go there"
            )
        if family == "green_share":
            return (
                f"the {_num(cl, k[0], 'green_share_min_new'):.0%} green-power floor at {self.cluster(k[0])} in {k[1]} "
                f"is {amount:,.2f} GWh of green power short"
            )
        if family == "certificate_share":
            share = self.case.certificate_share_max or 0.0
            return (
                f"the {share:.0%} cap on certificates' share of green power at {self.cluster(k[0])} in {k[1]} is "
                f"{amount:,.2f} GWh of certificates short"
            )
        if family == "renewable_availability":
            slice_note = "" if k[2] == "year" else f", time slice {k[2]}"
            return (
                f"the renewable potential at {self.cluster(k[0])} ({limit:,.2f} GWh{slice_note}) is {amount:,.2f} GWh "
                f"short in {k[1]}"
            )
        if family == "land_limit":
            return f"the land limit at {self.cluster(k[0])} ({limit:,.0f} racks) is {amount:,.0f} racks short in {k[1]}"
        if family == "build_rate":
            return (
                f"the build pace at {self.cluster(k[0])} ({limit:,.0f} racks a year) is {amount:,.0f} racks short in "
                f"{k[1]}"
            )
        if family == "power_limit":
            return f"the grid connection at {self.cluster(k[0])} ({limit:,.1f} MW) is {amount:,.1f} MW short in {k[1]}"
        if family == "water_cap":
            cap, short = limit * 1e3, amount * 1e3
            return f"the water cap at {self.cluster(k[0])} ({cap:,.0f} m3) is {short:,.0f} m3 short in {k[1]}"
        if family == "grid_import":
            at = f"{self.cluster(k[0])} ({limit:,.2f} GWh in slice {k[2]})"
            return f"the import limit at {at} is {amount:,.2f} GWh short in {k[1]}"
        if family == "link_bandwidth":
            return (
                f"the link {self.link(k[0], k[1])} ({limit:,.0f} Gbps before expansion) is {amount:,.1f} Gbps short in "
                f"{k[2]}"
            )
        if family == "link_expansion_limit":
            return (
                f"the expansion limit of the link {self.link(k[0], k[1])} ({limit:,.0f} Gbps) is {amount:,.1f} Gbps "
                "short"
            )
        if family == "west_share":
            return f"the {self.case.west_share_min or 0:.0%} western share of new racks is {amount:,.0f} racks short"
        if family == "hub_share":
            share = _num(self.case.hubs, k[0], "new_racks_share_min")
            return f"the {share:.0%} share of new racks reserved for {self.hub(k[0])} is {amount:,.0f} racks short"
        if family == "national_hubs_share":
            share = self.case.national_hubs_share_min or 0
            return f"the {share:.0%} national hubs' share of new racks is {amount:,.0f} racks short"
        return f"{family} {'/'.join(k)} is {amount:,.4g} short"

    def action(self, family: str, key: tuple[str, ...], amount: float, limit: float) -> str:
        """The change that relaxes a row: 'raise the 2026 budget by 0.30 亿元 to 0.80 亿元'."""
        cl = self.case.clusters
        k = key
        phrases = {
            "budget_yearly": lambda: f"raise the {k[0]} budget by {amount:,.2f} 亿元 to {limit + amount:,.2f} 亿元",
            "budget_total": lambda: f"raise the total budget by {amount:,.2f} 亿元 to {limit + amount:,.2f} 亿元",
            "carbon_cap": lambda: f"raise the {k[0]} carbon cap by {amount:,.3f} Mt CO2 to {limit + amount:,.3f} Mt",
            "utilisation_floor": lambda: (
                f"let {self.cluster(k[0])} run {amount:,.0f} racks in use below its "
                f"{_num(cl, k[0], 'utilisation_min'):.0%} utilisation floor in {k[1]}"
            ),
            "green_share": lambda: (
                f"let {self.cluster(k[0])} take {amount:,.2f} GWh less green power than its "
                f"{_num(cl, k[0], 'green_share_min_new'):.0%} floor asks in {k[1]}"
            ),
            "incumbent_load": lambda: f"let {amount:,.0f} more racks in use leave {self.cluster(k[0])} in {k[1]}",
            "base_year_load": lambda: (
                f"let {amount:,.0f} more racks in use onto the racks in place at {self.cluster(k[0])} in the base year"
            ),
            "certificate_share": lambda: (
                f"allow {amount:,.2f} GWh more green certificates at {self.cluster(k[0])} in {k[1]}"
            ),
            "renewable_availability": lambda: (
                f"contract {amount:,.2f} GWh more renewable power at {self.cluster(k[0])} in {k[1]}"
            ),
            "land_limit": lambda: f"raise the land limit at {self.cluster(k[0])} by {amount:,.0f} racks",
            "build_rate": lambda: f"let {self.cluster(k[0])} build {amount:,.0f} more racks in {k[1]}",
            "power_limit": lambda: f"raise the grid connection at {self.cluster(k[0])} by {amount:,.1f} MW",
            "water_cap": lambda: f"raise the water cap at {self.cluster(k[0])} by {amount * 1e3:,.0f} m3 in {k[1]}",
            "grid_import": lambda: f"let {self.cluster(k[0])} import {amount:,.2f} GWh more in {k[1]} (slice {k[2]})",
            "link_bandwidth": lambda: f"add {amount:,.1f} Gbps to the link {self.link(k[0], k[1])} by {k[2]}",
            "link_expansion_limit": lambda: (
                f"allow {amount:,.1f} Gbps more expansion of the link {self.link(k[0], k[1])}"
            ),
            "west_share": lambda: f"lower the western share of new racks by {amount:,.0f} racks",
            "hub_share": lambda: f"lower the share of new racks reserved for {self.hub(k[0])} by {amount:,.0f} racks",
            "intelligent_share": lambda: f"lower the intelligent-compute floor by {amount:,.4g} EFLOPS in {k[0]}",
            "national_hubs_share": lambda: f"let {amount:,.0f} more new racks go to sites outside the national hubs",
        }
        return phrases[family]() if family in phrases else f"relax {family} {'/'.join(k)} by {amount:,.4g}"

    def requirement(self, family: str, keys: Iterable[tuple[str, ...]], sides: Iterable[str] = ()) -> str:
        """What a conflicting family asks for.

        For example 'the 80 % green-power floor at 中卫 (zhongwei) and 庆阳 (qingyang)'.
        """
        keys = list(dict.fromkeys(keys))
        cl = self.case.clusters
        clusters = list(dict.fromkeys(k[0] for k in keys if k))
        years = _years(k[-1] for k in keys if k)
        at = _join(self.cluster(c) for c in clusters)
        if family == "utilisation_floor":
            return f"the {_shares(cl.loc[clusters, 'utilisation_min'])} utilisation floor at {at}{years}"
        if family == "green_share":
            return f"the {_shares(cl.loc[clusters, 'green_share_min_new'])} green-power floor at {at}{years}"
        if family == "certificate_share":
            return f"the {self.case.certificate_share_max or 0:.0%} cap on certificates at {at}{years}"
        if family == "renewable_availability":
            return f"the renewable potential at {at}{_years(k[1] for k in keys)}"
        if family in ("land_limit", "build_rate", "power_limit"):
            what = {"land_limit": "land limit", "build_rate": "build pace", "power_limit": "grid connection"}[family]
            return f"the {what} at {at}{years}"
        if family in ("budget_yearly", "carbon_cap"):
            what = "budget" if family == "budget_yearly" else "carbon cap"
            return f"the {_join(k[0] for k in keys)} {what}"
        if family == "budget_total":
            return "the total budget"
        if family in ("link_bandwidth", "link_expansion_limit"):
            what = "capacity" if family == "link_bandwidth" else "expansion limit"
            links = list(dict.fromkeys((k[0], k[1]) for k in keys))
            return f"the {what} of the link{'s' if len(links) > 1 else ''} {_join(self.link(h, c) for h, c in links)}"
        if family == "west_share":
            return f"the {self.case.west_share_min or 0:.0%} western share of new racks"
        if family == "hub_share":
            return f"the share of new racks reserved for {_join(self.hub(k[0]) for k in keys)}"
        if family == "national_hubs_share":
            return f"the {self.case.national_hubs_share_min or 0:.0%} national hubs' share of new racks"
        if family == "demand_met":
            hubs = list(dict.fromkeys(k[1] for k in keys))
            firm = "lower" in set(sides)
            racks = float(self.case.demand.reindex([(k[0], k[1], int(k[2])) for k in keys]).fillna(0.0).sum())
            what = "serving all the demand of" if firm else "the demand of"
            return f"{what} {_join(self.hub(h) for h in hubs)} ({racks:,.0f} racks{_years(k[2] for k in keys)})"
        return f"{_wording(family)} ({_join('/'.join(k) for k in keys)})"


def _wording(family: str) -> str:
    """A family's diagnosis wording from the registry (the raw name for rows of no family, e.g. a bound)."""
    declared = registry.BY_NAME.get(family)
    return declared.diagnosis if declared is not None else family


def _years(values: Iterable[str]) -> str:
    years = sorted(dict.fromkeys(str(v) for v in values if str(v).isdigit()))
    return f" in {_join(years)}" if years else ""


def _shares(values: Iterable[float]) -> str:
    distinct = sorted(dict.fromkeys(round(float(v), 4) for v in values))
    return "/".join(f"{v:.0%}" for v in distinct)


def _join(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if len(items) > 4:
        return f"{', '.join(items[:3])} and {len(items) - 3} more"
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _num(frame: pd.DataFrame, row: object, column: str) -> float:
    """A numeric cell of an input table (pandas-stubs type `.at` as any scalar)."""
    return cast(float, frame.at[row, column])

"""A plan's headline numbers, labelled and formatted once for every view (terminal, notebook, compare).

`plan_status` is the plan's verdict in words: the solver's status, plus `demand unmet` when the
plan leaves any demand unserved, so such a plan never reads like any other optimal one.
"""

from __future__ import annotations

from typing import Any

UNMET_TOLERANCE_RACK_YEARS = 0.5
"""Unmet demand below this (rounding noise of the solver) does not count as unmet."""

KIND_FORMATS = {
    "money": "{:,.1f}",
    "racks": "{:,.0f}",
    "mt": "{:,.2f}",
    "gwh": "{:,.0f}",
    "ratio": "{:.3f}",
}


def fmt(value: object, kind: str) -> str:
    """One number format for every command: shares as `77.8 %`, money to 0.1 亿元, racks whole."""
    if value is None or (isinstance(value, float) and value != value):  # NaN is the one value not equal to itself
        return "-"
    try:
        number = float(value)  # type: ignore[arg-type]  # any value: what float() refuses is text
    except (TypeError, ValueError):
        return str(value)
    if kind == "share":
        return f"{number * 100:.1f} %"
    return KIND_FORMATS.get(kind, "{:,.2f}").format(number)


def years_label(plan: dict[str, Any]) -> str:
    """`2026-2030` from the plan's own horizon (plan.json `years`)."""
    years = plan.get("years") or []
    return f"{years[0]}-{years[-1]}" if years else "horizon"


def headline(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(plan.json key, label with unit, kind) of the headline numbers, labels built from the plan's years."""
    years = years_label(plan)
    return [
        ("objective_yi_yuan", "total discounted cost (亿元)", "money"),
        ("investment_total_yi_yuan", f"investment {years}, undiscounted (亿元)", "money"),
        ("new_racks_total", f"new racks {years} (racks)", "racks"),
        ("new_racks_east", "  of which east (racks)", "racks"),
        ("new_racks_west", "  of which west (racks)", "racks"),
        ("west_share_of_new_racks", "west share of new racks", "share"),
        ("green_share", "green-power share (of facility energy)", "share"),
        ("emissions_mt_co2", f"emissions {years} (Mt CO2)", "mt"),
        ("unmet_rack_years", "unmet demand (rack-years)", "racks"),
        ("average_pue", "average PUE", "ratio"),
        ("facility_energy_gwh", "facility energy (GWh)", "gwh"),
    ]


def demand_unmet(plan: dict[str, Any]) -> bool:
    """True when the plan leaves demand unserved (more than rounding noise)."""
    return float(plan.get("unmet_rack_years") or 0.0) > UNMET_TOLERANCE_RACK_YEARS


def plan_status(status: str, plan: dict[str, Any]) -> str:
    """The plan's verdict: `optimal`, `feasible` (stopped early), each with `, demand unmet` when so."""
    return f"{status}, demand unmet" if status in ("optimal", "feasible") and demand_unmet(plan) else status

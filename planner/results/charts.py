"""Headline charts of a plan for notebooks (`Plan.plot`); matplotlib is imported only when drawing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from planner.results.plan import Plan

CHARTS = {
    "racks": ("racks", "cluster", "new_racks", "New racks per cluster", "new racks (racks)"),
    "investment": ("investment", "hub", "total_yi_yuan", "Investment per hub", "investment (1e8 yuan, undiscounted)"),
}


def plot_plan(plan: Plan, what: str = "racks", ax: Axes | None = None) -> Axes:
    """Stacked bars by year: new racks per cluster, investment per hub, or energy by source."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    if what == "energy":
        wide = plan.energy.groupby("year")[["grid_gwh", "renewable_gwh", "certificates_gwh"]].sum()
        title, ylabel = "Facility energy by source", "energy (GWh)"
    elif what in CHARTS:
        table, column, value, title, ylabel = CHARTS[what]
        wide = plan.tables[table].pivot_table(index=column, columns="year", values=value, aggfunc="sum").fillna(0.0)
    else:
        msg = f"unknown chart {what!r}; choose one of racks, investment, energy"
        raise ValueError(msg)
    wide.plot.bar(stacked=True, ax=ax, width=0.8)
    ax.set_title(f"{title} - {plan.summary.get('case')} ({plan.summary.get('time_resolution', '')})", fontsize=10)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(fontsize=8, ncols=2)
    return ax

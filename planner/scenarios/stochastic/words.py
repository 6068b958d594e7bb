"""The robustness section in words: the here-and-now plan, the regret table, VSS and EVPI."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from planner.scenarios.stochastic.run import StochasticOutcome

OBJECTIVES = {"expected": "expected cost", "cvar": "expected cost plus CVaR", "regret": "minimax regret"}


def markdown_table(frame: pd.DataFrame, index: bool = True) -> str:
    """A DataFrame as a Markdown table (numbers with thousands separators, 3 decimals below 1,000)."""
    shown = frame.reset_index() if index else frame

    def cell(x: object) -> str:
        if isinstance(x, float | np.floating):
            x = float(x)
            return "—" if not np.isfinite(x) else "0" if x == 0 else f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.3f}"
        return str(x)

    head = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    body = ["| " + " | ".join(cell(x) for x in row) + " |" for row in shown.itertuples(index=False, name=None)]
    return "\n".join([head, rule, *body])


def _money(x: float) -> str:
    return "infeasible" if not np.isfinite(x) else f"{x:,.2f} 亿元"


def here_and_now_summary(first: pd.DataFrame) -> pd.DataFrame:
    """Racks built and link capacity added (Gbps) up to the commitment year, per cluster: each plan side by side."""
    plans = [c for c in first.columns if c == "stochastic" or c == "ev_plan" or c.startswith("pf_")]
    racks = first[first["variable"] == "racks_new"].groupby("cluster")[plans].sum() * 1000.0
    links = first[first["variable"] == "bandwidth_new"][plans].sum().rename("links_gbps (all)")
    table = racks.round(0)
    table.loc["all clusters (racks)"] = racks.sum().round(0)
    table.loc["link capacity added (Gbps)"] = links.round(1)
    return table


def robustness_markdown(outcome: StochasticOutcome) -> str:
    """The robustness section (Markdown)."""
    f = outcome.figures
    n = len(outcome.names)
    lines = [
        f"# Robustness: {outcome.name}",
        "",
        f"Plan over {n} futures, objective: {OBJECTIVES[outcome.objective_kind]} ({_money(outcome.objective)}).",
        "",
    ]
    lines += [
        "## Here-and-now plan",
        "",
        "New racks per cluster (racks) and link capacity added (Gbps) committed before the futures are known; "
        "`stochastic` is the plan over all futures, `ev_plan` the plan for the average forecast, "
        "`pf_<future>` the plan with perfect foresight of that future.",
        "",
    ]
    lines += [markdown_table(here_and_now_summary(outcome.first).rename_axis("cluster")), ""]
    table = outcome.futures[
        [
            "future",
            "probability",
            "cost_yi_yuan",
            "perfect_foresight_yi_yuan",
            "regret_yi_yuan",
            "ev_plan_cost_yi_yuan",
            "ev_plan_regret_yi_yuan",
        ]
    ]
    shown = table if n <= 20 else table.sort_values("regret_yi_yuan", ascending=False).head(20)
    lines += [
        "## Regret against each future's perfect-foresight plan",
        "",
        "Cost of each plan in each future (亿元, present value, recourse adapted to the future) and its regret: "
        "the cost above what "
        "that future's own perfect-foresight plan achieves."
        + ("" if n <= 20 else f" The 20 futures of largest regret of {n}."),
        "",
    ]
    lines += [markdown_table(shown, index=False), ""]
    vss, evpi = f["vss_yi_yuan"], f["evpi_yi_yuan"]
    lines += ["## Value of the stochastic solution and of perfect information", ""]
    if np.isfinite(vss):
        lines.append(
            f"- **VSS {_money(vss)}**: committing to the stochastic plan saves {_money(vss)} in expectation "
            "against planning for the average "
            f"forecast and adapting later (expected cost {_money(f['rp_yi_yuan'])} "
            f"against {_money(f['eev_yi_yuan'])})."
        )
    else:
        lines.append(
            "- **VSS unbounded**: the plan for the average forecast leaves at least one future "
            "without any feasible recourse "
            f"(see `ev_plan_cost_yi_yuan`); the stochastic plan's expected cost is {_money(f['rp_yi_yuan'])}."
        )
    lines.append(
        f"- **EVPI {_money(evpi)}**: knowing the future before committing would save {_money(evpi)} in expectation "
        f"(wait-and-see cost {_money(f['ws_yi_yuan'])}); this is the most worth paying for better forecasts."
    )
    lines.append(
        f"- Largest regret: {_money(f['max_regret_yi_yuan'])} for the stochastic plan, "
        f"{_money(f['max_regret_of_ev_plan_yi_yuan'])} for the average-forecast plan."
    )
    if "agreement" in outcome.methods:
        a = outcome.methods["agreement"]
        lines.append(
            "- Solved twice: extensive form and L-shaped decomposition agree to "
            f"{a['objective_rel_diff']:.1e} (objective, relative) and "
            f"{a['plan_max_abs_diff']:.1e} (largest here-and-now difference, model units)."
        )
    return "\n".join(lines) + "\n"

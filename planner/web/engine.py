"""The one place the web app calls the pipeline, verify and compare.

An adapter: a change of the pipeline's signature is a change here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESOLUTIONS = ("year", "days")


@dataclass
class SolveOutcome:
    """What a solve job keeps: the plan.json mapping and where the plan folder is."""

    plan: dict[str, Any]
    out_dir: Path


def solve(case_dir: Path, out_dir: Path, days: int | None = None) -> SolveOutcome:
    """Solve a case folder into `out_dir` (replaced if present); raises PlannerError subclasses as `run` does."""
    from planner.pipeline import run_case

    overrides: dict[str, Any] = {
        "output_dir": out_dir,
        "force": True,
        "time_resolution": f"days:{days}" if days else None,
    }
    outcome = run_case(case_dir, (), overrides)
    assert outcome.out_dir is not None  # written: output_dir is given
    return SolveOutcome(outcome.plan, outcome.out_dir)


def verify(out_dir: Path) -> tuple[bool, str]:
    """`planner verify` on a plan folder: (every constraint holds, the text verdict)."""
    from planner.verify.check import verify_outputs

    report = verify_outputs(out_dir)
    return report.ok, report.to_text()


def compare_html(folders: list[Path], names: list[str]) -> tuple[dict[str, Any], str]:
    """`planner compare` on plan folders: KPI table (label -> {plan name: value}) and the compare page."""
    from planner.scenarios.compare import compare, render_html

    comparison = compare(folders)
    comparison.names[:] = names
    comparison.kpis.columns = names
    for frame in (comparison.costs, comparison.racks_by_cluster, comparison.investment_by_hub):
        frame.columns = names
    kpis = {str(label): {n: row[n] for n in names} for label, row in comparison.kpis.iterrows()}
    return kpis, render_html(comparison)

"""The one place the web app calls the pipeline, verify and compare.

An adapter: a change of the pipeline's signature is a change here only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
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


def diagnose(case_dir: Path, out_dir: Path) -> tuple[str, dict[str, Any]]:
    """`planner diagnose` on a case folder into `out_dir`: (diagnosis.md text, diagnosis.json mapping)."""
    from planner.analysis.diagnose import to_markdown
    from planner.pipeline import diagnose_case

    diagnosis, _ = diagnose_case(case_dir, (), {"output_dir": out_dir})
    return to_markdown(diagnosis), diagnosis.to_dict()


MAX_SWEEP_SCENARIOS = 49


def sweep_file(case_dir: Path, parameters: dict[str, dict[str, Any]], name: str, spec_dir: Path) -> dict[str, Any]:
    """A sweep file (examples/sweep_*.yaml format) in `spec_dir` over the case folder's settings.

    `base` is relative to the file's folder (where `planner sweep` looks too), so no server path shows on the page.
    """
    base = os.path.relpath(case_dir, spec_dir)
    return {"name": name, "description": "Sweep from the planner workspace.", "base": base, "parameters": parameters}


def sweep(spec_path: Path, out_dir: Path, progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """`planner sweep` in this process, one scenario after another (warm re-solves); the results table as rows.

    The sweep's own Dask cluster is not used: a job already runs in a worker process of its own.
    """
    from planner.scenarios.spec import load_sweep
    from planner.scenarios.store import ScenarioStore, write_page, write_table
    from planner.scenarios.sweep import results_table, solve_scenario
    from planner.scenarios.sweep_page import render_sweep

    spec = load_sweep(spec_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    scenarios = ScenarioStore(out_dir)
    for n, task in enumerate(spec.tasks, start=1):
        scenarios.write(solve_scenario(task, spec.raw, spec.base_id))
        if progress is not None:
            progress(n, len(spec.tasks))
    table = results_table(spec, scenarios)
    write_table(out_dir, table)
    write_page(out_dir, render_sweep(spec, table))
    records: list[dict[str, Any]] = json.loads(table.to_json(orient="records"))
    return records

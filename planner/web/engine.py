"""The one place the web app calls the pipeline, verify and compare.

An adapter: a change of the pipeline's signature is a change here only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

RESOLUTIONS = ("year", "days", "hours")


@dataclass
class SolveOutcome:
    """What a solve job keeps: the plan.json mapping and where the plan folder is."""

    plan: dict[str, Any]
    out_dir: Path


def time_resolution(options: dict[str, Any]) -> str | None:
    """A solve job's options as `solver.time_resolution`: `days:N`, `year`, `hours`, or None (the case's own)."""
    if options.get("days"):
        return f"days:{int(options['days'])}"
    resolution = options.get("resolution")
    return str(resolution) if resolution in ("year", "hours") else None


def solve(case_dir: Path, out_dir: Path, resolution: str | None = None) -> SolveOutcome:
    """Solve a case folder into `out_dir` (replaced if present) at `resolution`; raises as `run` does.

    `resolution` is `time_resolution(options)`; None keeps the case's own.
    """
    from planner.pipeline import run_case

    overrides: dict[str, Any] = {"output_dir": out_dir, "force": True, "time_resolution": resolution}
    outcome = run_case(case_dir, (), overrides)
    assert outcome.out_dir is not None  # written: output_dir is given
    return SolveOutcome(outcome.plan, outcome.out_dir)


def verify(out_dir: Path) -> tuple[bool, str]:
    """`planner verify` on a plan folder: (every constraint holds, the text verdict)."""
    from planner.verify.check import verify_outputs

    report = verify_outputs(out_dir)
    return report.ok, hide_folders(report.to_text(), {out_dir: "plan"})


def hide_folders(text: str, names: dict[Path, str]) -> str:
    """`text` with each folder (as given and resolved) written as its name: no server path reaches a page."""
    for folder, name in names.items():
        for form in sorted({str(folder), str(folder.resolve())}, key=len, reverse=True):
            text = text.replace(form, name)
    return text


def compare_html(folders: list[Path], names: list[str], lang: str = "both") -> tuple[dict[str, Any], str]:
    """`planner compare` on plan folders: KPI table (label -> {plan name: value}) and the compare page in `lang`.

    The page names the plans by `names` only: no folder of the server's data folder shows on it.
    """
    import pandas as pd

    from planner.scenarios.compare import compare, render_html

    comparison = compare(folders)
    renamed = dict(zip(comparison.names, names, strict=True))
    comparison.names[:] = names
    comparison.kpis.columns = names
    for frame in (comparison.costs, comparison.racks_by_cluster, comparison.investment_by_hub):
        frame.columns = names
    comparison.binding["plan"] = comparison.binding["plan"].map(renamed)
    plans = comparison.plans.drop(columns="folder").set_axis(pd.Index(names, name="plan"))
    comparison = replace(comparison, plans=plans, folders=[Path(n) for n in names])
    kpis = {str(label): {n: row[n] for n in names} for label, row in comparison.kpis.iterrows()}
    return kpis, render_html(comparison, lang)


def report_in(plan_dir: Path, target: Path, lang: str) -> Path:
    """The plan's report.html in `lang` (zh or en) at `target`, rendered from the plan folder unless already there."""
    if not target.is_file():
        from planner.report.build import render_report
        from planner.results.plan_folder import read_plan_folder

        partial = target.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(render_report(read_plan_folder(plan_dir), lang)["report.html"], encoding="utf-8")
        partial.replace(target)
    return target


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


def sweep(
    spec_path: Path,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> list[dict[str, Any]]:
    """`planner sweep`: the results table as rows.

    Without `scheduler`, in this process, one scenario after another (warm re-solves): a job already runs in
    a worker process of its own, so no local Dask cluster is started. With `scheduler` (tcp://HOST:PORT), on
    that Dask cluster, as `planner sweep --scheduler` does.
    """
    if scheduler:
        from planner.scenarios.sweep import run_sweep

        def done(n: int, total: int, _row: dict[str, Any]) -> None:
            if progress is not None:
                progress(n, total)

        outcome = run_sweep(spec_path, scheduler, None, out_dir, done)
        remote: list[dict[str, Any]] = json.loads(outcome.table.to_json(orient="records"))
        return remote
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

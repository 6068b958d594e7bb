"""The `planner` command line: a thin layer over the Python API (parse, call, render, exit).

Exit codes: 0 plan found (optimal, or feasible within the gap); 1 internal or other planner error;
2 bad input or usage; 3 infeasible; 4 time limit without a feasible plan.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from planner.errors import InfeasibleError, InputError, PlannerError

app = typer.Typer(
    name="planner",
    help=(
        "Plan where China's next data-centre racks go (东数西算): validate planning inputs, solve the "
        "capacity LP/MILP, and write plans and reports.\n\n"
        "Examples:\n\n"
        "  planner validate inputs/default\n\n"
        "  planner solve inputs/default\n\n"
        "  planner solve inputs/default --scenario examples/budget_cut.yaml --out outputs/budget_cut\n\n"
        "  planner solve inputs/default --solver cbc --time-limit 60\n\n"
        "  planner report outputs/default\n\n"
        "  planner compare outputs/baseline outputs/budget_cut\n\n"
        "  planner sweep examples/sweep_budget_green.yaml --workers 2"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, Any] = {"debug": False}

CaseArg = Annotated[Path, typer.Argument(help="Case folder: scenario.yaml plus the CSV tables (see docs/inputs.md).", show_default=False)]
ScenarioOpt = Annotated[list[Path] | None, typer.Option("--scenario", "-s", help="Scenario overlay YAML; repeat to apply several in order.")]


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage (model size, solver progress).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for planner errors.")] = False,
) -> None:
    """Global options."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)
    _state["debug"] = debug


def fail(error: PlannerError) -> NoReturn:
    """Print a planner error the way a user should see it, then exit with its code."""
    if _state["debug"]:
        raise error
    if isinstance(error, InfeasibleError) and error.report:
        out.print(error.report, highlight=False, markup=False)
    if isinstance(error, InputError):
        err.print(f"[bold red]error:[/] {len(error.problems)} problem(s) in the planning inputs:", highlight=False)
        for problem in error.problems:
            err.print(f"  {problem}", highlight=False, markup=False)
        err.print("Nothing was written. Fix the inputs and run `planner validate` again.", highlight=False)
    else:
        err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
    raise typer.Exit(error.exit_code)


@app.command()
def validate(case: CaseArg, scenario: ScenarioOpt = None) -> None:
    """Check a case's files, rows and cross-references without solving.

    Example: planner validate inputs/default --scenario examples/green_100.yaml
    """
    from planner.pipeline import load_case

    try:
        _, inputs = load_case(case, scenario or [])
    except PlannerError as error:
        fail(error)
    s = inputs.scenario
    out.print(
        f"[green]ok[/] case '{s.name}': {len(inputs.hubs)} hubs, {len(inputs.clusters)} clusters, "
        f"{len(inputs.workloads)} workload classes, {s.years.first}-{s.years.last}, {len(inputs.demand)} demand rows, "
        f"{len(inputs.links)} links, {len(inputs.profiles) or 'no'} profile rows",
        highlight=False,
    )


@app.command()
def solve(
    case: CaseArg,
    scenario: ScenarioOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder [default: outputs/<case name>].")] = None,
    solver: Annotated[str | None, typer.Option(help="highs (default) or cbc (needs the `cbc` extra).")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Solver time limit in seconds.")] = None,
    mip_gap: Annotated[float | None, typer.Option("--mip-gap", help="Relative MIP gap for modular (integer) builds.")] = None,
    threads: Annotated[int | None, typer.Option(help="Solver threads.")] = None,
    write_lp: Annotated[bool, typer.Option("--write-lp", help="Also write the model as model.lp.")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Also write report.html and report.md.")] = True,
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing output folder.")] = False,
    hours: Annotated[str | None, typer.Option("--hours", help="`full`: every hour of the year (8760 slices) from the case's profiles/.")] = None,
    days: Annotated[int | None, typer.Option("--days", min=1, max=365, help="K representative days (24 hourly slices each) from the case's profiles/.")] = None,
    method: Annotated[str | None, typer.Option("--method", help="HiGHS LP method: choose, simplex, ipm or pdlp.")] = None,
) -> None:
    """Solve a case and write the plan (plan.json, tidy CSVs, duals.csv, manifest.json, report.html/.md).

    Example: planner solve inputs/default --days 12 --out outputs/default_12d
    """
    from planner.pipeline import run

    if hours not in (None, "full") or (hours and days):
        raise typer.BadParameter("--hours takes `full` and cannot be combined with --days", param_hint="--hours")
    if method not in (None, "choose", "simplex", "ipm", "pdlp"):
        raise typer.BadParameter("expected choose, simplex, ipm or pdlp", param_hint="--method")
    resolution = "hours" if hours else f"days:{days}" if days else None
    overrides: dict[str, Any] = {"output_dir": out_dir, "solver": solver, "time_limit_s": time_limit, "mip_gap": mip_gap, "threads": threads, "write_lp": write_lp, "report": report}
    overrides |= {"force": force, "time_resolution": resolution, "highs_method": method}
    try:
        with err.status("solving ... (solver log: <out>/solver.log)", spinner="dots"):
            outcome = run(case, scenario or [], overrides)
    except PlannerError as error:
        fail(error)
    except KeyboardInterrupt:
        interrupted()
    render_plan(outcome.plan, outcome.out_dir, outcome.timings)


def render_plan(plan: dict[str, Any], out_dir: Path, timings: dict[str, float]) -> None:
    """Headline table of a solved plan."""
    table = Table(title=f"plan '{plan['case']}' - {plan['status']}", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("total discounted cost (亿元)", f"{plan['objective_yi_yuan']:,.1f}"),
        ("investment 2026-2030, undiscounted (亿元)", f"{plan['investment_total_yi_yuan']:,.1f}"),
        ("new racks (racks)", f"{plan['new_racks_total']:,.0f}"),
        ("  east / west (racks)", f"{plan['new_racks_east']:,.0f} / {plan['new_racks_west']:,.0f}"),
        ("green-power share (of facility energy)", f"{plan['green_share']:.1%}"),
        ("emissions over the horizon (Mt CO2)", f"{plan['emissions_mt_co2']:,.2f}"),
        ("unmet demand (rack-years)", f"{plan['unmet_rack_years']:,.0f}"),
        ("average PUE", f"{plan['average_pue']:.3f}"),
        ("energy and green figures from", str(plan.get("time_resolution", ""))),
    ]
    if plan.get("mip"):
        rows.append(("MIP gap", f"{plan['gap']:.2e}" if plan.get("gap") is not None else "n/a"))
    for what, value in rows:
        table.add_row(what, value)
    out.print(table)
    if plan["status"] == "feasible":
        gap = f"relative gap {plan['gap']:.2%}" if plan.get("gap") is not None else "gap unknown"
        err.print(f"[yellow]note:[/] the solver stopped early (time limit): this is the best plan found, not a proven optimum ({gap}).", highlight=False)
    if plan.get("unmet_rack_years", 0) > 0.5:
        err.print(f"[yellow]note:[/] {plan['unmet_rack_years']:,.0f} rack-years of demand are unmet; `planner diagnose CASE` explains why.", highlight=False)
    total = sum(timings.values())
    report = ", report.html, report.md" if "report_s" in timings else ""
    out.print(f"outputs in {out_dir}/ (plan.json, *.csv, duals.csv, manifest.json{report}); {total:.1f} s", highlight=False, markup=False)


@app.command()
def report(
    out_dir: Annotated[Path, typer.Argument(help="A plan folder written by `planner solve`.", show_default=False)],
) -> None:
    """Rebuild report.html and report.md from a plan folder's saved outputs, without solving.

    Example: planner report outputs/default
    """
    from planner.report import write_report

    try:
        written = write_report(out_dir)
    except PlannerError as error:
        fail(error)
    out.print(f"[green]ok[/] wrote {' and '.join(str(p) for p in written)}", highlight=False)


@app.command()
def compare(
    plans: Annotated[list[Path], typer.Argument(help="Plan folders written by `planner solve`; the first is the reference.", show_default=False)],
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for compare.md and compare.html [default: <first plan's parent>/compare_<a>_vs_<b>].")] = None,
    rows: Annotated[int, typer.Option(help="Most rows of the row-by-row binding list shown in the terminal.")] = 20,
) -> None:
    """Show what changed between plans: KPIs, racks per cluster, investment per hub, binding constraints.

    Example: planner compare outputs/baseline outputs/budget_cut
    """
    from planner.scenarios.compare import compare as compare_plans
    from planner.scenarios.compare import terminal_tables, write_comparison

    if len(plans) < 2:
        raise typer.BadParameter("give at least two plan folders", param_hint="PLANS")
    try:
        comparison = compare_plans(plans)
        written = write_comparison(comparison, out_dir)
    except PlannerError as error:
        fail(error)
    for table in terminal_tables(comparison, max_rows=rows):
        out.print(table)
    out.print(f"written: {', '.join(str(p) for p in written)}", highlight=False)


@app.command()
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file (YAML): base case, parameters to vary, KPIs to collect.", show_default=False)],
    scheduler: Annotated[str | None, typer.Option(help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 [default: a local cluster].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes of the local cluster (1 thread each) [default: CPU count, at most 4].")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder [default: outputs/sweep_<name>]; rerunning into it resumes.")] = None,
) -> None:
    """Solve every scenario of a sweep on Dask; write results.parquet/.csv and sweep.html.

    Example: planner sweep examples/sweep_budget_green.yaml --workers 2
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from planner.scenarios.sweep import run_sweep

    columns = (TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[last]}"))
    try:
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("sweep", total=None, last="starting the cluster ...")
            outcome = run_sweep(sweep_file, scheduler, workers, out_dir, lambda n, total, row: bar.update(task, completed=n, total=total, last=f"last: {row['status']}"))
    except PlannerError as error:
        fail(error)
    render_sweep_summary(outcome)


def render_sweep_summary(outcome: Any) -> None:  # noqa: ANN401 - a planner.scenarios.sweep.SweepOutcome
    """Status counts, throughput and where the files are."""
    counts = outcome.table["status"].value_counts()
    table = Table(title="sweep scenarios", title_justify="left")
    table.add_column("status")
    table.add_column("scenarios", justify="right")
    for status, n in counts.items():
        table.add_row(str(status), str(n))
    out.print(table)
    if outcome.ran:
        rate = f"{outcome.ran / outcome.seconds * 60:,.1f} scenarios/min overall, {outcome.ran / outcome.running_seconds * 60:,.1f} once the cluster was up"
    else:
        rate = "nothing left to run"
    out.print(f"ran {outcome.ran}, skipped {outcome.skipped} already finished; {outcome.seconds:.1f} s ({rate})", highlight=False)
    out.print(f"outputs in {outcome.out_dir}/ ({', '.join(p.name for p in outcome.files)}, scenarios/)", highlight=False)


@app.command()
def verify(
    out_dir: Annotated[Path, typer.Argument(help="Output folder written by `planner solve`.", show_default=False)],
    case: Annotated[Path | None, typer.Option("--case", help="Check against this case folder instead of the folder's inputs.json.")] = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Check a written plan against every constraint, its costs and KPIs, without the model builder.

    Lists each violation above tolerance with its size; exit 0 only when everything holds.

    Example: planner verify outputs/default
    """
    from planner.pipeline import load_case
    from planner.verify.check import verify_outputs

    try:
        inputs = load_case(case, scenario or [])[1] if case is not None else None
        report = verify_outputs(out_dir, inputs)
    except PlannerError as error:
        fail(error)
    out.print(report.to_text(), highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def diagnose(
    case: CaseArg,
    scenario: ScenarioOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for diagnosis.md/.json [default: outputs/<case name>].")] = None,
    solver: Annotated[str | None, typer.Option(help="highs (default) or cbc.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Time limit per solve in seconds.")] = None,
) -> None:
    """Explain why a case has no feasible plan, or why its plan leaves demand unmet.

    Pre-solve checks, a conflicting set of constraints (IIS from HiGHS) and the least relaxation of
    one policy or limit family that restores feasibility, in domain words; written to
    diagnosis.md and diagnosis.json. Exit 3 when the case is infeasible.

    Example: planner diagnose inputs/default --scenario examples/green_100.yaml
    """
    from planner.analysis.diagnose import to_markdown
    from planner.pipeline import diagnose_case

    try:
        with err.status("diagnosing ...", spinner="dots"):
            diagnosis, folder = diagnose_case(case, scenario or [], {"output_dir": out_dir, "solver": solver, "time_limit_s": time_limit})
    except PlannerError as error:
        fail(error)
    except KeyboardInterrupt:
        interrupted()
    out.print(to_markdown(diagnosis), highlight=False, markup=False)
    out.print(f"written to {folder / 'diagnosis.md'} and diagnosis.json", highlight=False, markup=False)
    if diagnosis.question == "infeasible":
        raise typer.Exit(3)


def interrupted() -> NoReturn:
    """Ctrl-C or SIGTERM during a run: say what was (not) written and exit 130 / 143."""
    signum = int(_state.get("signal", signal.SIGINT))
    err.print("[bold red]interrupted:[/] stopped before finishing; no output folder was written or changed.", highlight=False)
    raise typer.Exit(128 + signum)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM behaves like Ctrl-C, so staging folders are cleaned up on the way out."""
    _state["signal"] = signum
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    app()

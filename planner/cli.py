"""The `planner` command line: a thin layer over the Python API (parse, call, render, exit).

Exit codes: 0 plan found (optimal, or feasible within the gap); 1 internal or other planner error;
2 bad input or usage; 3 infeasible; 4 time limit without a feasible plan; 5 plan found but it leaves
demand unmet (written like any other plan).

Heavy libraries (pandas, the solver, matplotlib, dask) are imported inside the commands that use
them, so `planner --help` and typos answer at once.
"""

from __future__ import annotations

import logging
import shlex
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand

from planner.errors import InfeasibleError, InputError, PlannerError

if TYPE_CHECKING:
    from rich.status import Status as RichStatus

EXIT_DEMAND_UNMET = 5
"""Exit code of a solve whose plan leaves demand unmet (the plan is still written)."""

class _Argument(TyperArgument):
    """An argument shown as users know it: `CASE` in the usage line and help, no `{case}` or `<path>`."""

    def _usage_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 and not self.display_name_raw.endswith("...") else "")

    def display_type_rich(self, ctx: Any) -> str | None:  # noqa: ANN401 - click.Context
        return None


class _Command(TyperCommand):
    """Every planner command: arguments rendered by `_Argument`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - click's signature
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = _Argument


app = typer.Typer(
    name="planner",
    help=(
        "Plan where China's next data-centre racks go (东数西算): validate a case, solve the capacity "
        "LP/MILP, and write plans, reports, comparisons and sweeps.\n\n"
        "\b\n"
        "Examples:\n"
        "  planner validate inputs/default\n"
        "  planner solve inputs/default                     # -> outputs/default/\n"
        "  planner solve inputs/default --days 4            # -> outputs/default_days4/\n"
        "  planner solve inputs/default -s examples/budget_cut.yaml   # -> outputs/budget_cut/\n"
        "  planner compare outputs/default outputs/budget_cut\n"
        "  planner diagnose inputs/default -s examples/green_100.yaml\n"
        "  planner sweep examples/sweep_budget_green.yaml --workers 2\n\n"
        "\b\n"
        "Exit codes: 0 plan found; 1 other error; 2 bad input or usage; 3 infeasible;\n"
        "4 time limit without a feasible plan; 5 plan found but demand left unmet.\n\n"
        "Run `planner COMMAND --help` for a command's options."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
_state: dict[str, Any] = {"debug": False}
MAX_SHOWN = 50
"""Most input problems printed; the rest are counted."""

CaseArg = Annotated[
    Path,
    typer.Argument(
        metavar="CASE",
        help="Case folder (scenario.yaml plus the CSV tables, see docs/inputs.md) or an .xlsx workbook of them.",
        show_default=False,
    ),
]
ScenarioOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--scenario",
        "-s",
        metavar="FILE",
        help="Scenario overlay YAML (examples/*.yaml); repeat to apply several in order.",
        show_default=False,
    ),
]
SolverOpt = Annotated[
    str | None,
    typer.Option(
        metavar="[highs|cbc]",
        help="Solver: highs (default) or cbc (needs `pip install -e '.[cbc]'`).",
        show_default=False,
    ),
]
TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--time-limit", metavar="SECONDS", help="Solver time limit [default: the case's, 600].", show_default=False
    ),
]


@app.callback()
def main_options(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each stage (model size, solver progress).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only errors.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for planner errors.")] = False,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=lambda value: _print_version(value),
            help="Print the planner's version and exit.",
        ),
    ] = False,
) -> None:
    """Global options."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True)
    _state["debug"] = debug
    _state["quiet"] = quiet


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"planner {version('planner')}", highlight=False)
        raise typer.Exit(0)


def fail(error: PlannerError) -> NoReturn:
    """Print a planner error the way a user should see it, then exit with its code."""
    if _state["debug"]:
        raise error
    if isinstance(error, InfeasibleError) and error.report:
        print_markdown(error.report)
    elif isinstance(error, InfeasibleError) and "diagnose_hint" in _state:
        err.print(
            "To list the conflicting constraints and the least change that resolves them, run:\n  "
            f"{escape(_state['diagnose_hint'])}",
            highlight=False,
        )
    if isinstance(error, InputError):
        err.print(f"[bold red]error:[/] {len(error.problems)} problem(s) in the planning inputs:", highlight=False)
        for problem in error.problems[:MAX_SHOWN]:
            err.print(f"  {problem}", highlight=False, markup=False)
        hidden = error.problems[MAX_SHOWN:]
        notes = [p for p in hidden if p.message.startswith("...")]
        if hidden:
            err.print(f"  ... and {len(hidden) - len(notes)} more", highlight=False, markup=False)
        for problem in notes:
            err.print(f"  {problem}", highlight=False, markup=False)
        err.print(
            "Nothing was written. Fix the inputs, then check them with: "
            f"{escape(_state.get('validate_hint', 'planner validate CASE'))}",
            highlight=False,
        )
    else:
        err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
    raise typer.Exit(error.exit_code)


def print_markdown(text: str) -> None:
    """Markdown (diagnosis.md) rendered for the terminal: headings, bold, lists and tables drawn by rich."""
    from rich.markdown import Markdown

    out.print(Markdown(text))


def command_line(*words: object, scenario: list[Path] | None = None, **options: object) -> str:
    """A copy-pasteable planner command: `planner diagnose inputs/default --scenario examples/x.yaml`."""
    parts = ["planner", *map(str, words)]
    for path in scenario or []:
        parts += ["--scenario", str(path)]
    for name, value in options.items():
        if value not in (None, False):
            parts += [f"--{name.replace('_', '-')}"] + ([] if value is True else [str(value)])
    return shlex.join(parts)


@app.command(cls=_Command)
def validate(case: CaseArg, scenario: ScenarioOpt = None) -> None:
    """Check a case's files, rows and cross-references without solving.

    \b
    Examples:
      planner validate inputs/default
      planner validate inputs/default --scenario examples/green_100.yaml
    """
    from planner.inputs.profiles import hourly_path
    from planner.inputs.workbook import PROFILES_SHEET, case_folder, is_workbook
    from planner.pipeline import load_case

    _state["validate_hint"] = command_line("validate", case, scenario=scenario)
    try:
        with case_folder(case) as folder:
            _, inputs = load_case(folder, scenario or [])
            has_hourly = hourly_path(folder).exists()
    except PlannerError as error:
        fail(error)
    s = inputs.scenario
    hourly = f"{case} (sheet {PROFILES_SHEET})" if is_workbook(case) else hourly_path(case)
    profiles = (
        f"{len(inputs.profiles)} profile rows (profiles.csv)"
        if inputs.profiles
        else f"hourly profiles in {hourly} (for --days/--hours)"
        if has_hourly
        else "no profiles (yearly resolution only)"
    )
    out.print(
        f"[green]ok[/] case '{s.name}': {len(inputs.hubs)} hubs, {len(inputs.clusters)} clusters, "
        f"{len(inputs.workloads)} workload classes, {s.years.first}-{s.years.last}, {len(inputs.demand)} demand rows, "
        f"{len(inputs.links)} links, {escape(profiles)}",
        highlight=False,
    )


LangOpt = Annotated[
    str, typer.Option("--lang", metavar="[zh|en|both]", help="Report language: zh, en or both (Chinese first).")
]


SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="Dask scheduler for a sweep or a stochastic plan, e.g. tcp://10.0.0.5:8786 [default: a local cluster].",
        show_default=False,
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        min=1,
        help="Worker processes of the local Dask cluster (1 thread each) [default: CPU count, at most 4].",
        show_default=False,
    ),
]


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en", "both"):
        raise typer.BadParameter("expected zh, en or both", param_hint="--lang")
    return lang


@app.command(cls=_Command)
def solve(
    case: CaseArg,
    scenario: ScenarioOpt = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Output folder [default: outputs/<scenario name>, plus _days<K> or _hours for those resolutions].",
            show_default=False,
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            metavar="K",
            min=1,
            max=365,
            help="Hourly operation on K representative days (1-365), from the case's profiles/.",
            show_default=False,
        ),
    ] = None,
    hours: Annotated[
        str | None,
        typer.Option(
            "--hours",
            metavar="full",
            help="Hourly operation over all 8760 hours of the year (slow: minutes).",
            show_default=False,
        ),
    ] = None,
    solver: SolverOpt = None,
    method: Annotated[
        str | None,
        typer.Option(
            metavar="[choose|simplex|ipm|pdlp]",
            show_default=False,
            help="HiGHS LP algorithm [default: choose = dual simplex, PDLP + crossover for --hours full].",
        ),
    ] = None,
    time_limit: TimeLimitOpt = None,
    mip_gap: Annotated[
        float | None,
        typer.Option(
            "--mip-gap",
            metavar="GAP",
            help="Relative MIP gap for modular (integer) builds, e.g. 0.001 [default: 1e-4].",
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int | None, typer.Option(metavar="N", help="Solver threads [default: the solver's choice].", show_default=False)
    ] = None,
    write_lp: Annotated[bool, typer.Option("--write-lp", help="Also write the model as model.lp.")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Also write report.html and report.md.")] = True,
    lang: LangOpt = "both",
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing output folder.")] = False,
    stochastic: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Plan over the futures of a stochastic file (outputs/stochastic_<name>/).",
            show_default=False,
        ),
    ] = None,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            show_default=False,
            help="Change a scenario setting, checked as in scenario.yaml (--set budget.total_yi_yuan=700); "
            "repeatable, applied after --scenario.",
        ),
    ] = None,
) -> None:
    """Solve a case and write its plan folder.

    The folder holds plan.json, one tidy CSV per decision, duals.csv, manifest.json and the report.

    \b
    Examples:
      planner solve inputs/default                    # -> outputs/default/
      planner solve inputs/default --days 4           # -> outputs/default_days4/
      planner solve inputs/default --hours full       # -> outputs/default_hours/ (minutes)
      planner solve inputs/default -s examples/budget_cut.yaml --force
      planner solve inputs/default --set budget.total_yi_yuan=700 -o outputs/b700
      planner solve case.xlsx                         # a workbook from `planner export --xlsx`
      planner solve inputs/default --solver cbc --time-limit 60 -o outputs/cbc
    Exits 5 when the plan leaves demand unmet (the plan is written; see `planner diagnose`).
    """
    from planner.inputs.settings import parse_settings, settings_overlay
    from planner.inputs.workbook import case_folder
    from planner.pipeline import run_case

    if stochastic is not None:
        _solve_stochastic(case, stochastic, out_dir, scheduler, workers, force, lang)
        return
    # option values are checked once, before anything is read (config.check_overrides, exit 2)
    if hours not in (None, "full") or (hours and days):
        raise typer.BadParameter("--hours takes `full` and cannot be combined with --days", param_hint="--hours")
    if method not in (None, "choose", "simplex", "ipm", "pdlp"):
        raise typer.BadParameter("expected choose, simplex, ipm or pdlp", param_hint="--method")
    resolution = "hours" if hours else f"days:{days}" if days else None
    overrides: dict[str, Any] = {
        "output_dir": out_dir,
        "solver": solver,
        "time_limit_s": time_limit,
        "mip_gap": mip_gap,
        "threads": threads,
        "write_lp": write_lp,
        "report_lang": _check_lang(lang),
    }
    overrides |= {"report": report, "force": force, "time_resolution": resolution, "highs_method": method}
    _state["validate_hint"] = command_line("validate", case, scenario=scenario)
    _state["diagnose_hint"] = command_line("diagnose", case, scenario=scenario, out=out_dir)
    try:
        parse_settings(settings or [])
        with (
            case_folder(case) as folder,
            settings_overlay(settings) as extra,
            StageProgress(err, quiet=_state.get("quiet", False)) as progress,
        ):
            outcome = run_case(folder, [*(scenario or []), *extra], overrides, progress=progress)
    except PlannerError as error:
        fail(error)
    except KeyboardInterrupt:
        interrupted()
    assert outcome.out_dir is not None
    render_plan(outcome.plan, outcome.out_dir, outcome.timings)
    if outcome.plan.get("demand_unmet"):
        hint = command_line("diagnose", case, scenario=scenario, out=outcome.out_dir)
        err.print(
            f"[bold red]demand unmet:[/] {outcome.plan['unmet_rack_years']:,.0f} rack-years are not served (exit "
            f"{EXIT_DEMAND_UNMET}). To see why, run:",
            highlight=False,
        )
        err.print(f"  {escape(hint)}", highlight=False)
        raise typer.Exit(EXIT_DEMAND_UNMET)


def _solve_stochastic(
    case: Path, file: Path, out_dir: Path | None, scheduler: str | None, workers: int | None, force: bool, lang: str
) -> None:
    """`planner solve CASE --stochastic FILE`: the here-and-now plan, each future's recourse, VSS and EVPI."""
    from planner.pipeline import run_stochastic

    try:
        with StageProgress(err, quiet=_state.get("quiet", False)) as progress:
            outcome, folder = run_stochastic(
                case,
                file,
                out_dir,
                scheduler=scheduler,
                workers=workers,
                force=force,
                lang=_check_lang(lang),
                progress=progress,
            )
    except PlannerError as error:
        fail(error)
    f = outcome.figures
    out.print(
        f"[green]{outcome.objective_kind}[/] over {len(outcome.names)} futures: {outcome.objective:,.2f} 亿元; "
        f"VSS {f['vss_yi_yuan']:,.2f} 亿元, EVPI {f['evpi_yi_yuan']:,.2f} 亿元",
        highlight=False,
    )
    for name, m in outcome.methods.items():
        shown = ", ".join(f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}" for k, v in m.items())
        out.print(f"  {name}: {shown}", highlight=False)
    central = outcome.names[list(outcome.p).index(max(outcome.p))]
    out.print(
        f"wrote {escape(str(folder))}/: the plan of future '{central}' with the here-and-now plan committed, "
        "here_and_now.csv, futures.csv, recourse.csv, stochastic.json, robustness.md, report.html",
        highlight=False,
    )


class StageProgress:
    """The status line of a run: the stage, elapsed time, and the solver's own progress from its log."""

    def __init__(self, console: Console, quiet: bool = False) -> None:
        self.console, self.quiet = console, quiet
        self.log: Path | None
        self.stage, self.log = "starting", None
        self.started = self.stage_started = time.perf_counter()
        self._status: RichStatus | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __call__(self, stage: str, log: Path | None) -> None:
        """A stage starts (the pipeline's `progress` callback)."""
        self.stage, self.log, self.stage_started = stage, log, time.perf_counter()
        logging.getLogger("planner").info("%s (%.1f s)", stage, self.stage_started - self.started)
        self._refresh()

    def text(self) -> str:
        """`12 s · solving (97,156 rows) · simplex iteration 12,345, objective 1,348.02`."""
        from planner.solver.progress import log_progress

        parts = [f"{time.perf_counter() - self.started:.0f} s", self.stage]
        if self.log is not None and (solver := log_progress(self.log)):
            parts.append(solver)
        return " · ".join(parts)

    def _refresh(self) -> None:
        if self._status is not None:
            self._status.update(escape(self.text()))

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._refresh()

    def __enter__(self) -> StageProgress:
        if not self.quiet and self.console.is_terminal:
            self._status = self.console.status(escape(self.text()), spinner="dots")
            self._status.__enter__()
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._status is not None:
            self._thread.join(timeout=1)
            self._status.__exit__(None, None, None)


def render_plan(plan: dict[str, Any], out_dir: Path, timings: dict[str, float]) -> None:
    """Headline table of a solved plan: its verdict (red when demand is unmet), resolution and numbers."""
    from rich.table import Table

    from planner.results.headline import fmt, headline, years_label

    verdict = str(plan.get("plan_status", plan["status"]))
    colour = "red" if plan.get("demand_unmet") else "green" if verdict == "optimal" else "yellow"
    table = Table(
        title=f"plan '{escape(plan['case'])}' - [bold {colour}]{escape(verdict)}[/]",
        show_header=False,
        title_justify="left",
    )
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("years", years_label(plan))
    table.add_row("time resolution", escape(str(plan.get("time_resolution", ""))))
    for key, label, kind in headline(plan):
        value = fmt(plan.get(key), kind)
        table.add_row(
            escape(label), f"[bold red]{value}[/]" if key == "unmet_rack_years" and plan.get("demand_unmet") else value
        )
    if plan.get("mip"):
        table.add_row("MIP gap", f"{plan['gap']:.2e}" if plan.get("gap") is not None else "n/a")
    out.print(table)
    if plan["status"] == "feasible":
        gap = f"relative gap {fmt(plan['gap'], 'share')}" if plan.get("gap") is not None else "gap unknown"
        err.print(
            "[yellow]note:[/] the solver stopped early (time limit): this is the best plan found, not a proven "
            f"optimum ({gap}).",
            highlight=False,
        )
    total = sum(timings.values())
    report = ", report.html, report.md" if "report_s" in timings else ""
    out.print(
        f"outputs in {out_dir}/ (plan.json, *.csv, duals.csv, manifest.json{report}); {total:.1f} s",
        highlight=False,
        markup=False,
    )


@app.command(cls=_Command)
def report(
    out_dir: Annotated[
        Path, typer.Argument(metavar="PLAN_DIR", help="A plan folder written by `planner solve`.", show_default=False)
    ],
    lang: LangOpt = "both",
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print report.pdf with headless Chromium (A4).")] = False,
) -> None:
    """Rebuild report.html and report.md from a plan folder.

    \b
    Example:
      planner report outputs/default
      planner report outputs/default --lang zh --pdf
    """
    from planner.report import write_report

    _check_lang(lang)
    try:
        written = write_report(out_dir, lang)
        if pdf:
            from planner.report.pdf import print_pdf

            written.append(print_pdf(out_dir / "report.html", out_dir / "report.pdf"))
    except PlannerError as error:
        fail(error)
    out.print(f"[green]ok[/] wrote {' and '.join(str(p) for p in written)}", highlight=False)


@app.command(cls=_Command)
def compare(
    plans: Annotated[
        list[Path],
        typer.Argument(
            metavar="PLAN_DIR...",
            help="Two or more plan folders written by `planner solve`; the first is the reference.",
            show_default=False,
        ),
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Folder for compare.md and compare.html [default: <first plan's parent>/compare_<a>_vs_<b>].",
            show_default=False,
        ),
    ] = None,
    rows: Annotated[
        int, typer.Option(metavar="N", min=0, help="Most rows of the row-by-row binding list shown in the terminal.")
    ] = 20,
) -> None:
    """Show what changed between two or more plans.

    KPIs, cost terms, racks per cluster, investment per hub and the constraints that started or
    stopped binding; also written to compare.md and compare.html.

    \b
    Examples:
      planner compare outputs/default outputs/budget_cut
      planner compare outputs/default outputs/default_days4 --out outputs/resolution
    """
    from planner.scenarios.compare import compare as compare_plans
    from planner.scenarios.compare import terminal_tables, write_comparison

    if len(plans) < 2:
        raise typer.BadParameter("give at least two plan folders", param_hint="PLAN_DIR...")
    try:
        comparison = compare_plans(plans)
        written = write_comparison(comparison, out_dir)
    except PlannerError as error:
        fail(error)
    for table in terminal_tables(comparison, max_rows=rows):
        out.print(table)
    out.print(f"written: {', '.join(str(p) for p in written)}", highlight=False)


@app.command(cls=_Command)
def sweep(
    sweep_file: Annotated[
        Path,
        typer.Argument(
            metavar="SWEEP_FILE",
            help="Sweep file (YAML): base case, parameters to vary, KPIs to collect.",
            show_default=False,
        ),
    ],
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Output folder [default: outputs/sweep_<name>]; rerunning into it resumes.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Solve every scenario of a sweep file on Dask.

    Writes results.parquet, results.csv and sweep.html; rerunning into the same folder resumes.

    \b
    Examples:
      planner sweep examples/sweep_budget_green.yaml --workers 2
      planner sweep examples/sweep_uncertainty_100.yaml --scheduler tcp://10.0.0.5:8786
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

    columns = (
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[last]}"),
    )
    try:
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("sweep", total=None, last="starting the cluster ...")
            outcome = run_sweep(
                sweep_file,
                scheduler,
                workers,
                out_dir,
                lambda n, total, row: bar.update(task, completed=n, total=total, last=f"last: {row['status']}"),
            )
    except PlannerError as error:
        fail(error)
    render_sweep_summary(outcome)


def render_sweep_summary(outcome: Any) -> None:  # noqa: ANN401 - a planner.scenarios.sweep.SweepOutcome
    """Status counts, throughput and where the files are."""
    from rich.table import Table

    counts = outcome.table["status"].value_counts()
    table = Table(title="sweep scenarios", title_justify="left")
    table.add_column("status")
    table.add_column("scenarios", justify="right")
    for status, n in counts.items():
        table.add_row(str(status), str(n))
    out.print(table)
    if outcome.ran:
        rate = (
            f"{outcome.ran / outcome.seconds * 60:,.1f} scenarios/min overall, "
            f"{outcome.ran / outcome.running_seconds * 60:,.1f} once the cluster was up"
        )
    else:
        rate = "nothing left to run"
    out.print(
        f"ran {outcome.ran}, skipped {outcome.skipped} already finished; {outcome.seconds:.1f} s ({rate})",
        highlight=False,
    )
    out.print(
        f"outputs in {outcome.out_dir}/ ({', '.join(p.name for p in outcome.files)}, scenarios/)", highlight=False
    )


@app.command(cls=_Command)
def verify(
    out_dir: Annotated[
        Path, typer.Argument(metavar="PLAN_DIR", help="Plan folder written by `planner solve`.", show_default=False)
    ],
    case: Annotated[
        Path | None,
        typer.Option(
            "--case",
            metavar="CASE",
            help="Check against this case folder instead of the folder's inputs.json.",
            show_default=False,
        ),
    ] = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Re-check a written plan from its files alone.

    Every constraint, cost term and KPI is recomputed without the model builder.

    Lists each violation above tolerance with its size; exit 0 only when everything holds.

    \b
    Example:
      planner verify outputs/default
    """
    from planner.inputs.read import inputs_hash
    from planner.pipeline import load_case
    from planner.verify.check import verify_outputs

    try:
        raw, inputs = load_case(case, scenario or []) if case is not None else (None, None)
        report = verify_outputs(out_dir, inputs, inputs_hash(raw) if raw is not None else None)
    except PlannerError as error:
        fail(error)
    out.print(report.to_text(), highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command(cls=_Command)
def diagnose(
    case: CaseArg,
    scenario: ScenarioOpt = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="DIR",
            help="Folder for diagnosis.md and diagnosis.json [default: outputs/<scenario name>, beside its plan].",
            show_default=False,
        ),
    ] = None,
    solver: SolverOpt = None,
    time_limit: TimeLimitOpt = None,
) -> None:
    """Explain an infeasible case, or why its plan leaves demand unmet.

    Pre-solve checks, a conflicting set of constraints (IIS from HiGHS) and the least relaxation of
    one policy or limit family that restores feasibility, in domain words; shown here and written to
    diagnosis.md and diagnosis.json. Exits 3 when the case is infeasible.

    \b
    Examples:
      planner diagnose inputs/default --scenario examples/green_100.yaml
      planner diagnose inputs/default -s examples/strict_latency.yaml --out outputs/why
    """
    from planner.analysis.diagnose import to_markdown
    from planner.pipeline import diagnose_case

    _state["validate_hint"] = command_line("validate", case, scenario=scenario)
    try:
        with StageProgress(err, quiet=_state.get("quiet", False)) as progress:
            progress("diagnosing (pre-solve checks, IIS, least relaxations)", None)
            diagnosis, folder = diagnose_case(
                case, scenario or [], {"output_dir": out_dir, "solver": solver, "time_limit_s": time_limit}
            )
    except PlannerError as error:
        fail(error)
    except KeyboardInterrupt:
        interrupted()
    print_markdown(to_markdown(diagnosis))
    out.print(f"written: {folder / 'diagnosis.md'} and {folder / 'diagnosis.json'}", highlight=False, markup=False)
    if diagnosis.question == "infeasible":
        raise typer.Exit(3)


@app.command(cls=_Command)
def export(
    case: CaseArg,
    xlsx: Annotated[
        Path,
        typer.Option(
            "--xlsx",
            metavar="OUT.xlsx",
            help="Workbook to write: one sheet per table, the settings on sheet 'scenario'.",
            show_default=False,
        ),
    ],
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing file.")] = False,
) -> None:
    """Write a case as an Excel workbook that `planner solve` and the web workspace read back.

    One sheet per table with the CSV's columns, the scenario settings on sheet `scenario`
    (setting, value), the hourly profiles on sheet `profiles_hourly`. The case is checked first.

    \b
    Example:
      planner export inputs/default --xlsx default.xlsx
      planner solve default.xlsx                      # the same plan as the folder
    """
    from planner.inputs.workbook import case_folder, write_workbook
    from planner.pipeline import load_case

    _state["validate_hint"] = command_line("validate", case)
    if xlsx.suffix.lower() != ".xlsx":
        raise typer.BadParameter("the file name must end in .xlsx", param_hint="--xlsx")
    if xlsx.exists() and not force:
        err.print(f"[bold red]error:[/] {escape(str(xlsx))} exists; add --force to replace it", highlight=False)
        raise typer.Exit(2)
    try:
        with case_folder(case) as folder:
            load_case(folder)
            data = write_workbook(folder)
        from planner.results.folders import atomic_write

        atomic_write(xlsx, data)
    except PlannerError as error:
        fail(error)
    out.print(f"written: {xlsx} ({len(data) / 1e6:.1f} MB)", highlight=False, markup=False)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on; only loopback addresses until accounts exist.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Where cases, plans and the database live [default: the user's data folder]."),
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="SQLAlchemy database URL [default: SQLite in the data folder].")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Solver worker processes (solves run at once).")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(help="A running Dask scheduler (tcp://HOST:PORT) that sweep jobs send their scenarios to."),
    ] = None,
) -> None:
    """Run the web workspace: edit cases as grids, tune settings live, solve and review plans in a browser.

    Example: planner serve --port 8000 --workers 2   (then open http://127.0.0.1:8000/)
    """
    from planner import web

    try:
        web.serve(
            host,
            port,
            data_dir,
            database,
            workers,
            announce=lambda line: out.print(line, highlight=False, markup=False),
            scheduler=scheduler,
        )
    except web.ServeError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None


users_app = typer.Typer(help="Accounts of the web workspace (planner serve).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).", show_default=False)],
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="The workspace's data folder [default: the user's data folder].")
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="SQLAlchemy database URL [default: SQLite in the data folder].")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input instead of asking.")
    ] = False,
) -> None:
    """Create an account; with any account, the workspace asks for a login and may serve beyond loopback.

    Example: planner users add alice
    """
    from planner import web

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        where = web.add_user(name, password, data_dir, database)
    except web.AccountError as error:
        err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
        raise typer.Exit(2) from None
    out.print(f"user '{name}' added to the workspace in {where}", highlight=False, markup=False)


def interrupted() -> NoReturn:
    """Ctrl-C or SIGTERM during a run: say what was (not) written and exit 130 / 143."""
    signum = int(_state.get("signal", signal.SIGINT))
    err.print(
        "[bold red]interrupted:[/] stopped before finishing; no output folder was written or changed.", highlight=False
    )
    raise typer.Exit(128 + signum)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM behaves like Ctrl-C, so staging folders are cleaned up on the way out."""
    _state["signal"] = signum
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    app()

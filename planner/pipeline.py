"""`run()`: inputs -> validated case -> model -> solve -> results -> output folder, timed per stage."""

from __future__ import annotations

import functools
import logging
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from planner.analysis.presolve import Finding, check_case, presolve
from planner.config import RunConfig, check_overrides, config_for
from planner.errors import InfeasibleError, InputError, PlannerError, Problem, TimeLimitError
from planner.inputs.overlay import apply_overlay
from planner.inputs.profiles import profile_slices
from planner.inputs.read import RawCase, inputs_hash, read_raw, validate
from planner.inputs.schema import Inputs, Profile
from planner.inputs.timeseries import Resolution
from planner.model import Built, build_model, coefficient_range
from planner.model.data import ModelData, build_data
from planner.results.extract import Results, duals, extract
from planner.results.folders import check_target, claimed
from planner.results.headline import demand_unmet, plan_status
from planner.results.kpis import energy_by_cluster_year, investment, plan_summary, utilisation
from planner.results.plan import Plan
from planner.results.workbook import write_plan_workbook
from planner.results.write import staging, write_diagnosis, write_frame, write_json, write_results
from planner.solver.solve import SolveResult, Status, fix_integers_and_resolve, solve

if TYPE_CHECKING:  # the diagnosis (IIS, relaxations) is imported when a case needs one, not on every run
    from planner.analysis.diagnose import Diagnosis

logger = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    """What a run produced: status, the plan summary, where it was written, and its manifest."""

    status: Status
    out_dir: Path | None
    plan: dict[str, Any]
    manifest: dict[str, Any]
    results: Results | None = None
    data: ModelData | None = None
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: Diagnosis | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # investment, utilisation, energy: made once


def load_case(case: str | Path, overlays: Sequence[str | Path] = ()) -> tuple[RawCase, Inputs]:
    """Read a case, apply overlays in order, validate; returns the raw case (for hashing) too."""
    raw = read_raw(case)
    for path in overlays:
        raw = apply_overlay(raw, Path(path))
    return raw, validate(raw)


Progress = Callable[[str, Path | None], None]
"""Called as each stage starts: (stage in words, the solver log while solving, else None)."""


def run(
    case: str | Path,
    out: str | Path | None = None,
    *,
    force: bool = False,
    scenario: str | Path | Sequence[str | Path] = (),
    resolution: str | None = None,
    solver: Literal["highs", "cbc"] | None = None,
    method: Literal["choose", "simplex", "ipm", "pdlp"] | None = None,
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    write_lp: bool = False,
    report: bool = True,
    progress: Progress | None = None,
) -> Plan:
    """Solve a case and return the plan; with `out`, also write the plan folder there.

    Args:
        case: case folder (scenario.yaml and the CSV tables).
        out: plan folder to write; None solves in memory and writes nothing.
        force: replace an existing `out` folder.
        scenario: scenario overlay YAML file(s), applied in order.
        resolution: `year`, `days:K` (K representative days) or `hours` (8760); default: the case's.
        solver: `highs` (default) or `cbc`.
        method: HiGHS LP algorithm; default `choose` (measured per resolution).
        time_limit_s: solver time limit in seconds; default from the case (600).
        mip_gap: relative MIP gap for modular builds.
        threads: solver threads.
        write_lp: also write model.lp (only with `out`).
        report: also write report.html and report.md (only with `out`).
        progress: called with each stage's name as it starts.

    Raises:
        InputError: bad inputs, every problem with file:row.
        InfeasibleError: no plan satisfies every constraint (with a diagnosis).
        TimeLimitError: the time limit passed before any feasible plan.
    """
    overlays = [scenario] if isinstance(scenario, str | Path) else list(scenario)
    overrides: dict[str, Any] = {
        "solver": solver,
        "highs_method": method,
        "time_limit_s": time_limit_s,
        "mip_gap": mip_gap,
        "threads": threads,
    }
    overrides |= {
        "time_resolution": resolution,
        "write_lp": write_lp,
        "force": force,
        "output_dir": None if out is None else Path(out),
        "report": report and out is not None,
    }
    outcome = run_case(case, overlays, overrides, progress=progress, write=out is not None)
    assert outcome.results is not None
    assert outcome.data is not None
    return Plan.from_results(
        outcome.plan, outcome.results, outcome.data, outcome.out_dir, outcome.timings, outcome.tables
    )


def default_out_dir(name: str, resolution: str, own: str = "year") -> Path:
    """outputs/<case or scenario name>[_days12 | _hours].

    A plan at another resolution than the case's own never collides.
    """
    suffix = (
        ""
        if resolution == own
        else "_year"
        if resolution == "year"
        else "_hours"
        if resolution == "hours"
        else "_days" + resolution.split(":", 1)[1]
    )
    return Path("outputs") / f"{name}{suffix}"


def run_case(
    case: str | Path,
    overlays: Sequence[str | Path] = (),
    overrides: dict[str, Any] | None = None,
    *,
    progress: Progress | None = None,
    write: bool = True,
    adjust: Callable[[Built], None] | None = None,
) -> RunOutcome:
    """Solve a case and write its plan (`write=False`: in memory).

    Raises InfeasibleError / TimeLimitError after writing.
    Options are RunConfig fields in `overrides` (the CLI's and the tests' path; notebooks use `run`).
    `adjust` may change the built model before it is solved (a stochastic plan fixes its here-and-now columns).
    """
    say = progress or (lambda stage, log: None)
    check_overrides(overrides)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    say("reading the case", None)
    raw = read_raw(case)
    for path in overlays:
        raw = apply_overlay(raw, Path(path))
    timings["read_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    say("validating", None)
    inputs = validate(raw)
    config = config_for(inputs, overrides)
    out_dir = Path(
        config.output_dir
        or default_out_dir(inputs.scenario.name, config.time_resolution, inputs.scenario.solver.time_resolution)
    )
    if write:
        check_target(out_dir, (Path(case),), config.force)
    timings["validate_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    try:
        findings = presolve(inputs)
    except InfeasibleError as error:
        if write:
            _write_presolve_diagnosis(out_dir, Path(case), raw, inputs, config, error)
        raise
    timings["presolve_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    resolution = Resolution.parse(config.time_resolution)
    say(f"time slices ({config.time_resolution})", None)
    profiles = profile_slices(case, inputs, resolution)
    timings["profiles_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    say("building the model", None)
    data = build_data(inputs, profiles)
    _check_matching(raw, data)
    inputs = _with_slices(inputs, profiles)
    built = build_model(data, inputs.scenario.name)
    if adjust is not None:
        adjust(built)
    built.resolution = resolution
    timings["build_s"] = time.perf_counter() - clock
    folder = (
        staging(Path(out_dir), config.force, (Path(case),))
        if write
        else tempfile.TemporaryDirectory(prefix="planner-run-")
    )
    with folder as stage:
        outcome = _solve_and_write(Path(stage), raw, inputs, config, built, timings, findings, say)
        if outcome.status == Status.INFEASIBLE:
            say("diagnosing", None)
            outcome.diagnosis = _diagnose(Path(stage), built, inputs, config, findings)
    outcome.out_dir = out_dir if write else None
    if outcome.status == Status.INFEASIBLE or outcome.status == Status.UNBOUNDED:
        _raise_infeasible(inputs, outcome)
    if outcome.status == Status.TIME_LIMIT:
        raise TimeLimitError(
            f"the solver reached the time limit ({config.time_limit_s} s) without a feasible plan; raise --time-limit "
            "or loosen --mip-gap"
        )
    if outcome.status == Status.ERROR:
        raise PlannerError(f"the solver stopped with an error; see {out_dir / 'solver.log'}")
    return outcome


def _write_presolve_diagnosis(
    out_dir: Path, case: Path, raw: RawCase, inputs: Inputs, config: RunConfig, error: InfeasibleError
) -> None:
    """A case found infeasible before solving still gets its folder: diagnosis and an infeasible status, no plan."""
    from planner.analysis.diagnose import Diagnosis, to_markdown

    findings = tuple(f for f in check_case(inputs))
    headline = "; ".join(f.message for f in findings if f.severity == "error") or str(error)
    diagnosis = Diagnosis(inputs.scenario.name, "infeasible", "infeasible", headline, presolve=findings)
    with staging(out_dir, config.force, (case,)) as stage:
        write_diagnosis(stage, to_markdown(diagnosis), diagnosis.to_dict())
        status = {
            "case": inputs.scenario.name,
            "status": "infeasible",
            "found": "before solving",
            "inputs_sha256": inputs_hash(raw),
        }
        write_json(stage / "plan.json", status)
        write_json(stage / "status.json", status)
    error.args = (
        str(error).replace("Nothing was written.", f"Diagnosis in {out_dir / 'diagnosis.md'} (and diagnosis.json)."),
    )
    error.report = to_markdown(diagnosis)


def resolution_label(built: Built) -> str:
    """What plan.json and the manifest say about the time resolution of a run."""
    n = len(built.data.slices)
    if built.resolution is None or (built.resolution.kind == "year" and n > 1):
        return f"the case's own profiles ({n} time slice(s) per year)"
    return built.resolution.describe()


def _check_matching(raw: RawCase, data: ModelData) -> None:
    """Hourly green matching needs more than one slice per year."""
    if data.green_matching == "hourly" and len(data.slices) < 2:
        line = raw.scenario_lines.get(("policy", "green_matching"))
        raise InputError(
            [
                Problem(
                    raw.scenario_file,
                    "hourly green matching needs hourly slices: run with --days K or --hours full (or give "
                    "profiles.csv)",
                    row=line,
                    column="policy.green_matching",
                    value="hourly",
                )
            ]
        )


def diagnose_case(
    case: str | Path, overlays: Sequence[str | Path] = (), overrides: dict[str, Any] | None = None
) -> tuple[Diagnosis, Path]:
    """`planner diagnose`: explain infeasibility or unmet demand; write diagnosis.md/.json into the output folder."""
    from planner.analysis.diagnose import diagnose_inputs, to_markdown

    check_overrides(overrides)
    _, inputs = load_case(case, overlays)
    config = config_for(inputs, overrides)
    out_dir = Path(config.output_dir or default_out_dir(inputs.scenario.name, "year"))
    check_target(out_dir, (Path(case),), replace=False)
    diagnosis = diagnose_inputs(inputs, config)
    with claimed(out_dir, "diagnosis", (Path(case),)) as folder:
        write_diagnosis(folder, to_markdown(diagnosis), diagnosis.to_dict())
    return diagnosis, out_dir


def _diagnose(stage: Path, built: Built, inputs: Inputs, config: RunConfig, findings: list[Finding]) -> Diagnosis:
    """Explain an infeasible solve (IIS + least relaxation) into diagnosis.md / diagnosis.json."""
    from planner.analysis.diagnose import analyse, to_markdown

    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planner-diagnose-") as tmp:
        diagnosis = analyse(built, inputs, config, Path(tmp), "infeasible", tuple(findings))
    write_diagnosis(stage, to_markdown(diagnosis), diagnosis.to_dict())
    logger.info("diagnosis in %.2f s: %s", time.perf_counter() - clock, diagnosis.headline)
    return diagnosis


def _raise_infeasible(inputs: Inputs, outcome: RunOutcome) -> None:
    where = outcome.out_dir
    model = f"; the model is in {where / 'model.lp'}" if where else ""
    if outcome.diagnosis is None:
        raise InfeasibleError(
            f"no plan satisfies every constraint of case '{inputs.scenario.name}' ({outcome.status}){model}"
        )
    from planner.analysis.diagnose import to_markdown

    d = outcome.diagnosis
    families = tuple(dict.fromkeys([o.family for o in d.options] + ([] if d.iis is None else list(d.iis.families()))))
    files = f"\nDiagnosis in {where / 'diagnosis.md'} (and diagnosis.json){model}." if where else ""
    raise InfeasibleError(
        f"no plan satisfies every constraint of case '{inputs.scenario.name}': {d.headline}{files}",
        families=families,
        report=to_markdown(d),
    )


def _with_slices(inputs: Inputs, profiles: pd.DataFrame | None) -> Inputs:
    """The inputs as solved: with the run's time slices as profile rows.

    So inputs.json alone lets `planner verify` re-check every slice of a --days/--hours plan.
    """
    if profiles is None:
        return inputs
    columns = ["cluster", "slice", "weight_hours", "wind_cf", "solar_cf", "hydro_cf", "period"]
    rows = tuple(
        Profile.model_construct(
            cluster_id=c,
            slice_id=t,
            weight_hours=float(w),
            wind_cf=float(a),
            solar_cf=float(b),
            hydro_cf=float(h),
            period_id=None if pd.isna(p) else str(p),
        )  # storage periods: verify re-checks the batteries
        for c, t, w, a, b, h, p in profiles[columns].itertuples(index=False, name=None)
    )
    return inputs.model_copy(update={"profiles": rows})


def _solve_and_write(
    stage: Path,
    raw: RawCase,
    inputs: Inputs,
    config: RunConfig,
    built: Built,
    timings: dict[str, float],
    findings: list[Finding],
    say: Progress,
) -> RunOutcome:
    clock = time.perf_counter()
    say(f"solving ({built.model.n_rows:,} rows)", stage / "solver.log")
    result = solve(built.model, config, stage / "solver.log")
    timings["solve_s"] = time.perf_counter() - clock
    if result.handoff_s:
        timings["handoff_s"] = result.handoff_s
        timings["solve_s"] -= result.handoff_s
    clock = time.perf_counter()
    say("writing the plan", None)
    has_plan = result.status in (Status.OPTIMAL, Status.FEASIBLE)
    plan: dict[str, Any]
    results, plan = None, {"status": str(result.status)}
    tables: dict[str, pd.DataFrame] = {}
    if config.write_lp or not has_plan:
        built.model.prob.writeLP(str(stage / "model.lp"))
    if has_plan:
        results = _extract(built, config, result, stage)
        write_results(stage, results)
        tables = {
            "investment": investment(results, built.data),
            "utilisation": utilisation(results),
            "energy": energy_by_cluster_year(results, built.data),
        }  # written and summed into plan.json: made once
        write_frame(stage, "investment.csv", tables["investment"])
        write_frame(stage, "utilisation.csv", tables["utilisation"])
        write_frame(stage, "energy_summary.csv", tables["energy"])
        plan = _plan(inputs, result, results, built, tables)
        plan["presolve_warnings"] = [f.message for f in findings if f.severity == "warning"]
        write_plan_workbook(stage, plan)
    timings["extract_write_s"] = time.perf_counter() - clock
    manifest = _manifest(raw, inputs, config, result, built, timings)
    plan["manifest"] = {"inputs_sha256": manifest["inputs_sha256"], "solver": manifest["solver"]}
    write_json(stage / "plan.json", plan)
    write_json(
        stage / "status.json",
        {"case": inputs.scenario.name, "status": str(result.status), "inputs_sha256": manifest["inputs_sha256"]},
    )
    write_json(stage / "manifest.json", manifest)
    write_json(stage / "inputs.json", inputs.model_dump(mode="json"))
    if has_plan and config.report:
        from planner.report import write_report

        clock = time.perf_counter()
        say("writing the report", None)
        write_report(stage, config.report_lang)
        timings["report_s"] = time.perf_counter() - clock
    return RunOutcome(result.status, stage, plan, manifest, results, built.data, timings, tables=tables)


def _extract(built: Built, config: RunConfig, result: SolveResult, stage: Path) -> Results:
    """Primal values; for a MILP, duals come from the LP with the integer decisions fixed."""
    if not built.model.is_mip:
        return extract(built, result)
    primal = extract(built, result)
    fix_integers_and_resolve(built.model, config, stage / "solver_fixed_lp.log")
    note = "mixed-integer plan: shadow prices come from the LP with the module counts fixed at their optimal values"
    return replace(primal, duals=duals(built), duals_note=note)


def _plan(
    inputs: Inputs, result: SolveResult, results: Results, built: Built, tables: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    s = inputs.scenario
    summary = plan_summary(results, built.data, tables)
    return {
        "case": s.name,
        "plan_status": plan_status(str(result.status), summary),
        "demand_unmet": demand_unmet(summary),
        "description": s.description,
        "status": str(result.status),
        "mip": bool(built.model.is_mip),
        "gap": result.gap,
        "years": [s.years.first, s.years.last],
        "time_resolution": resolution_label(built),
        "money_unit": s.money_unit,
        **summary,
        "duals_note": results.duals_note or "LP shadow prices, present values at the first planning year",
        "stopped_early": result.status == Status.FEASIBLE,
    }


def _versions() -> dict[str, str]:
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    """Package versions, read once per process (importlib.metadata scans site-packages on every call)."""
    out = {"python": platform.python_version()}
    for package in ("planner", "pulp", "highspy", "pandas", "numpy", "pydantic", "cbcbox"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return tuple(out.items())


def _manifest(
    raw: RawCase, inputs: Inputs, config: RunConfig, result: SolveResult, built: Built, timings: dict[str, float]
) -> dict[str, Any]:
    lo, hi = coefficient_range(built.model)
    return {
        "case": inputs.scenario.name,
        "case_folder": str(raw.folder),
        "input_files": [str(p) for p in raw.sources],
        "inputs_sha256": inputs_hash(raw),
        "versions": _versions(),
        "solver": {
            "name": result.solver,
            "version": result.solver_version,
            "options": result.options,
            "interface": result.interface,
            "iterations": result.iterations,
        },
        "status": str(result.status),
        "objective_yi_yuan": result.objective,
        "gap": result.gap,
        "time_resolution": {
            "setting": config.time_resolution,
            "description": resolution_label(built),
            "slices_per_year": len(built.data.slices),
            "storage_clusters": list(map(str, built.data.storage_clusters)),
        },
        "model_size": {
            "rows": built.model.n_rows,
            "columns": built.model.n_cols,
            "nonzeros": built.model.nonzeros,
            "integer_columns": len(built.vars.modules),
            "coefficient_range": [lo, hi],
        },
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "platform": platform.platform(),
    }


def run_stochastic(
    case: str | Path,
    file: str | Path,
    out_dir: Path | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
    lang: str = "both",
    progress: Progress | None = None,
) -> tuple[Any, Path]:
    """`planner solve CASE --stochastic FILE`: plan over the file's futures, write outputs/stochastic_<name>/.

    The folder is the plan folder of the most probable future with the stochastic here-and-now plan
    committed (its recourse: verify and report read it as any plan), plus here_and_now.csv,
    futures.csv (costs, perfect-foresight optima, regret), recourse.csv (every future's builds and
    unmet demand), stochastic.json (VSS, EVPI, both methods) and robustness.md; the report gets a
    robustness section. Returns the StochasticOutcome and the folder.
    """
    import json

    import yaml

    from planner.report import write_report
    from planner.scenarios.stochastic.problem import first_stage_columns, fix_columns
    from planner.scenarios.stochastic.run import overlay_of, solve_stochastic, summary, write_outcome
    from planner.scenarios.stochastic.spec import load_stochastic

    say = progress or (lambda stage, log: None)
    say("reading the futures", None)
    stoch = load_stochastic(file, case)
    target = Path(out_dir or Path("outputs") / f"stochastic_{stoch.spec.name}")
    check_target(target, (Path(case),), force)
    say(f"planning over {len(stoch.futures)} futures", None)
    outcome = solve_stochastic(stoch, None, scheduler, workers)
    central = stoch.central

    def commit(built: Built) -> None:
        fix_columns(built.model, first_stage_columns(built.model, stoch.commitment_year), outcome.x)

    with tempfile.TemporaryDirectory(prefix="planner-stochastic-") as tmp:
        overlay = Path(tmp) / f"{central.name}.yaml"
        note = f"{stoch.spec.description} Stochastic plan; recourse of future '{central.name}'."
        text = overlay_of(central, stoch.spec.name, note)
        overlay.write_text(yaml.safe_dump(text, allow_unicode=True, sort_keys=False), encoding="utf-8")
        resolution = stoch.spec.stochastic.resolution
        overrides = {"output_dir": target, "force": force, "time_resolution": resolution, "report": False}
        run_case(case, [*stoch.overlays, overlay], overrides, progress=progress, adjust=commit)
    plan = json.loads((target / "plan.json").read_text(encoding="utf-8"))
    plan["stochastic"] = summary(outcome, central.name)
    write_json(target / "plan.json", plan)
    write_outcome(outcome, target)
    say("writing the report", None)
    write_report(target, lang)
    return outcome, target

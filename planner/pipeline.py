"""`run()`: inputs -> validated case -> model -> solve -> results -> output folder, timed per stage."""

from __future__ import annotations

import logging
import platform
import tempfile
import time
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from planner.config import RunConfig, config_for
from planner.model.data import ModelData, build_data
from planner.analysis.diagnose import Diagnosis, analyse, diagnose_inputs, to_markdown
from planner.errors import InfeasibleError, InputError, PlannerError, Problem, TimeLimitError
from planner.inputs.overlay import apply_overlay
from planner.inputs.profiles import profile_slices
from planner.inputs.read import RawCase, inputs_hash, read_raw, validate
from planner.results.write import staging, write_diagnosis, write_frame, write_json, write_results
from planner.results.kpis import energy_by_cluster_year, investment, plan_summary, utilisation
from planner.model import Built, build_model, coefficient_range
from planner.analysis.presolve import Finding, presolve
from planner.results.extract import Results, duals, extract
from planner.inputs.schema import Inputs, Profile
from planner.solver.solve import SolveResult, Status, fix_integers_and_resolve, solve
from planner.inputs.timeseries import Resolution

logger = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    """What a run produced: status, the plan summary, where it was written, and its manifest."""

    status: Status
    out_dir: Path
    plan: dict[str, Any]
    manifest: dict[str, Any]
    results: Results | None = None
    data: ModelData | None = None
    timings: dict[str, float] = field(default_factory=dict)
    diagnosis: Diagnosis | None = None


def load_case(case: str | Path, overlays: list[str | Path] | tuple[str | Path, ...] = ()) -> tuple[RawCase, Inputs]:
    """Read a case, apply overlays in order, validate; returns the raw case (for hashing) too."""
    raw = read_raw(case)
    for path in overlays:
        raw = apply_overlay(raw, Path(path))
    return raw, validate(raw)


def run(case: str | Path, overlays: list[str | Path] | tuple[str | Path, ...] = (), overrides: dict[str, Any] | None = None) -> RunOutcome:
    """Solve a case and write its plan; raises InfeasibleError / TimeLimitError after writing."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    raw = read_raw(case)
    for path in overlays:
        raw = apply_overlay(raw, Path(path))
    timings["read_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    inputs = validate(raw)
    config = config_for(inputs, overrides)
    timings["validate_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    findings = presolve(inputs)
    timings["presolve_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    resolution = Resolution.parse(config.time_resolution)
    profiles = profile_slices(case, inputs, resolution)
    timings["profiles_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    data = build_data(inputs, profiles)
    _check_matching(raw, data)
    inputs = _with_slices(inputs, profiles)
    built = build_model(data, inputs.scenario.name)
    built.resolution = resolution
    timings["build_s"] = time.perf_counter() - clock
    out_dir = config.output_dir or Path("outputs") / inputs.scenario.name
    with staging(Path(out_dir), config.force) as stage:
        outcome = _solve_and_write(stage, raw, inputs, config, built, timings, findings)
        if outcome.status == Status.INFEASIBLE:
            outcome.diagnosis = _diagnose(stage, built, inputs, config, findings)
    outcome.out_dir = Path(out_dir)
    if outcome.status == Status.INFEASIBLE or outcome.status == Status.UNBOUNDED:
        _raise_infeasible(inputs, outcome)
    if outcome.status == Status.TIME_LIMIT:
        raise TimeLimitError(f"the solver reached the time limit ({config.time_limit_s} s) without a feasible plan; raise --time-limit or loosen --mip-gap")
    if outcome.status == Status.ERROR:
        raise PlannerError(f"the solver stopped with an error; see {outcome.out_dir / 'solver.log'}")
    return outcome


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
        raise InputError([Problem(raw.scenario_file, "hourly green matching needs hourly slices: run with --days K or --hours full (or give profiles.csv)", row=line, column="policy.green_matching", value="hourly")])


def diagnose_case(
    case: str | Path, overlays: list[str | Path] | tuple[str | Path, ...] = (), overrides: dict[str, Any] | None = None
) -> tuple[Diagnosis, Path]:
    """`planner diagnose`: explain infeasibility or unmet demand; write diagnosis.md/.json into the output folder."""
    _, inputs = load_case(case, overlays)
    config = config_for(inputs, overrides)
    diagnosis = diagnose_inputs(inputs, config)
    out_dir = Path(config.output_dir or Path("outputs") / inputs.scenario.name)
    write_diagnosis(out_dir, to_markdown(diagnosis), diagnosis.to_dict())
    return diagnosis, out_dir


def _diagnose(stage: Path, built: Built, inputs: Inputs, config: RunConfig, findings: list[Finding]) -> Diagnosis:
    """Explain an infeasible solve (IIS + least relaxation) into diagnosis.md / diagnosis.json."""
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="planner-diagnose-") as tmp:
        diagnosis = analyse(built, inputs, config, Path(tmp), "infeasible", tuple(findings))
    write_diagnosis(stage, to_markdown(diagnosis), diagnosis.to_dict())
    logger.info("diagnosis in %.2f s: %s", time.perf_counter() - clock, diagnosis.headline)
    return diagnosis


def _raise_infeasible(inputs: Inputs, outcome: RunOutcome) -> None:
    where = outcome.out_dir
    if outcome.diagnosis is None:
        raise InfeasibleError(f"no plan satisfies every constraint of case '{inputs.scenario.name}' ({outcome.status}); the model is in {where / 'model.lp'}")
    d = outcome.diagnosis
    families = tuple(dict.fromkeys([o.family for o in d.options] + ([] if d.iis is None else list(d.iis.families()))))
    raise InfeasibleError(
        f"no plan satisfies every constraint of case '{inputs.scenario.name}': {d.headline}\n"
        f"Diagnosis in {where / 'diagnosis.md'} (and diagnosis.json); the model is in {where / 'model.lp'}.",
        families=families,
        report=to_markdown(d),
    )


def _with_slices(inputs: Inputs, profiles: pd.DataFrame | None) -> Inputs:
    """The inputs as solved: with the run's time slices as profile rows, so inputs.json alone lets
    `planner verify` re-check every slice of a --days/--hours plan."""
    if profiles is None:
        return inputs
    columns = ["cluster", "slice", "weight_hours", "wind_cf", "solar_cf", "hydro_cf"]
    rows = tuple(
        Profile.model_construct(cluster_id=c, slice_id=t, weight_hours=float(w), wind_cf=float(a), solar_cf=float(b), hydro_cf=float(h))
        for c, t, w, a, b, h in profiles[columns].itertuples(index=False, name=None)
    )
    return inputs.model_copy(update={"profiles": rows})


def _solve_and_write(
    stage: Path, raw: RawCase, inputs: Inputs, config: RunConfig, built: Built, timings: dict[str, float], findings: list[Finding]
) -> RunOutcome:
    clock = time.perf_counter()
    result = solve(built.model, config, stage / "solver.log")
    timings["solve_s"] = time.perf_counter() - clock
    if result.handoff_s:
        timings["handoff_s"] = result.handoff_s
        timings["solve_s"] -= result.handoff_s
    clock = time.perf_counter()
    has_plan = result.status in (Status.OPTIMAL, Status.FEASIBLE)
    results, plan = None, {"status": str(result.status)}
    if config.write_lp or not has_plan:
        built.model.prob.writeLP(str(stage / "model.lp"))
    if has_plan:
        results = _extract(built, config, result, stage)
        written = write_results(stage, results)
        write_frame(stage, "investment.csv", investment(results, built.data))
        write_frame(stage, "utilisation.csv", utilisation(results))
        write_frame(stage, "energy_summary.csv", energy_by_cluster_year(results, built.data))
        plan = _plan(inputs, result, results, built)
        plan["presolve_warnings"] = [f.message for f in findings if f.severity == "warning"]
    timings["extract_write_s"] = time.perf_counter() - clock
    manifest = _manifest(raw, inputs, config, result, built, timings)
    plan["manifest"] = {"inputs_sha256": manifest["inputs_sha256"], "solver": manifest["solver"]}
    write_json(stage / "plan.json", plan)
    write_json(stage / "manifest.json", manifest)
    write_json(stage / "inputs.json", inputs.model_dump(mode="json"))
    if has_plan and config.report:
        from planner.report import write_report

        clock = time.perf_counter()
        write_report(stage, config.report_lang)
        timings["report_s"] = time.perf_counter() - clock
    return RunOutcome(result.status, stage, plan, manifest, results, built.data, timings)


def _extract(built: Built, config: RunConfig, result: SolveResult, stage: Path) -> Results:
    """Primal values; for a MILP, duals come from the LP with the integer decisions fixed."""
    if not built.model.is_mip:
        return extract(built, result)
    primal = extract(built, result)
    fix_integers_and_resolve(built.model, config, stage / "solver_fixed_lp.log")
    note = "mixed-integer plan: shadow prices come from the LP with the module counts fixed at their optimal values"
    return replace(primal, duals=duals(built), duals_note=note)


def _plan(inputs: Inputs, result: SolveResult, results: Results, built: Built) -> dict[str, Any]:
    s = inputs.scenario
    return {
        "case": s.name,
        "description": s.description,
        "status": str(result.status),
        "mip": bool(built.model.is_mip),
        "gap": result.gap,
        "years": [s.years.first, s.years.last],
        "time_resolution": resolution_label(built),
        "money_unit": s.money_unit,
        **plan_summary(results, built.data),
        "duals_note": results.duals_note or "LP shadow prices, present values at the first planning year",
        "stopped_early": result.status == Status.FEASIBLE,
    }


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("planner", "pulp", "highspy", "pandas", "numpy", "pydantic", "cbcbox"):
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return out


def _manifest(raw: RawCase, inputs: Inputs, config: RunConfig, result: SolveResult, built: Built, timings: dict[str, float]) -> dict[str, Any]:
    lo, hi = coefficient_range(built.model)
    return {
        "case": inputs.scenario.name,
        "case_folder": str(raw.folder),
        "input_files": [str(p) for p in raw.sources],
        "inputs_sha256": inputs_hash(raw),
        "versions": _versions(),
        "solver": {"name": result.solver, "version": result.solver_version, "options": result.options, "interface": result.interface, "iterations": result.iterations},
        "status": str(result.status),
        "objective_yi_yuan": result.objective,
        "gap": result.gap,
        "time_resolution": {"setting": config.time_resolution, "description": resolution_label(built), "slices_per_year": len(built.data.slices), "storage_clusters": list(map(str, built.data.storage_clusters))},
        "model_size": {"rows": built.model.n_rows, "columns": built.model.n_cols, "nonzeros": built.model.nonzeros, "integer_columns": int(len(built.vars.modules)), "coefficient_range": [lo, hi]},
        "timings_s": {k: round(v, 4) for k, v in timings.items()},
        "platform": platform.platform(),
    }

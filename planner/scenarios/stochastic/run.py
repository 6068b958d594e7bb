"""Plan over futures: build every future's model, solve the two-stage problem, measure VSS and EVPI.

* WS (wait-and-see) = Σ_s p_s z*_s: each future planned with perfect foresight.
* RP (recourse problem): the stochastic plan's expected cost, Σ_s p_s Q_s(x*).
* EEV: the expected-value plan x̄ (planned for the probability-weighted average of every number)
  committed and then adapted in each future, Σ_s p_s Q_s(x̄) (infinite if x̄ leaves a future without
  any feasible recourse).
* VSS = EEV − RP ≥ 0 (for the expected objective), EVPI = RP − WS ≥ 0.
* regret of a plan in future s: Q_s(x) − z*_s.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.config import RunConfig, config_for
from planner.errors import InputError, Problem, UsageError
from planner.inputs.profiles import profile_slices
from planner.inputs.timeseries import Resolution
from planner.model import build_model
from planner.model.data import build_data
from planner.scenarios.stochastic.benders import BendersOutcome, solve_benders
from planner.scenarios.stochastic.extensive import ExtensiveOutcome, first_bounds, solve_extensive
from planner.scenarios.stochastic.pool import DaskPool, LocalPool, Pool, dask_client
from planner.scenarios.stochastic.problem import (
    Layout,
    Numbers,
    StructureDiffers,
    first_stage_columns,
    layout_of,
    mean_numbers,
    numbers_of,
)
from planner.scenarios.stochastic.risk import value
from planner.scenarios.stochastic.spec import Method, Scenario, Stochastic
from planner.scenarios.stochastic.subproblem import Subproblem

logger = logging.getLogger(__name__)

AGREE_TOL = 1e-6
"""Relative tolerance within which the extensive form and the decomposition must agree."""

NAMED_CROSS_MAX = 10
"""Up to this many futures, each future's perfect-foresight plan is also evaluated in every future."""


@dataclass
class Problem2:
    """The built two-stage problem."""

    layout: Layout
    numbers: list[Numbers]
    p: np.ndarray
    names: list[str]
    config: RunConfig
    build_s: float


@dataclass
class StochasticOutcome:
    """Everything a stochastic run found (costs in 亿元, present value)."""

    name: str
    objective_kind: str
    objective: float
    names: list[str]
    p: np.ndarray
    first: pd.DataFrame  # here-and-now columns: labels, stochastic, ev_plan, pf_<future>
    futures: pd.DataFrame  # per future: costs, regrets
    recourse: pd.DataFrame
    figures: dict[str, float]
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))  # here-and-now values (model units), ascending column id


def summary(outcome: StochasticOutcome, shown: str) -> dict[str, Any]:
    """plan.json's `stochastic` block: what the report's robustness section shows (`shown`: this folder's future)."""
    from planner.scenarios.stochastic.words import here_and_now_summary

    table = here_and_now_summary(outcome.first)
    columns = ["future", "probability", "cost_yi_yuan", "perfect_foresight_yi_yuan", "regret_yi_yuan"]
    futures = outcome.futures[[*columns, "ev_plan_cost_yi_yuan", "ev_plan_regret_yi_yuan"]]
    if len(futures) > 20:
        futures = futures.sort_values("regret_yi_yuan", ascending=False).head(20)
    here = {"rows": [str(i) for i in table.index], "columns": list(table.columns), "values": table.to_numpy().tolist()}
    out = {
        "name": outcome.name,
        "objective": outcome.objective_kind,
        "futures": len(outcome.names),
        "shown_future": shown,
        "figures": outcome.figures,
        "methods": outcome.methods,
        "here_and_now": here,
        "regret": futures.to_dict(orient="records"),
    }
    cleaned = _finite(out)
    assert isinstance(cleaned, dict)
    return cleaned


def overlay_of(future: Scenario, name: str, description: str) -> dict[str, Any]:
    """The overlay (YAML mapping) that turns the base case into `future`, named `name`."""
    patch = future.patch or {}
    out: dict[str, Any] = {"name": name, "description": description}
    if patch.get("set"):
        out["set"] = patch["set"]
    if patch.get("tables"):
        out["tables"] = patch["tables"]
    return out


def build_problem(stoch: Stochastic) -> Problem2:
    """Every future's model on one layout; a future that changes the model's shape is an input problem."""
    clock = time.perf_counter()
    resolution = stoch.spec.stochastic.resolution
    config = config_for(stoch.futures[0].inputs, {"time_resolution": resolution})
    layout: Layout | None = None
    numbers: list[Numbers] = []
    problems: list[Problem] = []
    for future in stoch.futures:
        profiles = profile_slices(stoch.raw.folder, future.inputs, Resolution.parse(resolution))
        model = build_model(build_data(future.inputs, profiles), future.name).model
        if layout is None:
            layout = layout_of(model, first_stage_columns(model, stoch.commitment_year))
        try:
            numbers.append(numbers_of(model, layout))
        except StructureDiffers as why:
            problems.append(
                Problem(
                    str(stoch.path),
                    f"future '{future.name}' changes the model's shape ({why}); futures may differ in numbers only",
                )
            )
    if problems:
        raise InputError(problems)
    assert layout is not None
    p = np.array([f.probability for f in stoch.futures])
    return Problem2(layout, numbers, p / p.sum(), [f.name for f in stoch.futures], config, time.perf_counter() - clock)


def solve_stochastic(
    stoch: Stochastic,
    method: Method | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    cut_groups: int | None = None,
    tol: float = 1e-10,
) -> StochasticOutcome:
    """Solve the two-stage problem by the extensive form, the decomposition (on Dask), or both (compared)."""
    prob = build_problem(stoch)
    method = method or stoch.spec.stochastic.method
    cut_groups = cut_groups or stoch.spec.stochastic.cut_groups
    layout, numbers, p, config = prob.layout, prob.numbers, prob.p, prob.config
    second_integer = layout.integer[layout.second].any()
    if method != "extensive" and second_integer:
        raise UsageError(
            "the decomposition needs wait-and-see decisions without integers (modular builds after the "
            "commitment year): use method: extensive or commit every year"
        )
    risk = stoch.risk
    timings = {"build_s": prob.build_s}
    nf = len(layout.first)
    context = dask_client(scheduler, workers) if method != "extensive" else nullcontext(None)
    methods: dict[str, dict[str, Any]] = {}
    with context as client:
        clock = time.perf_counter()
        ev_sub = Subproblem(layout, mean_numbers(numbers, p), config)
        ev_point = ev_sub.perfect_foresight(-1).x
        assert ev_point is not None
        x_ev = ev_point[layout.first]
        timings["expected_value_s"] = time.perf_counter() - clock
        # every future's first solve starts from the expected-value future's basis, on whichever worker
        start = ev_sub.basis(-1)
        pool: Pool = (
            DaskPool(client, layout, numbers, config, start=start)
            if client is not None
            else LocalPool(layout, numbers, config, start)
        )
        clock = time.perf_counter()
        pf = pool.run(None, want_x=True)
        z = np.array([e.value for e in pf])
        timings["perfect_foresight_s"] = time.perf_counter() - clock
        ef: ExtensiveOutcome | None = None
        bd: BendersOutcome | None = None
        if method in ("extensive", "both"):
            clock = time.perf_counter()
            ef = solve_extensive(layout, numbers, p, risk, config, z)
            timings["extensive_s"] = time.perf_counter() - clock
            methods["extensive"] = {
                "objective": ef.objective,
                "seconds": timings["extensive_s"],
                "rows": ef.size[0],
                "columns": ef.size[1],
            }
        if method in ("decomposition", "both"):
            clock = time.perf_counter()
            bd = solve_benders(
                pool,
                nf,
                first_bounds(layout, numbers),
                layout.integer[layout.first],
                p,
                z,
                risk,
                config,
                start=x_ev,
                tol=tol,
                cut_groups=cut_groups,
                scale=layout.first_scale(x_ev),
            )
            timings["decomposition_s"] = time.perf_counter() - clock
            methods["decomposition"] = {
                "objective": bd.objective,
                "seconds": timings["decomposition_s"],
                "rounds": bd.rounds,
                "workers": pool.workers,
                "lower_bound": bd.lower_bound,
                "converged": bd.converged,
            }
        x = ef.first if ef is not None else bd.first if bd is not None else x_ev
        objective = ef.objective if ef is not None else bd.objective if bd is not None else float("nan")
        if ef is not None and bd is not None:
            methods["agreement"] = {
                "objective_rel_diff": abs(ef.objective - bd.objective) / max(1.0, abs(ef.objective)),
                "plan_max_abs_diff": float(np.max(np.abs(ef.first - bd.first), initial=0.0)),
            }
        clock = time.perf_counter()
        at_x = pool.run(x, want_x=True)
        at_ev = pool.run(x_ev)
        cross = (
            {name: pool.run(e.x[layout.first]) for name, e in zip(prob.names, pf, strict=True) if e.x is not None}
            if len(numbers) <= NAMED_CROSS_MAX
            else {}
        )
        timings["evaluate_s"] = time.perf_counter() - clock
        if isinstance(pool, DaskPool):
            pool.close()
    q = np.array([e.value if e.feasible else np.inf for e in at_x])
    q_ev = np.array([e.value if e.feasible else np.inf for e in at_ev])
    rp, ws = float(np.dot(p, q)), float(np.dot(p, z))
    eev = float(np.dot(p, q_ev)) if np.isfinite(q_ev).all() else float("inf")
    figures = {
        "objective_yi_yuan": objective,
        "rp_yi_yuan": rp,
        "ws_yi_yuan": ws,
        "eev_yi_yuan": eev,
        "vss_yi_yuan": eev - rp,
        "evpi_yi_yuan": rp - ws,
        "objective_of_ev_plan_yi_yuan": value(risk, q_ev, p, z) if np.isfinite(q_ev).all() else float("inf"),
        "max_regret_yi_yuan": float(np.max(q - z)),
        "max_regret_of_ev_plan_yi_yuan": float(np.max(q_ev - z)),
    }
    first = layout.first_labels()
    first["stochastic"], first["ev_plan"] = x, x_ev
    for name, e in zip(prob.names, pf, strict=True):
        if len(numbers) <= NAMED_CROSS_MAX and e.x is not None:
            first[f"pf_{name}"] = e.x[layout.first]
    futures = pd.DataFrame(
        {
            "future": prob.names,
            "probability": p,
            "description": [f.description for f in stoch.futures],
            "cost_yi_yuan": q,
            "perfect_foresight_yi_yuan": z,
            "regret_yi_yuan": q - z,
            "ev_plan_cost_yi_yuan": q_ev,
            "ev_plan_regret_yi_yuan": q_ev - z,
        }
    )
    for name, evals in cross.items():
        futures[f"pf_{name}_plan_cost_yi_yuan"] = [e.value if e.feasible else np.inf for e in evals]
    return StochasticOutcome(
        stoch.spec.name,
        risk.objective,
        objective,
        prob.names,
        p,
        first.drop(columns="column"),
        futures,
        recourse_table(layout, prob.names, at_x),
        figures,
        methods,
        timings,
        x,
    )


RECOURSE = {"racks_new": ("racks", 1000.0), "bandwidth_new": ("gbps", 1.0), "unmet": ("racks", 1000.0)}
"""Column blocks written per future, with their unit and factor from model units (krack -> racks)."""


def recourse_table(layout: Layout, names: list[str], evals: list[Any]) -> pd.DataFrame:
    """Per future: racks built, link capacity added and unmet demand by year (non-zero entries), by stage."""
    frames = []
    is_first = np.zeros(layout.n_cols, dtype=bool)
    is_first[layout.first] = True
    for name, e in zip(names, evals, strict=True):
        if e.x is None:
            continue
        for block, (unit, factor) in RECOURSE.items():
            start, index = layout.blocks[block]
            values = e.x[start : start + len(index)] * factor
            frame = index.to_frame(index=False)
            frame.insert(0, "variable", block)
            frame.insert(0, "future", name)
            frame["stage"] = np.where(is_first[start : start + len(index)], "here_and_now", "wait_and_see")
            frame["value"], frame["unit"] = values, unit
            frames.append(frame[np.abs(values) > 1e-6])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_outcome(outcome: StochasticOutcome, out_dir: Path) -> list[Path]:
    """stochastic.json, here_and_now.csv, futures.csv, recourse.csv and robustness.md in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    first = outcome.first.copy()
    racks = first["variable"].isin(["racks_new"])
    for column in [c for c in first.columns if c == "stochastic" or c == "ev_plan" or c.startswith("pf_")]:
        first.loc[racks, column] = first.loc[racks, column] * 1000.0
    first["unit"] = np.where(racks, "racks", np.where(first["variable"] == "modules", "modules", "gbps"))
    files = [
        out_dir / "here_and_now.csv",
        out_dir / "futures.csv",
        out_dir / "recourse.csv",
        out_dir / "stochastic.json",
        out_dir / "robustness.md",
    ]
    first.to_csv(files[0], index=False)
    outcome.futures.to_csv(files[1], index=False)
    outcome.recourse.to_csv(files[2], index=False)
    doc = {
        "name": outcome.name,
        "objective": outcome.objective_kind,
        "futures": len(outcome.names),
        "figures": outcome.figures,
        "methods": outcome.methods,
        "timings_s": outcome.timings,
    }
    files[3].write_text(json.dumps(_finite(doc), indent=2) + "\n", encoding="utf-8")
    from planner.scenarios.stochastic.words import robustness_markdown

    files[4].write_text(robustness_markdown(outcome), encoding="utf-8")
    return files


def _finite(x: object) -> object:
    """JSON-safe: infinite or NaN numbers become null."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    if isinstance(x, float | np.floating):
        return float(x) if np.isfinite(x) else None
    if isinstance(x, np.integer | np.bool_):
        return x.item()
    return x

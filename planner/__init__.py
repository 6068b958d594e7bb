"""planner: the optimisation planning engine for China's East Data, West Computing (东数西算).

Public API (the CLI only wraps these)::

    from planner import load_inputs, build_data, build_model, solve, run
    inputs = load_inputs("inputs/default")          # validated case (raises InputError)
    outcome = run("inputs/default")                 # solve and write outputs/default/
    report = verify_outputs(outcome.out_dir)        # every constraint re-checked from the files
"""

from __future__ import annotations

from planner.config import RunConfig
from planner.model.data import ModelData, build_data
from planner.errors import (
    InfeasibleError,
    InputError,
    ModelBuildError,
    PlannerError,
    SolveError,
    SolverFailedError,
    TimeLimitError,
)
from planner.inputs.read import load_inputs
from planner.model import build_model
from planner.pipeline import RunOutcome, run
from planner.results.extract import Results
from planner.inputs.schema import Inputs
from planner.solver.solve import SolveResult, Status, solve
from planner.verify.check import VerifyReport, verify_outputs

__all__ = [
    "InfeasibleError",
    "InputError",
    "Inputs",
    "ModelBuildError",
    "ModelData",
    "PlannerError",
    "Results",
    "RunConfig",
    "RunOutcome",
    "SolveError",
    "SolveResult",
    "SolverFailedError",
    "Status",
    "TimeLimitError",
    "VerifyReport",
    "build_data",
    "build_model",
    "load_inputs",
    "run",
    "solve",
    "verify_outputs",
]

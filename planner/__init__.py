"""planner: the optimisation planning engine for China's East Data, West Computing (东数西算).

Public API (the CLI only wraps these)::

    from planner import load_inputs, run, Plan
    inputs = load_inputs("inputs/default")          # validated case (raises InputError)
    plan = run("inputs/default")                    # solve in memory: plan.racks, plan.load, ...
    plan = run("inputs/default", "outputs/default", force=True)  # ... and write the plan folder
    report = verify_outputs("outputs/default")      # every constraint re-checked from the files

Names are imported on first use, so `import planner` (and the CLI's start-up) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "RunConfig": "planner.config",
    "ModelData": "planner.model.data",
    "build_data": "planner.model.data",
    "InfeasibleError": "planner.errors",
    "InputError": "planner.errors",
    "ModelBuildError": "planner.errors",
    "PlannerError": "planner.errors",
    "SolveError": "planner.errors",
    "SolverFailedError": "planner.errors",
    "TimeLimitError": "planner.errors",
    "load_inputs": "planner.inputs.read",
    "build_model": "planner.model",
    "RunOutcome": "planner.pipeline",
    "run": "planner.pipeline",
    "Plan": "planner.results.plan",
    "Results": "planner.results.extract",
    "Inputs": "planner.inputs.schema",
    "SolveResult": "planner.solver.solve",
    "Status": "planner.solver.solve",
    "solve": "planner.solver.solve",
    "VerifyReport": "planner.verify.check",
    "verify_outputs": "planner.verify.check",
    "compare": "planner.scenarios.compare",
}
"""Public name -> the module that defines it."""

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        msg = f"module 'planner' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from planner.config import RunConfig as RunConfig
    from planner.errors import (
        InfeasibleError as InfeasibleError,
    )
    from planner.errors import (
        InputError as InputError,
    )
    from planner.errors import (
        ModelBuildError as ModelBuildError,
    )
    from planner.errors import (
        PlannerError as PlannerError,
    )
    from planner.errors import (
        SolveError as SolveError,
    )
    from planner.errors import (
        SolverFailedError as SolverFailedError,
    )
    from planner.errors import (
        TimeLimitError as TimeLimitError,
    )
    from planner.inputs.read import load_inputs as load_inputs
    from planner.inputs.schema import Inputs as Inputs
    from planner.model import build_model as build_model
    from planner.model.data import (
        ModelData as ModelData,
    )
    from planner.model.data import (
        build_data as build_data,
    )
    from planner.pipeline import (
        RunOutcome as RunOutcome,
    )
    from planner.pipeline import (
        run as run,
    )
    from planner.results.extract import Results as Results
    from planner.results.plan import Plan as Plan
    from planner.scenarios.compare import compare as compare
    from planner.solver.solve import (
        SolveResult as SolveResult,
    )
    from planner.solver.solve import (
        Status as Status,
    )
    from planner.solver.solve import (
        solve as solve,
    )
    from planner.verify.check import (
        VerifyReport as VerifyReport,
    )
    from planner.verify.check import (
        verify_outputs as verify_outputs,
    )

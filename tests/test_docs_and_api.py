"""The docs mirror the code: the input reference is generated from the schema.

Family sections: tests/test_registry.py.
"""

from __future__ import annotations

from pathlib import Path

import planner
from planner.inputs.docs import render

ROOT = Path(__file__).resolve().parent.parent


def test_inputs_doc_matches_the_schema() -> None:
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    assert text == render(), "docs/inputs.md is stale: run `python -m planner.inputs.docs > docs/inputs.md`"


def test_public_api_is_pinned() -> None:
    assert sorted(planner.__all__) == sorted(
        [
            "InfeasibleError",
            "InputError",
            "Inputs",
            "ModelBuildError",
            "ModelData",
            "PlannerError",
            "Results",
            "RunConfig",
            "Plan",
            "RunOutcome",
            "SolveError",
            "SolveResult",
            "SolverFailedError",
            "Status",
            "TimeLimitError",
            "VerifyReport",
            "build_data",
            "build_model",
            "compare",
            "load_inputs",
            "run",
            "solve",
            "verify_outputs",
        ]
    )
    for name in planner.__all__:
        assert hasattr(planner, name)

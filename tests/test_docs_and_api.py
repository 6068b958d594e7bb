"""The docs mirror the code: input reference generated from the schema, one formulation section per family."""

from __future__ import annotations

import re
from pathlib import Path

import planner
from planner.inputs.docs import render
from planner.model import FAMILIES

ROOT = Path(__file__).resolve().parent.parent


def test_inputs_doc_matches_the_schema() -> None:
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    assert text == render(), "docs/inputs.md is stale: run `python -m planner.inputs.docs > docs/inputs.md`"


def test_formulation_has_one_section_per_family() -> None:
    text = (ROOT / "docs" / "formulation.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^### (\w+)$", text, flags=re.MULTILINE))
    families = {f.__name__.removeprefix("add_") for f in FAMILIES}
    assert sections == families


def test_every_family_has_a_docstring_with_math() -> None:
    for family in FAMILIES:
        doc = family.__doc__ or ""
        assert any(op in doc for op in ("<=", ">=", "=")), family.__name__


def test_every_family_has_a_test() -> None:
    """Meta-test: each constraint family is named by at least one test function."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py") if p.name != Path(__file__).name)
    tests = re.findall(r"^def (test_\w+)", source, flags=re.MULTILINE)
    missing = [f.__name__ for f in FAMILIES if f.__name__ != "add_objective" and not any(t.startswith("test_" + f.__name__.removeprefix("add_")) for t in tests)]
    assert missing == []


def test_public_api_is_pinned() -> None:
    assert sorted(planner.__all__) == sorted([
        "InfeasibleError", "InputError", "Inputs", "ModelBuildError", "ModelData", "PlannerError", "Results", "RunConfig",
        "Plan", "RunOutcome", "SolveError", "SolveResult", "SolverFailedError", "Status", "TimeLimitError", "VerifyReport", "build_data",
        "build_model", "compare", "load_inputs", "run", "solve", "verify_outputs",
    ])
    for name in planner.__all__:
        assert hasattr(planner, name)

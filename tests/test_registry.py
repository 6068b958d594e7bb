"""Meta-tests over the family registry: every family carries everything that must follow it."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from planner.model import FAMILIES
from planner.model.objective import add_objective
from planner.model.registry import BY_NAME, REGISTRY, family
from planner.results.extract import DUAL_UNITS
from planner.verify.check import CHECKS, RULES

ROOT = Path(__file__).resolve().parents[1]
NAMES = [f.name for f in REGISTRY]
MATH = re.compile(r"\w+\[[^\]]+\].*\s(<=|>=|=)\s|\s(<=|>=|=)\s.*\w+\[[^\]]+\]")
"""A line of math: a relation (<=, >=, =) with an indexed symbol such as racks[c,y] on one side."""


def test_families_are_the_registry_in_build_order_then_the_objective() -> None:
    assert (*(f.add for f in REGISTRY), add_objective) == FAMILIES
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_family_declares_its_dual_unit_wording_and_verify_check(name: str) -> None:
    f = BY_NAME[name]
    unit, factor = f.dual
    assert re.fullmatch(r"(元|万元|亿元)/\S+", unit), unit
    assert unit != "亿元/unit", unit
    assert factor > 0
    assert DUAL_UNITS[name] == f.dual
    assert f.title.strip()
    assert f.diagnosis.strip()
    assert f.title != name
    assert re.search(r"[\u4e00-\u9fff]", f.title_zh), f"{name}: title_zh {f.title_zh!r} has no Chinese"
    assert f.title_zh != f.title
    assert f.verify in CHECKS, f"verify has no check for {name}"
    assert CHECKS[f.verify] in RULES, f"{CHECKS[f.verify].__name__} is not run by verify"


def test_verify_checks_nothing_but_registered_families() -> None:
    assert set(CHECKS) == set(NAMES)


def test_an_unknown_family_has_no_silent_unit() -> None:
    with pytest.raises(KeyError, match=r"not in planner\.model\.registry"):
        family("made_up_family")


@pytest.mark.parametrize("add", FAMILIES, ids=lambda f: f.__name__)
def test_every_family_docstring_has_a_line_of_math(add) -> None:
    lines = (add.__doc__ or "").splitlines()
    assert any(MATH.search(line) for line in lines), (
        f"{add.__name__}: no line like `x[c,y] <= limit[c]` in its docstring"
    )


def test_the_math_rule_rejects_prose_with_an_equals_sign() -> None:
    assert not MATH.search("Keeps the load = what the hubs send (see the docs).")
    assert MATH.search("racks_new[c,y] <= build_max[c]        for all c, y")


def test_formulation_has_one_section_per_family() -> None:
    text = (ROOT / "docs" / "formulation.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^### (\w+)$", text, flags=re.MULTILINE))
    assert sections == {*NAMES, "objective"}


def asserting_tests(source: str) -> dict[str, bool]:
    """Test functions in `source` -> whether the body asserts something.

    An assert, pytest.raises/warns, or an assert_* helper counts.
    """
    out: dict[str, bool] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            asserts = any(
                isinstance(n, ast.Assert)
                or (
                    isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("raises", "warns")
                )
                or (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id.startswith("assert_"))
                for n in ast.walk(node)
            )
            out[node.name] = out.get(node.name, False) or asserts
    return out


@functools.cache
def _all_tests() -> dict[str, bool]:
    out: dict[str, bool] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        for name, ok in asserting_tests(path.read_text(encoding="utf-8")).items():
            out[name] = out.get(name, False) or ok
    return out


@pytest.mark.parametrize("name", NAMES)
def test_every_family_has_a_test_that_asserts(name: str) -> None:
    own = {t: ok for t, ok in _all_tests().items() if t.startswith(f"test_{name}")}
    assert own, f"no test_{name}* function"
    assert any(own.values()), f"test_{name}* functions assert nothing: {sorted(own)}"


def test_the_assertion_rule_rejects_an_empty_test() -> None:
    found = asserting_tests("def test_capacity():\n    pass\n\ndef test_capacity_rows():\n    rows = build()\n\n"
                            "def test_capacity_holds():\n    assert_feasible_plan(x)\n")
    assert found == {"test_capacity": False, "test_capacity_rows": False, "test_capacity_holds": True}


def test_the_report_names_every_family_in_the_page_language() -> None:
    """Report pages (appendix, compare) show a family's title, never its code, in either language."""
    from planner.report.glossary import Lang
    from planner.report.worth import family_title

    zh, en = Lang("zh"), Lang("en")
    assert family_title(zh, "power_balance") == "电力平衡(满足设施用电)"  # the registry's (the report phrases none)
    assert family_title(en, "power_balance") == "Power balance (facility energy met)"
    assert family_title(zh, "capacity") == "集群满载"  # the report's own wording first
    for name in NAMES:
        assert re.search(r"[\u4e00-\u9fff]", family_title(zh, name)), name
        assert family_title(en, name) != name
    assert family_title(zh, "made_up") == "made_up"  # an unknown family stays as its code

"""Only planner/solver/highs.py talks to highspy, through highspy's own enums (no magic numbers)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HIGHS_MODULE = ROOT / "planner" / "solver" / "highs.py"
HIGHS_METHODS = re.compile(
    r"\.(passModel|changeCoeff|changeRowsBounds|changeColsCost|getIis|readModel|getInfo|getModelStatus|setOptionValue)\("
)


def test_only_the_highs_module_imports_or_calls_highspy() -> None:
    offenders = []
    for path in sorted((ROOT / "planner").rglob("*.py")):
        if path == HIGHS_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {a.name for n in imports for a in n.names} | {
            n.module for n in imports if isinstance(n, ast.ImportFrom) and n.module
        }
        if "highspy" in names:
            offenders.append(f"{path.relative_to(ROOT)} imports highspy")
        if HIGHS_METHODS.search(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)} calls a Highs method")
    assert not offenders, offenders


def test_the_highs_module_names_highspy_enums_not_numbers() -> None:
    source = HIGHS_MODULE.read_text(encoding="utf-8")
    assert "_ROWWISE" not in source
    assert not re.search(r"==\s*[0-9]\b", source), "compare with highspy enums, not numbers"
    for enum in (
        "MatrixFormat.kRowwise",
        "ObjSense.kMinimize",
        "SolutionStatus.kSolutionStatusFeasible",
        "HighsVarType.kInteger",
        "IisStrategy",
    ):
        assert enum in source


def test_highspy_is_a_declared_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(dep.startswith("highspy") for dep in project["dependencies"])

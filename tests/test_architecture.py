"""The package's stages import only earlier stages: files -> inputs -> model -> solver -> results -> ... -> report."""

from __future__ import annotations

import ast
from pathlib import Path

import planner

PACKAGE = Path(planner.__file__).parent

# Stage order; a module may import its own stage and earlier ones only. The top level (the public
# API, the pipeline, the CLI, the web app) sits above every stage.
STAGES = ["base", "inputs", "config", "model", "solver", "results", "verify", "analysis", "report", "scenarios", "top"]
BASE = {"planner.errors"}


def stage_of(module: str) -> str:
    """The stage a dotted planner module belongs to."""
    if module in BASE:
        return "base"
    if module == "planner.config":  # how to solve: read from a validated case, used by every later stage
        return "config"
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    return "top"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def planner_imports(path: Path) -> list[tuple[int, str]]:
    """Every `planner.*` module a file imports (module level or inside functions), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.split(".")[0] == "planner"
            and node.level == 0
        ):
            if node.module == "planner":
                found.extend((node.lineno, f"planner.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "planner")
    return found


def test_no_stage_imports_a_later_stage():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_name(path)
        for line, target in planner_imports(path):
            if STAGES.index(stage_of(target)) > STAGES.index(stage_of(here)):
                violations.append(
                    f"{path.relative_to(PACKAGE.parent)}:{line}: {here} ({stage_of(here)}) imports {target} "
                    f"({stage_of(target)})"
                )
    assert not violations, "\n".join(violations)


def test_the_checker_sees_a_backward_import(tmp_path):
    # the rule is only as good as its parser: a later-stage import in a planted file must be caught
    planted = tmp_path / "x.py"
    planted.write_text("def f():\n    from planner.report import write_report\n", encoding="utf-8")
    assert planner_imports(planted) == [(2, "planner.report")]
    assert STAGES.index(stage_of("planner.report")) > STAGES.index(stage_of("planner.model.data"))


def test_every_module_sits_in_a_stage_folder_or_is_top_level_api():
    top_level = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert top_level == ["__init__", "cli", "config", "errors", "pipeline"], top_level
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert set(folders) <= {*STAGES, "web"}, folders  # web: the web app, top level like the CLI

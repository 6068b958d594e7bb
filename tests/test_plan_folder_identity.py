"""Two code paths, one plan: the CLI and the Python API write byte-identical plan folders.

Uses scripts/golden_check.py's comparison (every file, only timings, versions and platform
masked), which is also the refactor guard engineers run against golden folders of their own.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from typer.testing import CliRunner

from planner.cli import app
from planner.pipeline import run
from tests.conftest import TinyCase

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "golden_check.py"


def golden_check():
    spec = importlib.util.spec_from_file_location("golden_check", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_and_api_write_the_same_plan_folder(tmp_path: Path) -> None:
    case = TinyCase(tmp_path).set(policy={"green_share_min_new": 0.5}).write()
    result = CliRunner().invoke(app, ["solve", str(case), "--out", str(tmp_path / "cli"), "--no-report"])
    assert result.exit_code == 0, result.output
    run(case, tmp_path / "api", report=False)  # the typed Python API
    compare = golden_check().compare
    assert compare(tmp_path / "api", tmp_path / "cli") == []
    plan = tmp_path / "api" / "load.csv"
    plan.write_text(plan.read_text(encoding="utf-8").replace("10000.000000", "10000.000001", 1), encoding="utf-8")
    assert compare(tmp_path / "api", tmp_path / "cli") == ["cli: load.csv differs"]

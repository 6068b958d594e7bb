"""The static checks are wired in: ruff at 120 and mypy --strict on planner/, run by CI before the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_configures_ruff_at_120_and_strict_mypy_on_planner() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["ruff"]["line-length"] == 120
    mypy = config["tool"]["mypy"]
    assert mypy["strict"] is True
    assert mypy["files"] == ["planner"]
    assert "disable_error_code" not in mypy
    assert "ignore_missing_imports" not in mypy  # only per third-party module, in overrides
    dev = " ".join(config["project"]["optional-dependencies"]["dev"])
    for tool in ("ruff", "mypy", "pandas-stubs"):
        assert tool in dev


def test_ci_runs_the_static_checks_before_the_tests() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.index("./setup.sh check") < ci.index("./setup.sh test")
    script = ROOT / "scripts" / "check-static"
    assert os.access(script, os.X_OK)
    assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0
    text = script.read_text(encoding="utf-8")
    assert "ruff\" check" in text
    assert "mypy\" --strict" in text


def test_every_type_ignore_names_its_code_and_why() -> None:
    bare = []
    for path in sorted((ROOT / "planner").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "# type: ignore" in line:
                tail = line.split("# type: ignore", 1)[1]
                if not tail.startswith("[") or "#" not in tail.split("]", 1)[1]:
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed (./setup.sh install dev)")
    command = [ruff, "check", "--output-format", "concise", "."]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]

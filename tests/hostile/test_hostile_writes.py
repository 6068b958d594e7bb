"""Writes that fail (disk full, read-only folder), two runs into one folder, and names that carry HTML.

A failed write must leave the user's previous files exactly as they were and nothing partial; a
second run into a folder being written fails cleanly or waits, never both succeed with one result
lost; report.md, compare.md and diagnosis.md must not carry live HTML from names in the inputs.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import planner.results.folders as folders
from tests import infeasible_cases as cases
from tests.conftest import TinyCase, set_rows
from tests.hostile.helpers import ROOT, cli, leftovers, read_json, snapshot


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("writes")
    tiny = TinyCase(root)
    set_rows(
        tiny.tables["hubs"],
        {"hub_id": "h1"},
        name_en="<script>alert(1)</script>",
        name_zh="<img src=x onerror=alert(2)>",
    )
    set_rows(
        tiny.tables["clusters"], {"cluster_id": "west1"}, name_en="<iframe src=//evil>", name_zh="西<b onmouseover=x>"
    )
    tiny.set(description="<svg onload=alert(3)> a <!-- comment --> case")
    case = tiny.write()
    for name, report in (("a", "--report"), ("b", "--no-report")):
        result = cli("solve", case, "--out", root / name, report)
        assert result.exit_code == 0, result.output
    return case, root / "a", root / "b"


def _fail_with(code: int) -> Any:
    def fail(*_: Any, **__: Any) -> Any:
        raise OSError(code, os.strerror(code))
    return fail


FAULTS = {"disk-full": errno.ENOSPC, "read-only": errno.EROFS, "permission-denied": errno.EACCES}


@pytest.mark.parametrize("fault", ["disk-full", "read-only"])
def test_report_that_cannot_be_written_leaves_the_old_report(
    fault: str, plans: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "plan"
    import shutil

    shutil.copytree(plans[1], folder)
    before = snapshot(folder)
    monkeypatch.setattr(folders.os, "replace", _fail_with(FAULTS[fault]))
    result = cli("report", folder)
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.output
    assert os.strerror(FAULTS[fault]) in result.output
    assert snapshot(folder) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fault", list(FAULTS))
def test_compare_that_cannot_be_written_leaves_nothing_partial(
    fault: str, plans: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "cmp"
    assert cli("compare", plans[1], plans[2], "--out", out).exit_code == 0
    before = snapshot(tmp_path)
    monkeypatch.setattr(folders.tempfile, "mkstemp", _fail_with(FAULTS[fault]))
    result = cli("compare", plans[1], plans[2], "--out", out)
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.output
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fault", list(FAULTS))
def test_solve_that_cannot_be_written_keeps_the_old_plan(
    fault: str, plans: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "plan"
    assert cli("solve", plans[0], "--out", out, "--no-report").exit_code == 0
    before = snapshot(tmp_path)
    # the plan's tables reach the disk by pandas' to_csv or, for plain tables, Path.write_bytes: both fail
    monkeypatch.setattr(pd.DataFrame, "to_csv", _fail_with(FAULTS[fault]))
    monkeypatch.setattr(Path, "write_bytes", _fail_with(FAULTS[fault]))
    result = cli("solve", plans[0], "--out", out, "--no-report", "--force")
    assert result.exit_code == 1, result.output
    assert "cannot write the plan" in result.output
    assert "nothing was changed" in result.output
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fault", list(FAULTS))
def test_diagnosis_that_cannot_be_written_leaves_nothing_partial(
    fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = cases.carbon_vs_floor(TinyCase(tmp_path)).write()
    before = snapshot(tmp_path)
    monkeypatch.setattr(folders.os, "replace", _fail_with(FAULTS[fault]))
    result = cli("solve", case, "--out", tmp_path / "out", "--no-report")
    assert result.exit_code == 1, result.output
    assert "cannot write" in result.output
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


# --------------------------------------------------------------------------- markdown that cannot inject HTML

LIVE = ("<script", "<img", "<iframe", "<svg", "<b ", "<!--")


def test_report_md_escapes_names(plans: tuple[Path, Path, Path]) -> None:
    text = (plans[1] / "report.md").read_text(encoding="utf-8")
    assert "alert(1)" in text or "iframe" in text, "the names are in the report"
    assert not [tag for tag in LIVE if tag in text]


def test_compare_md_escapes_names(plans: tuple[Path, Path, Path], tmp_path: Path) -> None:
    assert cli("compare", plans[1], plans[2], "--out", tmp_path / "cmp").exit_code == 0
    text = (tmp_path / "cmp" / "compare.md").read_text(encoding="utf-8")
    assert not [tag for tag in LIVE if tag in text]


def test_diagnosis_md_escapes_names(tmp_path: Path) -> None:
    tiny = cases.joint_floors(TinyCase(tmp_path))
    set_rows(
        tiny.tables["clusters"],
        {"cluster_id": "east1"},
        name_zh="<script>alert(1)</script>",
        name_en="<img src=x onerror=y>",
    )
    case = tiny.write()
    result = cli("solve", case, "--out", tmp_path / "out", "--no-report")
    assert result.exit_code == 3, result.output
    text = (tmp_path / "out" / "diagnosis.md").read_text(encoding="utf-8")
    assert "alert(1)" in text, "the name is in the diagnosis"
    assert not [tag for tag in LIVE if tag in text]


# --------------------------------------------------------------------------- two runs, one folder

SLOW = """
import sys, time
import planner.pipeline as pipeline
original = pipeline.write_results
def slow(stage, results):
    time.sleep(3)  # hold the folder while the other run arrives
    return original(stage, results)
pipeline.write_results = slow
from planner.cli import main
sys.argv = ["planner", "solve", sys.argv[1], "--out", sys.argv[2], "--no-report", *sys.argv[3:]]
main()
"""


def test_two_solves_into_one_folder_never_both_succeed(tmp_path: Path) -> None:
    case = TinyCase(tmp_path).write()
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SLOW, str(case), str(out)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    ]
    time.sleep(0.3)
    procs.append(
        subprocess.Popen(
            [sys.executable, "-c", SLOW, str(case), str(out)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    outputs = "\n".join(o + e for _, o, e in results)
    assert "Traceback" not in outputs
    # exactly one plan: the other run is told the folder is busy (or, had it come later, that it exists)
    assert codes in ([0, 1], [0, 2]), outputs
    assert "another run is writing" in outputs or "already exists" in outputs
    assert outputs.count("outputs in") == 1
    assert read_json(out / "plan.json")["status"] == "optimal"
    assert leftovers(tmp_path) == []

"""Edited and corrupt plan folders given to report, compare and verify: a located error, never a traceback.

One tiny plan is solved per module; each case copies it, breaks one file one way, and runs the
command. It must exit non-zero naming the file (and row and column where the fault has them),
leave the folder exactly as it was and leave nothing partial.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TinyCase
from tests.hostile.helpers import cli, leftovers, snapshot

Mutation = Callable[[Path], None]


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("plan_folders")
    case = TinyCase(root).write()
    assert cli("solve", case, "--out", root / "base", "--no-report").exit_code == 0
    assert cli("solve", case, "--out", root / "other", "--no-report").exit_code == 0
    return root / "base", root / "other"


def _cell(name: str, row: int, column: str, value: str) -> Mutation:
    def mutate(folder: Path) -> None:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        cells = lines[row - 1].split(",")
        cells[header.index(column)] = value
        lines[row - 1] = ",".join(cells)
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutate


def _lines(name: str, edit: Callable[[list[str]], list[str]]) -> Mutation:
    def mutate(folder: Path) -> None:
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        (folder / name).write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return mutate


def _plan(key: str, value: object) -> Mutation:
    def mutate(folder: Path) -> None:
        plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        plan[key] = value
        (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return mutate


def _raw(name: str, data: bytes) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / name).write_bytes(data)
    return mutate


def _remove(name: str) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / name).unlink()
    return mutate


def _special(name: str, kind: str) -> Mutation:
    def mutate(folder: Path) -> None:
        (folder / name).unlink()
        if kind == "fifo":
            os.mkfifo(folder / name)
        else:
            (folder / name).symlink_to("/dev/zero")
    return mutate


CORRUPTIONS: dict[str, tuple[Mutation, str]] = {
    "racks-text": (_cell("racks.csv", 2, "racks", "abc"), "racks.csv:2: racks: 'abc'"),
    "racks-nan": (_cell("racks.csv", 3, "racks", "nan"), "racks.csv:3: racks: 'nan'"),
    "racks-inf": (_cell("racks.csv", 2, "racks", "inf"), "racks.csv:2: racks:"),
    "racks-header-only": (_lines("racks.csv", lambda lines: lines[:1]), "racks.csv:1: has a header but no rows"),
    "racks-year-20x6": (_cell("racks.csv", 2, "year", "20x6"), "racks.csv:2: year: '20x6'"),
    "racks-year-fraction": (_cell("racks.csv", 2, "year", "2026.5"), "racks.csv:2: year:"),
    "racks-missing-column": (
        _lines("racks.csv", lambda lines: [",".join(line.split(",")[:2]) for line in lines]),
        "racks.csv:1: missing column(s) racks",
    ),
    "racks-duplicate-row": (
        _lines("racks.csv", lambda lines: [*lines, lines[1]]),
        "racks.csv:6: row repeats the key cluster=east1, year=2026",
    ),
    "load-blank-key": (_cell("load.csv", 2, "hub", ""), "load.csv:2: hub:"),
    "racks-missing": (_remove("racks.csv"), "racks.csv"),
    "racks-is-a-fifo": (_special("racks.csv", "fifo"), "racks.csv: is not a regular file"),
    "racks-linked-to-dev-zero": (_special("racks.csv", "zero"), "racks.csv: is not a regular file"),
    "racks-not-utf8": (_raw("racks.csv", b"cluster,year,racks\n\xff\xfe,2026,1\n"), "racks.csv"),
    "plan-objective-text": (
        _plan("objective_yi_yuan", "lots"),
        "plan.json: objective_yi_yuan: 'lots' - expected a finite number",
    ),
    "plan-objective-null": (_plan("objective_yi_yuan", None), "plan.json: objective_yi_yuan:"),
    "plan-objective-bool": (_plan("objective_yi_yuan", True), "plan.json: objective_yi_yuan: True"),
    "plan-green-share-text": (_plan("green_share", "high"), "plan.json: green_share: 'high'"),
    "plan-cost-breakdown-text": (
        _plan("cost_breakdown_yi_yuan", {"capex": "cheap"}),
        "plan.json: cost_breakdown_yi_yuan.capex: 'cheap'",
    ),
    "plan-objective-halved": (
        lambda folder: _plan(
            "objective_yi_yuan", json.loads((folder / "plan.json").read_text(encoding="utf-8"))["objective_yi_yuan"] / 2
        )(folder),
        "plan.json: objective_yi_yuan: 5.0 - is not the sum of cost_breakdown_yi_yuan",
    ),
    "plan-east-racks-edited": (
        _plan("new_racks_east", 123456.0),
        "plan.json: new_racks_total: 10000.0 - is not the sum of new_racks_east + new_racks_west",
    ),
    "plan-status-infeasible": (_plan("status", "infeasible"), "'infeasible'"),
    "plan-status-missing": (_plan("status", None), "'None'"),
    "plan-not-an-object": (_raw("plan.json", b"[]"), "plan.json: expected a JSON object"),
    "plan-truncated": (_raw("plan.json", b'{"status": "opt'), "plan.json"),
    "plan-deeply-nested": (_raw("plan.json", b"[" * 100_000 + b"]" * 100_000), "plan.json"),
    "plan-missing": (_remove("plan.json"), "plan.json"),
    "inputs-json-garbage": (_raw("inputs.json", b'{"scenario": 5}'), "inputs.json"),
}
COMMANDS = ("report", "verify", "compare")
EXIT = {
    "plan-status-infeasible": {"verify": 1},
    "plan-status-missing": {"verify": 1},
    "plan-objective-halved": {"verify": 1},
    "plan-east-racks-edited": {"verify": 1},
}
"""verify measures edited totals as violations (exit 1, with their size) rather than refusing the folder."""


@pytest.mark.parametrize(
    ("name", "command"), [pytest.param(n, c, id=f"{c}-{n}") for n in CORRUPTIONS for c in COMMANDS]
)
def test_corrupt_plan_folder_gives_a_located_error(
    name: str, command: str, solved: tuple[Path, Path], tmp_path: Path
) -> None:
    mutate, message = CORRUPTIONS[name]
    folder = tmp_path / "plan"
    shutil.copytree(solved[0], folder)
    mutate(folder)
    before = snapshot(tmp_path)
    args = ["compare", solved[1], folder, "--out", tmp_path / "cmp"] if command == "compare" else [command, folder]
    result = cli(*args)
    assert result.exit_code == EXIT.get(name, {}).get(command, 2), result.output
    if command == "verify" and name in ("plan-objective-halved", "plan-east-racks-edited"):
        message = "VIOLATED"
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before
    assert leftovers(tmp_path) == []


def test_verify_checks_the_inputs_hash_against_the_case(solved: tuple[Path, Path], tmp_path: Path) -> None:
    case = solved[0].parent / "case1"
    assert cli("verify", solved[0], "--case", case).exit_code == 0
    edited = tmp_path / "case"
    shutil.copytree(case, edited)
    (edited / "scenario.yaml").write_text(
        (edited / "scenario.yaml").read_text(encoding="utf-8") + "description: edited\n", encoding="utf-8"
    )
    result = cli("verify", solved[0], "--case", edited)
    assert result.exit_code == 1
    assert "INPUTS DIFFER: the plan was solved from inputs with hash" in result.output

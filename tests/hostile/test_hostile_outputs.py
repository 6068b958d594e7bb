"""Hostile `--out` values: every command refuses a folder it did not write, and nothing is touched.

A scene holds a case, the user's own folders and files, symlinks to them, an existing plan folder
and a fake home folder. Every `--out` shape is tried with every command that writes a folder
(solve, diagnose, compare, sweep), with `--force` where the command has it; each run must exit 2
with the message, leave every entry of the scene exactly as it was (checked file by file, symlinks
not followed) and leave no staging, swap or lock file behind.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from planner.results.folders import MARKER
from tests.conftest import TinyCase
from tests.hostile.helpers import cli, leftovers, read_json, snapshot

NOT_OURS = "not a plan folder: choose another --out"


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A tiny case and two plans solved from it (for compare), outside any scene."""
    root = tmp_path_factory.mktemp("plans")
    case = TinyCase(root).write()
    for name in ("a", "b"):
        result = cli("solve", case, "--out", root / name, "--no-report")
        assert result.exit_code == 0, result.output
    return case, root / "a", root / "b"


@pytest.fixture
def scene(tmp_path: Path, plans: tuple[Path, Path, Path]) -> Path:
    root = tmp_path / "scene"
    root.mkdir()
    shutil.copytree(plans[0], root / "case")
    (root / "mine" / "sub").mkdir(parents=True)
    (root / "mine" / "notes.txt").write_text("my thesis, no backup", encoding="utf-8")
    (root / "mine" / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (root / "empty").mkdir()
    (root / "file.txt").write_text("keep", encoding="utf-8")
    (root / "home").mkdir()
    (root / "home" / ".bashrc").write_text("export X=1\n", encoding="utf-8")
    (root / "link_to_mine").symlink_to(root / "mine", target_is_directory=True)
    (root / "link_to_case").symlink_to(root / "case", target_is_directory=True)
    (root / "dangling").symlink_to(root / "nowhere")
    (root / "plans" / "old").mkdir(parents=True)
    (root / "plans" / "old" / MARKER).write_text('{"written_by": "planner", "kind": "plan"}\n', encoding="utf-8")
    (root / "plans" / "old" / "plan.json").write_text('{"status": "optimal"}\n', encoding="utf-8")
    (root / "sweep.yaml").write_text(
        f"name: s\nbase: {root / 'case'}\nparameters:\n  p:\n    set: discount_rate\n    values: [0.01]\n",
        encoding="utf-8",
    )
    return root


SHAPES = {
    "users-folder": ("mine", NOT_OURS),
    "users-empty-folder": ("empty", NOT_OURS),
    "case-folder-itself": ("case", NOT_OURS),
    "inside-the-case": ("case/out", NOT_OURS),
    "deep-inside-the-case": ("case/a/b/c", NOT_OURS),
    "parent-of-the-case": (".", NOT_OURS),
    "case-via-dotdot": ("mine/../case", NOT_OURS),
    "home-folder": ("home", NOT_OURS),
    "filesystem-root": ("/", NOT_OURS),
    "symlink-to-users-folder": ("link_to_mine", NOT_OURS),
    "symlink-to-case": ("link_to_case", NOT_OURS),
    "inside-case-via-symlink": ("link_to_case/out", NOT_OURS),
    "dangling-symlink": ("dangling", NOT_OURS),
    "a-file": ("file.txt", NOT_OURS),
    "inside-users-symlinked-folder-file": ("link_to_mine/notes.txt", NOT_OURS),
}


NEW_FOLDERS_IN_A_CASE = ("inside-the-case", "deep-inside-the-case", "inside-case-via-symlink")


def _args(command: str, scene: Path, out: Path, plans: tuple[Path, Path, Path], force: bool) -> list[object]:
    if command == "solve":
        return ["solve", scene / "case", "--out", out, "--no-report", *(["--force"] if force else [])]
    if command == "diagnose":
        return ["diagnose", scene / "case", "--out", out]
    if command == "compare":
        return ["compare", plans[1], plans[2], "--out", out]
    return ["sweep", scene / "sweep.yaml", "--out", out, "--workers", "1"]


CASES = [
    pytest.param(cmd, shape, force, id=f"{cmd}-{shape}{'-force' if force else ''}")
    for shape in SHAPES
    for cmd, force in (("solve", True), ("solve", False), ("diagnose", False), ("compare", False), ("sweep", False))
    if not (
        cmd == "solve"
        and not force
        and shape not in ("users-folder", "case-folder-itself", "a-file", "symlink-to-users-folder")
    )
    and not (cmd == "compare" and shape in NEW_FOLDERS_IN_A_CASE)
]
"""compare reads plan folders, not a case: a new folder inside some case is an ordinary new folder to it."""


@pytest.mark.parametrize(("command", "shape", "force"), CASES)
def test_out_shape_is_refused_and_nothing_is_touched(
    command: str, shape: str, force: bool, scene: Path, plans: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    where, message = SHAPES[shape]
    out = Path(where) if where.startswith("/") else scene / where
    monkeypatch.chdir(scene)
    before = snapshot(scene)
    result = cli(
        *_args(command, scene, out, plans, force),
        env={"HOME": str(scene / "home"), "MPLCONFIGDIR": str(scene.parent / "mpl")},
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert snapshot(scene) == before
    assert leftovers(scene) == []
    assert not (scene / ".file.txt.old").exists()


def test_existing_plan_folder_without_force_is_a_usage_error(scene: Path) -> None:
    before = snapshot(scene)
    result = cli("solve", scene / "case", "--out", scene / "plans" / "old", "--no-report")
    assert result.exit_code == 2, result.output
    assert "already exists; pass --force" in result.output
    assert snapshot(scene) == before


def test_force_replaces_only_the_marked_plan_folder_and_keeps_its_siblings(scene: Path) -> None:
    out = scene / "plans" / "old"
    (scene / "plans" / "sibling.txt").write_text("mine", encoding="utf-8")
    before = {k: v for k, v in snapshot(scene).items() if not k.startswith("plans/old")}
    result = cli("solve", scene / "case", "--out", out, "--no-report", "--force")
    assert result.exit_code == 0, result.output
    assert read_json(out / "plan.json")["status"] == "optimal"
    assert (out / MARKER).is_file()
    assert (out / "racks.csv").is_file()
    assert {k: v for k, v in snapshot(scene).items() if not k.startswith("plans/old")} == before
    assert leftovers(scene) == []


def test_compare_writes_into_a_marked_folder(scene: Path, plans: tuple[Path, Path, Path]) -> None:
    out = scene / "cmp"
    assert cli("compare", plans[1], plans[2], "--out", out).exit_code == 0
    assert (out / MARKER).is_file()
    assert (out / "compare.md").is_file()
    again = cli("compare", plans[1], plans[2], "--out", out)
    assert again.exit_code == 0, again.output
    assert leftovers(scene) == []


def test_compare_refuses_to_write_into_one_of_its_plans(plans: tuple[Path, Path, Path]) -> None:
    before = snapshot(plans[1])
    result = cli("compare", plans[1], plans[2], "--out", plans[1] / "cmp")
    assert result.exit_code == 2, result.output
    assert NOT_OURS in result.output
    assert snapshot(plans[1]) == before


def test_infeasible_run_with_force_leaves_no_stale_plan(scene: Path) -> None:
    out = scene / "plans" / "good"
    assert cli("solve", scene / "case", "--out", out, "--no-report").exit_code == 0
    clusters = (scene / "case" / "clusters.csv").read_text(encoding="utf-8")
    lines = clusters.splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("racks_existing")], cells[header.index("utilisation_min")] = "20000", "0.65"
    (scene / "case" / "clusters.csv").write_text(
        "\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8"
    )
    result = cli("solve", scene / "case", "--out", out, "--no-report", "--force")
    assert result.exit_code == 3, result.output
    assert read_json(out / "status.json")["status"] == "infeasible"
    assert read_json(out / "plan.json")["status"] == "infeasible"
    assert (out / "diagnosis.md").is_file()
    assert (out / "diagnosis.json").is_file()
    assert not (out / "racks.csv").exists()
    assert not (out / "report.md").exists()
    report = cli("report", out)
    assert report.exit_code == 2
    assert "is not a plan" in report.output
    assert leftovers(scene) == []


def test_folders_follow_the_umask(scene: Path) -> None:
    old = os.umask(0o022)
    try:
        out = scene / "plans" / "umask"
        assert cli("solve", scene / "case", "--out", out, "--no-report").exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755
    assert (out / "plan.json").stat().st_mode & 0o777 == 0o644


def test_killed_runs_leftovers_are_cleaned_by_the_next_run_in_that_parent(scene: Path) -> None:
    parent = scene / "plans"
    dead = parent / ".other.partial-999999999-x"
    dead.mkdir()
    (dead / MARKER).write_text("{}", encoding="utf-8")
    (dead / "racks.csv").write_text("half", encoding="utf-8")
    alive = parent / f".mine.partial-{os.getpid()}-y"
    alive.mkdir()
    assert cli("solve", scene / "case", "--out", parent / "new", "--no-report").exit_code == 0
    assert not dead.exists()
    assert alive.exists()  # a live run's staging folder is left alone

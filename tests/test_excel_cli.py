"""Excel on the command line: `planner export --xlsx`, `planner solve case.xlsx`, plan.xlsx, and `--set`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from planner.cli import app
from planner.inputs import workbook
from planner.inputs.workbook import read_workbook
from tests.conftest import TinyCase

runner = CliRunner()
DEFAULT = Path(__file__).resolve().parents[1] / "inputs" / "default"


def _solve(case: Path, out: Path, *extra: str) -> None:
    result = runner.invoke(app, ["solve", str(case), "--no-report", "--out", str(out), *extra])
    assert result.exit_code in (0, 5), result.output  # 5: a plan that leaves demand unmet, written all the same


def test_export_then_solve_the_workbook_gives_the_folder_plan(tmp_path: Path) -> None:
    book = tmp_path / "default.xlsx"
    result = runner.invoke(app, ["export", str(DEFAULT), "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    sheets = load_workbook(book, read_only=True).sheetnames
    assert sheets == ["scenario", "hubs", "clusters", "workloads", "demand", "links", "compute", "cluster_years",
                      "profiles_hourly"]
    checked = runner.invoke(app, ["validate", str(book)])
    assert checked.exit_code == 0, checked.output
    assert f"hourly profiles in {book} (sheet profiles_hourly)" in " ".join(checked.output.split())  # not a folder
    _solve(DEFAULT, tmp_path / "folder", "--days", "2")
    _solve(book, tmp_path / "xlsx", "--days", "2")
    a, b = (json.loads((tmp_path / name / "plan.json").read_text(encoding="utf-8")) for name in ("folder", "xlsx"))
    assert b["objective_yi_yuan"] == pytest.approx(a["objective_yi_yuan"], rel=1e-9)
    for key in ("new_racks_east", "new_racks_west", "green_share", "unmet_rack_years"):
        assert b[key] == pytest.approx(a[key], rel=1e-9, abs=1e-9), key
    for table in ("racks_new.csv", "load.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "folder" / table), pd.read_csv(tmp_path / "xlsx" / table))
    # every plan folder has plan.xlsx: the headline, then the tables
    plan_book = load_workbook(tmp_path / "folder" / "plan.xlsx", read_only=True)
    assert plan_book.sheetnames[:3] == ["plan", "racks_new", "racks"]
    headline = {row[0]: row[1] for row in plan_book["plan"].iter_rows(min_row=2, values_only=True)}
    assert headline["objective_yi_yuan"] == pytest.approx(a["objective_yi_yuan"])
    frame = pd.read_excel(tmp_path / "folder" / "plan.xlsx", sheet_name="racks_new")
    written = pd.read_csv(tmp_path / "folder" / "racks_new.csv")
    assert frame["new_racks"].sum() == pytest.approx(written["new_racks"].sum())
    # an existing file is kept unless --force
    again = runner.invoke(app, ["export", str(DEFAULT), "--xlsx", str(book)])
    assert again.exit_code == 2
    assert "--force" in again.output


def _tiny_book(tiny: TinyCase, tmp_path: Path) -> Path:
    book = tmp_path / "tiny.xlsx"
    result = runner.invoke(app, ["export", str(tiny.write()), "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    return book


def test_a_bad_cell_in_a_workbook_is_located_at_its_sheet_and_row(tiny: TinyCase, tmp_path: Path) -> None:
    book = _tiny_book(tiny, tmp_path)
    wb = load_workbook(book)
    ws = wb["clusters"]
    column = [c.value for c in ws[1]].index("pue") + 1
    ws.cell(row=3, column=column, value="lots")
    wb.save(book)
    result = runner.invoke(app, ["solve", str(book), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{book}[clusters]:3: pue: 'lots'" in result.output
    assert not (tmp_path / "out").exists()


def test_a_workbook_with_a_formula_or_an_unknown_sheet_is_refused(tiny: TinyCase, tmp_path: Path) -> None:
    book = _tiny_book(tiny, tmp_path)
    wb = load_workbook(book)
    wb["demand"]["D2"] = "=1+1"
    wb.create_sheet("notes")
    wb.save(book)
    result = runner.invoke(app, ["validate", str(book)])
    assert result.exit_code == 2
    assert "sheet 'demand' row 2: a formula (=1+1)" in result.output
    assert "sheet 'notes': not a table" in result.output


def test_validate_reads_a_workbook(tiny: TinyCase, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_tiny_book(tiny, tmp_path))])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output
    missing = runner.invoke(app, ["solve", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2
    assert "workbook not found" in missing.output
    empty = Workbook()
    buffer = io.BytesIO()
    empty.save(buffer)
    (tmp_path / "empty.xlsx").write_bytes(buffer.getvalue())
    assert runner.invoke(app, ["validate", str(tmp_path / "empty.xlsx")]).exit_code == 2


def test_set_changes_a_setting_like_an_overlay(tiny: TinyCase, tmp_path: Path) -> None:
    tiny.set(budget={"total_yi_yuan": None})
    case = tiny.write()
    _solve(case, tmp_path / "free")
    _solve(case, tmp_path / "tight", "--set", "budget.total_yi_yuan=0", "--set", "name=tight")
    free, tight = (json.loads((tmp_path / n / "plan.json").read_text(encoding="utf-8")) for n in ("free", "tight"))
    assert tight["case"] == "tight"
    assert free["unmet_rack_years"] == pytest.approx(0, abs=1e-6)
    assert tight["unmet_rack_years"] > 0  # no budget: nothing is built, demand goes unmet
    overlay = tmp_path / "zero.yaml"
    overlay.write_text("set:\n  budget: {total_yi_yuan: 0}\n  name: tight\n", encoding="utf-8")
    _solve(case, tmp_path / "overlay", "--scenario", str(overlay))
    same = json.loads((tmp_path / "overlay" / "plan.json").read_text(encoding="utf-8"))
    assert same["objective_yi_yuan"] == pytest.approx(tight["objective_yi_yuan"], rel=1e-12)


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ("budget.total_yi_yuan=lots", "--set budget.total_yi_yuan=lots: budget.total_yi_yuan: 'lots' - Input"),
        ("policy.green_share_min_new=1.5", "--set policy.green_share_min_new=1.5: policy.green_share_min_new: 1.5"),
        ("budget.totl_yi_yuan=700", "--set budget.totl_yi_yuan=700: budget.totl_yi_yuan"),
        ("budget.total_yi_yuan", "--set 'budget.total_yi_yuan': expected KEY=VALUE"),
        ("=700", "expected KEY=VALUE"),
    ],
)
def test_a_bad_set_is_located_at_the_option(tiny: TinyCase, tmp_path: Path, pair: str, expected: str) -> None:
    result = runner.invoke(app, ["solve", str(tiny.write()), "--set", pair, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split()), result.output
    assert not (tmp_path / "out").exists()


def _unpacked(data: bytes, dest: Path) -> dict[str, bytes]:
    dest.mkdir()
    read_workbook(data, dest)
    return {str(p.relative_to(dest)): p.read_bytes() for p in sorted(dest.rglob("*")) if p.is_file()}


def test_calamine_and_openpyxl_unpack_the_same_case(
    tiny: TinyCase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast reader (python-calamine) against openpyxl, on our own workbook and on one openpyxl saved (shared
    strings, an emptied cell, a bool, a float, Chinese text): the tables they write are byte-identical and the
    settings equal (a number cell holding 0.0 may come back as 0)."""
    ours = _tiny_book(tiny, tmp_path).read_bytes()
    wb = load_workbook(io.BytesIO(ours))
    ws = wb["clusters"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("pue") + 1, value=1.23456789012345)
    ws.cell(row=3, column=header.index("name_zh") + 1, value="宁夏·中卫")
    ws.cell(row=3, column=header.index("name_en") + 1).value = None  # cell(value=None) would leave it
    wb["scenario"].append(["policy.carbon_cap_enabled", True])
    buffer = io.BytesIO()
    wb.save(buffer)
    for name, data in (("ours", ours), ("saved", buffer.getvalue())):
        assert not workbook._has_formula(data)
        fast = _unpacked(data, tmp_path / f"{name}_calamine")
        monkeypatch.setattr(workbook, "_has_formula", lambda _data: True)  # the openpyxl path
        slow = _unpacked(data, tmp_path / f"{name}_openpyxl")
        monkeypatch.undo()
        assert yaml.safe_load(fast.pop("scenario.yaml")) == yaml.safe_load(slow.pop("scenario.yaml")), name
        assert fast == slow, name
        rows = tiny.write().joinpath("clusters.csv").read_text(encoding="utf-8").count("\n")
        assert fast["clusters.csv"].decode().count("\n") == rows
    clusters = fast["clusters.csv"].decode()
    assert ",1.23456789012345," in clusters
    assert "west1,h2,宁夏·中卫,,30" in clusters  # the emptied name_en cell
    settings = yaml.safe_load(_unpacked(buffer.getvalue(), tmp_path / "again")["scenario.yaml"])
    assert settings["policy"]["carbon_cap_enabled"] is True
    assert settings["years"]["first"] == 2026
    assert isinstance(settings["years"]["first"], int)


def test_a_formula_is_found_in_any_worksheet_part() -> None:
    """The formula scan that sends a workbook to openpyxl: plain, shared and namespace-prefixed formula elements."""
    found = (b'<c r="A1"><f>1+1</f><v>2</v></c>', b'<c r="B2"><f t="shared" si="0"/></c>', b"<x:c><x:f>A1</x:f></x:c>")
    for xml in found:
        assert workbook._FORMULA.search(xml) is not None, xml
    for xml in (b'<c r="A1" t="inlineStr"><is><t>&lt;f&gt; as text</t></is></c>', b"<font/><fill/>"):
        assert workbook._FORMULA.search(xml) is None, xml

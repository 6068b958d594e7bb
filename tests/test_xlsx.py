"""The .xlsx writer (planner/inputs/xlsx.py), checked by reading its workbooks back with openpyxl and pandas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from planner.inputs.xlsx import column_letters, sheet_xml, workbook_bytes
from planner.results.workbook import SHEETS, write_plan_workbook


def _read(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data))  # not read-only: it also checks the styles and views parts
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


def test_column_letters_follow_excel() -> None:
    letters = column_letters(16_384)
    assert letters[:3] == ["A", "B", "C"]
    assert (letters[25], letters[26], letters[51], letters[52]) == ("Z", "AA", "AZ", "BA")
    assert (letters[701], letters[702], letters[-1]) == ("ZZ", "AAA", "XFD")  # XFD: Excel's last column


def test_cells_read_back_as_the_values_written() -> None:
    text_rows = [
        ["name (text)", "racks", "cost (亿元)", "flag"],
        ["张家口", "1200", "3.25", "True"],
        ["a <b> & \"c\"", "-7", "1.5e-3", ""],
        ["  padded  ", "007", "+5", ".5"],
        ["nan", "inf", "1_000", "bell\x07"],
    ]
    typed_rows = [["key", "value"], ["on", True], ["off", False], ["none", None], ["pi", 3.141592653589793],
                  ["big", 12345678901234], ["minus zero", -0.0], ["inf", float("inf")]]
    data = workbook_bytes([("csv", sheet_xml(text_rows)), ("typed", sheet_xml(typed_rows, numbers_in_text=False))])
    sheets = _read(data)
    assert list(sheets) == ["csv", "typed"]
    assert sheets["csv"] == [
        ("name (text)", "racks", "cost (亿元)", "flag"),
        ("张家口", 1200, 3.25, "True"),
        ('a <b> & "c"', -7, 0.0015, None),
        ("  padded  ", 7, 5.0, 0.5),
        ("nan", "inf", "1_000", "bell"),  # not numbers: the text stays text; control characters are dropped
    ]
    assert sheets["typed"] == [
        ("key", "value"), ("on", True), ("off", False), ("none", None), ("pi", 3.141592653589793),
        ("big", 12345678901234), ("minus zero", -0.0), ("inf", "inf"),
    ]
    assert isinstance(sheets["csv"][1][1], int)
    assert isinstance(sheets["csv"][1][2], float)


def test_header_is_bold_and_frozen() -> None:
    book = load_workbook(io.BytesIO(workbook_bytes([("t", sheet_xml([["a", "b"], ["1", "2"]]))])))
    ws = book["t"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert not ws["A2"].font.b


def test_same_tables_same_bytes() -> None:
    rows = [["a", "b"], ["1", "x"]]
    assert workbook_bytes([("t", sheet_xml(rows))]) == workbook_bytes([("t", sheet_xml(rows))])


@pytest.mark.parametrize("names", [["bad/name"], ["x" * 32], [""], ["Same", "same"]])
def test_invalid_sheet_names_are_refused(names: list[str]) -> None:
    with pytest.raises(ValueError, match="sheet name"):
        workbook_bytes([(n, sheet_xml([["a"]])) for n in names])


def test_plan_workbook_holds_every_csv_as_pandas_reads_it(tmp_path: Path) -> None:
    """plan.xlsx against the folder's CSVs, read independently by pandas (openpyxl under it)."""
    tables = {
        "racks_new": "cluster,year,racks_new (racks)\nzhangjiakou,2026,1200\nqingyang,2027,0.5\n",
        "duals": "family,key,dual,unit,slack,binding\n"
        "demand_met,batch/chengyu/2026,19547.849554,元/rack-year,0.0,True\n",
    }
    for name, text in tables.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    plan = {"status": "optimal", "objective_yi_yuan": 1279.3, "racks_new": 1200, "ok": True, "nested": {"x": 1}}
    path = write_plan_workbook(tmp_path, plan)
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == ["plan"] + [s for s in SHEETS if s in tables]
    for name in tables:
        pd.testing.assert_frame_equal(book[name], pd.read_csv(tmp_path / f"{name}.csv"), check_dtype=False)
    head = dict(zip(book["plan"]["key"], book["plan"]["value"], strict=True))
    assert head == {"status": "optimal", "objective_yi_yuan": 1279.3, "racks_new": 1200, "ok": "true"}
    assert json.dumps(plan)  # the plan itself is untouched
    with open(tmp_path / "racks_new.csv", encoding="utf-8") as f:
        assert len(list(csv.reader(f))) == 3

"""Hostile and honest uploads and round trips.

Zip-slip, absolute paths, symlinks, zip bombs, oversized, formulas, macros.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from planner.web.uploads import MAX_UPLOAD_BYTES

DEFAULT = Path(__file__).resolve().parents[2] / "inputs" / "default"


def case_zip(extra: dict[str, bytes] | None = None, top: str = "mycase", skip: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(DEFAULT.glob("*")):
            if path.is_file() and path.name not in skip:
                z.write(path, f"{top}/{path.name}" if top else path.name)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def upload(client: TestClient, data: bytes, filename: str = "case.zip") -> tuple[int, dict]:
    r = client.post(
        "/api/cases/upload", files={"file": (filename, data, "application/octet-stream")}, data={"name": "uploaded"}
    )
    return r.status_code, r.json()


def test_a_case_folder_zip_is_accepted_and_round_trips(client: TestClient, tmp_path: Path) -> None:
    status, case = upload(client, case_zip())
    assert status == 201, case
    assert case["name"] == "uploaded"
    assert case["tables"] == ["hubs", "clusters", "workloads", "demand", "links", "compute", "cluster_years"]
    again = client.get(f"/api/cases/{case['id']}/download.zip").content
    status, copy = upload(client, again)
    assert status == 201
    for table in case["tables"]:
        assert (
            client.get(f"/api/cases/{copy['id']}/tables/{table}").json()
            == client.get(f"/api/cases/{case['id']}/tables/{table}").json()
        )


def test_an_invalid_case_is_refused_with_located_problems(client: TestClient) -> None:
    bad = (DEFAULT / "clusters.csv").read_text(encoding="utf-8").replace(",1.25,1.25,", ",fast,1.25,", 1)
    status, body = upload(client, case_zip({"clusters.csv": bad.encode()}, top="", skip=("clusters.csv",)))
    assert status == 422, body
    assert any(p.startswith("clusters.csv:2: pue: 'fast' - ") for p in body["problems"]), body


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.csv", "'..'"),
        ("mycase/../../evil.csv", "'..'"),
        ("/etc/cron.d/evil", "absolute"),
        ("C:/evil.csv", "absolute"),
        ("mycase\\..\\evil.csv", "absolute or Windows"),
        ("mycase/run.sh", "not part of a case"),
    ],
)
def test_path_tricks_are_refused(client: TestClient, name: str, reason: str) -> None:
    status, body = upload(client, case_zip({name: b"x"}))
    assert status == 400, body
    assert any(reason in p for p in body["problems"]), body


def test_a_symlink_entry_is_refused(client: TestClient) -> None:
    buffer = io.BytesIO(case_zip())
    with zipfile.ZipFile(buffer, "a") as z:
        info = zipfile.ZipInfo("mycase/sources.csv")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    status, body = upload(client, buffer.getvalue())
    assert status == 400
    assert any("symlink" in p for p in body["problems"])


def test_a_zip_bomb_is_refused_before_unpacking(client: TestClient, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("scenario.yaml", "name: x\n")
        with z.open("sources.csv", "w", force_zip64=True) as f:
            chunk = b"0" * (1 << 20)
            for _ in range(120):  # 120 MB of zeros, about 120 kB packed
                f.write(chunk)
    assert len(buffer.getvalue()) < 1_000_000
    status, body = upload(client, buffer.getvalue())
    assert status == 400, body
    assert any("unpacked" in p or "zip bomb" in p for p in body["problems"]), body


def test_too_many_entries_and_oversized_uploads_are_refused(client: TestClient) -> None:
    many = case_zip({f"mycase/note{i}.md": b"x" for i in range(300)})
    status, body = upload(client, many)
    assert status == 400
    assert "entries" in body["problems"][0]
    status, body = upload(client, b"PK" + b"\0" * (MAX_UPLOAD_BYTES + 10))
    assert status == 400
    assert "MB" in body["problems"][0]
    huge = client.post(
        "/api/cases/upload",
        content=b"x" * 10,
        headers={"Content-Length": str(26 * 2**20), "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert huge.status_code == 413  # refused from the header, before the body is read
    status, body = upload(client, b"not a zip at all")
    assert status == 400
    assert "not a readable" in body["problems"][0]


def test_xlsx_round_trip(client: TestClient, case_id: int) -> None:
    data = client.get(f"/api/cases/{case_id}/download.xlsx").content
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "scenario",
        "hubs",
        "clusters",
        "workloads",
        "demand",
        "links",
        "compute",
        "cluster_years",
        "profiles_hourly",
    ]
    first_row = (DEFAULT / "demand.csv").read_text(encoding="utf-8").splitlines()[1].split(",")
    assert book["demand"]["D2"].value == float(first_row[3])  # numbers stay numbers in Excel
    status, case = upload(client, data, "case.xlsx")
    assert status == 201, case
    assert case["settings"] == client.get(f"/api/cases/{case_id}").json()["settings"]
    for table in ("links", "clusters", "demand"):
        ours = client.get(f"/api/cases/{case['id']}/tables/{table}").json()["rows"]
        theirs = client.get(f"/api/cases/{case_id}/tables/{table}").json()["rows"]
        assert [[_value(c) for c in r] for r in ours] == [
            [_value(c) for c in r] for r in theirs
        ]  # Excel keeps 8000.0 as 8000


def _value(cell: str) -> object:
    try:
        return float(cell)
    except ValueError:
        return cell


def test_xlsx_with_a_bad_cell_names_the_row(client: TestClient, case_id: int) -> None:
    book = load_workbook(io.BytesIO(client.get(f"/api/cases/{case_id}/download.xlsx").content))
    book["demand"]["D5"] = "many"
    buffer = io.BytesIO()
    book.save(buffer)
    status, body = upload(client, buffer.getvalue(), "case.xlsx")
    assert status == 422, body
    assert any(p.startswith("demand.csv:5: demand_racks: 'many'") for p in body["problems"]), body


def test_xlsx_with_formulas_or_macros_is_refused(client: TestClient, case_id: int) -> None:
    book = load_workbook(io.BytesIO(client.get(f"/api/cases/{case_id}/download.xlsx").content))
    book["demand"]["D3"] = "=D2*1.1"
    buffer = io.BytesIO()
    book.save(buffer)
    status, body = upload(client, buffer.getvalue(), "case.xlsx")
    assert status == 400, body
    assert any("formula" in p and "demand" in p for p in body["problems"]), body

    plain = Workbook()
    buffer = io.BytesIO()
    plain.save(buffer)
    with zipfile.ZipFile(buffer, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\0" * 64)
    status, body = upload(client, buffer.getvalue(), "case.xlsm")
    assert status == 400, body
    assert any("macros" in p for p in body["problems"]), body


def test_upload_form_shows_problems_on_a_page(client: TestClient) -> None:
    r = client.post("/cases/upload", files={"file": ("case.zip", case_zip({"../x": b"x"}), "application/zip")})
    assert r.status_code == 422
    assert "leaves the case folder" in r.text

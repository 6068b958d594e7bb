"""The JSON API, endpoint by endpoint, and the pages that use it (FastAPI TestClient, one app per module)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from tests.web.conftest import wait_job

ROOT = Path(__file__).resolve().parents[2]

# every /api route is exercised below; the last test fails when a route is added without a test
COVERED = {
    ("GET", "/api/examples"),
    ("GET", "/api/examples/{name}/settings"),
    ("GET", "/api/cases"),
    ("POST", "/api/cases"),
    ("POST", "/api/cases/upload"),
    ("GET", "/api/cases/{case_id}"),
    ("GET", "/api/cases/{case_id}/download.zip"),
    ("GET", "/api/cases/{case_id}/download.xlsx"),
    ("GET", "/api/cases/{case_id}/tables/{name}"),
    ("POST", "/api/cases/{case_id}/tables/{name}/check"),
    ("PUT", "/api/cases/{case_id}/tables/{name}"),
    ("GET", "/api/cases/{case_id}/settings"),
    ("POST", "/api/cases/{case_id}/whatif"),
    ("PUT", "/api/cases/{case_id}/settings"),
    ("GET", "/api/cases/{case_id}/diff"),
    ("POST", "/api/cases/{case_id}/overlay.yaml"),
    ("POST", "/api/cases/{case_id}/jobs"),
    ("GET", "/api/jobs"),
    ("GET", "/api/jobs/{job_id}"),
    ("POST", "/api/jobs/{job_id}/cancel"),
    ("POST", "/api/jobs/{job_id}/rerun"),
    ("GET", "/api/plans"),
    ("GET", "/api/plans/{plan_id}"),
    ("GET", "/api/plans/{plan_id}/plan.json"),
    ("GET", "/api/plans/{plan_id}/report.html"),
    ("GET", "/api/plans/{plan_id}/download.zip"),
    ("GET", "/api/compare"),
    ("GET", "/api/compare.html"),
    ("POST", "/api/login"),
    ("POST", "/api/logout"),  # tests/web/test_accounts.py
    ("GET", "/api/cases/{case_id}/shares"),
    ("POST", "/api/cases/{case_id}/shares"),
    ("DELETE", "/api/cases/{case_id}/shares/{user}"),  # test_accounts.py
}
COVERED |= {
    ("GET", "/api/jobs/{job_id}/sweep"),
    ("GET", "/api/jobs/{job_id}/sweep.html"),
    ("GET", "/api/plans/{plan_id}/plan.xlsx"),
    ("POST", "/api/plans/{plan_id}/verify"),
}  # test_diagnose_sweep_verify_jobs_and_plan_xlsx
COVERED |= {("GET", "/api/stochastic")}  # tests/web/test_stochastic_job.py


def test_examples_and_case_from_an_example(client: TestClient) -> None:
    names = [e["name"] for e in client.get("/api/examples").json()]
    assert "budget_cut" in names
    assert not any(n.startswith("sweep") for n in names)
    r = client.post("/api/cases", json={"example": "budget_cut"})
    assert r.status_code == 201
    case = r.json()
    budget = yaml.safe_load((ROOT / "examples" / "budget_cut.yaml").read_text(encoding="utf-8"))["set"]["budget"]
    assert case["name"] == "budget_cut"
    assert case["settings"]["budget.total_yi_yuan"] == budget["total_yi_yuan"]
    assert client.post("/api/cases", json={"example": "../etc/passwd"}).status_code == 422
    assert client.post("/api/cases", json={"name": "x", "extra": 1}).status_code == 422
    assert case["id"] in [c["id"] for c in client.get("/api/cases").json()]
    cut = client.get("/api/examples/budget_cut/settings").json()
    assert cut == {
        "settings": {
            "budget.total_yi_yuan": budget["total_yi_yuan"],
            "budget.yearly_yi_yuan": budget["yearly_yi_yuan"],
        },
        "other_settings": ["budget.basis"],
        "tables": [],
    }
    assert client.get("/api/examples/congested_link/settings").json()["tables"] == ["links"]
    assert client.get("/api/examples/sweep_budget_green/settings").status_code == 404


def test_case_tables_and_unknown_ids(client: TestClient, case_id: int) -> None:
    case = client.get(f"/api/cases/{case_id}").json()
    assert case["tables"] == ["hubs", "clusters", "workloads", "demand", "links", "compute", "cluster_years"]
    assert [v["number"] for v in case["versions"]] == [1]
    table = client.get(f"/api/cases/{case_id}/tables/demand").json()
    assert table["columns"] == ["hub_id", "workload_id", "year", "demand_racks"]
    assert len(table["rows"]) == 120
    assert client.get("/api/cases/999999").status_code == 404
    assert client.get(f"/api/cases/{case_id}/tables/passwd").status_code == 404
    assert client.get(f"/api/cases/{case_id}/tables/..%2F..%2Fscenario").status_code == 404
    assert (
        client.get(f"/api/cases/{case_id}/tables/profiles").status_code == 404
    )  # the default case has no profiles.csv
    assert client.get(f"/api/cases/{case_id}/download.zip?version=7").status_code == 404


def test_a_bad_cell_is_located_and_not_saved(client: TestClient) -> None:
    cid = client.post("/api/cases", json={"name": "edits"}).json()["id"]
    table = client.get(f"/api/cases/{cid}/tables/demand").json()
    rows = table["rows"]
    rows[3][3] = "lots"
    checked = client.post(
        f"/api/cases/{cid}/tables/demand/check", json={"columns": table["columns"], "rows": rows}
    ).json()
    assert checked["ok"] is False
    assert checked["other"] == []
    [cell] = checked["cells"]
    assert (cell["row"], cell["column"]) == (3, "demand_racks")
    assert cell["message"].startswith("demand.csv:5: demand_racks: 'lots' - ")  # the CLI's own located message
    r = client.put(f"/api/cases/{cid}/tables/demand", json={"columns": table["columns"], "rows": rows})
    assert r.status_code == 422
    assert r.json()["cells"][0]["row"] == 3
    assert len(client.get(f"/api/cases/{cid}").json()["versions"]) == 1

    rows[3][3] = "150000"
    rows[5] = ["", "", "", ""]  # a blank row is a deleted row; positions of later rows stay as sent
    rows[7][0] = "atlantis"
    checked = client.post(
        f"/api/cases/{cid}/tables/demand/check", json={"columns": table["columns"], "rows": rows}
    ).json()
    assert [c["row"] for c in checked["cells"]] == [7]
    assert "atlantis" in checked["cells"][0]["message"]
    rows[7][0] = table["rows"][7][0] if table["rows"][7][0] != "atlantis" else "jingjinji"
    rows[7][0] = client.get(f"/api/cases/{cid}/tables/demand").json()["rows"][7][0]
    r = client.put(f"/api/cases/{cid}/tables/demand", json={"columns": table["columns"], "rows": rows})
    assert r.status_code == 200
    assert r.json() == {"ok": True, "cells": [], "other": [], "version": 2}
    after = client.get(f"/api/cases/{cid}/tables/demand").json()["rows"]
    assert len(after) == 119
    assert after[3][3] == "150000"
    before = client.get(f"/api/cases/{cid}/tables/demand?version=1").json()["rows"]
    assert len(before) == 120
    assert before[3][3] != "150000"


def test_settings_whatif_and_save(client: TestClient) -> None:
    cid = client.post("/api/cases", json={"name": "tune"}).json()["id"]
    got = client.get(f"/api/cases/{cid}/settings").json()
    assert got["settings"]["policy.green_share_min_new"] == 0.8
    assert {f["key"] for f in got["fields"]} >= {"budget.total_yi_yuan", "policy.carbon_price_yuan_per_t"}
    # the default case has no budget: the first what-if adds one that does not bind (a new row: a build)
    first = client.post(f"/api/cases/{cid}/whatif", json={"settings": {"budget.total_yi_yuan": 5000}}).json()
    assert first["ok"]
    assert first["status"] == "optimal"
    assert first["how"] == "build"
    cut = client.post(f"/api/cases/{cid}/whatif", json={"settings": {"budget.total_yi_yuan": 300}}).json()
    assert cut["how"] == "warm"
    assert cut["headline"]["unmet_rack_years"] > first["headline"]["unmet_rack_years"]
    assert "budget_total" in [b["family"] for b in cut["binds"]]
    assert "budget_total" not in [b["family"] for b in first["binds"]]
    assert not {"rack_stock", "demand_met"} & {
        b["family"] for b in cut["binds"]
    }  # accounting rows are not "binding limits"
    bad = client.post(f"/api/cases/{cid}/whatif", json={"settings": {"policy.green_share_min_new": 1.7}}).json()
    assert bad["ok"] is False
    assert any("policy.green_share_min_new" in p for p in bad["problems"])
    unknown = client.post(f"/api/cases/{cid}/whatif", json={"settings": {"solver.name": "cbc"}}).json()
    assert unknown["ok"] is False
    assert "not a tunable setting" in unknown["problems"][0]
    r = client.put(
        f"/api/cases/{cid}/settings",
        json={"settings": {"policy.carbon_price_yuan_per_t": 200, "policy.certificate_share_max": ""}},
    )
    assert r.status_code == 200
    assert r.json()["version"] == 2
    assert client.get(f"/api/cases/{cid}/settings").json()["settings"]["policy.carbon_price_yuan_per_t"] == 200
    assert (
        client.put(f"/api/cases/{cid}/settings", json={"settings": {"policy.utilisation_min": -1}}).status_code == 422
    )


def test_solve_job_plan_and_downloads(client: TestClient, solved: dict[str, Any]) -> None:
    job = client.get(f"/api/jobs/{solved['id']}").json()
    assert job["stage"] == "done"
    assert job["elapsed_s"] > 0
    assert "Optimal" in job["log_tail"]
    assert solved["id"] in [j["id"] for j in client.get("/api/jobs").json()]
    assert [j["id"] for j in client.get(f"/api/jobs?case_id={job['case_id']}").json()] == [solved["id"]]
    plan = client.get(f"/api/plans/{job['plan_id']}").json()
    assert plan["status"] == "optimal"
    assert plan["verify_ok"] is True
    assert "all constraints hold" in plan["verify_text"]
    assert plan["headline"]["objective_yi_yuan"] > 0
    assert plan["headline"]["unmet_rack_years"] == 0
    assert plan["id"] in [p["id"] for p in client.get("/api/plans").json()]
    assert client.get(f"/api/plans/{plan['id']}/plan.json").json()["status"] == "optimal"
    report = client.get(plan["report_url"])
    assert report.status_code == 200
    assert report.headers["content-security-policy"].startswith("sandbox")
    names = zipfile.ZipFile(io.BytesIO(client.get(plan["download_url"]).content)).namelist()
    assert f"plan{plan['id']}/plan.json" in names
    assert f"plan{plan['id']}/report.html" in names
    assert not any("partial" in n for n in names)
    assert client.get("/api/plans/424242").status_code == 404
    assert client.get("/api/jobs/424242").status_code == 404


def test_cancel_finished_job_and_rerun_then_compare(client: TestClient, solved: dict[str, Any]) -> None:
    r = client.post(f"/api/jobs/{solved['id']}/cancel")
    assert r.status_code == 200
    assert r.json()["status"] == "done"
    again = client.post(f"/api/jobs/{solved['id']}/rerun").json()
    assert again["rerun_of"] == solved["id"]
    assert again["status"] in ("queued", "running")
    done = wait_job(client, again["id"])
    assert done["status"] == "done"
    ids = [solved["plan_id"], done["plan_id"]]
    out = client.get(f"/api/compare?plan={ids[0]}&plan={ids[1]}").json()
    assert out["plans"] == ids
    assert len(out["kpis"]) > 5
    assert client.get(out["page_url"]).status_code == 200
    assert client.get(f"/api/compare?plan={ids[0]}").status_code == 422
    assert client.get(f"/api/compare?plan={ids[0]}&plan={ids[0]}").status_code == 422
    page = client.get(f"/compare?plan={ids[0]}&plan={ids[1]}")
    assert page.status_code == 200
    assert "Compare plans" in page.text


def test_pages_answer(client: TestClient, case_id: int, solved: dict[str, Any]) -> None:
    for url in [
        "/",
        f"/cases/{case_id}",
        f"/cases/{case_id}/tables/links",
        f"/jobs/{solved['id']}",
        f"/plans/{solved['plan_id']}",
        "/docs",
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/cases/99999").status_code == 404


def test_docs_work_offline(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/static/swagger/swagger-ui-bundle.js" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/docs.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/cases/{case_id}/whatif" in spec["paths"]


def test_csrf_and_host_checks(client: TestClient) -> None:
    token = client.headers.pop("X-CSRF-Token")
    try:
        assert client.post("/api/cases", json={}).status_code == 403  # a browser (it has the cookie) without the token
        assert client.post("/cases", data={"csrf_token": "wrong"}).status_code == 403
        r = client.post("/cases", data={"csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"].startswith("/cases/")
    finally:
        client.headers["X-CSRF-Token"] = token
    assert client.post("/api/cases", json={}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/api/cases", json={}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400  # DNS rebinding


def test_a_script_without_cookies_needs_no_token(client: TestClient) -> None:
    bare = TestClient(client.app)
    assert bare.post("/api/cases", json={"name": "from curl"}).status_code == 201


def test_every_api_route_is_tested(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    routes = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    assert routes == COVERED


def test_version_diff_and_overlay(client: TestClient) -> None:
    from planner.inputs.overlay import apply_overlay
    from planner.inputs.read import read_raw, validate
    from tests.web.test_uploads import DEFAULT

    cid = client.post("/api/cases", json={"name": "diffs"}).json()["id"]
    table = client.get(f"/api/cases/{cid}/tables/clusters").json()
    table["rows"][0][table["columns"].index("pue")] = "1.2"
    assert (
        client.put(
            f"/api/cases/{cid}/tables/clusters", json={"columns": table["columns"], "rows": table["rows"]}
        ).json()["version"]
        == 2
    )
    assert (
        client.put(f"/api/cases/{cid}/settings", json={"settings": {"budget.total_yi_yuan": 900}}).json()["version"]
        == 3
    )
    diff = client.get(f"/api/cases/{cid}/diff?a=1").json()
    assert (diff["a"], diff["b"]) == (1, 3)
    assert diff["settings"] == [{"key": "budget.total_yi_yuan", "a": None, "b": 900}]
    [cell] = diff["tables"]["clusters"]["changed"]
    assert (cell["key"], cell["column"], cell["a"], cell["b"]) == ({"cluster_id": "zhangjiakou"}, "pue", "1.25", "1.2")
    assert client.get(f"/api/cases/{cid}/diff?a=2&b=2").json()["tables"] == {}
    assert client.get(f"/api/cases/{cid}/diff?a=9").status_code == 404
    page = client.get(f"/cases/{cid}/diff?a=1&b=3")
    assert page.status_code == 200
    assert "budget.total_yi_yuan" in page.text

    r = client.post(
        f"/api/cases/{cid}/overlay.yaml?name=my what-if!",
        json={"settings": {"budget.total_yi_yuan": 650, "policy.carbon_price_yuan_per_t": 90}},
    )
    assert r.status_code == 200
    assert 'filename="my_what_if.yaml"' in r.headers["content-disposition"]
    tmp = Path(client.app.state.services.store.root) / "overlay.yaml"
    tmp.write_text(r.text, encoding="utf-8")
    inputs = validate(apply_overlay(read_raw(DEFAULT), tmp))  # the CLI's reader takes it
    assert inputs.scenario.budget.total_yi_yuan == 650
    assert inputs.scenario.name == "my_what_if"
    assert "carbon_price" not in r.text  # unchanged settings are left out


def test_an_infeasible_plan_shows_its_diagnosis(client: TestClient, case_id: int) -> None:
    from planner.web.models import Job, Plan, Version

    svc = client.app.state.services
    with (
        svc.sessions() as s
    ):  # what a worker records for a solve HiGHS found infeasible (planner.pipeline writes diagnosis.md)
        version = s.query(Version).filter_by(case_id=case_id).first()
        job = Job(
            case_id=case_id,
            version_id=version.id,
            status="infeasible",
            stage="infeasible",
            message="no plan satisfies every constraint",
        )
        s.add(job)
        s.flush()
        plan = Plan(
            job_id=job.id,
            case_id=case_id,
            version_id=version.id,
            status="infeasible",
            headline={"status": "infeasible"},
        )
        s.add(plan)
        s.commit()
        folder = svc.store.plan_dir(job.id)
        folder.mkdir(parents=True)
        (folder / "plan.json").write_text('{"status": "infeasible"}', encoding="utf-8")
        (folder / "diagnosis.md").write_text("# Diagnosis\nThe utilisation floor <b>binds</b>.", encoding="utf-8")
        plan_id = plan.id
    page = client.get(f"/plans/{plan_id}")
    assert page.status_code == 200
    assert "The utilisation floor &lt;b&gt;binds&lt;/b&gt;." in page.text
    assert "iframe" not in page.text.split("Diagnosis")[-1]  # no report for a plan without a solution
    assert client.get(f"/api/plans/{plan_id}/report.html").status_code == 404


def test_diagnose_sweep_verify_jobs_and_plan_xlsx(client: TestClient, case_id: int, solved: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    url = f"/api/cases/{case_id}/jobs"
    assert client.post(url, json={"kind": "sweep"}).status_code == 422
    eight = list(range(8))
    many = {"a": {"set": "budget.total_yi_yuan", "values": eight}, "b": {"set": "discount_rate", "values": eight}}
    assert client.post(url, json={"kind": "sweep", "parameters": many}).status_code == 422
    budget = {"set": "budget.total_yi_yuan", "values": [500, 900]}
    sweep = client.post(url, json={"kind": "sweep", "parameters": {"budget": budget}})
    assert sweep.status_code == 201, sweep.text
    diagnose = client.post(url, json={"kind": "diagnose"}).json()
    verify = client.post(f"/api/plans/{solved['plan_id']}/verify")
    assert verify.status_code == 201
    done = wait_job(client, sweep.json()["id"], timeout=300)
    assert done["status"] == "done", done["message"]
    assert done["kind"] == "sweep"
    table = client.get(f"/api/jobs/{done['id']}/sweep").json()
    assert "objective_yi_yuan" in table["columns"]
    assert len(table["rows"]) == 2
    statuses = [r[table["columns"].index("status")] for r in table["rows"]]
    assert statuses == ["optimal", "optimal"]
    page = client.get(table["page_url"])
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("sandbox")
    assert 'id="sweep-table"' in client.get(f"/jobs/{done['id']}").text
    assert client.get(f"/api/jobs/{solved['id']}/sweep").status_code == 404
    diagnosed = wait_job(client, diagnose["id"], timeout=300)
    assert diagnosed["status"] == "done", diagnosed
    assert diagnosed["message"]
    verified = wait_job(client, verify.json()["id"])
    assert verified["status"] == "done", verified
    assert "all constraints hold" in verified["message"]
    assert verified["kind"] == "verify"
    xlsx = client.get(f"/api/plans/{solved['plan_id']}/plan.xlsx")
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content), read_only=True).sheetnames[:2] == ["plan", "racks_new"]
    assert 'id="plan-xlsx"' in client.get(f"/plans/{solved['plan_id']}").text
    assert client.post("/api/plans/424242/verify").status_code == 404


def test_tune_latency_limits_per_class_and_modular_builds(client: TestClient) -> None:
    cid = client.post("/api/cases", json={"name": "latency"}).json()["id"]
    got = client.get(f"/api/cases/{cid}/settings").json()
    assert got["settings"]["latency.realtime"] == 5.0
    assert got["settings"]["latency.batch"] is None
    assert got["settings"]["build_module_racks"] is None
    keys = {f["key"] for f in got["fields"]}
    assert {"latency.realtime", "latency.near_realtime", "latency.batch", "build_module_racks"} <= keys
    url = f"/api/cases/{cid}/whatif"
    too_tight = client.post(url, json={"settings": {"latency.realtime": 1}}).json()
    assert too_tight["ok"] is False
    assert any("needs RTT <= 2 ms" in p for p in too_tight["problems"])
    assert client.post(url, json={"settings": {"latency.realtime": "x"}}).json()["ok"] is False
    modular = client.post(url, json={"settings": {"build_module_racks": 1000}}).json()
    assert modular["ok"] is True, modular
    assert modular["headline"]["unmet_rack_years"] == 0
    text = client.post(f"/api/cases/{cid}/overlay.yaml?name=lat", json={"settings": {"latency.realtime": 2.5}}).text
    patch = yaml.safe_load(text)["tables"]["workloads"]
    assert patch == [{"match": {"workload_id": "realtime"}, "set": {"latency_max_one_way_ms": 2.5}}]
    saved = client.put(f"/api/cases/{cid}/settings", json={"settings": {"latency.realtime": 2.5}})
    assert saved.status_code == 200, saved.text
    diff = client.get(f"/api/cases/{cid}/diff?a=1&b=2").json()
    changed = diff["tables"]["workloads"]["changed"]
    assert changed == [{"key": {"workload_id": "realtime"}, "column": "latency_max_one_way_ms", "a": "5.0", "b": "2.5"}]
    page = client.get(f"/cases/{cid}").text
    assert 'name="latency.realtime"' in page
    assert 'name="build_module_racks"' in page

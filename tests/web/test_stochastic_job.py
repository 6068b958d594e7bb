"""A stochastic plan as a web job: `planner solve CASE --stochastic FILE` on a case version, its plan page.

A tiny case (two years) and two futures written here: demand of 2027 at x0.5 or x1.5, racks of 2026
committed now. Without --scheduler the futures run on a local Dask cluster bounded by the server's workers.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import TinyCase
from tests.web.conftest import make_client, start, upload_tiny, wait_job
from tests.web.test_i18n import known_labels, untranslated, visible

SPEC = {
    "name": "tiny_two_futures",
    "description": "Demand of 2027 halves or grows by half.",
    "stochastic": {"commitment_year": 2026, "objective": "expected", "resolution": "year", "method": "both"},
    "futures": {
        "low": {"probability": 0.5, "tables": {"demand": [{"match": {"year": 2027}, "scale": {"demand_racks": 0.5}}]}},
        "high": {"probability": 0.5, "tables": {"demand": [{"match": {"year": 2027}, "scale": {"demand_racks": 1.5}}]}},
    },
}


def test_a_stochastic_job_plans_over_the_futures_and_its_plan_has_the_robustness_section(tmp_path: Path) -> None:
    client = start(make_client(tmp_path, workers=1))
    try:
        cid = upload_tiny(client, TinyCase(tmp_path / "tiny").write())
        names = [e["name"] for e in client.get("/api/stochastic").json()]
        assert "uncertain_ai_demand" in names
        assert "uncertain_ai_demand" not in [e["name"] for e in client.get("/api/examples").json()]  # not an overlay
        refused = client.post(f"/api/cases/{cid}/jobs", json={"kind": "stochastic", "spec": {**SPEC, "base": "/etc"}})
        assert refused.status_code == 422
        many = client.post(f"/api/cases/{cid}/jobs", json={"kind": "stochastic", "spec": {**SPEC, "samples": 5000}})
        assert many.status_code == 422
        assert (
            client.post(f"/api/cases/{cid}/jobs", json={"kind": "stochastic", "stochastic": "nope"}).status_code == 422
        )
        job = client.post(f"/api/cases/{cid}/jobs", json={"kind": "stochastic", "spec": SPEC}).json()
        done = wait_job(client, job["id"], timeout=240)
        assert done["status"] == "done", done["message"]
        assert done["message"].startswith("2 futures: VSS ")
        assert done["plan_id"]
        assert "planning over 2 futures" in done["log_tail"]
        written = json.loads((tmp_path / "jobs" / str(job["id"]) / "plan" / "stochastic.json").read_text("utf-8"))
        assert written["futures"] == 2
        assert written["methods"]["decomposition"]["workers"] == 1  # the local cluster: the server's one worker
        assert abs(written["methods"]["agreement"]["objective_rel_diff"]) < 1e-6
        plan = client.get(f"/api/plans/{done['plan_id']}").json()
        assert plan["verify_ok"] is True
        en = client.get(f"/api/plans/{done['plan_id']}/report.html?lang=en").text
        zh = client.get(f"/api/plans/{done['plan_id']}/report.html?lang=zh").text
        for words in ("Robustness over futures", "VSS", "EVPI"):
            assert words in en, words
        assert "EVPI" in zh
        page = client.get(f"/jobs/{job['id']}?lang=zh", headers={"Accept": "text/html"}).text
        assert "随机规划任务" in page
        assert "个未来情景" in page  # the message in Chinese
        assert untranslated(visible(page), "zh", known_labels()) == []
        form = client.post(f"/cases/{cid}/stochastic", data={"file": "uncertain_ai_demand"}, follow_redirects=False)
        assert form.status_code == 303  # the case page's form queues the example (its futures suit the default case)
        assert client.post(f"/api/jobs/{form.headers['location'].rsplit('/', 1)[1]}/cancel").status_code == 200
    finally:
        client.__exit__(None, None, None)


def test_a_stochastic_job_sends_its_futures_to_the_scheduler(tmp_path: Path) -> None:
    """With --scheduler, the futures go to that cluster: 2 workers there, while the server has 1 worker."""
    import logging

    from distributed import LocalCluster
    from fastapi.testclient import TestClient

    from planner.scenarios.sweep import LOOPBACK_NO_DASHBOARD
    from planner.web.app import create_app
    from planner.web.settings import WebSettings

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL, **LOOPBACK_NO_DASHBOARD
    ) as cluster:
        settings = WebSettings(
            data_dir=tmp_path, workers=1, allowed_hosts=("testserver",), scheduler=cluster.scheduler.address
        )
        client = start(TestClient(create_app(settings)))
        try:
            cid = upload_tiny(client, TinyCase(tmp_path / "tiny").write())
            job = client.post(f"/api/cases/{cid}/jobs", json={"kind": "stochastic", "spec": SPEC}).json()
            done = wait_job(client, job["id"], timeout=240)
        finally:
            client.__exit__(None, None, None)
    assert done["status"] == "done", done["message"]
    assert "sending the futures to the Dask cluster" in done["log_tail"]
    written = json.loads((tmp_path / "jobs" / str(job["id"]) / "plan" / "stochastic.json").read_text("utf-8"))
    assert written["methods"]["decomposition"]["workers"] == 2  # the cluster's, not the server's one

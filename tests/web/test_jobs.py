"""Jobs live in the database: a restart marks interrupted ones, runs queued ones; cancel stops a worker."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from sqlalchemy import select

from planner.web.models import Job, make_sessions
from planner.web.settings import WebSettings
from tests.web.conftest import make_client, start, wait_job
from tests.web.server import Server


def test_a_restart_marks_running_jobs_interrupted_and_runs_queued_ones(tmp_path: Path) -> None:
    client = start(make_client(tmp_path))
    case = client.post("/api/cases", json={"name": "restart"}).json()
    client.__exit__(None, None, None)
    sessions = make_sessions(WebSettings(data_dir=tmp_path).db_url)
    with sessions() as s:  # what a server killed mid-job leaves behind
        version_id = s.scalars(select(Job.version_id)).first() or 1
        s.add_all(
            [
                Job(case_id=case["id"], version_id=version_id, status="running", stage="solving"),
                Job(case_id=case["id"], version_id=version_id),
            ]
        )
        s.commit()
        running, queued = [j.id for j in s.scalars(select(Job).order_by(Job.id))]

    client = start(make_client(tmp_path))
    try:
        lost = client.get(f"/api/jobs/{running}").json()
        assert lost["status"] == "interrupted"
        assert "re-run" in lost["message"]
        again = client.post(f"/api/jobs/{running}/rerun").json()
        assert again["rerun_of"] == running
        assert wait_job(client, queued)["status"] == "done"
        assert (
            client.post(f"/api/jobs/{again['id']}/cancel").json()["status"] == "cancelled"
        )  # it ran; the API tests see a re-run finish
        assert client.get(f"/api/jobs/{running}").json()["status"] == "interrupted"  # the record of what happened stays
    finally:
        client.__exit__(None, None, None)


def test_cancel_stops_a_running_worker_and_leaves_no_partial_folder(tmp_path: Path) -> None:
    client = start(make_client(tmp_path))
    try:
        case = client.post("/api/cases", json={"name": "cancel"}).json()
        job = client.post(f"/api/cases/{case['id']}/jobs", json={"days": 12}).json()
        assert wait_job(client, job["id"], until=("running",))["status"] == "running"
        time.sleep(1.0)
        out = client.post(f"/api/jobs/{job['id']}/cancel").json()
        assert out["status"] == "cancelled"
        assert out["plan_id"] is None
        assert not list((tmp_path / "jobs" / str(job["id"])).glob(".plan.partial-*"))
        assert client.get(f"/api/jobs/{job['id']}").json()["status"] == "cancelled"
        first = client.post(f"/api/cases/{case['id']}/jobs", json={"days": 12}).json()
        second = client.post(f"/api/cases/{case['id']}/jobs", json={}).json()
        assert wait_job(client, first["id"], until=("running",))["status"] == "running"
        assert client.get(f"/api/jobs/{second['id']}").json()["status"] == "queued"  # one worker: it waits
        assert client.post(f"/api/jobs/{second['id']}/cancel").json()["message"] == "cancelled before it started"
        assert client.post(f"/api/jobs/{first['id']}/cancel").json()["status"] == "cancelled"
    finally:
        client.__exit__(None, None, None)


def test_a_killed_server_loses_nothing_but_the_running_job(tmp_path: Path) -> None:
    server = Server(tmp_path)
    try:
        assert server.first_line.startswith(f"planner workspace: {server.url}/")
        case = httpx.post(server.url + "/api/cases", json={"name": "kill"}, timeout=30).json()
        job = httpx.post(server.url + f"/api/cases/{case['id']}/jobs", json={"days": 12}, timeout=30).json()
        deadline = time.monotonic() + 30
        while (
            httpx.get(server.url + f"/api/jobs/{job['id']}").json()["status"] != "running"
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        server.kill()
    finally:
        server.stop()
    server = Server(tmp_path)
    try:
        after = httpx.get(server.url + f"/api/jobs/{job['id']}").json()
        assert after["status"] == "interrupted"
        assert after["plan_id"] is None
        assert httpx.get(server.url + f"/api/cases/{case['id']}").json()["versions"][0]["number"] == 1
    finally:
        server.stop()


def test_a_stopped_server_marks_the_running_job_and_runs_the_queue_after_a_restart(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) during a solve with a sweep queued behind it: after a restart the solve says it was
    interrupted and can be re-run, the queued sweep runs, and nothing else changed."""
    server = Server(tmp_path)
    try:
        case = httpx.post(server.url + "/api/cases", json={"name": "stop"}, timeout=30).json()
        jobs = server.url + f"/api/cases/{case['id']}/jobs"
        running = httpx.post(jobs, json={"days": 12}, timeout=30).json()
        budget = {"set": "budget.total_yi_yuan", "values": [700, 900]}
        queued = httpx.post(jobs, json={"kind": "sweep", "parameters": {"budget": budget}}, timeout=30).json()
        deadline = time.monotonic() + 60
        status = server.url + f"/api/jobs/{running['id']}"
        while httpx.get(status).json()["status"] != "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert httpx.get(server.url + f"/api/jobs/{queued['id']}").json()["status"] == "queued"
    finally:
        server.stop()
    server = Server(tmp_path)
    try:
        def job(job_id: int) -> dict[str, object]:
            return dict(httpx.get(server.url + f"/api/jobs/{job_id}", timeout=30).json())

        after = job(running["id"])
        assert after["status"] == "interrupted"
        assert "re-run" in str(after["message"])
        assert after["plan_id"] is None
        deadline = time.monotonic() + 300
        while job(queued["id"])["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert job(queued["id"])["status"] == "done", job(queued["id"])
        rows = httpx.get(server.url + f"/api/jobs/{queued['id']}/sweep", timeout=30).json()["rows"]
        assert len(rows) == 2
        again = httpx.post(server.url + f"/api/jobs/{running['id']}/rerun", timeout=30).json()
        assert again["rerun_of"] == running["id"]
        listed = [j["id"] for j in httpx.get(server.url + "/api/jobs", timeout=30).json()]
        assert listed == [again["id"], queued["id"], running["id"]]
        assert job(running["id"])["status"] == "interrupted"  # the record of what happened stays
    finally:
        server.stop()

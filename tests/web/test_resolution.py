"""Solve jobs at every time resolution: yearly, N representative days, the full hourly year (minutes: the job
page says so, follows it, and can cancel it)."""

from __future__ import annotations

import re
from pathlib import Path

from planner.web import engine
from planner.web.api import solve_options
from planner.web.jobs import HOURLY_STAGE
from tests.web.conftest import make_client, start, wait_job


def test_the_choices_become_the_solver_time_resolution() -> None:
    cases = [
        ((None, None), {}, None),  # the case's own solver.time_resolution
        ((None, "year"), {"resolution": "year"}, "year"),
        ((4, None), {"days": 4}, "days:4"),  # as the API and form took it before
        ((4, "days"), {"days": 4}, "days:4"),
        ((None, "days"), {"days": 12}, "days:12"),
        ((7, "hours"), {"resolution": "hours"}, "hours"),  # the days field is not read
    ]
    for (days, resolution), options, time_resolution in cases:
        assert solve_options(days, resolution) == options
        assert engine.time_resolution(options) == time_resolution


def test_the_solve_form_queues_each_resolution_and_an_hourly_job_can_be_watched_and_cancelled(tmp_path: Path) -> None:
    client = start(make_client(tmp_path))
    try:
        case = client.post("/api/cases", json={"name": "resolutions"}).json()
        page = client.get(f"/cases/{case['id']}").text
        for value in ("case", "year", "days", "hours"):
            assert f'<option value="{value}">' in page
        token = client.cookies["planner_csrf"]
        hourly = client.post(
            f"/cases/{case['id']}/solve", data={"csrf_token": token, "resolution": "hours", "days": "12"}
        )
        assert hourly.status_code == 200  # followed to the job page
        job_id = int(re.search(r"/jobs/(\d+)", str(hourly.url)).group(1))  # type: ignore[union-attr]
        assert 'id="job-hourly-note"' in hourly.text
        assert client.get(f"/api/jobs/{job_id}").json()["options"] == {"resolution": "hours"}
        queued = []
        for form in ({"resolution": "days", "days": "4"}, {"resolution": "case", "days": "12"}, {"days": "4"}):
            r = client.post(f"/cases/{case['id']}/solve", data={"csrf_token": token, **form})
            queued.append(int(str(r.url).rsplit("/", 1)[1]))
        options = [client.get(f"/api/jobs/{j}").json()["options"] for j in queued]
        assert options == [{"days": 4}, {}, {"days": 4}]
        for j in queued:  # one worker: still queued behind the hourly job
            assert client.post(f"/api/jobs/{j}/cancel").json()["message"] == "cancelled before it started"

        running = wait_job(client, job_id, until=("running",))
        assert running["status"] == "running"
        zh = client.get(f"/api/jobs/{job_id}?lang=zh").json()
        assert zh["status_text"] == "运行中"
        assert client.post(f"/api/jobs/{job_id}/cancel").json()["status"] == "cancelled"
        assert client.get(f"/api/jobs/{job_id}").json()["plan_id"] is None
        assert "全年逐时" in engine_stage_zh()
    finally:
        client.__exit__(None, None, None)


def engine_stage_zh() -> str:
    """The hourly job's solving stage as a Chinese page shows it."""
    from planner.report.glossary import Lang
    from planner.web.i18n import say

    return say(Lang("zh"), HOURLY_STAGE)

"""`planner serve --scheduler tcp://HOST:PORT`: a sweep job's scenarios are solved on that Dask cluster.

The cluster is a LocalCluster on 127.0.0.1 with no dashboard (nothing on distributed's port 8787); each
scenario row names the process that solved it, which must be the cluster's worker, not the job's own.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planner.scenarios.sweep import LOOPBACK_NO_DASHBOARD
from planner.web import ServeError, _settings
from planner.web.app import create_app
from planner.web.settings import WebSettings
from tests.web.conftest import start, wait_job


def test_a_sweep_job_runs_on_the_dask_cluster_named_by_scheduler(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL, **LOOPBACK_NO_DASHBOARD
        ) as cluster,
        Client(cluster) as dask,
    ):
        address = cluster.scheduler.address
        assert address.startswith("tcp://127.0.0.1:")
        assert cluster.scheduler.http_server.port != 8787
        worker_pids = set(dask.run(os.getpid).values())
        settings = WebSettings(data_dir=tmp_path, allowed_hosts=("testserver",), scheduler=address)
        client = start(TestClient(create_app(settings)))
        try:
            case = client.post("/api/cases", json={"name": "on the cluster"}).json()
            sweep = {"budget": {"set": "budget.total_yi_yuan", "values": [600, 900]}}
            job = client.post(f"/api/cases/{case['id']}/jobs", json={"kind": "sweep", "parameters": sweep}).json()
            done = wait_job(client, job["id"], timeout=300)
            assert done["status"] == "done", done
            table = client.get(f"/api/jobs/{job['id']}/sweep").json()
        finally:
            client.__exit__(None, None, None)
    rows = [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
    assert len(rows) == 2
    assert {r["status"] for r in rows} == {"optimal"}
    assert {int(str(r["worker"]).rsplit(":", 1)[1]) for r in rows} <= worker_pids  # solved by the cluster's worker


@pytest.mark.parametrize("bad", ["127.0.0.1:8786", "tcp://", "http://127.0.0.1:8786", "tcp://a b:1"])
def test_serve_refuses_a_scheduler_that_is_not_an_address(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="tcp://HOST:PORT"):
        _settings(tmp_path, None, scheduler=bad)
    assert _settings(tmp_path, None, scheduler="tcp://10.0.0.5:8786").scheduler == "tcp://10.0.0.5:8786"

"""Fixtures for the web workspace: an app on a temporary data folder, a client that sends the CSRF token."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from planner.web.app import create_app
from planner.web.settings import WebSettings

FINAL = ("done", "failed", "infeasible", "cancelled", "interrupted")


def make_client(data_dir: Path, workers: int = 1) -> TestClient:
    """A TestClient (not yet started) on an app for `data_dir`, with the CSRF header a page's script sends."""
    app = create_app(WebSettings(data_dir=data_dir, workers=workers, allowed_hosts=("testserver",)))
    return TestClient(app)


def start(client: TestClient) -> TestClient:
    """Enter the client (runs the app's startup) and take the CSRF token as a page's script would."""
    client.__enter__()
    client.get("/")
    client.headers["X-CSRF-Token"] = client.cookies["planner_csrf"]
    return client


def wait_job(client: TestClient, job_id: int, timeout: float = 120.0, until: tuple[str, ...] = FINAL) -> dict[str, Any]:
    """Poll a job until its status is one of `until`."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in until or time.monotonic() > deadline:
            return job
        time.sleep(0.25)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    c = start(make_client(tmp_path_factory.mktemp("webdata")))
    try:
        yield c
    finally:
        c.__exit__(None, None, None)


@pytest.fixture(scope="module")
def case_id(client: TestClient) -> int:
    r = client.post("/api/cases", json={"name": "default for tests"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def solved(client: TestClient, case_id: int) -> dict[str, Any]:
    """A finished solve of the default case: its job (with plan_id)."""
    job = client.post(f"/api/cases/{case_id}/jobs", json={}).json()
    done = wait_job(client, job["id"])
    assert done["status"] == "done", done
    return done


def upload_tiny(client: TestClient, folder: Path, name: str = "tiny") -> int:
    """Upload a case folder (a written TinyCase) as a .zip; returns the new case's id."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        for f in folder.rglob("*"):
            z.write(f, f.relative_to(folder).as_posix())
    upload = {"file": (f"{folder.name}.zip", packed.getvalue(), "application/zip")}
    r = client.post("/api/cases/upload", files=upload, data={"name": name})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])

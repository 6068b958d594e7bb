"""Live what-ifs run in a process of their own, bounded in waiting and in running (planner/web/whatifs.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planner.web.whatifs import Busy, TooSlow, WhatIfs
from tests.conftest import TinyCase


def test_a_whatif_past_its_limit_is_stopped_and_the_next_one_gets_a_new_process(tmp_path: Path) -> None:
    folder = TinyCase(tmp_path).write()
    pool = WhatIfs(processes=1, wait_s=1.0, limit_s=0.001)  # no solve (nor the process's start) fits in 1 ms
    try:
        with pytest.raises(TooSlow):
            pool.whatif(1, 1, folder, {})
        assert pool.slots[0].proc is None  # ended, not left running
        pool.limit_s = 120.0
        first = pool.whatif(1, 1, folder, {})
        assert first["ok"]
        assert first["status"] == "optimal"
        assert first["how"] != "warm"  # a fresh process builds the model
        pid = pool.slots[0].proc.pid if pool.slots[0].proc else None
        assert pid is not None
        assert pid != os.getpid()  # solved outside the server's process
        again = pool.whatif(1, 1, folder, {"policy.carbon_price_yuan_per_t": 150})
        assert again["how"] == "warm"  # the same process kept the case's model
        assert pool.slots[0].proc is not None
        assert pool.slots[0].proc.pid == pid
        bad = pool.whatif(1, 1, folder, {"policy.green_share_min_new": 2})
        assert not bad["ok"]
        assert bad["problems"]
    finally:
        pool.close()
    assert pool.slots[0].proc is None


def test_a_whatif_waits_a_bounded_time_for_a_busy_process(tmp_path: Path) -> None:
    pool = WhatIfs(processes=2, wait_s=0.05)
    try:
        assert pool.slots[3 % 2].lock.acquire()  # case 3's process is busy with another request
        with pytest.raises(Busy):
            pool.whatif(3, 1, tmp_path, {})
        pool.slots[1].lock.release()
    finally:
        pool.close()


def test_the_api_answers_504_for_a_whatif_past_its_limit(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from planner.web.app import create_app
    from planner.web.settings import WebSettings
    from tests.web.conftest import start

    settings = WebSettings(data_dir=tmp_path, allowed_hosts=("testserver",), whatif_limit_s=0.001)
    client = start(TestClient(create_app(settings)))
    try:
        case = client.post("/api/cases", json={"name": "slow"}).json()
        r = client.post(f"/api/cases/{case['id']}/whatif", json={"settings": {}})
        assert r.status_code == 504
        assert "was stopped" in r.json()["detail"]
        assert client.get("/api/examples").status_code == 200  # the server itself answers on
    finally:
        client.__exit__(None, None, None)

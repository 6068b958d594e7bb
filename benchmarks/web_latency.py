"""Latency of the web workspace on the loopback address: live what-ifs and page answers.

    python benchmarks/web_latency.py [--rounds 20]

Starts `planner serve` on 127.0.0.1 and a free port with a fresh data folder, creates a case from
the default, solves it once, then times (wall clock, as a client sees it):
  * the what-if (POST /api/cases/{id}/whatif): the first (builds the model) and `rounds` warm ones
    moving the budget, green floor and carbon price;
  * the case, table, job and plan pages and two API reads, `rounds` times each.
Prints a Markdown table (p50 / p95 / max in ms); docs/web.md keeps the last run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_common import browser_client, latency_table, served  # run as a script from benchmarks/


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with served("planner-web-bench-") as url, browser_client(url) as c:
        case = c.post("/api/cases", json={"name": "bench"}).json()["id"]
        job = c.post(f"/api/cases/{case}/jobs", json={}).json()["id"]
        while c.get(f"/api/jobs/{job}").json()["status"] in ("queued", "running"):
            time.sleep(0.3)
        plan = c.get(f"/api/jobs/{job}").json()["plan_id"]
        rows: list[tuple[str, list[float]]] = []

        def timed(label: str, method: str, path: str, n: int, bodies: list[dict] | None = None) -> None:
            times = []
            for i in range(n):
                clock = time.perf_counter()
                r = c.request(method, path, json=None if bodies is None else bodies[i % len(bodies)])
                times.append((time.perf_counter() - clock) * 1000)
                assert r.status_code == 200, (path, r.status_code, r.text[:200])
            rows.append((label, times))

        timed("what-if, first (build + solve)", "POST", f"/api/cases/{case}/whatif", 1, [{"settings": {}}])
        moves = [
            {
                "settings": {
                    "budget.total_yi_yuan": b,
                    "policy.green_share_min_new": g,
                    "policy.carbon_price_yuan_per_t": p,
                }
            }
            for b, g, p in zip(
                [600, 700, 800, 900, 1000, 1100, 650, 950],
                [0.7, 0.8, 0.9, 0.75, 0.85, 0.6, 0.95, 0.8],
                [90, 150, 200, 60, 120, 90, 300, 0],
                strict=True,
            )
        ]
        timed("what-if, warm re-solve", "POST", f"/api/cases/{case}/whatif", args.rounds, moves)
        for label, path in [
            ("page /", "/"),
            ("page case", f"/cases/{case}"),
            ("page table (demand, 120 rows)", f"/cases/{case}/tables/demand"),
            ("page job", f"/jobs/{job}"),
            ("page plan", f"/plans/{plan}"),
            ("API GET case", f"/api/cases/{case}"),
            ("API GET job", f"/api/jobs/{job}"),
        ]:
            timed(label, "GET", path, args.rounds)
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.platform()}, {os.cpu_count()} CPUs, "
        f"{args.rounds} rounds, loopback"
    )
    print(latency_table(rows))


if __name__ == "__main__":
    main()

"""Load test of the web workspace on the loopback address: N simulated users for S seconds.

    python benchmarks/web_load.py [--users 20] [--seconds 60] [--workers 2]

Each user (a thread with its own HTTP client) creates a case from the default, then until the time
is up opens the case and table pages, runs a what-if with a random budget and green floor, and
submits one solve, which it polls. Afterwards the script waits for every job and checks: no HTTP
error, every submitted job listed exactly once, none lost or left queued/running, one plan per
finished job. Prints counts and p50/p95 latencies (ms) in Markdown.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web_common import browser_client, latency_table, pct, served  # run as a script from benchmarks/


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    submitted: list[int] = []
    lock = threading.Lock()
    with served("planner-web-load-", args.workers) as url:
        deadline = time.monotonic() + args.seconds

        def call(c: httpx.Client, kind: str, method: str, path: str, **kw: object) -> httpx.Response | None:
            clock = time.perf_counter()
            try:
                r = c.request(method, path, **kw)  # type: ignore[arg-type]
            except httpx.HTTPError as err:
                with lock:
                    errors.append(f"{kind}: {err!r}")
                return None
            with lock:
                times[kind].append((time.perf_counter() - clock) * 1000)
                if r.status_code >= 400:
                    errors.append(f"{kind}: {r.status_code} {r.text[:120]}")
            return r

        def user(n: int) -> None:
            rng = random.Random(n)
            with browser_client(url) as c:
                r = call(c, "create case", "POST", "/api/cases", json={"name": f"user {n}"})
                if r is None or r.status_code != 201:
                    return
                cid = r.json()["id"]
                call(c, "page case", "GET", f"/cases/{cid}")
                job: int | None = None
                step = 0
                while time.monotonic() < deadline:
                    step += 1
                    call(c, "page case", "GET", f"/cases/{cid}")
                    call(c, "page table", "GET", f"/cases/{cid}/tables/{rng.choice(['clusters', 'demand', 'links'])}")
                    body = {
                        "settings": {
                            "budget.total_yi_yuan": rng.choice([600, 700, 800, 900, 1000]),
                            "policy.green_share_min_new": rng.choice([0.7, 0.8, 0.9]),
                        }
                    }
                    call(c, "what-if", "POST", f"/api/cases/{cid}/whatif", json=body)
                    if job is None and step >= 1 + n % 3:
                        r = call(c, "submit solve", "POST", f"/api/cases/{cid}/jobs", json={})
                        if r is not None and r.status_code == 201:
                            job = r.json()["id"]
                            with lock:
                                submitted.append(job)
                    if job is not None:
                        call(c, "API job", "GET", f"/api/jobs/{job}")
                        call(c, "page job", "GET", f"/jobs/{job}")

        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_s = time.monotonic() - started
        with httpx.Client(base_url=url, timeout=60) as c:
            drain = time.monotonic()
            while (
                any(j["status"] in ("queued", "running") for j in c.get("/api/jobs").json())
                and time.monotonic() - drain < 900
            ):
                time.sleep(1)
            drain_s = time.monotonic() - drain
            jobs = c.get("/api/jobs").json()
            plans = c.get("/api/plans").json()
    ids = [j["id"] for j in jobs]
    status = defaultdict(int)
    for j in jobs:
        status[j["status"]] += 1
    plan_jobs = [p["job_id"] for p in plans]
    lost = sorted(set(submitted) - set(ids))
    duplicated = len(ids) != len(set(ids)) or len(plan_jobs) != len(set(plan_jobs))
    unfinished = [j["id"] for j in jobs if j["status"] in ("queued", "running")]
    no_plan = [j["id"] for j in jobs if j["status"] == "done" and j["id"] not in plan_jobs]
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, {args.users} users for "
        f"{load_s:.0f} s, {args.workers} solver workers, loopback"
    )
    print(
        f"requests: {sum(len(v) for v in times.values())}, HTTP errors: {len(errors)}; jobs submitted "
        f"{len(submitted)}, listed {len(ids)}, "
        f"lost {len(lost)}, duplicated {duplicated}, unfinished {len(unfinished)}, done without plan {len(no_plan)}; "
        f"statuses {dict(status)}; "
        f"queue drained {drain_s:.0f} s after the load"
    )
    for e in errors[:10]:
        print("  error:", e)
    print(latency_table(list(times.items()), first="request"))
    pages = [v for k, vs in times.items() if k.startswith("page") for v in vs]
    print(f"| all pages | {len(pages)} | {statistics.median(pages):.0f} | {pct(pages, 0.95):.0f} | {max(pages):.0f} |")
    sys.exit(1 if errors or lost or duplicated or unfinished or no_plan else 0)


if __name__ == "__main__":
    main()

"""The workspace as a person uses it: headless Chromium (Debian's `chromium`) against `planner serve`.

Create a case from the default, type a bad value into a cell and see the CLI's message there, fix
it and save, move a setting and watch the headline change, solve, watch the job, open the plan.
Screenshots go to $PLANNER_SCREENS (default: the test's tmp folder).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.web.server import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.slow
def test_create_edit_tune_solve_review(tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "headless Chromium is required: apt-get install -y chromium fonts-noto-cjk"
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("PLANNER_SCREENS", tmp_path / "screens"))
    shots.mkdir(parents=True, exist_ok=True)
    server = Server(tmp_path / "data")
    problems: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on(
                "request",
                lambda r: (
                    problems.append(f"offline? {r.url}")
                    if not r.url.startswith((server.url, "data:", "about:"))
                    else None
                ),
            )

            page.goto(server.url + "/")
            expect(page.get_by_text("No cases yet")).to_be_visible()
            page.screenshot(path=str(shots / "01-start.png"), full_page=True)
            page.fill("#new-name", "NDRC review 2026")
            page.click("#create-case")
            expect(page.locator("h1")).to_contain_text("NDRC review 2026")
            expect(page.locator("#tune-status")).to_contain_text("optimal", timeout=30_000)
            expect(page.locator('#headline td[data-key="unmet_rack_years"]')).to_have_text("0")
            page.screenshot(path=str(shots / "02-case.png"), full_page=True)

            page.click("#table-demand")
            cell = page.locator('#grid tbody tr[data-row="3"] input[data-col="demand_racks"]')
            good = cell.input_value()
            cell.fill("lots")
            message = page.locator('#grid tbody tr[data-row="3"] td.bad .msg')
            expect(message).to_contain_text("demand.csv:5: demand_racks: 'lots' - ", timeout=15_000)
            expect(page.locator("#grid-save")).to_be_disabled()
            page.screenshot(path=str(shots / "03-grid-bad-cell.png"))
            cell.fill(str(int(good) + 1000))
            expect(page.locator("#grid-status")).to_have_text("the case validates with these changes", timeout=15_000)
            expect(page.locator("td.bad")).to_have_count(0)
            page.click("#grid-save")
            expect(page.locator("h1")).to_contain_text("version 2")
            page.click("a.diff-link")
            expect(page.locator("table.diff td.new")).to_have_text(str(int(good) + 1000))
            page.screenshot(path=str(shots / "03b-version-diff.png"))
            page.go_back()

            headline = page.locator('#headline td[data-key="unmet_rack_years"]')
            expect(page.locator("#tune-status")).to_contain_text("optimal", timeout=30_000)
            page.fill(
                'input[name="budget.total_yi_yuan"]', "5000"
            )  # the default has no budget: add one that does not bind
            expect(page.locator("#tune-status")).to_contain_text("optimal", timeout=30_000)
            before = headline.inner_text()
            page.fill('input[name="budget.total_yi_yuan"]', "300")
            expect(headline).not_to_have_text(before, timeout=15_000)
            expect(page.locator("#tune-status")).to_contain_text("re-solved warm")
            page.screenshot(path=str(shots / "04-tune-budget-300.png"), full_page=True)
            page.select_option("#tune-example", "congested_link")
            expect(page.locator("#tune-example-note")).to_contain_text("links.csv")
            page.select_option("#tune-example", "carbon_price")
            expect(page.locator('input[name="policy.carbon_price_yuan_per_t"]')).to_have_value("200")
            expect(page.locator("#tune-status")).to_contain_text("re-solved warm", timeout=15_000)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(shots / "04b-tune-phone.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})

            page.click("#solve")
            expect(page.locator("h1")).to_contain_text("Solve job")
            expect(page.locator("#job-status")).to_have_text("done", timeout=90_000)
            expect(page.locator("#job-log")).to_contain_text("Optimal")
            page.screenshot(path=str(shots / "05-job-done.png"), full_page=True)
            page.click("#job-plan-link")
            expect(page.locator("#verify-verdict")).to_contain_text("all hold")
            frame = page.frame_locator("iframe.report")
            expect(frame.locator("h1").first).to_be_visible(timeout=20_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "06-plan.png"))

            page.goto(server.url + "/docs")
            expect(page.locator(".swagger-ui .information-container")).to_be_visible(timeout=20_000)
            page.screenshot(path=str(shots / "07-api-docs.png"))
            browser.close()
    finally:
        server.stop()
    assert not problems, problems

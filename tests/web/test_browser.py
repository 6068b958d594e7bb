"""The workspace as a person uses it: headless Chromium (Debian's `chromium`) against `planner serve`.

Create a case from the default, type a bad value into a cell and see the CLI's message there, fix
it and save, move a setting and watch the headline change, solve, watch the job, open the plan.
Screenshots go to $PLANNER_SCREENS (default: the test's tmp folder).
"""

from __future__ import annotations

import os
import re
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
            case_page = page.url
            page.click("a.diff-link")
            expect(page.locator("table.diff td.new")).to_have_text(str(int(good) + 1000))
            page.screenshot(path=str(shots / "03b-version-diff.png"))
            # back as a person goes back: the browser restores the case page scrolled to where it was (near its
            # end). The what-if answers landing then used to shorten the page, the browser pulled the scroll up,
            # and the Solve button moved under the click (which hit its form: no request). The tune panel's
            # answer lines now have fixed heights, so the click at the end of this test lands.
            page.go_back()
            expect(page).to_have_url(case_page)

            headline = page.locator('#headline td[data-key="unmet_rack_years"]')
            table = page.locator("#headline")
            expect(page.locator("#tune-status")).to_contain_text("optimal", timeout=30_000)

            def answered(after: str | None) -> str:
                """Wait until a what-if later than number `after` has filled the headline; its number."""
                expect(table).to_have_attribute("data-seq", re.compile(r"\d+"), timeout=30_000)
                if after is not None:
                    expect(table).not_to_have_attribute("data-seq", after, timeout=30_000)
                return str(table.get_attribute("data-seq"))

            shown = answered(None)
            # the default has no budget: add one that does not bind
            page.fill('input[name="budget.total_yi_yuan"]', "5000")
            shown = answered(shown)  # a new row: the model is built afresh
            expect(page.locator("#tune-status")).to_contain_text("optimal")
            before = headline.inner_text()
            page.fill('input[name="budget.total_yi_yuan"]', "300")
            answered(shown)
            expect(headline).not_to_have_text(before)
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

            page.select_option("#solve-resolution", "days")
            expect(page.locator("#solve-days")).to_be_visible()
            page.select_option("#solve-resolution", "hours")
            expect(page.locator("#solve-hourly-warning")).to_be_visible()
            expect(page.locator("#solve-days")).to_be_hidden()
            page.select_option("#solve-resolution", "case")
            page.click("#solve")
            expect(page.locator("h1")).to_contain_text("Solve job", timeout=30_000)
            expect(page.locator("#job-status")).to_have_text("done", timeout=90_000)
            expect(page.locator("#job-log")).to_contain_text("Optimal")
            page.screenshot(path=str(shots / "05-job-done.png"), full_page=True)
            page.click("#job-plan-link")
            expect(page.locator("#verify-verdict")).to_contain_text("all hold")
            frame = page.frame_locator("iframe.report")
            expect(frame.locator("h1").first).to_be_visible(timeout=20_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "06-plan.png"))
            plan_page = page.url

            # the same pages in Chinese: the switch is on every page and the choice is remembered
            page.click("#lang-zh")
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
            expect(page.locator("#verify-verdict")).to_contain_text("全部成立")
            expect(page.frame_locator("iframe.report").locator("h1").first).to_be_visible(timeout=30_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "06b-plan-zh.png"))
            page.goto(case_page)  # no ?lang: the cookie keeps Chinese
            expect(page.locator("#tune-status")).to_contain_text("最优", timeout=30_000)
            expect(page.locator("#solve")).to_contain_text("求解版本")
            page.screenshot(path=str(shots / "02b-case-zh.png"), full_page=True)
            page.click("#lang-en")
            expect(page.locator("#solve")).to_contain_text("Solve version")
            page.goto(plan_page)
            expect(page.locator("html")).to_have_attribute("lang", "en")

            page.goto(server.url + "/docs")
            expect(page.locator(".swagger-ui .information-container")).to_be_visible(timeout=20_000)
            page.screenshot(path=str(shots / "07-api-docs.png"))
            browser.close()
    finally:
        server.stop()
    assert not problems, problems


@pytest.mark.slow
def test_compare_download_reupload_and_sweep(tmp_path: Path) -> None:
    """Two plans compared; the plan's .zip and plan.xlsx and the case's .zip and .xlsx downloaded; the case
    files uploaded again as new cases; a sweep run from the case page and its table shown."""
    assert Path(CHROMIUM).exists(), "headless Chromium is required: apt-get install -y chromium fonts-noto-cjk"
    import io
    import zipfile

    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("PLANNER_SCREENS", tmp_path / "screens"))
    shots.mkdir(parents=True, exist_ok=True)
    files = tmp_path / "downloads"
    files.mkdir()
    server = Server(tmp_path / "data")
    problems: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            local = (server.url, "data:", "about:")
            page.on("request", lambda r: problems.append(f"offline? {r.url}") if not r.url.startswith(local) else None)

            def download(selector: str, name: str) -> Path:
                with page.expect_download(timeout=180_000) as info:  # the case workbook carries 87,600 hourly rows
                    page.click(selector, timeout=180_000)
                path = files / name
                info.value.save_as(str(path))
                return path

            page.goto(server.url + "/")
            page.fill("#new-name", "compare and download")
            page.click("#create-case")
            expect(page.locator("h1")).to_contain_text("compare and download")
            case_url = page.url
            plans = []
            for days in ("4", "12"):
                page.goto(case_url)
                page.select_option("#solve-resolution", "days")
                page.fill("#solve-days", days)
                page.click("#solve")
                expect(page.locator("#job-status")).to_have_text("done", timeout=180_000)
                page.click("#job-plan-link")
                expect(page.locator("#verify-verdict")).to_contain_text("all hold")
                plans.append(page.url.rsplit("/", 1)[-1])
            page.select_option("#compare-with", plans[0])
            page.click("#compare")
            expect(page.locator("h1")).to_contain_text("Compare plans")
            expect(page.locator("table").first).to_contain_text(f"plan {plans[0]}")
            expect(page.frame_locator("iframe.report").locator("h1").first).to_be_visible(timeout=60_000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "08-compare.png"), full_page=True)

            page.goto(f"{server.url}/plans/{plans[1]}")
            plan_zip = download("#plan-zip", "plan.zip")
            assert f"plan{plans[1]}/plan.json" in zipfile.ZipFile(plan_zip).namelist()
            plan_xlsx = download("#plan-xlsx", "plan.xlsx")
            assert load_workbook(plan_xlsx, read_only=True).sheetnames[:2] == ["plan", "racks_new"]
            page.goto(case_url)
            case_zip = download("#case-zip", "case.zip")
            case_xlsx = download("#case-xlsx", "case.xlsx")
            assert "profiles_hourly" in load_workbook(io.BytesIO(case_xlsx.read_bytes()), read_only=True).sheetnames

            page.set_default_timeout(180_000)  # reading a 2 MB workbook back takes a while on a shared machine
            for path, name in ((case_zip, "uploaded again from .zip"), (case_xlsx, "uploaded again from .xlsx")):
                page.goto(server.url + "/")
                page.set_input_files("#upload-file", str(path))
                page.fill("#upload-name", name)
                page.click("#upload")
                expect(page.locator("h1")).to_contain_text(name, timeout=180_000)
                expect(page.locator("#table-demand")).to_be_visible()
            page.screenshot(path=str(shots / "09-reuploaded-xlsx.png"), full_page=True)

            page.select_option("#sweep-set1", "budget.total_yi_yuan")
            page.fill("#sweep-values1", "600, 900")
            page.select_option("#sweep-set2", "policy.green_share_min_new")
            page.fill("#sweep-values2", "0.8, 1")
            page.click("#sweep")
            expect(page.locator("h1")).to_contain_text("Sweep job")
            expect(page.locator("#sweep-table tbody tr")).to_have_count(4, timeout=300_000)
            expect(page.locator("#job-status")).to_have_text("done")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(shots / "10-sweep.png"), full_page=True)
            browser.close()
    finally:
        server.stop()
    assert not problems, problems

"""report.pdf: report.html printed by headless Chromium (through Playwright), A4, with the print stylesheet.

Chromium is the system's (Debian: `apt-get install chromium`); `PLANNER_CHROMIUM` names another
executable. Playwright is an optional dependency (`pip install -e '.[pdf]'`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from planner.errors import PlannerError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfError(PlannerError):
    """The PDF cannot be printed: no Chromium or no Playwright on this machine."""


def find_chromium() -> str:
    """Path of a Chromium executable, or PdfError saying how to install one."""
    named = os.environ.get("PLANNER_CHROMIUM")
    if named:
        if Path(named).is_file():
            return named
        raise PdfError(f"PLANNER_CHROMIUM={named} is not a file")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    raise PdfError(
        "--pdf needs Chromium to print the report: install it (Debian: apt-get install chromium fonts-noto-cjk) or set "
        "PLANNER_CHROMIUM"
    )


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print `html` to `pdf` (A4, backgrounds on, the page's own @page margins); written through a temporary name."""
    executable = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise PdfError(
            "--pdf needs Playwright: pip install playwright (the browser itself comes from the system)"
        ) from error
    tmp = pdf.with_name(f".{pdf.name}.partial")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(Path(html).resolve().as_uri())
            page.wait_for_load_state("load")
            page.evaluate("document.fonts.ready.then(() => true)")
            page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
    tmp.replace(pdf)
    return pdf

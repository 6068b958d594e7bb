"""Saved plan -> report files, and the plan-folder round trip used by `solve` and `planner report`."""

from __future__ import annotations

from pathlib import Path

from planner.report.document import build_document
from planner.report.glossary import Lang
from planner.report.render import to_html, to_markdown
from planner.report.tables import make_view
from planner.results.plan_folder import SavedPlan, read_plan_folder, write_text_files

REPORT_FILES = ("report.html", "report.md")


def render_report(saved: SavedPlan, lang: str = "both") -> dict[str, str]:
    """File name -> text of report.html and report.md for a saved plan, in `lang` (zh, en or both)."""
    language = Lang(lang)
    document = build_document(make_view(saved, language))
    return {"report.html": to_html(document, language), "report.md": to_markdown(document, language)}


def write_report(folder: str | Path, lang: str = "both") -> list[Path]:
    """Read a plan folder, build both reports in memory, then write them into the folder.

    Raises:
        PlanFolderError: the folder is missing or is not a complete plan; nothing is written.
    """
    folder = Path(folder)
    files = render_report(read_plan_folder(folder), lang)
    write_text_files(folder, files)
    return [folder / name for name in files]

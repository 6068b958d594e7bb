"""Plan reports: report.html (one offline page) and report.md (the same content as text).

Both are built from a plan folder's saved outputs, at solve time or later with `planner report`:

    from planner.report import write_report
    write_report("outputs/default")      # reads plan.json, the CSVs, duals.csv, manifest.json, inputs.json
"""

from __future__ import annotations

from planner.report.build import REPORT_FILES, render_report, write_report

__all__ = ["REPORT_FILES", "render_report", "write_report"]

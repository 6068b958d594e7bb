"""Cases as Excel workbooks for the web: the inputs stage's reader and writer with the upload limits.

The format and its checks live in `planner.inputs.workbook` (shared with `planner solve case.xlsx`
and `planner export --xlsx`); here a refused workbook becomes an UploadError (400) like a refused zip.
"""

from __future__ import annotations

from pathlib import Path

from planner.inputs.workbook import SCENARIO_SHEET, WorkbookError, WorkbookLimits, write_workbook
from planner.inputs.workbook import read_workbook as _read_workbook
from planner.web.store import UploadError
from planner.web.uploads import MAX_ENTRIES, MAX_UNPACKED_BYTES, MAX_UPLOAD_BYTES

__all__ = ["SCENARIO_SHEET", "read_workbook", "write_workbook"]

LIMITS = WorkbookLimits(max_bytes=MAX_UPLOAD_BYTES, max_parts=MAX_ENTRIES * 5, max_unpacked_bytes=MAX_UNPACKED_BYTES)


def read_workbook(data: bytes, dest: Path) -> None:
    """Write the case a workbook holds into `dest` (then read it with the CLI's reader). Raises UploadError."""
    try:
        _read_workbook(data, dest, source="workbook.xlsx", limits=LIMITS)
    except WorkbookError as err:
        raise UploadError(err.reasons) from None

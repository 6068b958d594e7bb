"""The solver's own progress, read from the tail of its log while it runs (for the CLI's status line).

HiGHS writes one line per reported iteration: dual simplex (`  414  1.33e+03 Pr: 0(0); Du: ...`),
interior point (IPX: `  12  1.2e-03  4.5e-04  1.3e+03  1.3e+03  2.1e-01  3.4s`) and branch and
bound (`... 12.50%  1.23e+03  1.25e+03  1.60% ...`). `progress_text` turns the last one into words.
"""

from __future__ import annotations

import re
from pathlib import Path

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_SIMPLEX = re.compile(rf"^\s*(\d+)\s+({_NUMBER})\s+(Ph1|Pr|Du)\b")
_IPM = re.compile(rf"^\s*(\d+)\s+{_NUMBER}\s+{_NUMBER}\s+({_NUMBER})\s+{_NUMBER}\s+{_NUMBER}\s+{_NUMBER}s?\s*$")
_PERCENT = re.compile(r"(inf|\d+(?:\.\d+)?%)")
_MIP_ROW = re.compile(r"^\s*[A-Z]?\s+\d+\s+\d+\s+\d+\s+\d+(?:\.\d+)?%")


def progress_text(line: str) -> str:
    """Words for one solver log line: iteration and objective, or branch-and-bound gap, or the line itself."""
    line = line.rstrip()
    if match := _SIMPLEX.match(line):
        return f"simplex iteration {int(match.group(1)):,}, objective {float(match.group(2)):,.6g}"
    if _MIP_ROW.match(line):
        tokens = line.split()
        nodes = next((t for t in tokens if t.isdigit()), "?")
        percents = _PERCENT.findall(line)
        gap = percents[-1] if len(percents) > 1 else "inf"
        return f"branch and bound: {int(nodes):,} nodes, gap {gap.replace('%', ' %')}"
    if match := _IPM.match(line):
        return f"interior point iteration {int(match.group(1))}, objective {float(match.group(2)):,.6g}"
    text = " ".join(line.split())
    return text if len(text) <= 70 else text[:67] + "..."


def log_progress(log: Path | None, tail_bytes: int = 4096) -> str:
    """The solver's progress from the last non-empty line of its log ("" when there is none yet)."""
    if log is None:
        return ""
    try:
        with log.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - tail_bytes))
            lines = handle.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    last = next((line for line in reversed(lines) if line.strip()), "")
    return progress_text(last) if last else ""

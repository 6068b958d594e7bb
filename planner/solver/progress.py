"""The solver's own progress, read from the tail of its log while it runs (for the CLI's status line).

HiGHS writes one line per reported iteration: dual simplex (`  414  1.33e+03 Pr: 0(0); Du: ...`),
interior point (`  10  1.44e+03  1.10e+03  5.72e-07  1.03e-12  2.72e-01  0.0`), PDLP (HiGHS's own,
`  720  1.28e+03  1.29e+03  5.56e+00  1.35e-02  3.08e+00  8.67e-04  13.1`, and cuPDLP-C,
`  4000  +1.28e+03  +1.28e+03  +2.04e-05  3.93e-05  2.13e-06  121s [A]`) and branch and
bound (`... 12.50%  1.23e+03  1.25e+03  1.60% ...`). `progress_text` turns the last one into words.
"""

from __future__ import annotations

import re
from pathlib import Path

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_SIMPLEX = re.compile(rf"^\s*(\d+)\s+({_NUMBER})\s+(Ph1|Pr|Du)\b")
_IPM = re.compile(rf"^\s*(\d+)\s+({_NUMBER})\s+{_NUMBER}\s+{_NUMBER}\s+{_NUMBER}\s+({_NUMBER})\s+{_NUMBER}s?\s*$")
_PDLP = re.compile(rf"^\s*(\d+)\s+({_NUMBER})\s+{_NUMBER}\s+({_NUMBER})\s+{_NUMBER}\s+{_NUMBER}\s+[\d.]+s\s+\[\w\]\s*$")
_HIPDLP = re.compile(  # iteration, primal obj, dual obj, pinf, dinf, gap, primal weight, time
    rf"^\s*(\d+)\s+({_NUMBER})\s+{_NUMBER}\s+{_NUMBER}\s+{_NUMBER}\s+({_NUMBER})\s+{_NUMBER}\s+{_NUMBER}\s*$"
)
_MIP = re.compile(r"^\s*[A-Z]?\s+(\d+)\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s+(Large|inf|[\d.]+%)")


def _number(text: str) -> str:
    try:
        return f"{float(text):,.6g}"
    except ValueError:
        return text


def progress_text(line: str) -> str:
    """Words for one solver log line: iteration and objective, or branch-and-bound gap, or the line itself."""
    line = line.rstrip()
    if match := _SIMPLEX.match(line):
        return f"simplex iteration {int(match.group(1)):,}, objective {_number(match.group(2))}"
    if match := _MIP.match(line):
        nodes, bound, best, gap = match.groups()
        return (
            f"branch and bound: {int(nodes):,} nodes, best {_number(best)}, bound {_number(bound)}, gap "
            f"{gap.replace('%', ' %')}"
        )
    if match := _PDLP.match(line) or _HIPDLP.match(line):
        return (
            f"PDLP iteration {int(match.group(1)):,}, objective {_number(match.group(2))}, gap "
            f"{float(match.group(3)):.1e}"
        )
    if match := _IPM.match(line):
        return (
            f"interior point iteration {int(match.group(1))}, objective {_number(match.group(2))}, gap "
            f"{float(match.group(3)):.1e}"
        )
    text = " ".join(line.split())
    return text if len(text) <= 60 else text[:57] + "..."


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

"""The CLI's status line reads the solver's own progress from its log (HiGHS's formats, copied from real logs)."""

from __future__ import annotations

from pathlib import Path

from planner.solver.progress import log_progress, progress_text


def test_simplex_interior_point_and_branch_and_bound_lines() -> None:
    assert (
        progress_text("        414     1.3378109523e+03 Pr: 0(0); Du: 0(1.14908e-13) 0.0s")
        == "simplex iteration 414, objective 1,337.81"
    )
    ipm = "  10    1.44712926e+03   1.10068669e+03   5.72e-07   1.03e-12  2.72e-01       0.0"
    assert progress_text(ipm) == "interior point iteration 10, objective 1,447.13, gap 2.7e-01"
    pdlp = "     4000  +1.27953314e+03  +1.27948082e+03  +2.04e-05    3.93e-05  2.13e-06    121s [A]"
    assert progress_text(pdlp) == "PDLP iteration 4,000, objective 1,279.53, gap 2.0e-05"
    hipdlp = "      720   1.28257310e+03   1.28565088e+03   5.56e+00   1.35e-02  3.08e+00  8.67e-04    13.1"
    assert progress_text(hipdlp) == "PDLP iteration 720, objective 1,282.57, gap 3.1e+00"
    mip = (
        " L       0       0         0   0.00%   1338.544674     1339.072252        0.04%      228     15      0      "
        "2138     4.0s"
    )
    assert progress_text(mip) == "branch and bound: 0 nodes, best 1,339.07, bound 1,338.54, gap 0.04 %"
    first = (
        " J       0       0         0   0.00%   -inf            6659.29868         Large        0      0      0        "
        " 0     0.1s"
    )
    assert progress_text(first).endswith("gap Large")
    assert progress_text("Presolving model") == "Presolving model"


def test_log_progress_reads_the_last_line(tmp_path: Path) -> None:
    log = tmp_path / "solver.log"
    assert log_progress(log) == ""
    log.write_text("Using dual simplex solver\n          0     0.0000000000e+00 Ph1: 0(0) 0.0s\n\n", encoding="utf-8")
    assert log_progress(log) == "simplex iteration 0, objective 0"
    assert log_progress(None) == ""

"""Verify the existing stock's vintage: retrofits and retirements, the PUE deadline, load on retrofitted racks.

From vintage.csv, racks.csv, load.csv and the case's inputs only; nothing here imports the model builder.
"""

from __future__ import annotations

import numpy as np

from planner.verify.base import Case, CheckResult, Plan, compare, load_on_new_racks, served, vintage_frame


def _done_so_far(case: Case, plan: Plan) -> np.ndarray:
    v = vintage_frame(plan, case)
    return np.asarray((v["retrofit_racks"] + v["retire_racks"]).groupby(level="cluster").cumsum().to_numpy())


def check_vintage_stock(case: Case, plan: Plan) -> CheckResult:
    """sum_{y' <= y} (retrofit + retire)[c,y'] <= racks_existing[c], and none where a cluster has no option."""
    existing = case.clusters["racks_existing"].reindex(case.cluster_years.get_level_values("cluster")).to_numpy()
    allowed = case.cluster_years.get_level_values("cluster").isin(case.vintage_clusters)
    return compare(
        "vintage_stock", case.cluster_years, _done_so_far(case, plan), "<=", np.where(allowed, existing, 0.0), "racks"
    )


def check_retire_deadline(case: Case, plan: Plan) -> CheckResult:
    """sum_{y' <= y} (retrofit + retire)[c,y'] >= racks_existing[c] above the PUE threshold, from the deadline on."""
    clusters = case.cluster_years.get_level_values("cluster")
    years = case.cluster_years.get_level_values("year").to_numpy()
    due = years >= case.retire_by.reindex(clusters).to_numpy(dtype=float)  # NaN deadline: never due
    existing = case.clusters["racks_existing"].reindex(clusters).to_numpy()
    return compare(
        "retire_deadline", case.cluster_years[due], _done_so_far(case, plan)[due], ">=", existing[due], "racks"
    )


def check_retrofit_load(case: Case, plan: Plan) -> list[CheckResult]:
    """Load on retrofitted racks <= u_max * retrofitted so far, and <= the load on the racks in place (served - new)."""
    v = vintage_frame(plan, case)
    on_retrofit = v["retrofit_load_racks"].to_numpy()
    retrofitted = v["retrofit_racks"].groupby(level="cluster").cumsum().to_numpy()
    in_place = served(plan, case).to_numpy() - load_on_new_racks(plan, case).to_numpy()
    return [
        compare("retrofit_load", case.cluster_years, on_retrofit, "<=", case.utilisation_max * retrofitted, "racks"),
        compare("retrofit_load", case.cluster_years, on_retrofit, "<=", in_place, "racks"),
    ]

"""`verify_outputs(out_dir)`: check a written plan against its inputs, independently of the model.

The checks re-read the validated inputs (`inputs.json`, or the case folder) and the plan's tidy
CSVs and test every constraint of the formulation (the family docstrings in `planner/model/`)
with plain pandas/numpy in report units: racks, GWh, 亿元, Gbps, MW, Mt CO2. Nothing here imports
the model builder or `planner.model.data`, so a bug in either cannot hide itself.

A row is violated when it misses its limit by more than `atol[unit] + rtol * scale`, where
`scale` is the size of the row's largest term: solver tolerances (1e-7 in model units) and the
6-decimal CSVs leave residuals far below these tolerances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planner.errors import PlanFolderError, PlannerError, Problem
from planner.inputs.schema import Inputs
from planner.results.plan_checks import check_summary
from planner.results.plan_folder import read_inputs_json, read_json_object, read_plan_tables
from planner.verify.base import (
    ATOL,
    RTOL,
    Case,
    CheckResult,
    Plan,
    Violation,
    battery_net_gwh,
    case_frames,
    compare,
    direct_gwh,
    existing_in_place,
    load_on_new_racks,
    module_sizes,
    racks_built,
    racks_installed,
    served,
    vintage_frame,
)
from planner.verify.costs import check_costs, check_kpis
from planner.verify.grid import check_green_direct_availability, check_grid_import, check_power, check_water_cap
from planner.verify.policy import check_budgets, check_carbon, check_intelligent_share, check_links, check_shares
from planner.verify.storage import (
    check_battery_energy_stock,
    check_battery_power_stock,
    check_green_hourly,
    check_storage_balance,
    check_storage_charge_green,
    check_storage_energy,
    check_storage_power,
)
from planner.verify.vintage import check_retire_deadline, check_retrofit_load, check_vintage_stock


@dataclass(frozen=True)
class VerifyReport:
    """Every check on one output folder."""

    out_dir: Path
    status: str
    checks: tuple[CheckResult, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    inputs_differ: str = ""
    """Set when the plan's manifest names other inputs than the case it is checked against."""

    @property
    def ok(self) -> bool:
        """True when every constraint holds within tolerance (and the inputs are the plan's own)."""
        return not self.inputs_differ and all(c.ok for c in self.checks)

    @property
    def violations(self) -> list[Violation]:
        """Every violation, largest first within each check."""
        return [v for c in self.checks for v in c.violations]

    def largest(self) -> CheckResult:
        """The constraint family with the largest residual relative to its unit's tolerance."""
        families = [c for c in self.checks if c.kind == "constraint"] or list(self.checks)
        return max(families, key=lambda c: c.max_violation / ATOL.get(c.unit, 1e-6))

    def to_text(self, limit: int = 20) -> str:
        """Human summary: one line per failed row (up to `limit`), then the totals."""
        lines = [f"verify {self.out_dir} (plan status {self.status}): {len(self.checks)} checks, "
                 f"{sum(c.rows for c in self.checks):,} rows"]
        lines.extend(f"  VIOLATED {v}" for v in self.violations[:limit])
        if len(self.violations) > limit:
            lines.append(f"  ... and {len(self.violations) - limit} more")
        top = self.largest()
        lines.append(f"largest constraint residual: {top.max_violation:.3g} {top.unit} ({top.check}); "
                     f"tolerance {ATOL[top.unit]:g} {top.unit} + {RTOL:g} x row size")
        lines.extend(f"note: {n}" for n in self.notes)
        if self.inputs_differ:
            lines.append(f"INPUTS DIFFER: {self.inputs_differ}")
        lines.append(
            "all constraints hold"
            if self.ok
            else f"{len(self.violations)} violation(s) above tolerance"
            + (" and the inputs differ" if self.inputs_differ else "")
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "out_dir": str(self.out_dir),
            "status": self.status,
            "ok": self.ok,
            "checks": [
                {"check": c.check, "kind": c.kind, "rows": c.rows, "unit": c.unit, "max_violation": c.max_violation,
                 "violations": [v.__dict__ for v in c.violations]}
                for c in self.checks
            ],
            "notes": list(self.notes),
        }


def verify_outputs(out_dir: str | Path, inputs: Inputs | None = None, inputs_sha256: str | None = None) -> VerifyReport:
    """Check every constraint, the objective and the KPIs of the plan in `out_dir`.

    Args:
        out_dir: an output folder written by `planner solve`.
        inputs: the case to check against; default: the folder's `inputs.json`.
        inputs_sha256: the hash of that case's files; a plan whose manifest names another fails.
    """
    folder = Path(out_dir)
    plan_json = read_json_object(folder / "plan.json")
    status = str(plan_json.get("status"))
    if status not in ("optimal", "feasible"):
        raise PlannerError(f"{folder / 'plan.json'} has status '{status}': there is no plan to verify")
    problems: list[Problem] = []
    check_summary(str(folder / "plan.json"), plan_json, problems, totals=False)
    if problems:
        raise PlanFolderError(problems)
    differ = ""
    if inputs_sha256 is not None:
        recorded = read_json_object(folder / "manifest.json").get("inputs_sha256")
        if recorded != inputs_sha256:
            differ = (
                f"the plan was solved from inputs with hash {str(recorded)[:12]}..., the given case has "
                f"{inputs_sha256[:12]}...; it is checked against the given case"
            )
    inputs = inputs or read_inputs_json(folder / "inputs.json")
    case = case_frames(inputs)
    modular = not module_sizes(case).empty
    tables = read_plan_tables(folder, modules=modular, storage=len(case.storage_clusters) > 0,
                              vintage=len(case.vintage_clusters) > 0)
    plan = Plan(**tables, summary=plan_json)
    checks: list[CheckResult] = []
    for rule in RULES:
        result = rule(case, plan)
        checks.extend(result if isinstance(result, list) else [result])
    checks += check_costs(case, plan)
    checks += check_kpis(case, plan)
    notes = ("stopped early: a feasible plan with a gap, not a proven optimum",) if status == "feasible" else ()
    return VerifyReport(folder, status, tuple(checks), notes, differ)


# --------------------------------------------------------------------------- constraint checks


def check_bounds(case: Case, plan: Plan) -> list[CheckResult]:
    """Every decision is non-negative (racks, load, unmet, energy, certificates, links)."""
    columns = [("racks_new", "new_racks", "racks"), ("racks", "racks", "racks"), ("load", "load_racks", "racks"),
               ("unmet", "unmet_racks", "racks"), ("energy", "grid_gwh", "GWh"), ("energy", "renewable_gwh", "GWh"),
               ("certificates", "certificates_gwh", "GWh"), ("bandwidth", "bandwidth_new_gbps", "Gbps")]
    out = []
    for table, column, unit in columns:
        frame: pd.DataFrame = getattr(plan, table)
        keys = frame.drop(columns=[c for c in frame.columns if c in plan.value_columns])
        out.append(compare(f"non_negative:{table}.{column}", keys, frame[column], ">=", 0.0, unit, scale=0.0))
    return out


def check_demand(case: Case, plan: Plan) -> CheckResult:
    """sum_c load[w,h,c,y] + unmet[w,h,y] = demand[w,h,y] (0 where no demand row)."""
    keys = ["workload", "hub", "year"]
    load = plan.load.groupby(keys)["load_racks"].sum()
    unmet = plan.unmet.set_index(keys)["unmet_racks"]
    index = case.demand.index.union(load.index).union(unmet.index)
    lhs = load.reindex(index, fill_value=0.0) + unmet.reindex(index, fill_value=0.0)
    return compare("demand_met", index, lhs, "==", case.demand.reindex(index, fill_value=0.0), "racks")


def check_class_load_balance(case: Case, plan: Plan) -> CheckResult:
    """sum_h load[w,h,c,y] = class_load[w,c,y].

    Class loads are not written; their sum per cluster is utilisation.csv's load_racks.
    """
    from_load = served(plan, case)
    reported = plan.utilisation.set_index(["cluster", "year"])["load_racks"].reindex(case.cluster_years)
    return compare("class_load_balance", case.cluster_years, reported, "==", from_load, "racks")


def check_latency(case: Case, plan: Plan) -> CheckResult:
    """Load only over links whose RTT is within the workload's latency limit."""
    load = plan.load
    rtt = case.links["rtt_ms"].reindex(pd.MultiIndex.from_frame(load[["hub", "cluster"]])).to_numpy()
    limit = case.workloads["latency_max_rtt_ms"].reindex(load["workload"]).to_numpy(dtype=float)
    eligible = ~np.isnan(rtt) & (np.isnan(limit) | (rtt <= limit))
    carried = np.where(eligible, 0.0, load["load_racks"].to_numpy())
    keys = load[["workload", "hub", "cluster", "year"]]
    return compare("latency", keys, carried, "<=", 0.0, "racks",
                   detail=lambda i: f"{carried[i]:,.6g} racks served over RTT {rtt[i]:g} ms, limit {limit[i]:g} ms")


def check_rack_stock(case: Case, plan: Plan) -> CheckResult:
    """racks[c,y] = racks_existing[c] + sum_{y' <= y} (racks_new[c,y'] - retire[c,y'])."""
    new = racks_built(plan, case)
    expected = new.fillna(0.0).groupby(level="cluster").cumsum() + existing_in_place(plan, case).to_numpy()
    return compare("rack_stock", case.cluster_years, racks_installed(plan, case), "==", expected, "racks")


def check_build_rate(case: Case, plan: Plan) -> CheckResult:
    """racks_new[c,y] <= build_max_racks_per_year[c]."""
    limit = case.clusters["build_max_racks_per_year"].reindex(case.cluster_years.get_level_values("cluster")).to_numpy()
    return compare("build_rate", case.cluster_years, racks_built(plan, case), "<=", limit, "racks")


def check_land(case: Case, plan: Plan) -> CheckResult:
    """racks[c,y] <= racks_max[c] where a limit is set."""
    limit = case.clusters["racks_max"].reindex(case.cluster_years.get_level_values("cluster")).to_numpy(dtype=float)
    has = ~np.isnan(limit)
    return compare(
        "land_limit", case.cluster_years[has], racks_installed(plan, case).to_numpy()[has], "<=", limit[has], "racks"
    )


def check_modules(case: Case, plan: Plan) -> CheckResult:
    """racks_new[c,y] = module_racks[c] * modules[c,y] with whole modules (clusters built in modules only)."""
    size = module_sizes(case)
    if size.empty:
        return CheckResult("build_modules", 0, "racks", 0.0)
    cy = case.cluster_years[case.cluster_years.get_level_values("cluster").isin(size.index)]
    modules = plan.modules.set_index(["cluster", "year"])["modules"].reindex(cy).to_numpy(dtype=float)
    whole = compare("modules_whole", cy, modules, "==", np.round(modules), "modules")
    per_module = size.reindex(cy.get_level_values("cluster")).to_numpy()
    sized = compare("build_modules", cy, racks_built(plan, case).reindex(cy), "==", per_module * modules, "racks")
    return sized if not whole.violations else whole


def check_site_opening(case: Case, plan: Plan) -> CheckResult:
    """racks_new[c,y] <= build_max[c] * (site opened in a year <= y), opened 0 or 1, at sites with an opening cost."""
    cost = case.clusters["open_cost_yuan"].astype(float).dropna()
    if cost.empty:
        return CheckResult("site_opening", 0, "racks", 0.0)
    cy = case.cluster_years[case.cluster_years.get_level_values("cluster").isin(cost.index)]
    frame = plan.racks_new.set_index(["cluster", "year"])
    opened = (frame["opened"] if "opened" in frame else pd.Series(np.nan, index=frame.index)).reindex(cy)
    values = opened.to_numpy(dtype=float)
    whole = compare("site_opening_whole", cy, values, "==", np.round(values), "modules")
    if whole.violations:
        return whole
    is_open = np.minimum(opened.groupby(level="cluster").cumsum().to_numpy(), 1.0)
    limit = case.clusters["build_max_racks_per_year"].reindex(cy.get_level_values("cluster")).to_numpy() * is_open
    return compare("site_opening", cy, racks_built(plan, case).reindex(cy), "<=", limit, "racks")


def check_capacity(case: Case, plan: Plan) -> CheckResult:
    """served[c,y] <= u_max * racks[c,y]."""
    return compare(
        "capacity",
        case.cluster_years,
        served(plan, case),
        "<=",
        case.utilisation_max * racks_installed(plan, case),
        "racks",
    )


def check_utilisation_floor(case: Case, plan: Plan) -> CheckResult:
    """From year from[c] on, where u_min[c] > 0, the floor over its scope of racks.

    all_racks: served[c,y] >= u_min[c] * racks[c,y];
    new_racks: load on new racks[c,y] >= u_min[c] * (racks[c,y] - racks_existing[c]).
    """
    cl = case.clusters.reindex(case.cluster_years.get_level_values("cluster"))
    years = case.cluster_years.get_level_values("year").to_numpy()
    floor = cl["utilisation_min"].to_numpy()
    has = (floor > 0) & (years >= cl["utilisation_min_from_year"].to_numpy())
    new = (cl["utilisation_min_scope"] == "new_racks").to_numpy()
    racks = racks_installed(plan, case).to_numpy()
    lhs = np.where(new, load_on_new_racks(plan, case).to_numpy(), served(plan, case).to_numpy())
    rhs = floor * np.where(new, racks - cl["racks_existing"].to_numpy(), racks)
    return compare("utilisation_floor", case.cluster_years[has], lhs[has], ">=", rhs[has], "racks")


def check_incumbents(case: Case, plan: Plan) -> list[CheckResult]:
    """Where racks_in_use_existing in_use0[c] is set: the base year's tenants and their retention.

    base_year_load: served[c,y0] - load on new racks[c,y0] <= in_use0[c];
    incumbent_load: served[c,y] >= retention * served[c,y-1] for y > y0.
    """
    cl = case.clusters.reindex(case.cluster_years.get_level_values("cluster"))
    in_use0 = cl["racks_in_use_existing"].astype(float).to_numpy()
    years = case.cluster_years.get_level_values("year").to_numpy()
    pinned = ~np.isnan(in_use0)
    first = pinned & (years == case.years[0])
    in_use = served(plan, case)
    on_existing = in_use.to_numpy() - load_on_new_racks(plan, case).to_numpy()
    last_year = in_use.groupby(level="cluster").shift(1).to_numpy()
    later = pinned & (years > case.years[0])
    return [
        compare(
            "base_year_load",
            case.cluster_years[first],
            on_existing[first],
            "<=",
            in_use0[first],
            "racks",
            scale=in_use.to_numpy()[first],
        ),
        compare(
            "incumbent_load",
            case.cluster_years[later],
            in_use.to_numpy()[later],
            ">=",
            case.tenant_retention * last_year[later],
            "racks",
        ),
    ]


def check_new_load(case: Case, plan: Plan) -> list[CheckResult]:
    """max(0, served - u_max * in place) <= load on new racks <= min(served, u_max * (racks - in place)).

    In place: racks_existing less those retired so far.
    """
    existing = existing_in_place(plan, case).to_numpy()
    in_use = served(plan, case).to_numpy()
    on_new = load_on_new_racks(plan, case).to_numpy()
    low = np.maximum(0.0, in_use - case.utilisation_max * existing)
    high = np.minimum(in_use, case.utilisation_max * (racks_installed(plan, case).to_numpy() - existing))
    size = in_use + case.utilisation_max * existing  # the rows' own size: what they add up
    return [compare("new_load", case.cluster_years, on_new, ">=", low, "racks", scale=size),
            compare("new_load_cap", case.cluster_years, on_new, "<=", high, "racks", scale=size)]


def check_power_balance(case: Case, plan: Plan) -> CheckResult:
    """Grid + renewable + direct green + battery discharge - charge = it energy x PUE of the racks carrying it.

    pue_existing[c] on the racks in place, pue_max[c] on retrofitted ones, pue[c] on new racks, each
    plus the PUE difference of the class's kind (workloads.csv `pue_delta`) on the racks it uses;
    it = racks in use * power_kw * it_load_factor * weight_hours.
    """
    e = plan.energy_cyt
    cy = pd.MultiIndex.from_arrays([e.index.get_level_values("cluster"), e.index.get_level_values("year")])
    in_use = served(plan, case).reindex(cy).to_numpy()
    on_new = load_on_new_racks(plan, case).reindex(cy).to_numpy()
    weight = case.weight_hours.reindex(
        pd.MultiIndex.from_arrays([e.index.get_level_values("cluster"), e.index.get_level_values("slice")])
    ).to_numpy()
    per_rack = case.power_kw * case.it_load_factor * weight / 1e6
    cl = case.clusters.reindex(e.index.get_level_values("cluster"))
    on_retrofit = vintage_frame(plan, case)["retrofit_load_racks"].reindex(cy).to_numpy()
    on_old = in_use - on_new - on_retrofit
    kind = plan.load["load_racks"] * plan.load["workload"].map(case.workloads["pue_delta"].astype(float)).to_numpy()
    shift = kind.groupby([plan.load["cluster"], plan.load["year"]]).sum().reindex(cy, fill_value=0.0).to_numpy()
    facility = per_rack * (cl["pue_existing"].to_numpy() * on_old + cl["pue_max"].to_numpy() * on_retrofit
                           + cl["pue"].to_numpy() * on_new + shift)
    supply = e["grid_gwh"] + e["renewable_gwh"] + battery_net_gwh(e) + direct_gwh(e)
    return compare("power_balance", e.index, supply, "==", facility, "GWh")


def check_renewables(case: Case, plan: Plan) -> CheckResult:
    """renewable[c,y,t] <= (wind_mw*wind_cf + solar_mw*solar_cf + hydro_mw*hydro_cf)[c,t] * weight_hours[t] / 1000."""
    e = plan.energy_cyt
    potential = case.renewable_gwh.reindex(
        pd.MultiIndex.from_arrays([e.index.get_level_values("cluster"), e.index.get_level_values("slice")])
    ).to_numpy()
    return compare("renewable_availability", e.index, e["renewable_gwh"], "<=", potential, "GWh")


def _green_parts(case: Case, plan: Plan) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per (cluster, year): grid GWh, renewable GWh used (bought, direct, less battery losses) and certificate GWh."""
    e = plan.energy_cyt.assign(used_gwh=lambda f: f["renewable_gwh"] + battery_net_gwh(f) + direct_gwh(f))
    by_cy = (
        e.groupby(level=["cluster", "year"])[["grid_gwh", "renewable_gwh", "used_gwh"]]
        .sum()
        .reindex(case.cluster_years, fill_value=0.0)
    )
    cert = plan.certificates.set_index(["cluster", "year"])["certificates_gwh"].reindex(
        case.cluster_years, fill_value=0.0
    )
    return by_cy["grid_gwh"], by_cy["used_gwh"], cert


def check_certificate_cover(case: Case, plan: Plan) -> CheckResult:
    """certificates[c,y] <= sum_t grid[c,y,t]."""
    grid, _, cert = _green_parts(case, plan)
    return compare("certificate_cover", case.cluster_years, cert, "<=", grid, "GWh")


def check_green_floor(case: Case, plan: Plan) -> CheckResult:
    """Renewable + certificates >= g[c] * e_new[c] * load on new racks (see `check_new_load` for its bounds)."""
    _, renewable, cert = _green_parts(case, plan)
    cl = case.clusters.reindex(case.cluster_years.get_level_values("cluster"))
    new_load = load_on_new_racks(plan, case).to_numpy()
    e_new = cl["pue"].to_numpy() * case.power_kw * case.it_load_factor * 8760.0 / 1e6
    need = cl["green_share_min_new"].to_numpy() * e_new * new_load
    has = cl["green_share_min_new"].to_numpy() > 0
    green = (renewable + cert).to_numpy()
    return compare("green_share", case.cluster_years[has], green[has], ">=", need[has], "GWh")


def check_certificate_share(case: Case, plan: Plan) -> CheckResult:
    """(1 - s) * certificates <= s * sum_t renewable, if certificate_share_max s is set."""
    s = case.certificate_share_max
    if s is None:
        return CheckResult("certificate_share", 0, "GWh", 0.0)
    _, renewable, cert = _green_parts(case, plan)
    return compare("certificate_share", case.cluster_years, (1 - s) * cert, "<=", s * renewable, "GWh")


RULES: tuple[Callable[[Case, Plan], CheckResult | list[CheckResult]], ...] = (
    check_bounds,
    check_demand,
    check_class_load_balance,
    check_latency,
    check_rack_stock,
    check_build_rate,
    check_vintage_stock,
    check_retire_deadline,
    check_land,
    check_power,
    check_modules,
    check_site_opening,
    check_capacity,
    check_utilisation_floor,
    check_incumbents,
    check_new_load,
    check_retrofit_load,
    check_power_balance,
    check_renewables,
    check_grid_import,
    check_green_direct_availability,
    check_certificate_cover,
    check_green_floor,
    check_certificate_share,
    check_green_hourly,
    check_battery_power_stock,
    check_battery_energy_stock,
    check_storage_balance,
    check_storage_power,
    check_storage_energy,
    check_storage_charge_green,
    check_links,
    check_budgets,
    check_shares,
    check_intelligent_share,
    check_carbon,
    check_water_cap,
)
"""Every constraint check, in the order of the formulation's families."""

CHECKS: dict[str, Callable[[Case, Plan], CheckResult | list[CheckResult]]] = {
    "demand_met": check_demand,
    "class_load_balance": check_class_load_balance,
    "rack_stock": check_rack_stock,
    "build_rate": check_build_rate,
    "land_limit": check_land,
    "power_limit": check_power,
    "build_modules": check_modules,
    "site_opening": check_site_opening,
    "capacity": check_capacity,
    "utilisation_floor": check_utilisation_floor,
    "base_year_load": check_incumbents,
    "incumbent_load": check_incumbents,
    "power_balance": check_power_balance,
    "renewable_availability": check_renewables,
    "certificate_cover": check_certificate_cover,
    "new_load": check_new_load,
    "new_load_cap": check_new_load,
    "green_share": check_green_floor,
    "certificate_share": check_certificate_share,
    "green_hourly": check_green_hourly,
    "battery_power_stock": check_battery_power_stock,
    "battery_energy_stock": check_battery_energy_stock,
    "storage_balance": check_storage_balance,
    "storage_power": check_storage_power,
    "storage_energy": check_storage_energy,
    "storage_charge_green": check_storage_charge_green,
    "link_bandwidth": check_links,
    "link_expansion_limit": check_links,
    "budget_yearly": check_budgets,
    "budget_total": check_budgets,
    "west_share": check_shares,
    "hub_share": check_shares,
    "national_hubs_share": check_shares,
    "intelligent_share": check_intelligent_share,
    "carbon_cap": check_carbon,
    "grid_import": check_grid_import,
    "green_direct_availability": check_green_direct_availability,
    "water_cap": check_water_cap,
    "vintage_stock": check_vintage_stock,
    "retire_deadline": check_retire_deadline,
    "retrofit_load": check_retrofit_load,
}
"""Constraint family -> the check that reports on it under the family's name (the registry's `verify`)."""

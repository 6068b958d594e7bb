"""What `planner verify` checks with: the case's parameters and the plan's tables, in report units.

Built straight from the validated `Inputs` and the output CSVs with pandas. This deliberately
repeats a little of `planner.model.data` (defaults, renewable potential) rather than importing it, so
that the verifier is a second, independent reading of the formulation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from planner.inputs.compute import eflops_per_standard_rack, standard_racks_per_rack
from planner.inputs.schema import Inputs

ATOL: dict[str, float] = {
    "racks": 1e-3,
    "GWh": 1e-4,
    "Gbps": 1e-3,
    "亿元": 1e-5,
    "MW": 1e-4,
    "MWh": 1e-3,
    "Mt CO2": 1e-6,
    "modules": 1e-6,
    "-": 1e-6,
    "EFLOPS": 1e-6,
    "m3": 1e-1,
}
"""Absolute tolerance per unit: solvers hold rows to about 1e-7 in model units (1e-4 racks, 1e-7 GWh,
1e-7 亿元), and the CSVs keep 6 decimals; these leave a margin of 10 or more above both."""
RTOL = 1e-7
"""Relative tolerance, times the largest term of the row."""


@dataclass(frozen=True)
class Violation:
    """One row of the plan that breaks a constraint: by how much, in which unit."""

    check: str
    key: str
    size: float
    unit: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check} [{self.key}]: off by {self.size:,.6g} {self.unit} ({self.detail})"


@dataclass(frozen=True)
class CheckResult:
    """One constraint family checked over all its rows."""

    check: str
    rows: int
    unit: str
    max_violation: float
    """Largest miss over all rows (<= 0 when every row holds with room to spare), in `unit`."""
    violations: tuple[Violation, ...] = ()
    kind: str = "constraint"
    """`constraint` (a family of the formulation), `cost` (objective terms) or `kpi` (plan.json numbers)."""

    @property
    def ok(self) -> bool:
        """Whether every row holds within tolerance."""
        return not self.violations


def compare(
    check: str,
    keys: pd.DataFrame | pd.Index,
    lhs: np.ndarray | pd.Series,
    sense: str,
    rhs: np.ndarray | pd.Series | float,
    unit: str,
    scale: np.ndarray | pd.Series | float | None = None,
    detail: Callable[[int], str] | None = None,
    atol: float | None = None,
) -> CheckResult:
    """Compare lhs <sense> rhs row by row; rows missing the limit by more than the tolerance are violations."""
    left = np.asarray(lhs, dtype=float)
    right = np.broadcast_to(np.asarray(rhs, dtype=float), left.shape)
    size = (
        np.maximum(np.abs(left), np.abs(right))
        if scale is None
        else np.broadcast_to(np.asarray(scale, dtype=float), left.shape)
    )
    excess = {"<=": left - right, ">=": right - left, "==": np.abs(left - right)}[sense]
    unknown = np.isnan(excess)
    excess = np.where(unknown, np.inf, excess)
    # a row that cannot be evaluated (a missing value) is a violation, never a pass
    tolerance = np.nan_to_num((ATOL[unit] if atol is None else atol) + RTOL * np.abs(size), nan=0.0)
    bad = np.flatnonzero(excess > tolerance)
    bad = bad[np.argsort(-excess[bad], kind="stable")]
    fails = detail or (lambda i: f"{left[i]:,.6g} {sense} {right[i]:,.6g} fails")
    def describe(i: int) -> str:
        return "cannot be checked: a value it needs is missing from the plan folder" if unknown[i] else fails(i)
    violations = tuple(Violation(check, _label(keys, int(i)), float(excess[i]), unit, describe(int(i))) for i in bad)
    worst = float(excess.max()) if len(excess) else 0.0
    return CheckResult(check, len(left), unit, worst, violations)


def _label(keys: pd.DataFrame | pd.Index, i: int) -> str:
    """`a/b/c` key of row i, as duals.csv writes keys."""
    key = tuple(keys.iloc[i]) if isinstance(keys, pd.DataFrame) else keys[i]
    return "/".join(map(str, key)) if isinstance(key, tuple) else str(key)



@dataclass(frozen=True)
class Case:
    """A case's sets and parameters as pandas objects in report units (racks, GWh, MW, 亿元 via yuan)."""

    years: pd.Index
    cluster_years: pd.MultiIndex
    clusters: pd.DataFrame  # by cluster_id; schema columns + region, policy defaults filled in
    hubs: pd.DataFrame  # by hub_id
    workloads: pd.DataFrame  # by workload_id
    links: pd.DataFrame  # by (hub, cluster)
    link_years: pd.MultiIndex  # (hub, cluster, year)
    demand: pd.Series  # racks by (workload, hub, year)
    weight_hours: pd.Series  # h by (cluster, slice)
    renewable_gwh: pd.Series  # GWh per year by (cluster, slice)
    power_kw: float
    it_load_factor: float
    utilisation_max: float
    tenant_retention: float
    lifetime_years: int
    discount_rate: float
    certificate_share_max: float | None
    west_share_min: float | None
    budget_yearly: pd.Series | None  # 亿元 by year
    budget_total: float | None
    carbon_cap_mt: pd.Series | None  # Mt by year
    carbon_price_yuan_per_t: float
    unmet_penalty_yuan_per_rack_year: float
    module_racks: float | None
    storage_enabled: bool = False  # batteries may be built
    storage_clusters: pd.Index = field(
        default_factory=lambda: pd.Index([], name="cluster")
    )  # clusters that may build batteries (none with one slice)
    battery_efficiency: float = 1.0  # one way: sqrt of the round trip
    slice_period: pd.Series = field(
        default_factory=lambda: pd.Series(dtype=object)
    )  # slice -> storage period, in the order of the hours
    green_matching: str = "annual"
    national_hubs_share_min: float | None = None  # set only when some site is outside the hubs
    eflops_per_rack: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # [(workload, year)] EFLOPS/rack
    intelligent_share_min: float | None = None
    intelligent_share_from: int = 0
    limits: pd.DataFrame = field(default_factory=pd.DataFrame)  # by (cluster, year): MW, MW and m3 limits (NaN: none)
    tou_factor: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # grid price multiplier by slice
    capacity_factors: pd.DataFrame = field(default_factory=pd.DataFrame)  # by (cluster, slice): wind/solar/hydro cf
    vintage_clusters: pd.Index = field(default_factory=lambda: pd.Index([], name="cluster"))  # may retrofit or retire
    retire_by: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # cluster above threshold -> year
    it_capex: bool = False  # IT equipment counted as a cost (annuity per rack in use)

    def discount(self, years: pd.Index | pd.Series) -> pd.Series:
        """Discount factor (1 + r)^-(y - first year) for each given year."""
        y = pd.Index(years)
        return pd.Series((1.0 + self.discount_rate) ** -(y - self.years[0]).to_numpy(dtype=float), index=y)

    def annuity_factor(self) -> pd.Series:
        """Per build year: capital recovery factor x the discount factors of the years left in the horizon."""
        r, life = self.discount_rate, self.lifetime_years
        crf = 1.0 / life if r == 0 else r / (1.0 - (1.0 + r) ** -life)
        d = self.discount(self.years)
        return crf * d[::-1].cumsum()[::-1]


def case_frames(inputs: Inputs) -> Case:
    """Inputs -> Case."""
    s = inputs.scenario
    years = pd.Index(range(s.years.first, s.years.last + 1), name="year")
    hubs = pd.DataFrame([h.model_dump() for h in inputs.hubs]).set_index("hub_id")
    clusters = pd.DataFrame([c.model_dump() for c in inputs.clusters]).set_index("cluster_id")
    clusters["region"] = clusters["hub_id"].map(hubs["region"])
    clusters["utilisation_min"] = clusters["utilisation_min"].astype(float).fillna(s.policy.utilisation_min)
    first = s.years.first if s.policy.utilisation_min_from_year is None else s.policy.utilisation_min_from_year
    clusters["utilisation_min_from_year"] = clusters["utilisation_min_from_year"].astype(float).fillna(first)
    scope = clusters["utilisation_min_scope"].astype(object)
    clusters["utilisation_min_scope"] = scope.where(scope.notna(), s.policy.utilisation_min_scope)
    clusters["pue_existing"] = clusters["pue_existing"].astype(float).fillna(clusters["pue"])
    clusters["green_share_min_new"] = clusters["green_share_min_new"].astype(float).fillna(s.policy.green_share_min_new)
    cooling = clusters["cooling_type"].astype(object).where(clusters["cooling_type"].notna(), s.water.cooling_type)
    by_cooling = cooling.map(s.water.wue_l_per_kwh).astype(float)
    clusters["wue_l_per_kwh"] = clusters["wue_l_per_kwh"].astype(float).fillna(by_cooling)
    for column in ("racks_max", "power_max_mw"):
        clusters[column] = clusters[column].astype(float)
    workloads = pd.DataFrame([w.model_dump() for w in inputs.workloads]).set_index("workload_id")
    workloads["latency_max_rtt_ms"] = workloads["latency_max_rtt_ms"].astype(float)
    links = pd.DataFrame([link.model_dump() for link in inputs.links]).set_index(["hub_id", "cluster_id"])
    links.index.names = ["hub", "cluster"]
    demand = pd.DataFrame([d.model_dump() for d in inputs.demand]).set_index(["workload_id", "hub_id", "year"])[
        "demand_racks"
    ]
    demand.index.names = ["workload", "hub", "year"]
    weight, renewable = _profiles(inputs, clusters)
    period = _slice_periods(inputs)
    may_store = bool(s.storage.enabled) and len(period) > 1
    storage_clusters = (
        clusters.index if s.storage.clusters is None else clusters.index[clusters.index.isin(s.storage.clusters)]
    )
    link_frame = links.index.to_frame(index=False).merge(years.to_frame(index=False), how="cross")
    return Case(
        years=years,
        cluster_years=pd.MultiIndex.from_product([clusters.index.rename("cluster"), years]),
        clusters=clusters,
        hubs=hubs,
        workloads=workloads,
        links=links,
        link_years=pd.MultiIndex.from_frame(link_frame),
        demand=demand.groupby(level=["workload", "hub", "year"]).sum(),
        weight_hours=weight,
        renewable_gwh=renewable,
        power_kw=s.rack.power_kw,
        it_load_factor=s.rack.it_load_factor,
        utilisation_max=s.rack.utilisation_max,
        tenant_retention=s.rack.tenant_retention_per_year,
        lifetime_years=s.rack.lifetime_years,
        discount_rate=s.discount_rate,
        certificate_share_max=s.policy.certificate_share_max,
        west_share_min=s.policy.west_share_min_new_racks,
        budget_yearly=_yearly(s.budget.yearly_yi_yuan, years),
        budget_total=s.budget.total_yi_yuan,
        carbon_cap_mt=_yearly(s.policy.carbon_cap_mt, years),
        carbon_price_yuan_per_t=s.policy.carbon_price_yuan_per_t,
        unmet_penalty_yuan_per_rack_year=s.unmet_penalty_yuan_per_rack_year,
        module_racks=s.build_module_racks,
        storage_enabled=bool(s.storage.enabled),
        storage_clusters=pd.Index(storage_clusters if may_store else [], name="cluster", dtype=object),
        battery_efficiency=float(np.sqrt(s.storage.roundtrip_efficiency)),
        slice_period=period,
        green_matching=s.policy.green_matching,
        national_hubs_share_min=None if clusters["in_hubs"].all() else s.policy.national_hubs_share_min_new_racks,
        eflops_per_rack=_eflops_per_rack(inputs),
        intelligent_share_min=s.policy.intelligent_share_min,
        intelligent_share_from=s.policy.intelligent_share_from_year or s.years.first,
        limits=_limits(inputs, clusters, years),
        tou_factor=_tou(inputs, weight),
        capacity_factors=_capacity_factors(inputs, clusters),
        **_vintage(inputs, clusters),
        it_capex=s.it_capex,
    )


def _eflops_per_rack(inputs: Inputs) -> pd.Series:
    """EFLOPS per standard rack in use by (workload, year), from compute.csv and the classes' rack kinds."""
    per_rack = standard_racks_per_rack(inputs.workloads, inputs.scenario.rack.power_kw)
    return pd.Series(eflops_per_standard_rack(inputs.compute, per_rack), dtype=float)


def _vintage(inputs: Inputs, clusters: pd.DataFrame) -> dict[str, Any]:
    """Clusters that may retrofit (pue_existing above pue_max) or retire, or must (above the policy's PUE threshold)."""
    policy, stock = inputs.scenario.policy, clusters["racks_existing"] > 0
    pue_ex = clusters["pue_existing"]
    retrofit = clusters["retrofit_capex_yuan_per_rack"].notna() & (pue_ex > clusters["pue_max"])
    above = pue_ex > policy.retire_pue_above if policy.retire_pue_above is not None else pue_ex < 0
    options = stock & (retrofit | clusters["retire_cost_yuan_per_rack"].notna() | above)
    by = inputs.scenario.years.last if policy.retire_by_year is None else policy.retire_by_year
    return {"vintage_clusters": pd.Index(clusters.index[options], name="cluster"),
            "retire_by": pd.Series(float(by), index=clusters.index[options & above])}


def _capacity_factors(inputs: Inputs, clusters: pd.DataFrame) -> pd.DataFrame:
    """Wind, solar and hydro availability by (cluster, slice): the profiles, or the annual factors as one slice."""
    if inputs.profiles:
        frame = pd.DataFrame([p.model_dump() for p in inputs.profiles]).rename(
            columns={"cluster_id": "cluster", "slice_id": "slice"}
        )
    else:
        frame = clusters[["wind_cf", "solar_cf", "hydro_cf"]].rename_axis("cluster").reset_index().assign(slice="year")
    return frame.set_index(["cluster", "slice"])[["wind_cf", "solar_cf", "hydro_cf"]]


def _limits(inputs: Inputs, clusters: pd.DataFrame, years: pd.Index) -> pd.DataFrame:
    """Per (cluster, year): the cluster's own limit in every year, replaced by a cluster_years.csv cell where given."""
    index = pd.MultiIndex.from_product([clusters.index.rename("cluster"), years])
    out = pd.DataFrame(index=index)
    for column in ("power_max_mw", "grid_import_mw"):
        out[column] = clusters[column].astype(float).reindex(index.get_level_values("cluster")).to_numpy()
    out["water_max_m3"] = np.nan
    for row in inputs.cluster_years:
        for column in ("power_max_mw", "grid_import_mw", "water_max_m3"):
            value = getattr(row, column)
            if value is not None and (row.cluster_id, row.year) in out.index:
                out.loc[(row.cluster_id, row.year), column] = float(value)
    return out


def _tou(inputs: Inputs, weight: pd.Series) -> pd.Series:
    """Time-of-use multiplier per slice: the hour of day read from the slice id (dNNNhHH or hNNNN); 1 otherwise."""
    slices = pd.Index(weight.index.get_level_values("slice").unique(), name="slice")
    t = inputs.scenario.tariff
    out = pd.Series(1.0, index=slices)
    if not t.time_of_use:
        return out
    for name in slices:
        text = str(name)
        hour = None
        if text.startswith("d") and "h" in text:
            hour = int(text[-2:])
        elif text.startswith("h") and text[1:].isdigit():
            hour = int(text[1:]) % 24
        if hour in t.peak_hours:
            out[name] = t.peak_factor
        elif hour in t.valley_hours:
            out[name] = t.valley_factor
    return out


def direct_gwh(energy: pd.DataFrame) -> np.ndarray:
    """Direct green supply per energy row (0 for plans without it)."""
    if "green_direct_gwh" not in energy.columns:
        return np.zeros(len(energy))
    return energy["green_direct_gwh"].to_numpy(dtype=float)


def _slice_periods(inputs: Inputs) -> pd.Series:
    """Slice -> storage period, in file order of the first cluster (by id); a slice without a period is its own."""
    if not inputs.profiles:
        return pd.Series(["year"], index=pd.Index(["year"], name="slice"))
    first = min(p.cluster_id for p in inputs.profiles)
    rows = [(p.slice_id, p.period_id or p.slice_id) for p in inputs.profiles if p.cluster_id == first]
    return pd.Series([r[1] for r in rows], index=pd.Index([r[0] for r in rows], name="slice"))


def _profiles(inputs: Inputs, clusters: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Slice weights (h) and renewable potential (GWh per year of operation) by (cluster, slice)."""
    if inputs.profiles:
        frame = pd.DataFrame([p.model_dump() for p in inputs.profiles]).rename(
            columns={"cluster_id": "cluster", "slice_id": "slice"}
        )
    else:
        frame = clusters[["wind_cf", "solar_cf", "hydro_cf"]].rename_axis("cluster").reset_index()
        frame["slice"], frame["weight_hours"] = "year", 8760.0
    frame = frame.set_index(["cluster", "slice"])
    mw = clusters.reindex(frame.index.get_level_values("cluster"))
    mw_avg = (
        mw["wind_mw"].to_numpy() * frame["wind_cf"]
        + mw["solar_mw"].to_numpy() * frame["solar_cf"]
        + mw["hydro_mw"].to_numpy() * frame["hydro_cf"]
    )
    return frame["weight_hours"], mw_avg * frame["weight_hours"] / 1e3


def _yearly(value: float | dict[int, float] | None, years: pd.Index) -> pd.Series | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return pd.Series({y: float(value[y]) for y in years}).rename_axis("year")
    return pd.Series(float(value), index=years)


@dataclass(frozen=True)
class Plan:
    """The plan's tables as written, plus plan.json."""

    racks_new: pd.DataFrame
    racks: pd.DataFrame
    load: pd.DataFrame
    unmet: pd.DataFrame
    energy: pd.DataFrame
    certificates: pd.DataFrame
    bandwidth: pd.DataFrame
    modules: pd.DataFrame
    storage: pd.DataFrame
    utilisation: pd.DataFrame
    summary: dict[str, Any]
    vintage: pd.DataFrame = field(default_factory=pd.DataFrame)

    value_columns = frozenset(
        {
            "new_racks",
            "racks",
            "load_new_racks",
            "load_racks",
            "unmet_racks",
            "grid_gwh",
            "renewable_gwh",
            "certificates_gwh",
            "traffic_gbps",
            "bandwidth_new_gbps",
            "capacity_gbps",
            "modules",
            "opened",
            "green_direct_gwh",
        }
    )

    @property
    def energy_cyt(self) -> pd.DataFrame:
        """energy.csv indexed by (cluster, year, slice)."""
        return self.energy.set_index(["cluster", "year", "slice"])


# --------------------------------------------------------------------------- plan quantities


def battery_net_gwh(energy: pd.DataFrame) -> np.ndarray:
    """Battery discharge minus charge per energy row (0 for plans without batteries)."""
    if "charge_gwh" not in energy.columns:
        return np.zeros(len(energy))
    return (energy["discharge_gwh"] - energy["charge_gwh"]).to_numpy(dtype=float)


def served(plan: Plan, case: Case) -> pd.Series:
    """Racks in use per (cluster, year), every pair present."""
    served = plan.load.groupby(["cluster", "year"])["load_racks"].sum()
    return served.reindex(case.cluster_years, fill_value=0.0)


def racks_installed(plan: Plan, case: Case) -> pd.Series:
    """Racks installed per (cluster, year), NaN where the table has no row."""
    return plan.racks.set_index(["cluster", "year"])["racks"].reindex(case.cluster_years)


def vintage_frame(plan: Plan, case: Case) -> pd.DataFrame:
    """vintage.csv per (cluster, year), zeros where a cluster has no retrofit or retirement option."""
    columns = ["retrofit_racks", "retire_racks", "retrofit_load_racks"]
    if plan.vintage.empty:
        return pd.DataFrame(0.0, index=case.cluster_years, columns=columns)
    return plan.vintage.set_index(["cluster", "year"])[columns].reindex(case.cluster_years, fill_value=0.0)


def existing_in_place(plan: Plan, case: Case) -> pd.Series:
    """Racks of the starting stock still in place per (cluster, year): racks_existing less those retired so far."""
    existing = case.clusters["racks_existing"].reindex(case.cluster_years.get_level_values("cluster")).to_numpy()
    retired = vintage_frame(plan, case)["retire_racks"].groupby(level="cluster").cumsum()
    return pd.Series(existing - retired.to_numpy(), index=case.cluster_years)


def load_on_new_racks(plan: Plan, case: Case) -> pd.Series:
    """Racks in use on racks built in the horizon per (cluster, year).

    The plan's own split when it wrote one, else the racks in place fill first:
    max(0, served - u_max * racks_existing).
    """
    if "load_new_racks" in plan.racks.columns:
        return plan.racks.set_index(["cluster", "year"])["load_new_racks"].reindex(case.cluster_years)
    existing = case.clusters["racks_existing"].reindex(case.cluster_years.get_level_values("cluster")).to_numpy()
    # np.maximum on a Series returns a Series (pandas-stubs type it as an ndarray)
    return cast(pd.Series, np.maximum(0.0, served(plan, case) - case.utilisation_max * existing))


def module_sizes(case: Case) -> pd.Series:
    """Racks per build module by cluster: the site's own size, else the case's; clusters without one left out."""
    size = case.clusters["build_module_racks"].astype(float)
    if case.module_racks is not None:
        size = size.fillna(case.module_racks)
    return size.dropna()


def racks_built(plan: Plan, case: Case) -> pd.Series:
    """Racks built per (cluster, year), NaN where the table has no row."""
    return plan.racks_new.set_index(["cluster", "year"])["new_racks"].reindex(case.cluster_years)


def investment_by_year(case: Case, plan: Plan) -> pd.Series:
    """Undiscounted overnight investment (亿元) per year: racks plus link capacity."""
    new = racks_built(plan, case).fillna(0.0)
    racks = (
        (new * case.clusters["capex_yuan_per_rack"].reindex(new.index.get_level_values("cluster")).to_numpy() / 1e8)
        .groupby(level="year")
        .sum()
    )
    bw = plan.bandwidth
    capex = (
        case.links["expansion_capex_yuan_per_gbps"].reindex(pd.MultiIndex.from_frame(bw[["hub", "cluster"]])).to_numpy()
    )
    links = (
        pd.Series(bw["bandwidth_new_gbps"].to_numpy() * np.nan_to_num(capex) / 1e8, index=bw["year"].to_numpy())
        .groupby(level=0)
        .sum()
    )
    total: pd.Series = racks.add(links.reindex(racks.index, fill_value=0.0), fill_value=0.0).rename_axis("year")
    return total

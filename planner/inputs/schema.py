"""Input schema: one pydantic class per table row, the scenario file, and the whole case.

Field docstrings are the input reference (`docs/inputs.md` is generated from them), and each
field's unit sits in `json_schema_extra["unit"]`. Cross-reference checks live in `crosscheck.py`
so that this module stays a plain description of the inputs.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

if TYPE_CHECKING:
    import pandas as pd

ID_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Share = Annotated[float, Field(ge=0, le=1)]


def unit(u: str) -> JsonDict:
    """The `json_schema_extra` that carries a field's unit."""
    return {"unit": u}


class Schema(BaseModel):
    """Strict base: unknown fields are errors, NaN and infinity are rejected, rows are frozen."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, allow_inf_nan=False
    )


def _round_trip(data: object, rtt: str, one_way: str) -> object:
    """Fill the round-trip column from a one-way value (x 2); both given must agree."""
    if not isinstance(data, dict):
        return data
    blank = (None, "")
    r, o = data.get(rtt), data.get(one_way)
    if o in blank:
        return data
    try:
        doubled = 2.0 * float(o)
    except (TypeError, ValueError):
        return data  # the field's own validation reports the bad number
    if r in blank:
        return {**data, rtt: doubled}
    try:
        agree = abs(float(r) - doubled) <= 1e-9 * max(1.0, doubled)
    except (TypeError, ValueError):
        return data
    if not agree:
        raise ValueError(
            f"{rtt}={r} and {one_way}={o} disagree (a round trip is twice the one-way latency); give one of them"
        )
    return data


# --------------------------------------------------------------------------- tables


class Hub(Schema):
    """One national computing hub (算力枢纽节点): a demand region."""

    hub_id: Id
    """Hub identifier, e.g. `jingjinji`."""
    name_zh: str = Field(min_length=1)
    """Chinese name, e.g. 京津冀."""
    name_en: str = Field(min_length=1)
    """English name, e.g. Beijing-Tianjin-Hebei."""
    region: Literal["east", "west"]
    """Programme grouping: `east` (demand side, incl. 成渝) or `west`."""
    lat_deg: float = Field(ge=-90, le=90, json_schema_extra=unit("degree"))
    """Latitude of the hub's demand centre."""
    lon_deg: float = Field(ge=-180, le=180, json_schema_extra=unit("degree"))
    """Longitude of the hub's demand centre."""
    new_racks_share_min: Share | None = None
    """Optional floor on this hub's clusters' share of all new racks over the horizon."""


class Cluster(Schema):
    """One national data-centre cluster (数据中心集群): where racks are built."""

    cluster_id: Id
    """Cluster identifier, e.g. `qingyang`."""
    hub_id: Id
    """The hub this cluster belongs to."""
    name_zh: str = Field(min_length=1)
    """Chinese name, e.g. 庆阳."""
    name_en: str = Field(min_length=1)
    """English name, e.g. Qingyang."""
    lat_deg: float = Field(ge=-90, le=90, json_schema_extra=unit("degree"))
    """Latitude."""
    lon_deg: float = Field(ge=-180, le=180, json_schema_extra=unit("degree"))
    """Longitude."""
    racks_existing: float = Field(ge=0, le=1e8, json_schema_extra=unit("racks"))
    """Standard 2.5 kW racks in place at the start of the horizon."""
    racks_in_use_existing: float | None = Field(default=None, ge=0, le=1e8, json_schema_extra=unit("racks"))
    """Racks in use on the existing stock at the start of the first year (the observed state; at most
    `racks_existing`). Set, it pins the base year: in the first year the racks in place carry at
    most these tenants (more load goes on new racks), and each later year the cluster keeps at
    least `rack.tenant_retention_per_year` of the year before's load. Blank: the load is free from
    the start."""
    racks_max: float | None = Field(default=None, ge=0, le=1e8, json_schema_extra=unit("racks"))
    """Land/planning limit on the total rack stock; blank for none."""
    build_max_racks_per_year: float = Field(ge=0, le=1e8, json_schema_extra=unit("racks/year"))
    """Most racks that can be built in one year (construction pace)."""
    power_max_mw: float | None = Field(default=None, ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Grid-connection limit on facility power at full rated rack load; blank for none."""
    capex_yuan_per_rack: float = Field(gt=0, le=5e6, json_schema_extra=unit("yuan/rack"))
    """Overnight facility investment per new standard rack (building, power, cooling, land)."""
    fixed_opex_yuan_per_rack_year: float = Field(ge=0, le=1e6, json_schema_extra=unit("yuan/rack/year"))
    """Staff and maintenance per installed rack and year."""
    pue: float = Field(ge=1.0, le=3.0, json_schema_extra=unit("-"))
    """Power usage effectiveness of new racks built here (facility energy / IT energy)."""
    pue_max: float = Field(ge=1.0, le=3.0, json_schema_extra=unit("-"))
    """Policy cap on PUE for new builds (east 1.25, west 1.2); `pue` must not exceed it."""
    pue_existing: float | None = Field(default=None, ge=1.0, le=3.0, json_schema_extra=unit("-"))
    """PUE of the racks in place at the start of the horizon (`racks_existing`): the load they carry
    uses it, the load on new racks uses `pue`. The cap `pue_max` binds new builds only. Blank: same
    as `pue`."""
    power_price_yuan_per_kwh: float = Field(ge=0, le=5, json_schema_extra=unit("yuan/kWh"))
    """Grid electricity price paid by data centres."""
    grid_co2_kg_per_kwh: float = Field(ge=0, le=2, json_schema_extra=unit("kgCO2/kWh"))
    """Location-based grid emission factor."""
    wind_mw: float = Field(ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Wind capacity whose output data centres here can contract (green-power direct supply)."""
    solar_mw: float = Field(ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Solar capacity whose output data centres here can contract."""
    hydro_mw: float = Field(ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Hydro capacity whose output data centres here can contract."""
    wind_cf: Share = Field(json_schema_extra=unit("-"))
    """Annual wind capacity factor (used when no profiles table is given)."""
    solar_cf: Share = Field(json_schema_extra=unit("-"))
    """Annual solar capacity factor (used when no profiles table is given)."""
    hydro_cf: Share = Field(json_schema_extra=unit("-"))
    """Annual hydro capacity factor (used when no profiles table is given)."""
    ppa_price_yuan_per_kwh: float = Field(ge=0, le=5, json_schema_extra=unit("yuan/kWh"))
    """Price of contracted renewable power (green-power trading / direct supply)."""
    certificate_price_yuan_per_mwh: float = Field(ge=0, le=1000, json_schema_extra=unit("yuan/MWh"))
    """Price of unbundled green-electricity certificates (绿证)."""
    utilisation_min: Share | None = None
    """Override of the policy utilisation floor (上架率) for this cluster; blank for the policy value."""
    utilisation_min_from_year: int | None = Field(default=None, ge=2000, le=2100)
    """First year the utilisation floor applies here; blank for `policy.utilisation_min_from_year`."""
    utilisation_min_scope: Literal["all_racks", "new_racks"] | None = None
    """Which racks the floor covers here; blank for `policy.utilisation_min_scope`."""
    green_share_min_new: Share | None = None
    """Override of the policy green-power floor for new racks here; blank for the policy value."""
    build_module_racks: float | None = Field(default=None, gt=0, le=1e7, json_schema_extra=unit("racks"))
    """This site's build module (a campus phase): racks here are built in whole modules of this size (a
    mixed-integer plan). Blank: the case's `build_module_racks` (none by default)."""
    open_cost_yuan: float | None = Field(default=None, gt=0, le=1e12, json_schema_extra=unit("yuan"))
    """Fixed cost of opening the site at all (grid substation, fibre, roads), paid once in the year of its
    first build as an annuity like the facility capex (a binary choice: a mixed-integer plan). Blank: none."""
    in_hubs: bool = True
    """Whether the site counts as national-hub capacity (`policy.national_hubs_share_min_new_racks`):
    true for the 10 national clusters; false for a city or provincial data centre outside them that
    serves a hub's demand nearby (its own capex, PUE, prices, limits and links). Blank: true."""
    cooling_type: Id | None = None
    """Cooling of the cluster's data centres, a key of `water.wue_l_per_kwh` (e.g. `evaporative`, `air`,
    `liquid`); blank: `water.cooling_type`."""
    wue_l_per_kwh: float | None = Field(default=None, ge=0, le=20, json_schema_extra=unit("L/kWh"))
    """Water usage effectiveness (WUE): site water per kWh of IT energy; blank: its cooling type's WUE."""
    grid_import_mw: float | None = Field(default=None, ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Provincial import limit: most average power the cluster may draw from the public grid in any
    time slice (direct green supply does not count); blank for none. `cluster_years.csv` sets it per year."""
    td_fee_yuan_per_kwh: float | None = Field(default=None, ge=0, le=2, json_schema_extra=unit("yuan/kWh"))
    """Transmission and distribution fee (输配电价) of the cluster's province on grid energy, charged on top of
    `power_price_yuan_per_kwh` (then the energy price without it); blank: included in the power price."""
    green_direct_mw: float | None = Field(default=None, ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Direct green supply (绿电直连): capacity of renewables on a dedicated line to the cluster, with the
    availability of the cluster's own wind/solar/hydro mix; blank for none."""
    green_direct_price_yuan_per_kwh: float | None = Field(default=None, ge=0, le=5, json_schema_extra=unit("yuan/kWh"))
    """Price of direct green supply (no grid T&D fee); needed with `green_direct_mw`."""
    green_direct_co2_kg_per_kwh: float | None = Field(default=None, ge=0, le=2, json_schema_extra=unit("kgCO2/kWh"))
    """Emission factor of direct green supply (carbon price and cap); blank: 0."""
    retrofit_capex_yuan_per_rack: float | None = Field(default=None, ge=0, le=5e6, json_schema_extra=unit("yuan/rack"))
    """Investment to retrofit one existing rack from `pue_existing` to `pue_max`; blank: no retrofit option."""
    retire_cost_yuan_per_rack: float | None = Field(default=None, ge=0, le=5e6, json_schema_extra=unit("yuan/rack"))
    """Cost of retiring one existing rack (decommissioning, write-off); blank: no retirement option."""

    @model_validator(mode="after")
    def _direct_priced(self) -> Cluster:
        if self.green_direct_mw and self.green_direct_price_yuan_per_kwh is None:
            raise ValueError("green_direct_mw is set: give green_direct_price_yuan_per_kwh too")
        return self


class Workload(Schema):
    """A workload class with its latency tier and network intensity."""

    workload_id: Id
    """Workload identifier, e.g. `realtime`."""
    name_zh: str = Field(min_length=1)
    """Chinese name."""
    name_en: str = Field(min_length=1)
    """English name."""
    latency_max_rtt_ms: float | None = Field(default=None, gt=0, le=1000, json_schema_extra=unit("ms"))
    """Largest round-trip latency from hub to cluster the class accepts. Give the limit either as
    round trip here or as one-way in `latency_max_one_way_ms` (a one-way limit L is read as a
    round-trip limit 2L, so links and limits are always compared on the same basis); both blank
    for no limit."""
    latency_max_one_way_ms: float | None = Field(default=None, gt=0, le=500, json_schema_extra=unit("ms"))
    """Largest one-way latency the class accepts (the programme's 1/5/20 ms tiers are one-way);
    alternative to `latency_max_rtt_ms`."""
    gbps_per_rack: float = Field(ge=0, le=10, json_schema_extra=unit("Gbps/rack"))
    """Average hub-cluster traffic per rack in use."""
    rack_kw: float | None = Field(default=None, gt=0, le=200, json_schema_extra=unit("kW"))
    """Rated IT power of one rack of this class's kind (AI training and inference racks run at 20-40 kW).
    The model counts it as rack_kw / `rack.power_kw` standard racks, so power, cooling and the grid
    connection follow the kind. Blank: a standard rack."""
    compute_kind: Literal["general", "intelligent", "supercomputing"] = "general"
    """Compute kind for reporting and `policy.intelligent_share_min`: general-purpose (通用), intelligent
    (智能, AI) or supercomputing (超算)."""
    pue_delta: float = Field(default=0.0, ge=-0.5, le=0.5, json_schema_extra=unit("-"))
    """How far this class's kind's PUE lies from the cluster's PUE for the racks carrying it (existing,
    retrofitted or new): liquid-cooled AI racks run lower, e.g. -0.1. Counted in facility energy, so in
    the power balance and everything priced on it (grid purchases, green power, emissions); the
    grid-connection limit and the green floor on new racks count the cluster's own PUE (racks are
    built per cluster, not per kind). 0: the cluster's PUE."""
    it_capex_yuan_per_rack: float | None = Field(default=None, ge=0, le=1e9, json_schema_extra=unit("yuan/rack"))
    """Overnight cost of the IT equipment (servers, accelerators, in-rack network) in one rack of this
    class's kind (`rack_kw`); counted only with the scenario's `it_capex: true`, as an annuity over
    `it_lifetime_years` on every rack in use. Blank: not given (an error when `it_capex` is on)."""
    it_lifetime_years: int | None = Field(default=None, ge=1, le=20, json_schema_extra=unit("year"))
    """Economic life of that IT equipment before it is refreshed (general servers about 5 years,
    accelerators 4-5), for its annuity."""

    @model_validator(mode="before")
    @classmethod
    def _one_basis(cls, data: object) -> object:
        return _round_trip(data, "latency_max_rtt_ms", "latency_max_one_way_ms")


class Demand(Schema):
    """Racks in use that a hub's users need for one workload class in one year."""

    hub_id: Id
    """Demand hub."""
    workload_id: Id
    """Workload class."""
    year: int = Field(ge=2000, le=2100)
    """Planning year."""
    demand_racks: float | None = Field(default=None, ge=0, le=1e8, json_schema_extra=unit("racks"))
    """Racks in use required (standard 2.5 kW racks). Give it, or one of the three columns below (the
    case then fills it in standard racks; given together, the two must agree)."""
    demand_kind_racks: float | None = Field(default=None, ge=0, le=1e8, json_schema_extra=unit("racks"))
    """Racks in use of the class's own kind (`workloads.rack_kw`); alternative to `demand_racks`."""
    demand_it_mw: float | None = Field(default=None, ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Rated IT power of the racks in use, in MW; alternative to `demand_racks`."""
    demand_eflops: float | None = Field(default=None, ge=0, le=1e6, json_schema_extra=unit("EFLOPS"))
    """Compute in use at the case's `compute_precision`, converted by the class's `pflops_per_rack` for
    the year (compute.csv); alternative to `demand_racks`."""

    @model_validator(mode="after")
    def _one_unit(self) -> Demand:
        units = ("demand_racks", "demand_kind_racks", "demand_it_mw", "demand_eflops")
        if all(getattr(self, c) is None for c in units):
            raise ValueError("give the demand as demand_racks, demand_kind_racks, demand_it_mw or demand_eflops")
        return self


class ComputeRate(Schema):
    """Compute one rack of a class's kind delivers in a year (the case's stated conversion)."""

    workload_id: Id
    """Workload class."""
    year: int = Field(ge=2000, le=2100)
    """Planning year."""
    pflops_per_rack: float = Field(gt=0, le=1e5, json_schema_extra=unit("PFLOPS/rack"))
    """Peak compute of one rack of the class's kind (`workloads.rack_kw`) at `compute_precision`."""


class Link(Schema):
    """The fibre path from a hub to a cluster: latency and bandwidth."""

    hub_id: Id
    """Demand hub."""
    cluster_id: Id
    """Cluster."""
    rtt_ms: float | None = Field(default=None, ge=0, le=1000, json_schema_extra=unit("ms"))
    """Round-trip latency. Give either this or `one_way_ms` (a one-way latency L is stored as a
    round trip 2L, so every link is compared with every limit on the same basis)."""
    one_way_ms: float | None = Field(default=None, ge=0, le=500, json_schema_extra=unit("ms"))
    """One-way latency; alternative to `rtt_ms`."""
    bandwidth_existing_gbps: float = Field(ge=0, le=1e8, json_schema_extra=unit("Gbps"))
    """Capacity available to data-centre traffic at the start of the horizon."""
    bandwidth_expansion_max_gbps: float = Field(ge=0, le=1e8, json_schema_extra=unit("Gbps"))
    """Most capacity that can be added over the horizon."""
    expansion_capex_yuan_per_gbps: float = Field(ge=0, le=1e10, json_schema_extra=unit("yuan/Gbps"))
    """Investment per Gbps of added capacity."""
    transit_yuan_per_gbps_year: float = Field(ge=0, le=1e10, json_schema_extra=unit("yuan/Gbps/year"))
    """Transmission fee per Gbps of average traffic and year."""

    @property
    def round_trip_ms(self) -> float:
        """The link's round-trip latency (from `one_way_ms` x 2 when that is what the row gave)."""
        assert self.rtt_ms is not None  # the validator below fills it
        return self.rtt_ms

    @model_validator(mode="before")
    @classmethod
    def _one_basis(cls, data: object) -> object:
        data = _round_trip(data, "rtt_ms", "one_way_ms")
        if isinstance(data, dict) and data.get("rtt_ms") in (None, ""):
            raise ValueError("give the link's latency as rtt_ms (round trip) or one_way_ms")
        return data


class Profile(Schema):
    """One time slice at one cluster: its weight and renewable availability."""

    cluster_id: Id
    """Cluster."""
    slice_id: Id
    """Time-slice identifier, e.g. `h0001` or `year`."""
    weight_hours: float = Field(gt=0, le=8784, json_schema_extra=unit("h"))
    """Hours of the year this slice stands for; weights of one cluster sum to 8760."""
    wind_cf: Share = Field(json_schema_extra=unit("-"))
    """Wind availability factor in the slice."""
    solar_cf: Share = Field(json_schema_extra=unit("-"))
    """Solar availability factor in the slice."""
    hydro_cf: Share = Field(json_schema_extra=unit("-"))
    """Hydro availability factor in the slice."""
    period_id: Id | None = None
    """Storage period: slices of one period are consecutive hours in file order, and a battery's
    state of charge carries over between them cyclically (e.g. one representative day). Blank: the
    slice is a period of its own, so storage cannot shift energy out of it."""


class ClusterYear(Schema):
    """Limits of one cluster in one year (optional table `cluster_years.csv`); blank cells: no limit."""

    cluster_id: Id
    """Cluster."""
    year: int = Field(ge=2000, le=2100)
    """Planning year."""
    power_max_mw: float | None = Field(default=None, ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Grid-connection limit this year (overrides the cluster's `power_max_mw`)."""
    grid_import_mw: float | None = Field(default=None, ge=0, le=1e6, json_schema_extra=unit("MW"))
    """Provincial import limit this year (overrides the cluster's `grid_import_mw`)."""
    water_max_m3: float | None = Field(default=None, ge=0, le=1e10, json_schema_extra=unit("m3/year"))
    """Cap on the cluster's site water use this year (arid west)."""


# --------------------------------------------------------------------------- scenario.yaml


class Years(Schema):
    """The planning horizon."""

    first: int = Field(ge=2000, le=2100)
    """First planning year; discounting starts here."""
    last: int = Field(ge=2000, le=2100)
    """Last planning year (inclusive)."""

    @model_validator(mode="after")
    def _ordered(self) -> Years:
        if self.last < self.first:
            raise ValueError(f"last ({self.last}) must not be before first ({self.first})")
        return self


class RackSpec(Schema):
    """What one standard rack is and draws."""

    power_kw: float = Field(default=2.5, gt=0, le=100, json_schema_extra=unit("kW"))
    """Rated IT power of a standard rack (the programme's 2.5 kW 标准机架)."""
    it_load_factor: Share = Field(default=0.7, json_schema_extra=unit("-"))
    """Average IT draw of a rack in use as a share of its rated power."""
    lifetime_years: int = Field(default=20, ge=1, le=60, json_schema_extra=unit("year"))
    """Economic life of a facility, for annualising capex."""
    utilisation_max: Share = Field(default=0.9, json_schema_extra=unit("-"))
    """Largest share of installed racks that can be in use (turnover, reserve)."""
    tenant_retention_per_year: Share = Field(default=1.0, json_schema_extra=unit("1/year"))
    """Share of a pinned cluster's load (one with `racks_in_use_existing`) still there a year later:
    load[c,y] >= retention x load[c,y-1]. Contracts make moving slow."""


class Budget(Schema):
    """Investment budgets (racks and network), in 亿元 (1e8 yuan), undiscounted."""

    basis: Literal["facility", "facility_and_it"] = "facility"
    """What the budget figures cover, stated so they can be compared with `capex_basis`: `facility`
    (buildings, power, cooling, land) or `facility_and_it` (servers too). A budget on a different
    basis from the capex is an error."""
    total_yi_yuan: float | None = Field(default=None, ge=0, le=1e7, json_schema_extra=unit("亿元"))
    """Budget over the whole horizon; null for none."""
    yearly_yi_yuan: Annotated[float, Field(ge=0, le=1e7)] | dict[int, Annotated[float, Field(ge=0, le=1e7)]] | None = (
        Field(default=None, json_schema_extra=unit("亿元/year"))
    )
    """Budget per year: one number for every year, or a mapping year -> amount; null for none."""


class Policy(Schema):
    """Programme policy targets."""

    utilisation_min: Share = Field(default=0.65, json_schema_extra=unit("-"))
    """Floor on racks in use / racks installed (上架率) per cluster and year. The approval letters
    (复函, Dec 2021-Feb 2022) set "数据中心平均上架率不低于65%" as a construction goal of each
    cluster's start-up zone (起步区建设目标): an average over the zone's data centres, with no year
    attached. Hence a start year and a scope below."""
    utilisation_min_from_year: int | None = Field(default=None, ge=2000, le=2100)
    """First year the floor applies (clusters may override); null: the first planning year. Before
    it the stock's utilisation is free (between 0 and `rack.utilisation_max`)."""
    retire_pue_above: float | None = Field(default=None, ge=1.0, le=3.0, json_schema_extra=unit("-"))
    """Existing racks whose PUE (`pue_existing`) is above this are retrofitted or retired by
    `retire_by_year` (the Jul-2024 action plan's 1.5); null: off."""
    retire_by_year: int | None = Field(default=None, ge=2000, le=2100)
    """Year by which the racks above `retire_pue_above` are gone; null: the last planning year."""
    utilisation_min_scope: Literal["all_racks", "new_racks"] = "all_racks"
    """`all_racks`: racks in use >= floor x all racks installed (the letters' average over the
    start-up zone); `new_racks`: load carried on racks built in the horizon >= floor x those racks
    (the existing stock is left at whatever it carries)."""
    green_share_min_new: Share = Field(default=0.8, json_schema_extra=unit("-"))
    """Floor on green power (contracted renewables + certificates) for the load on new racks."""
    certificate_share_max: Share | None = None
    """Most of a cluster's green power that certificates may supply; null for no limit."""
    west_share_min_new_racks: Share | None = None
    intelligent_share_min: Share | None = None
    """Floor on intelligent (AI) compute's share of the plan's compute (EFLOPS at `compute_precision`)
    each year from `intelligent_share_from_year`; null for none. The Oct 2023 action plan
    (算力基础设施高质量发展行动计划) targets 35 % by 2025. Needs compute.csv rows for every class."""
    intelligent_share_from_year: int | None = Field(default=None, ge=2000, le=2100)
    """First year the intelligent-compute floor applies; null: the first planning year."""
    """Floor on the western clusters' share of all new racks over the horizon; null for none."""
    national_hubs_share_min_new_racks: Share | None = Field(default=0.6, json_schema_extra=unit("-"))
    """Floor on the share of all new racks over the horizon built at sites with `in_hubs` true (the
    national hubs): 发改数据〔2023〕1779号 (Dec 2023) "国家枢纽节点地区各类新增算力占全国新增算力的
    60%以上". Binds only when the case has sites outside the hubs; null for none."""
    carbon_price_yuan_per_t: float = Field(default=0.0, ge=0, le=10000, json_schema_extra=unit("yuan/tCO2"))
    """Shadow carbon price applied to grid emissions in the objective. Data centres are not in the
    national emissions trading scheme, so nobody pays it: it values emissions for the plan's
    choices, and reports call it a shadow price."""
    carbon_cap_mt: Annotated[float, Field(ge=0, le=1e5)] | dict[int, Annotated[float, Field(ge=0, le=1e5)]] | None = (
        Field(default=None, json_schema_extra=unit("MtCO2/year"))
    )
    """Cap on the clusters' yearly grid emissions: one number or year -> cap; null for none."""
    green_matching: Literal["annual", "hourly"] = "annual"
    """How the green floor is matched: `annual` (renewables + certificates over the year, as the
    programme counts it) or `hourly` (24/7: in every time slice, renewables used directly or from
    storage cover the floor share of new racks' energy; certificates do not count). Hourly matching
    needs a time resolution finer than the year (`--days K` or `--hours full`)."""


class Storage(Schema):
    """Battery storage that clusters may build (only at a resolution finer than the year)."""

    enabled: bool = False
    """Whether batteries are an option. Off by default: they double the hourly part of the model and,
    with cheap certificates and an annual green floor, are never built; turn them on to study a
    certificate limit or hourly (24/7) green matching."""
    clusters: tuple[Id, ...] | None = None
    """Clusters that may build batteries; null for every cluster."""
    power_capex_yuan_per_kw: float = Field(default=300.0, ge=0, le=1e5, json_schema_extra=unit("yuan/kW"))
    """Overnight cost of battery power capacity (inverter, grid connection)."""
    energy_capex_yuan_per_kwh: float = Field(default=500.0, ge=0, le=1e5, json_schema_extra=unit("yuan/kWh"))
    """Overnight cost of battery energy capacity (cells, racks, containers)."""
    roundtrip_efficiency: float = Field(default=0.85, gt=0, le=1, json_schema_extra=unit("-"))
    """Energy out / energy in over a full cycle (split evenly between charging and discharging)."""
    lifetime_years: int = Field(default=15, ge=1, le=40, json_schema_extra=unit("year"))
    """Economic life, for the capex annuity."""


class Water(Schema):
    """Water use: WUE per cooling type (site water per kWh of IT energy)."""

    wue_l_per_kwh: dict[str, Annotated[float, Field(ge=0, le=20)]] = Field(
        default={"evaporative": 1.8, "adiabatic": 0.4, "air": 0.05, "liquid": 0.1}, json_schema_extra=unit("L/kWh"))
    """WUE per cooling type: open evaporative towers ~1.8 (the industry average), adiabatic assist
    0.1-0.4, dry air or liquid cooling near 0 (The Green Grid / ISO/IEC 30134-9 ranges)."""
    cooling_type: Id = "evaporative"
    """Cooling type of clusters that do not state one."""


class Tariff(Schema):
    """Time-of-use (分时) grid prices: multipliers on the grid price by hour of day (slices with an hour only)."""

    time_of_use: bool = False
    """Whether grid energy is priced by hour of day; off by default (each province sets its own periods)."""
    peak_hours: tuple[Annotated[int, Field(ge=0, le=23)], ...] = (8, 9, 10, 17, 18, 19, 20, 21)
    """Hours of day (0-23) priced at `peak_factor`."""
    valley_hours: tuple[Annotated[int, Field(ge=0, le=23)], ...] = (0, 1, 2, 3, 4, 5, 6, 23)
    """Hours of day priced at `valley_factor`; the others at 1."""
    peak_factor: float = Field(default=1.5, ge=0, le=10, json_schema_extra=unit("-"))
    """Peak price / flat price (发改价格〔2021〕1093号: peak-valley ratio at least 3:1 to 4:1)."""
    valley_factor: float = Field(default=0.4, ge=0, le=10, json_schema_extra=unit("-"))
    """Valley price / flat price."""


class SolverBlock(Schema):
    """Solver settings stored with the case; CLI flags override them."""

    name: Literal["highs", "cbc"] = "highs"
    """Solver."""
    time_limit_s: float | None = Field(default=600.0, gt=0, le=1e7, json_schema_extra=unit("s"))
    """Time limit."""
    mip_gap: float = Field(default=1e-4, ge=0, le=1)
    """Relative MIP gap."""
    threads: int | None = Field(default=None, ge=1, le=1024)
    """Threads."""
    highs_method: Literal["choose", "simplex", "ipm", "pdlp"] = "choose"
    """HiGHS LP algorithm."""
    time_resolution: str = Field(default="year", pattern=r"^(year|hours|days:[0-9]{1,3})$")
    """Time slices the case solves at unless the CLI says otherwise: `year` (one slice, annual
    energy sums), `days:K` (K representative days of hourly slices) or `hours` (all 8760). A yearly
    slice lets a year's renewable energy cover load whenever it falls, so it overstates green
    power; cases with hourly profiles should default to representative days."""


class Scenario(Schema):
    """The case's `scenario.yaml`: horizon, economics, budgets, policy and solver."""

    name: Id
    """Case name; outputs go to `outputs/<name>` by default (`outputs/<name>_days<K>`, `_hours` at those resolutions)."""  # noqa: E501 - one table row of docs/inputs.md
    description: str = ""
    """What the case stands for."""
    years: Years
    """Planning horizon."""
    discount_rate: float = Field(ge=0, le=0.5, json_schema_extra=unit("1/year"))
    """Real discount rate for present values and capex annuities."""
    money_unit: Literal["亿元"] = "亿元"
    """Unit of every money figure in reports (1 亿元 = 1e8 yuan)."""
    capex_basis: Literal["facility", "facility_and_it"] = "facility"
    """What `capex_yuan_per_rack` covers, shown on the report's first screen: `facility` (building,
    power, cooling, land; servers excluded) or `facility_and_it` (servers and network gear too)."""
    rack: RackSpec = RackSpec()
    """Standard rack definition."""
    budget: Budget = Budget()
    """Investment budgets."""
    policy: Policy = Policy()
    """Policy targets."""
    unmet_penalty_yuan_per_rack_year: float = Field(
        default=200000.0, gt=0, le=1e8, json_schema_extra=unit("yuan/rack/year")
    )
    """Cost of one rack-year of demand left unserved; must exceed any way of serving it."""
    build_module_racks: float | None = Field(default=None, gt=0, le=1e7, json_schema_extra=unit("racks"))
    """If set, racks are built in whole modules of this size (a mixed-integer plan)."""
    solver: SolverBlock = SolverBlock()
    """Solver settings."""
    storage: Storage = Storage()
    """Battery storage option."""
    compute_precision: Literal["FP64", "FP32", "FP16", "FP8", "INT8"] = "FP16"
    """Precision every compute figure of the case is stated at (compute.csv, `demand_eflops`, reports);
    China's intelligent-compute statistics use FP16 (e.g. 788 EFLOPS at end-Jun 2025)."""
    water: Water = Water()
    """WUE per cooling type."""
    tariff: Tariff = Tariff()
    """Time-of-use grid prices."""
    it_capex: bool = False
    """Count IT equipment (servers, accelerators) as a cost, reported apart from facility capex: every
    rack in use pays its class's `it_capex_yuan_per_rack` as an annuity over `it_lifetime_years`
    (workloads.csv), discounted like the facility capex. Off: the plan counts facility capex only."""

    @model_validator(mode="after")
    def _one_money_basis(self) -> Scenario:
        if self.it_capex and self.capex_basis == "facility_and_it":
            raise ValueError(
                "it_capex: true with capex_basis 'facility_and_it' would count the servers twice; use capex_basis "
                "'facility' (capex_yuan_per_rack without IT) or turn it_capex off"
            )
        has_budget = self.budget.total_yi_yuan is not None or self.budget.yearly_yi_yuan is not None
        if has_budget and self.budget.basis != self.capex_basis:
            raise ValueError(
                f"budget.basis '{self.budget.basis}' differs from capex_basis '{self.capex_basis}': a budget must be "
                "on the capex's basis"
            )
        return self


class Inputs(Schema):
    """A whole validated case: the scenario and every table's rows."""

    scenario: Scenario
    hubs: tuple[Hub, ...]
    clusters: tuple[Cluster, ...]
    workloads: tuple[Workload, ...]
    demand: tuple[Demand, ...]
    links: tuple[Link, ...]
    profiles: tuple[Profile, ...] = ()
    compute: tuple[ComputeRate, ...] = ()
    cluster_years: tuple[ClusterYear, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _standard_racks(cls, data: object) -> object:
        from planner.inputs.compute import fill_demand_racks

        return fill_demand_racks(data)

    def table(self, name: str) -> pd.DataFrame:
        """One table as a DataFrame with its CSV's columns (units in their names), e.g. `inputs.table("clusters")`."""
        import pandas as pd

        if name not in TABLES:
            msg = f"unknown table {name!r}; expected one of {', '.join(TABLES)}"
            raise KeyError(msg)
        return pd.DataFrame([row.model_dump() for row in getattr(self, name)], columns=list(TABLES[name].model_fields))

    def _repr_html_(self) -> str:
        """Jupyter: the case at a glance and how to get its tables."""
        s = self.scenario
        counts = "".join(
            f"<tr><th style='text-align:left'>{name}</th><td style='text-align:right'>{len(getattr(self, name)):,} "
            "rows</td></tr>"
            for name in TABLES
        )
        title = html.escape(f"case '{s.name}': {s.years.first}-{s.years.last}")
        return (
            f"<table><caption style='text-align:left'>{title}</caption>{counts}</table><p "
            "style='font-size:smaller'>tables: <code>inputs.table(\"clusters\")</code>, ...</p>"
        )


TABLES: dict[str, type[Schema]] = {
    "hubs": Hub,
    "clusters": Cluster,
    "workloads": Workload,
    "demand": Demand,
    "links": Link,
    "profiles": Profile,
    "compute": ComputeRate,
    "cluster_years": ClusterYear,
}
"""Table name -> row model; the file is `<name>.csv` in the case folder."""

OPTIONAL_TABLES = frozenset({"profiles", "compute", "cluster_years"})

KEYS: dict[str, tuple[str, ...]] = {
    "hubs": ("hub_id",),
    "clusters": ("cluster_id",),
    "workloads": ("workload_id",),
    "demand": ("hub_id", "workload_id", "year"),
    "links": ("hub_id", "cluster_id"),
    "profiles": ("cluster_id", "slice_id"),
    "compute": ("workload_id", "year"),
    "cluster_years": ("cluster_id", "year"),
}
"""Columns that identify a row; duplicates are errors."""

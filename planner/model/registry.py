"""The family registry: every constraint family declared once, with everything that must follow it.

A `Family` names its builder function (in `FAMILIES` order), the unit of its shadow price in
`duals.csv` and the factor from model units, its title in the report (English and Chinese), its wording in a
diagnosis, and the independent check `planner verify` runs for it. The verify check is named,
not imported: the verifier shares no code with the model builder (tests/test_verify.py), so the
name is resolved in `planner.verify.check.CHECKS` and a meta-test holds the two together
(tests/test_registry.py). Adding a family means one entry here plus what the meta-tests ask for:
a docs/formulation.md section, a test with an assertion, the verify check, and a corruption test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from planner.model._lp import Builder
from planner.model.capacity import (
    add_base_year_load,
    add_build_modules,
    add_build_rate,
    add_capacity,
    add_incumbent_load,
    add_land_limit,
    add_power_limit,
    add_rack_stock,
    add_retire_deadline,
    add_site_opening,
    add_utilisation_floor,
    add_vintage_stock,
)
from planner.model.data import RACKS_PER_KRACK, YUAN_PER_YI, ModelData
from planner.model.demand import add_class_load_balance, add_demand_met, add_intelligent_share
from planner.model.energy import (
    add_certificate_cover,
    add_certificate_share,
    add_green_direct_availability,
    add_green_hourly,
    add_green_share,
    add_grid_import,
    add_new_load,
    add_new_load_cap,
    add_power_balance,
    add_renewable_availability,
    add_retrofit_load,
)
from planner.model.network import add_link_bandwidth, add_link_expansion_limit
from planner.model.policy import (
    add_budget_total,
    add_budget_yearly,
    add_carbon_cap,
    add_hub_share,
    add_national_hubs_share,
    add_water_cap,
    add_west_share,
)
from planner.model.storage import (
    add_battery_energy_stock,
    add_battery_power_stock,
    add_storage_balance,
    add_storage_charge_green,
    add_storage_energy,
    add_storage_power,
)
from planner.model.variables import Vars

FamilyFunction = Callable[[Builder, ModelData, Vars], None]

PER_RACK = ("元/rack", YUAN_PER_YI / RACKS_PER_KRACK)
PER_RACK_YEAR = ("元/rack-year", YUAN_PER_YI / RACKS_PER_KRACK)
PER_MWH = ("元/MWh", YUAN_PER_YI / 1e3)
PER_KW_BATTERY = ("元/kW", YUAN_PER_YI / 1e6)
PER_KWH_BATTERY = ("元/kWh", YUAN_PER_YI / 1e6)
PER_GBPS = ("万元/Gbps", YUAN_PER_YI / 1e4)
PER_YI = ("亿元/亿元", 1.0)


@dataclass(frozen=True)
class Family:
    """One constraint family and everything declared with it."""

    add: FamilyFunction
    """The builder, `add_<name>(m, d, v)`, math in its docstring."""
    dual: tuple[str, float]
    """Unit of the shadow price in duals.csv, and the factor from model units (亿元 per model unit)."""
    title: str
    """The family in the report's words (section titles, what binds)."""
    title_zh: str
    """The same title on a Chinese page."""
    diagnosis: str
    """What the family's rows require, in a diagnosis's words."""
    verify: str
    """Name of its independent check in `planner.verify.check.CHECKS` (the check named after the family)."""

    @property
    def name(self) -> str:
        """The family's name: row labels, duals.csv, docs section."""
        return self.add.__name__.removeprefix("add_")


def _family(add: FamilyFunction, dual: tuple[str, float], title: str, title_zh: str, diagnosis: str) -> Family:
    return Family(add, dual, title, title_zh, diagnosis, verify=add.__name__.removeprefix("add_"))


REGISTRY: tuple[Family, ...] = (
    _family(
        add_demand_met,
        PER_RACK_YEAR,
        "Demand served or counted unmet",
        "需求满足或计为未满足",
        "serving each hub's demand",
    ),
    _family(
        add_class_load_balance,
        PER_RACK_YEAR,
        "Load per class and cluster",
        "各集群分类负载",
        "the load each cluster carries per class",
    ),
    _family(
        add_rack_stock,
        PER_RACK,
        "Rack stock (existing plus built)",
        "机架存量(既有加新建)",
        "the rack stock carried from year to year",
    ),
    _family(add_build_rate, PER_RACK, "Construction pace (racks a year)", "建设速度上限", "the build pace"),
    _family(
        add_vintage_stock,
        PER_RACK,
        "Existing racks retrofitted or retired",
        "既有机架改造或退役",
        "retrofitting or retiring no more racks than are in place",
    ),
    _family(
        add_retire_deadline,
        PER_RACK,
        "Inefficient rooms retrofitted or retired (PUE above the threshold)",
        "高 PUE 机房改造或退役期限",
        "retrofitting or retiring the rooms above the PUE threshold",
    ),
    _family(add_land_limit, PER_RACK, "Land and planning limit", "用地与规划上限", "the land limit"),
    _family(add_power_limit, ("元/kW", YUAN_PER_YI / 1e3), "Grid connection", "电网接入容量", "the grid connection"),
    _family(add_build_modules, PER_RACK, "Whole build modules", "整模块建设", "building in whole modules"),
    _family(
        add_site_opening,
        PER_RACK,
        "Sites build only once opened",
        "站点开通后方可建设",
        "opening a site before building there",
    ),
    _family(
        add_capacity,
        PER_RACK_YEAR,
        "Cluster full (racks in use ≤ usable racks)",
        "集群满载(在用机架 ≤ 可用机架)",
        "the usable racks of a cluster",
    ),
    _family(
        add_utilisation_floor,
        PER_RACK_YEAR,
        "上架率 floor (racks in use / installed)",
        "上架率下限(在用/已装机架)",
        "the utilisation floor",
    ),
    _family(
        add_base_year_load,
        PER_RACK_YEAR,
        "Base year: tenants in place (observed racks in use)",
        "基准年在租负载(实测在用机架)",
        "the racks in use observed in the base year",
    ),
    _family(
        add_incumbent_load,
        PER_RACK_YEAR,
        "Tenants stay (retained share of last year's load)",
        "存量客户留存(上年负载的保留比例)",
        "keeping last year's tenants",
    ),
    _family(
        add_power_balance,
        PER_MWH,
        "Power balance (facility energy met)",
        "电力平衡(满足设施用电)",
        "meeting the facility energy",
    ),
    _family(
        add_renewable_availability, PER_MWH, "Contractable renewable power", "可采购绿电量", "the renewable potential"
    ),
    _family(
        add_grid_import,
        PER_MWH,
        "Provincial import limit (grid power per slice)",
        "省级购电上限(各时段电网购电)",
        "the province's import limit on grid power",
    ),
    _family(
        add_green_direct_availability,
        PER_MWH,
        "Direct green supply (绿电直连) line",
        "绿电直连线路供电量",
        "the direct green supply available",
    ),
    _family(
        add_certificate_cover,
        PER_MWH,
        "Certificates only cover grid power bought",
        "绿证不超过电网购电量",
        "certificates covering only grid power bought",
    ),
    _family(
        add_new_load,
        PER_RACK_YEAR,
        "Load on new racks",
        "新建机架负载",
        "counting the load beyond the existing stock as new",
    ),
    _family(
        add_new_load_cap,
        PER_RACK_YEAR,
        "Load on new racks within what they hold",
        "新建机架负载不超过其容量",
        "the load new racks can hold",
    ),
    _family(
        add_retrofit_load,
        PER_RACK_YEAR,
        "Load on retrofitted racks within what they hold",
        "改造机架负载不超过其容量",
        "the load retrofitted racks can hold",
    ),
    _family(
        add_green_share, PER_MWH, "Green-power floor for new racks", "新建机架绿电占比下限", "the green-power floor"
    ),
    _family(
        add_certificate_share,
        PER_MWH,
        "Certificates' share of green power",
        "绿证占绿电比例上限",
        "the cap on certificates",
    ),
    _family(
        add_green_hourly,
        PER_MWH,
        "Hourly (24/7) green-power floor",
        "逐时(24/7)绿电占比下限",
        "the hourly green-power floor",
    ),
    _family(
        add_battery_power_stock,
        PER_KW_BATTERY,
        "Battery power stock",
        "储能功率存量",
        "the battery power carried from year to year",
    ),
    _family(
        add_battery_energy_stock,
        PER_KWH_BATTERY,
        "Battery energy stock",
        "储能电量存量",
        "the battery energy carried from year to year",
    ),
    _family(add_storage_balance, PER_MWH, "Battery state of charge", "储能荷电状态", "the batteries' state of charge"),
    _family(add_storage_power, PER_MWH, "Battery power limit", "储能功率上限", "the batteries' power"),
    _family(
        add_storage_energy, PER_KWH_BATTERY, "Battery energy limit", "储能电量上限", "the batteries' energy capacity"
    ),
    _family(
        add_storage_charge_green,
        PER_MWH,
        "Batteries charge from renewables only",
        "储能仅由绿电充电",
        "charging batteries from renewables only",
    ),
    _family(add_link_bandwidth, PER_GBPS, "Link bandwidth", "链路带宽", "the link capacity"),
    _family(add_link_expansion_limit, PER_GBPS, "Link expansion limit", "链路扩容上限", "the link expansion limit"),
    _family(add_budget_yearly, PER_YI, "Investment budget per year", "年度投资预算", "the yearly budget"),
    _family(add_budget_total, PER_YI, "Investment budget, whole horizon", "总投资预算", "the total budget"),
    _family(
        add_west_share, PER_RACK, "Western share of new racks", "西部新增机架占比下限", "the western share of new racks"
    ),
    _family(add_hub_share, PER_RACK, "Hub share of new racks", "枢纽新增机架占比下限", "a hub's share of new racks"),
    _family(
        add_intelligent_share,
        ("元/PFLOPS", YUAN_PER_YI / 1e3),
        "Intelligent-compute share (EFLOPS)",
        "智能算力占比下限(EFLOPS)",
        "the intelligent-compute share",
    ),
    _family(
        add_national_hubs_share,
        PER_RACK,
        "National hubs' share of new racks (60 % rule)",
        "国家枢纽节点新增机架占比下限(60 % 规则)",
        "the national hubs' share of new racks",
    ),
    _family(add_carbon_cap, ("元/t", YUAN_PER_YI / 1e3), "Carbon cap", "碳排放上限", "the carbon cap"),
    _family(
        add_water_cap, ("元/m³", YUAN_PER_YI / 1e3), "Water cap (site water use)", "用水上限(站点用水)", "the water cap"
    ),
)
"""Every constraint family, in build order."""

BY_NAME: dict[str, Family] = {f.name: f for f in REGISTRY}
"""Family name -> its declaration."""


def family(name: str) -> Family:
    """The declaration of a family; a KeyError names the unknown family (no silent fallback)."""
    try:
        return BY_NAME[name]
    except KeyError:
        msg = f"constraint family {name!r} is not in planner.model.registry.REGISTRY"
        raise KeyError(msg) from None

"""What binds and what it is worth: binding rows of duals.csv turned into plain units, sentences and a ranking.

Sign convention (one, stated on every page): a value is what relaxing the limit by one unit would
lower total cost by, so it is positive whichever way the row points (a `<=` row's dual is <= 0 and
a `>=` row's >= 0 in a minimisation; the report shows |dual|). Floors relax downwards, caps and
budgets upwards. Values are present values at the first planning year; year-keyed rows also get
the value in that year's money (|dual| / discount factor).

Rows are ranked by what relaxing them by 1 % (or one percentage point, for a share or floor) would
save, in 亿元, so a budget, a cluster's land and a link can be compared. A row that binds at zero
(a green floor with no load on new racks, a certificate cover with no grid power and no
certificates) has a shadow price that is not unique (the LP is degenerate there): it is counted,
not presented as a price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from planner.report.glossary import Lang, wan
from planner.report.scorecard import binding_keys, green_coverage
from planner.report.tables import View, num, pct, year_span

ACCOUNTING = (
    "rack_stock",
    "class_load_balance",
    "power_balance",
    "new_load",
    "new_load_cap",
    "demand_met",
    "build_modules",
)
"""Families whose rows define quantities rather than limit them: not listed as 'binding'."""

MOST_ROWS = 60
"""Most rows listed per family (the rest are counted and stay in duals.csv)."""


def sig(x: float) -> str:
    """About three significant digits with thousands separators: 0.0869, 4.53, 74.9, 2,998."""
    x = abs(float(x))
    digits = 0 if x >= 100 else 1 if x >= 10 else 2 if x >= 1 else 3 if x >= 0.1 else 4
    return num(x, digits)


@dataclass(frozen=True)
class Facts:
    """Per cluster-year (and link-year) quantities the sentences need, looked up once per report."""

    racks: dict[tuple[str, int], float]
    new_energy_mwh: dict[tuple[str, int], float]
    grid_mwh: dict[tuple[str, int], float]
    renewable_mwh: dict[tuple[str, int], float]
    certificate_mwh: dict[tuple[str, int], float]
    link_capacity: dict[tuple[str, str, int], float]

    @classmethod
    def of(cls, v: View) -> Facts:
        """Index the plan's tables by key."""
        racks = v.t["racks"]
        cover = green_coverage(v)
        e = v.t["energy_summary"]
        b = v.t["bandwidth"]

        def by(
            frame: pd.DataFrame, keys: list[str], column: str, factor: float = 1.0
        ) -> dict[Any, float]:  # keys: tuples of the `keys` columns' values, typed by each caller's field
            values = frame[column].to_numpy(dtype=float) * factor
            return dict(
                zip(
                    zip(*(frame[k].astype(int) if k == "year" else frame[k].astype(str) for k in keys), strict=True),
                    values.tolist(),
                    strict=True,
                )
            )

        return cls(
            racks=by(racks, ["cluster", "year"], "racks"),
            new_energy_mwh=by(cover, ["cluster", "year"], "new_energy_gwh", 1e3),
            grid_mwh=by(e, ["cluster", "year"], "grid_gwh", 1e3),
            renewable_mwh=by(e, ["cluster", "year"], "renewable_gwh", 1e3),
            certificate_mwh=by(e, ["cluster", "year"], "certificates_gwh", 1e3),
            link_capacity=by(b, ["hub", "cluster", "year"], "capacity_gbps"),
        )


@dataclass(frozen=True)
class Row:
    """One binding row: where it applies, its year (if any) and its |shadow price| in report units."""

    v: View
    family: str
    parts: list[str]
    value: float
    unit: str
    facts: Facts

    @property
    def year(self) -> int | None:
        """The row's year, if it has one."""
        years = [int(p) for p in self.parts if p.isdigit() and len(p) == 4]
        return years[0] if years else None

    @property
    def in_year(self) -> float:
        """The value in the row's own year's money (undiscounted)."""
        return self.value / float(self.v.discount[self.year]) if self.year is not None else self.value

    def money(self, unit: str) -> str:
        """`4.53 万元` plus, for a later year, `(5.72 万元 in 2030 money)`."""
        text = f"{sig(self.value)} {unit}"
        if self.year is not None and self.year != self.v.first:
            text += f" ({sig(self.in_year)} {unit} in {self.year} money)"
        return text


def _c(r: Row) -> str:
    return r.v.name(r.parts[0])


def _budget_yearly(r: Row) -> str:
    return f"One more 亿元 of the {r.parts[0]} investment budget lowers total cost by {r.money('亿元')}."


def _budget_total(r: Row) -> str:
    return f"One more 亿元 of the {r.v.first}–{r.v.last} investment budget lowers total cost by {sig(r.value)} 亿元."


def _build_rate(r: Row) -> str:
    pace = cast(float, r.v.clusters.at[r.parts[0], "build_max_racks_per_year"])
    return (
        f"{_c(r)} builds at its limit of {num(pace)} racks a year in {r.parts[1]}; each rack more that year would "
        f"lower total cost by {r.money('元')}."
    )


def _land_limit(r: Row) -> str:
    limit = cast(float, r.v.clusters.at[r.parts[0], "racks_max"])
    return (
        f"{_c(r)} reaches its land/planning limit of {num(limit)} racks in {r.parts[1]}; one rack more allowed would "
        f"save {r.money('元')}."
    )


def _cluster_year_limit(r: Row, column: str) -> float:
    """A cluster's limit in the row's year: the cluster_years.csv cell, else the cluster's own (NaN: none)."""
    from planner.report.grid import limits

    return float(limits(r.v)[column].get((r.parts[0], int(r.parts[1])), float("nan")))


def _power_limit(r: Row) -> str:
    limit = _cluster_year_limit(r, "power_max_mw")
    return (
        f"{_c(r)} uses all of its {num(limit)} MW grid connection in {r.parts[1]}; each extra kW would save "
        f"{r.money('元')}."
    )


def _grid_import(r: Row) -> str:
    limit = _cluster_year_limit(r, "grid_import_mw")
    when = r.parts[1] if r.parts[2] == "year" else f"{r.parts[1]}, slice {r.parts[2]}"
    return (f"{_c(r)} draws all the grid power its province's {num(limit)} MW import limit allows ({when}); "
            f"each extra MWh it could import would save {r.money('元')}.")


def _water_cap(r: Row) -> str:
    limit = _cluster_year_limit(r, "water_max_m3")
    return (f"{_c(r)} uses all of its {num(limit)} m³ water cap in {r.parts[1]}; "
            f"each extra m³ would save {r.money('元')}.")


def _retire_deadline(r: Row) -> str:
    threshold = r.v.inputs.scenario.policy.retire_pue_above
    return (f"Retrofitting or retiring {_c(r)}'s existing racks above PUE {threshold} by {r.parts[1]} "
            f"costs {r.money('元')} per rack it covers.")


def _step_year_limit(column: str, unit_en: str, unit_zh: str, factor: float = 1.0) -> StepFn:
    def step(r: Row) -> Step | None:
        limit = _cluster_year_limit(r, column)
        return _pct_of(limit * factor, unit_en, unit_zh) if pd.notna(limit) else None

    return step


def _capacity(r: Row) -> str:
    u_max = r.v.inputs.scenario.rack.utilisation_max
    return (
        f"{_c(r)} is full in {r.parts[1]} ({pct(u_max, 0)} of its racks in use); one more usable rack there that year "
        f"would save {r.money('元')}."
    )


def _floor(r: Row, column: str, policy: float) -> float:
    own = cast(float, r.v.clusters.at[r.parts[0], column])
    return float(own) if pd.notna(own) else policy


def _utilisation_floor(r: Row) -> str:
    racks = r.facts.racks.get((r.parts[0], int(r.parts[1])), 0.0)
    floor = _floor(r, "utilisation_min", r.v.inputs.scenario.policy.utilisation_min)
    per_point = r.value * racks * 0.01 / 1e4
    return (
        f"The {pct(floor, 0)} 上架率 floor at {_c(r)} in {r.parts[1]} costs {r.money('元')} per rack-year it forces "
        f"into use (about {sig(per_point)} 万元 per percentage point of the floor on {num(racks)} racks)."
    )


def _green_share(r: Row) -> str:
    energy = r.facts.new_energy_mwh.get((r.parts[0], int(r.parts[1])), 0.0)
    floor = _floor(r, "green_share_min_new", r.v.inputs.scenario.policy.green_share_min_new)
    head = (
        f"The {pct(floor, 0)} green-power floor for new racks at {_c(r)} in {r.parts[1]} costs {r.money('元')} per MWh "
        "of green power it requires"
    )
    if energy <= 0:
        return head + " (no load on new racks yet: the floor binds at zero, shaping whether new load goes there)."
    return head + f" (about {sig(r.value * energy * 0.01 / 1e4)} 万元 per percentage point on {num(energy / 1e3)} GWh)."


def _renewable_availability(r: Row) -> str:
    when = r.parts[1] if r.parts[2] == "year" else f"{r.parts[1]}, slice {r.parts[2]}"
    return (
        f"{_c(r)} uses all the renewable power it can contract ({when}); each extra MWh available would save "
        f"{r.money('元')}."
    )


def _certificate_cover(r: Row) -> str:
    return (
        f"Green certificates at {_c(r)} already cover all the grid power bought in {r.parts[1]}; being able to certify "
        f"one more MWh would save {r.money('元')}."
    )


def _certificate_share(r: Row) -> str:
    return (
        f"Certificates at {_c(r)} are at their cap on the share of green power in {r.parts[1]}; one more MWh allowed "
        f"would save {r.money('元')}."
    )


def _link_bandwidth(r: Row) -> str:
    return (
        f"The link {r.v.link(r.parts[0], r.parts[1])} is full in {r.parts[2]}; each extra Gbps is worth "
        f"{r.money('万元')}."
    )


def _link_expansion_limit(r: Row) -> str:
    limit = cast(float, r.v.links.at[(r.parts[0], r.parts[1]), "bandwidth_expansion_max_gbps"])
    return (
        f"The link {r.v.link(r.parts[0], r.parts[1])} is expanded to its limit (+{num(limit)} Gbps); each extra Gbps "
        f"allowed is worth {sig(r.value)} 万元."
    )


def _share_floor(r: Row, share: float, what: str) -> str:
    """A floor on a share of new racks: its price per rack and per percentage point of the share."""
    per_point = r.value * float(r.v.plan["new_racks_total"]) * 0.01 / 1e8
    return (
        f"The {pct(share, 0)} {what} costs {sig(r.value)} 元 per rack "
        f"(about {sig(per_point)} 亿元 per percentage point)."
    )


def _west_share(r: Row) -> str:
    share = r.v.inputs.scenario.policy.west_share_min_new_racks or 0.0
    return _share_floor(r, share, "floor on the western clusters' share of new racks")


def _hub_share(r: Row) -> str:
    share = float(cast(float, r.v.hubs.at[r.parts[0], "new_racks_share_min"]))
    return _share_floor(r, share, f"floor on {r.v.name(r.parts[0])}'s share of new racks")


def _site_opening(r: Row) -> str:
    cost = pd.to_numeric(r.v.clusters["open_cost_yuan"], errors="coerce").get(r.parts[0], 0.0) / 1e8
    return (
        f"Building at {r.v.name(r.parts[0])} in {r.parts[1]} is held by whether the site is open (opening cost "
        f"{num(cost, 2)} 亿元, the choice fixed as the mixed-integer plan made it): one more rack allowed there is "
        f"worth {sig(r.value)} 元."
    )


def _intelligent_share(r: Row) -> str:
    share = r.v.inputs.scenario.policy.intelligent_share_min or 0.0
    return (
        f"The {pct(share, 0)} intelligent-compute share binds in {r.parts[0]}: the demand's own mix falls short, "
        f"so the plan leaves general-purpose demand unserved; each PFLOPS of general compute the floor allowed "
        f"would save {sig(r.value)} 元."
    )


def _national_hubs_share(r: Row) -> str:
    share = r.v.inputs.scenario.policy.national_hubs_share_min_new_racks or 0.0
    return _share_floor(r, share, "rule (new racks in the national hubs, not in city or provincial data centres)")


def _carbon_cap(r: Row) -> str:
    return (
        f"The {r.parts[0]} carbon cap binds: each extra tonne of CO2 allowed would lower total cost by {r.money('元')}."
    )


@dataclass(frozen=True)
class Step:
    """A 1 % relaxation of a row: its size in the dual's unit, and how to say it."""

    amount: float
    en: str
    zh: str


StepFn = Callable[[Row], Step | None]


def _pct_of(amount: float, unit_en: str, unit_zh: str) -> Step | None:
    if amount <= 0:
        return None
    return Step(
        0.01 * amount,
        f"1 % ({num(0.01 * amount) if 0.01 * amount >= 10 else sig(0.01 * amount)} {unit_en})",
        f"1 %（{wan(0.01 * amount) if 0.01 * amount >= 10 else sig(0.01 * amount)} {unit_zh}）",
    )


def _point_of(amount: float, unit_en: str, unit_zh: str) -> Step | None:
    if amount <= 0:
        return None
    return Step(
        0.01 * amount,
        f"1 percentage point ({num(0.01 * amount)} {unit_en})",
        f"1 个百分点（{wan(0.01 * amount)} {unit_zh}）",
    )


def _step_budget_yearly(r: Row) -> Step | None:
    yearly = r.v.inputs.scenario.budget.yearly_yi_yuan
    amount = float(yearly[int(r.parts[0])] if isinstance(yearly, dict) else yearly or 0.0)
    return _pct_of(amount, "亿元", "亿元")


def _step_budget_total(r: Row) -> Step | None:
    return _pct_of(float(r.v.inputs.scenario.budget.total_yi_yuan or 0.0), "亿元", "亿元")


def _step_cluster(column: str, unit_en: str, unit_zh: str, factor: float = 1.0) -> StepFn:
    def step(r: Row) -> Step | None:
        limit = cast(float, r.v.clusters.at[r.parts[0], column])
        return _pct_of(float(limit) * factor, unit_en, unit_zh) if pd.notna(limit) else None

    return step


def _step_capacity(r: Row) -> Step | None:
    racks = r.facts.racks.get((r.parts[0], int(r.parts[1])), 0.0)
    return _pct_of(racks * r.v.inputs.scenario.rack.utilisation_max, "usable racks", "可用机架")


def _step_utilisation_floor(r: Row) -> Step | None:
    return _point_of(r.facts.racks.get((r.parts[0], int(r.parts[1])), 0.0), "rack-years", "架·年")


def _step_green_share(r: Row) -> Step | None:
    return _point_of(r.facts.new_energy_mwh.get((r.parts[0], int(r.parts[1])), 0.0), "MWh", "MWh")


def _step_renewables(r: Row) -> Step | None:
    if r.parts[2] != "year":
        return None
    return _pct_of(r.facts.renewable_mwh.get((r.parts[0], int(r.parts[1])), 0.0), "MWh", "MWh")


def _step_certificate_cover(r: Row) -> Step | None:
    return _pct_of(r.facts.grid_mwh.get((r.parts[0], int(r.parts[1])), 0.0), "MWh", "MWh")


def _step_certificate_share(r: Row) -> Step | None:
    key = (r.parts[0], int(r.parts[1]))
    return _pct_of(r.facts.renewable_mwh.get(key, 0.0) + r.facts.certificate_mwh.get(key, 0.0), "MWh", "MWh")


def _step_link(r: Row) -> Step | None:
    return _pct_of(r.facts.link_capacity.get((r.parts[0], r.parts[1], int(r.parts[2])), 0.0), "Gbps", "Gbps")


def _step_link_expansion(r: Row) -> Step | None:
    gbps = float(cast(float, r.v.links.at[(r.parts[0], r.parts[1]), "bandwidth_expansion_max_gbps"]))
    return _pct_of(gbps, "Gbps", "Gbps")


def _step_share(r: Row) -> Step | None:
    return _point_of(float(r.v.plan["new_racks_total"]), "racks", "标准机架")


def _step_carbon(r: Row) -> Step | None:
    cap = r.v.inputs.scenario.policy.carbon_cap_mt
    amount = float(cap[int(r.parts[0])] if isinstance(cap, dict) else cap or 0.0)
    return _pct_of(amount * 1e6, "t CO2", "吨 CO2")


@dataclass(frozen=True)
class Family:
    """How the report speaks of one constraint family's binding rows."""

    title: str
    title_zh: str
    sentence: Callable[[Row], str]
    step: StepFn
    degenerate: Callable[[Row], str] | None = None


def _no_grid(r: Row) -> str:
    key = (r.parts[0], int(r.parts[1]))
    if r.facts.grid_mwh.get(key, 0.0) <= 1e-3 and r.facts.certificate_mwh.get(key, 0.0) <= 1e-3:
        return "no grid power and no certificates"
    return ""


def _no_new_load(r: Row) -> str:
    return "no load on new racks" if r.facts.new_energy_mwh.get((r.parts[0], int(r.parts[1])), 0.0) <= 1e-3 else ""


def _no_racks(r: Row) -> str:
    return "no racks" if r.facts.racks.get((r.parts[0], int(r.parts[1])), 0.0) <= 1e-6 else ""


def _no_renewables(r: Row) -> str:
    if r.parts[2] != "year":
        return ""
    return (
        "no renewable power available" if r.facts.renewable_mwh.get((r.parts[0], int(r.parts[1])), 0.0) <= 1e-3 else ""
    )


def _no_link(r: Row) -> str:
    return (
        "a link with no capacity"
        if r.facts.link_capacity.get((r.parts[0], r.parts[1], int(r.parts[2])), 0.0) <= 1e-9
        else ""
    )


FAMILIES: dict[str, Family] = {
    "budget_total": Family("Investment budget, whole horizon", "总投资预算", _budget_total, _step_budget_total),
    "budget_yearly": Family("Investment budget per year", "年度投资预算", _budget_yearly, _step_budget_yearly),
    "west_share": Family("Western share of new racks", "西部新增机架占比下限", _west_share, _step_share),
    "hub_share": Family("Hub share of new racks", "枢纽新增机架占比下限", _hub_share, _step_share),
    "site_opening": Family(
        "Sites build only once opened",
        "站点开通后方可建设",
        _site_opening,
        _step_cluster("build_max_racks_per_year", "racks", "标准机架"),
    ),
    "intelligent_share": Family(
        "Intelligent-compute share (EFLOPS)", "智能算力占比下限", _intelligent_share, lambda r: None
    ),
    "national_hubs_share": Family(
        "National hubs' share of new racks (60 % rule)",
        "国家枢纽节点新增算力占比下限",
        _national_hubs_share,
        _step_share,
    ),
    "carbon_cap": Family("Carbon cap", "碳排放上限", _carbon_cap, _step_carbon),
    "green_share": Family(
        "Green-power floor for new racks", "新建机架绿电占比下限", _green_share, _step_green_share, _no_new_load
    ),
    "utilisation_floor": Family(
        "上架率 floor (racks in use / installed)", "上架率下限", _utilisation_floor, _step_utilisation_floor, _no_racks
    ),
    "certificate_share": Family(
        "Certificates' share of green power",
        "绿证占绿电比例上限",
        _certificate_share,
        _step_certificate_share,
        _no_grid,
    ),
    "build_rate": Family(
        "Construction pace (racks a year)",
        "建设速度上限",
        _build_rate,
        _step_cluster("build_max_racks_per_year", "racks", "标准机架"),
    ),
    "land_limit": Family(
        "Land and planning limit", "用地与规划上限", _land_limit, _step_cluster("racks_max", "racks", "标准机架")
    ),
    "power_limit": Family(
        "Grid connection", "电网接入容量", _power_limit, _step_year_limit("power_max_mw", "kW", "kW", 1e3)
    ),
    "grid_import": Family("Provincial import limit", "省级购电上限", _grid_import, lambda r: None),
    "water_cap": Family("Water cap", "用水上限", _water_cap, _step_year_limit("water_max_m3", "m³", "立方米")),
    "retire_deadline": Family("PUE retirement deadline", "高 PUE 机房改造或退役期限", _retire_deadline, lambda r: None),
    "link_expansion_limit": Family("Link expansion limit", "链路扩容上限", _link_expansion_limit, _step_link_expansion),
    "link_bandwidth": Family("Link bandwidth", "链路带宽", _link_bandwidth, _step_link, _no_link),
    "renewable_availability": Family(
        "Contractable renewable power", "可采购绿电量", _renewable_availability, _step_renewables, _no_renewables
    ),
    "certificate_cover": Family(
        "Certificates only cover grid power bought",
        "绿证不超过电网购电量",
        _certificate_cover,
        _step_certificate_cover,
        _no_grid,
    ),
    "capacity": Family("Cluster full (racks in use ≤ usable racks)", "集群满载", _capacity, _step_capacity, _no_racks),
}
"""Family -> how binding rows of it are titled, phrased, relaxed by 1 % and recognised as degenerate."""

MONEY_TO_YI = {"亿元": 1.0, "万元": 1e-4, "元": 1e-8}
"""Numerator of a dual's unit -> factor to 亿元."""

UNIT_ZH = {
    "rack": "架",
    "rack-year": "架·年",
    "MWh": "MWh",
    "kW": "kW",
    "Gbps": "Gbps",
    "亿元": "亿元",
    "t": "吨",
    "m³": "立方米",
}


def unit_zh(unit: str) -> str:
    """`元/rack-year` -> `元/架·年`."""
    money, _, per = unit.partition("/")
    return f"{money}/{UNIT_ZH.get(per, per)}" if per else money


def _relax_worth(r: Row, step: Step | None) -> float:
    """What a 1 % relaxation saves, in 亿元 (PV): |dual| x step x unit factor; NaN without a step."""
    if step is None:
        return float("nan")
    money = r.unit.partition("/")[0]
    return r.value * step.amount * MONEY_TO_YI.get(money, float("nan"))


def binding(v: View, most: int = MOST_ROWS) -> pd.DataFrame:
    """Binding inequality rows with their value and a sentence; families in report order, rows by value.

    Every row is listed unless a family has more than `most` (hourly profiles can bind thousands
    of renewable rows); then its `most` most valuable are, and `binding_rows` holds the full count.
    Each row also carries `relax_yi` (what relaxing it by 1 % saves, 亿元 PV) and `degenerate`
    (why its dual is not unique, or "").
    """
    facts = Facts.of(v)
    frames = []
    for family, spec in FAMILIES.items():
        rows = binding_keys(v, family)
        if rows.empty:
            continue
        items = [
            Row(v, family, str(k).split("/"), abs(float(d)), str(u), facts) for k, d, u in rows.itertuples(index=False)
        ]
        items.sort(key=lambda r: (-r.value, r.parts))
        count = len(items)
        items = items[:most]
        steps = [spec.step(r) for r in items]
        frames.append(
            pd.DataFrame(
                {
                    "family": family,
                    "title": spec.title,
                    "title_zh": spec.title_zh,
                    "binding_rows": count,
                    "where": [_where(r) for r in items],
                    "year": [r.year for r in items],
                    "value": [r.value for r in items],
                    "unit": [r.unit for r in items],
                    "value_in_year": [r.in_year for r in items],
                    "degenerate": [spec.degenerate(r) if spec.degenerate else "" for r in items],
                    "relax_yi": [_relax_worth(r, s) for r, s in zip(items, steps, strict=True)],
                    "step": [s.en if s else "" for s in steps],
                    "step_zh": [s.zh if s else "" for s in steps],
                    "row": items,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["sentence"] = [
        FAMILIES[f].sentence(r) if not d else ""
        for f, r, d in zip(out["family"], out["row"], out["degenerate"], strict=True)
    ]
    return out[COLUMNS]


COLUMNS = [
    "family",
    "title",
    "title_zh",
    "binding_rows",
    "where",
    "year",
    "value",
    "unit",
    "value_in_year",
    "degenerate",
    "relax_yi",
    "step",
    "step_zh",
    "sentence",
    "row",
]


def ranked(rows: pd.DataFrame, top: int = 10) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(the `top` rows whose 1 % relaxation saves most, the other priced rows, the degenerate rows)."""
    priced = rows[rows["degenerate"] == ""]
    order = (
        priced.assign(_k=priced["relax_yi"].fillna(-1.0))
        .sort_values(["_k", "value"], ascending=False, kind="stable")
        .drop(columns="_k")
    )
    return order.head(top), order.iloc[top:], rows[rows["degenerate"] != ""]


def sentence_zh(r: Row, title_zh: str, step_zh: str, relax: float) -> str:
    """The Chinese sentence of a ranked row: where, what binds, the price and what 1 % buys."""
    when = f"（{r.year} 年）" if r.year is not None else ""
    text = f"{_where_zh(r)}{title_zh}{when}为紧约束：每放宽 1 单位，总成本降低 {sig(r.value)} {unit_zh(r.unit)}"
    if step_zh and relax == relax:
        text += f"；放宽 {step_zh} 约可节省 {sig(relax)} 亿元"
    return text + "。"


WHOLE_PLAN = ("budget_total", "budget_yearly", "west_share", "national_hubs_share", "intelligent_share", "carbon_cap")
"""Families whose rows are about the whole plan, not one cluster or link."""


def _where_zh(r: Row) -> str:
    if r.family in ("link_bandwidth", "link_expansion_limit"):
        return f"链路 {r.v.zh(r.parts[0])} → {r.v.zh(r.parts[1])} "
    if r.family in WHOLE_PLAN:
        return ""
    return f"{r.v.zh(r.parts[0])} "


def _where(r: Row) -> str:
    if r.family in ("link_bandwidth", "link_expansion_limit"):
        return r.v.link(r.parts[0], r.parts[1])
    if r.family in WHOLE_PLAN:
        return "all clusters"
    return r.v.name(r.parts[0])


def family_title(lang: Lang, name: str) -> str:
    """A family's title in the page's language: the report's own wording, else the registry's, else its code."""
    from planner.model.registry import BY_NAME

    if name in FAMILIES:
        return lang(FAMILIES[name].title, FAMILIES[name].title_zh)
    f = BY_NAME.get(name)
    return lang(f.title, f.title_zh) if f else name


def unlisted_binding(v: View) -> pd.Series:
    """Binding rows of families not phrased above, counted by family (accounting rows)."""
    d = v.t["duals"]
    rest = d[d["binding"].astype(bool) & ~d["family"].isin(list(FAMILIES))]
    return rest.groupby("family").size()


def demand_cost(v: View) -> pd.DataFrame:
    """What one more rack-year of demand costs (元, in each year's money): rows hub x class, columns years."""
    d = v.t["duals"]
    d = d[d["family"] == "demand_met"]
    if d.empty:
        return pd.DataFrame()
    parts = d["key"].str.split("/", expand=True)
    frame = pd.DataFrame(
        {
            "workload": parts[0],
            "hub": parts[1],
            "year": parts[2].astype(int),
            "dual": d["dual"].to_numpy(),
        }
    )
    frame["value"] = frame["dual"] / frame["year"].map(v.discount)
    pivot = frame.pivot_table(index=["hub", "workload"], columns="year", values="value", aggfunc="first")
    order = [(h, w) for h in v.hubs.index for w in v.workloads.index if (h, w) in pivot.index]
    pivot = pivot.reindex(pd.MultiIndex.from_tuples(order, names=["hub", "workload"]), columns=v.years)
    out = pd.DataFrame(
        {"国家枢纽节点 Hub": [v.name(h) for h, _ in order], "业务类型 Class": [v.zh(w) for _, w in order]}
    )
    for y in v.years:
        out[f"{y} ({v.lang.per_rack_year})"] = [num(x) if pd.notna(x) else "–" for x in pivot[y]]
    return out


def unmet(v: View) -> pd.DataFrame:
    """Unmet demand by hub and class, with the binding constraints that stop it being served."""
    u = v.t["unmet"]
    u = u[u["unmet_racks"] > 0.5]
    rows = []
    for (h, w), g in u.groupby(["hub", "workload"], sort=False):
        years = sorted(int(y) for y in g["year"])
        rows.append(
            {
                "国家枢纽节点 Hub": v.name(str(h)),
                "业务类型 Class": v.name(str(w)),
                "Unmet (rack-years)": num(g["unmet_racks"].sum()),
                "Years": year_span(years),
                "Stopped by": _stoppers(v, str(h), str(w), years),
            }
        )
    return pd.DataFrame(
        rows, columns=["国家枢纽节点 Hub", "业务类型 Class", "Unmet (rack-years)", "Years", "Stopped by"]
    )


def _stoppers(v: View, hub: str, workload: str, years: list[int]) -> str:
    """Binding rows that limit serving (hub, workload) in the unmet years: budgets, builds, links, caps."""
    limit = cast(float, v.workloads.at[workload, "latency_max_rtt_ms"])
    links = v.links.loc[hub]
    eligible = [str(c) for c in links.index if pd.isna(limit) or cast(float, links.at[c, "rtt_ms"]) <= limit]
    last = max(years)
    found: list[str] = []

    def add(family: str, label: str, keys: list[str]) -> None:
        rows = binding_keys(v, family)
        hit = sorted(int(k.split("/")[-1]) if k.split("/")[-1].isdigit() else 0 for k in rows["key"] if k in set(keys))
        if hit:
            found.append(label + (f" ({year_span([y for y in hit if y])})" if any(hit) else ""))

    add("budget_total", "total budget", ["total"])
    add("budget_yearly", "yearly budget", [str(y) for y in v.years if y <= last])
    add("carbon_cap", "carbon cap", [str(y) for y in years])
    for c in eligible:
        add(
            "build_rate",
            f"construction pace at {v.zh(c)}",
            [f"{c}/{y}" for y in v.years if y <= last],
        )
        add("land_limit", f"land limit at {v.zh(c)}", [f"{c}/{y}" for y in years])
        add("power_limit", f"grid connection at {v.zh(c)}", [f"{c}/{y}" for y in years])
        add("link_bandwidth", f"link to {v.zh(c)} full", [f"{hub}/{c}/{y}" for y in years])
        add("link_expansion_limit", f"link expansion to {v.zh(c)}", [f"{hub}/{c}"])
    if found:
        return "; ".join(found)
    penalty = v.inputs.scenario.unmet_penalty_yuan_per_rack_year
    return (
        f"no limit binds: serving it would cost more than the unmet-demand penalty ({num(penalty)} "
        f"{v.lang.per_rack_year})"
    )

"""Existing racks with their own PUE, the utilisation floor's start year and scope, latency bases.

Tiny cases solved by hand (see tests/conftest.py): 1 kW racks at full draw use 8.76 MWh of IT energy
a rack-year; no discounting; a rack built in 2026 pays its capex twice (2026 and 2027).
"""

from __future__ import annotations

import pytest

from planner.errors import InputError
from planner.inputs.read import load_inputs
from tests.conftest import TinyCase, approx, set_rows
from tests.model.test_capacity_families import new_racks
from tests.model.test_energy_families import energy


def demand(tiny: TinyCase, by_year: dict[int, float]) -> None:
    for row in tiny.tables["demand"]:
        if row["hub_id"] == "h1":
            row["demand_racks"] = by_year[row["year"]]


def with_columns(tiny: TinyCase, table: str, *names: str) -> TinyCase:
    """Add optional columns (blank) to every row of a table, so a test can fill some rows."""
    for row in tiny.tables[table]:
        for name in names:
            row.setdefault(name, "")
    return tiny


def load_on_new(outcome, cluster: str, year: int) -> float:
    racks = outcome.results.racks
    return float(racks.loc[(racks["cluster"] == cluster) & (racks["year"] == year), "load_new_racks"].sum())


def test_power_balance_runs_existing_racks_at_their_own_pue(tiny: TinyCase) -> None:
    # 10,000 existing racks at PUE 1.5 serve the 10,000 demanded: 131.4 GWh a year at 0.3 yuan/kWh.
    # Replacing them by new PUE-1.2 racks would save 0.3 x 8.76 x 300 = 788 yuan/rack-year against
    # 50,000 yuan of capex, so nothing is built.
    with_columns(tiny, "clusters", "pue_existing")
    tiny.cluster("west1", racks_existing=10000, pue=1.2, pue_existing=1.5, power_price_yuan_per_kwh=0.3)
    outcome = tiny.solve()
    grid, _ = energy(outcome, "west1", 2026)
    assert grid == approx(131.4)
    assert new_racks(outcome, "west1", 2026) == approx(0)
    assert outcome.plan["objective_yi_yuan"] == approx(2 * 131_400 * 300 / 1e8)
    assert outcome.plan["average_pue"] == approx(1.5, rel=1e-4)


def test_new_load_cap_lets_new_efficient_racks_carry_the_load_first(tiny: TinyCase) -> None:
    # 2026: 10,000 demanded, 5,000 existing (PUE 1.5) -> build 5,000 (PUE 1.2) at west1 for 5 亿元;
    #   energy 5,000 x 8.76 x 1.5 + 5,000 x 8.76 x 1.2 = 118.26 GWh.
    # 2027: 6,000 demanded. Load on new racks may be anything in [6,000 - 5,000, min(6,000, 5,000)];
    #   the cheaper choice fills the new racks: 5,000 x 8.76 x 1.2 + 1,000 x 8.76 x 1.5 = 65.70 GWh
    #   (existing first would need 76.212 GWh).
    demand(tiny, {2026: 10000, 2027: 6000})
    with_columns(tiny, "clusters", "pue_existing")
    tiny.cluster("west1", racks_existing=5000, pue=1.2, pue_existing=1.5, power_price_yuan_per_kwh=0.3)
    outcome = tiny.solve()
    assert new_racks(outcome, "west1", 2026) == approx(5000)
    assert energy(outcome, "west1", 2026)[0] == approx(118.26)
    assert energy(outcome, "west1", 2027)[0] == approx(65.70)
    assert load_on_new(outcome, "west1", 2027) == approx(5000)
    assert outcome.plan["objective_yi_yuan"] == approx(5 + (118_260 + 65_700) * 300 / 1e8)


def test_utilisation_floor_applies_from_its_start_year(tiny: TinyCase) -> None:
    # 20,000 racks exist at each cluster, 15,000 demanded; east energy 0.5, west 0.3 yuan/kWh.
    # The east floor of 65 % starts in 2027: 2026 all west (15,000 x 2,628 yuan), 2027 13,000 east
    # and 2,000 west: 0.3942 + (13,000 x 4,380 + 2,000 x 2,628) / 1e8 = 1.01616 亿元.
    demand(tiny, {2026: 15000, 2027: 15000})
    with_columns(tiny, "clusters", "utilisation_min_from_year")
    tiny.cluster(
        "east1",
        racks_existing=20000,
        power_price_yuan_per_kwh=0.5,
        utilisation_min=0.65,
        utilisation_min_from_year=2027,
    )
    tiny.cluster("west1", racks_existing=20000, power_price_yuan_per_kwh=0.3)
    outcome = tiny.solve()
    assert outcome.plan["objective_yi_yuan"] == approx(1.01616)
    load = outcome.results.load.groupby(["cluster", "year"])["load_racks"].sum()
    assert load[("east1", 2026)] == approx(0)
    assert load[("east1", 2027)] == approx(13000)


def test_utilisation_floor_over_new_racks_only(tiny: TinyCase) -> None:
    # west1: 4,000 existing racks at PUE 1.0; new racks at PUE 1.2. 2026: 10,000 demanded -> build
    # 6,000 (6 亿元 over two years); 2027: 5,000 demanded. A floor of 65 % over all 10,000 racks could
    # not be met; over the new racks only it asks 3,900 racks in use on them, so the existing racks
    # (cheaper to run) keep 1,100. Energy at 0.3 yuan/kWh:
    #   2026: 4,000 x 8.76 x 1.0 + 6,000 x 8.76 x 1.2 = 98.112 GWh;
    #   2027: 1,100 x 8.76 + 3,900 x 8.76 x 1.2 = 50.6328 GWh.
    demand(tiny, {2026: 10000, 2027: 5000})
    tiny.set(policy={"utilisation_min": 0.65, "utilisation_min_scope": "new_racks"})
    with_columns(tiny, "clusters", "pue_existing")
    tiny.cluster("west1", racks_existing=4000, pue=1.2, pue_existing=1.0, power_price_yuan_per_kwh=0.3)
    outcome = tiny.solve()
    assert new_racks(outcome, "west1", 2026) == approx(6000)
    assert load_on_new(outcome, "west1", 2027) == approx(3900)
    assert energy(outcome, "west1", 2027)[0] == approx(50.6328)
    assert outcome.plan["objective_yi_yuan"] == approx(6 + (98_112 + 50_632.8) * 300 / 1e8)


def test_latency_limits_and_links_compare_on_one_basis(tiny: TinyCase) -> None:
    # The class accepts 12 ms one-way (= 24 ms round trip). west1 is given one-way (10 ms = 20 ms
    # round trip: eligible); east1, now the cheaper site, round trip 26 ms: not eligible. So all
    # 10,000 racks go west at 50k yuan each, paid twice: 10 亿元.
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, latency_max_rtt_ms="", latency_max_one_way_ms=12)
    for row in tiny.tables["links"]:
        row["one_way_ms"] = ""
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, rtt_ms="", one_way_ms=10)
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "east1"}, rtt_ms=26)
    tiny.cluster("east1", capex_yuan_per_rack=10000)
    outcome = tiny.solve()
    assert new_racks(outcome, "west1", 2026) == approx(10000)
    assert new_racks(outcome, "east1", 2026) == approx(0)
    assert outcome.plan["objective_yi_yuan"] == approx(10.0)


def test_latency_given_both_ways_must_agree(tiny: TinyCase) -> None:
    for row in tiny.tables["links"]:
        row["one_way_ms"] = ""
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, rtt_ms=20, one_way_ms=7)
    with pytest.raises(InputError, match="disagree"):
        load_inputs(tiny.write())


def pinned_case(tiny: TinyCase, first_year_demand: float) -> TinyCase:
    """10,000 racks at each cluster; 4,000 tenants in place east (0.5 yuan/kWh), 6,000 west (0.3); half stay a year."""
    demand(tiny, {2026: first_year_demand, 2027: first_year_demand})
    with_columns(tiny, "clusters", "racks_in_use_existing")
    tiny.set(rack={"tenant_retention_per_year": 0.5})
    tiny.cluster("east1", racks_existing=10000, racks_in_use_existing=4000, power_price_yuan_per_kwh=0.5)
    return tiny.cluster("west1", racks_existing=10000, racks_in_use_existing=6000, power_price_yuan_per_kwh=0.3)


def test_incumbent_load_keeps_the_tenants_in_place_at_the_churn_rate(tiny: TinyCase) -> None:
    # 2026 reproduces the observed state: 4,000 east, 6,000 west (4,380 and 2,628 yuan a rack-year).
    # 2027: at least half of the 4,000 stay east, the rest moves to the cheaper west: 2,000 east, 8,000 west.
    outcome = pinned_case(tiny, 10000).solve()
    load = outcome.results.load.groupby(["cluster", "year"])["load_racks"].sum()
    assert load[("east1", 2026)] == approx(4000)
    assert load[("east1", 2027)] == approx(2000)
    per_year = (4000 * 4380 + 6000 * 2628, 2000 * 4380 + 8000 * 2628)
    assert outcome.plan["objective_yi_yuan"] == approx(sum(per_year) / 1e8)


def test_base_year_load_puts_first_year_growth_on_new_racks(tiny: TinyCase) -> None:
    # 12,000 demanded: the racks in place carry only their 10,000 tenants in 2026, so 2,000 new racks
    # are built west (2 亿元 over two years). 2027: 2,000 stay east, 10,000 west.
    outcome = pinned_case(tiny, 12000).solve()
    assert new_racks(outcome, "west1", 2026) == approx(2000)
    assert load_on_new(outcome, "west1", 2026) == approx(2000)
    per_year = (4000 * 4380 + 8000 * 2628, 2000 * 4380 + 10000 * 2628)
    assert outcome.plan["objective_yi_yuan"] == approx(2 + sum(per_year) / 1e8)

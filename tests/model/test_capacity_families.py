"""Rack stock, build limits, capacity and utilisation: tiny cases solved by hand (see conftest)."""

from __future__ import annotations

import pandas as pd

from tests.conftest import TinyCase, approx


def new_racks(outcome, cluster: str, year: int) -> float:
    frame = outcome.results.racks_new
    return float(frame.loc[(frame["cluster"] == cluster) & (frame["year"] == year), "new_racks"].sum())


def dual(outcome, family: str, key: str) -> float:
    frame = outcome.results.duals
    return float(frame.loc[(frame["family"] == family) & (frame["key"] == key), "dual"].iloc[0])


def test_demand_met_all_to_the_cheaper_cluster(tiny: TinyCase) -> None:
    # 10,000 racks at west1 (50k yuan) built in 2026, paid as two yearly annuities: 10 亿元.
    outcome = tiny.solve()
    assert outcome.plan["objective_yi_yuan"] == approx(10.0)
    assert new_racks(outcome, "west1", 2026) == approx(10000)
    assert new_racks(outcome, "east1", 2026) == approx(0)
    assert outcome.plan["unmet_rack_years"] == approx(0)


def test_rack_stock_carries_builds_forward(tiny: TinyCase) -> None:
    # existing 3,000 at west1: build 7,000 in 2026, stock 10,000 in both years.
    outcome = tiny.cluster("west1", racks_existing=3000).solve()
    racks = outcome.results.racks.set_index(["cluster", "year"])["racks"]
    assert racks[("west1", 2026)] == approx(10000)
    assert racks[("west1", 2027)] == approx(10000)
    assert new_racks(outcome, "west1", 2026) == approx(7000)
    assert outcome.plan["objective_yi_yuan"] == approx(7.0)


def test_build_rate_splits_builds(tiny: TinyCase) -> None:
    # west1 can build 6,000/yr: 6,000 x 100k + 4,000 at east1 x 200k = 14 亿元.
    outcome = tiny.cluster("west1", build_max_racks_per_year=6000).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(14.0)
    assert new_racks(outcome, "east1", 2026) == approx(4000)
    # one more west rack in 2026 saves 200k - 100k = 100k yuan
    assert dual(outcome, "build_rate", "west1/2026") == approx(-100000, rel=1e-6)


def test_land_limit_caps_the_stock(tiny: TinyCase) -> None:
    # west1 stock <= 7,000: 7,000 x 100k + 3,000 x 200k = 13 亿元.
    outcome = tiny.cluster("west1", racks_max=7000).solve()
    assert outcome.plan["objective_yi_yuan"] == approx(13.0)
    assert new_racks(outcome, "west1", 2026) == approx(7000)


def test_power_limit_caps_facility_power(tiny: TinyCase) -> None:
    # 5 MW at PUE 1.2 and 1 kW racks: 5000/1.2 = 4,166.67 racks west, the rest east.
    outcome = tiny.cluster("west1", power_max_mw=5, pue=1.2).solve()
    west = 5000 / 1.2
    assert new_racks(outcome, "west1", 2026) == approx(west)
    assert outcome.plan["objective_yi_yuan"] == approx((west * 100000 + (10000 - west) * 200000) / 1e8)


def test_capacity_keeps_a_turnover_reserve(tiny: TinyCase) -> None:
    # 9,000 racks in use at 90 % max utilisation need 10,000 racks: 10 亿元.
    for row in tiny.tables["demand"]:
        if row["hub_id"] == "h1":
            row["demand_racks"] = 9000
    outcome = tiny.set(rack={"utilisation_max": 0.9}).solve()
    assert new_racks(outcome, "west1", 2026) == approx(10000)
    assert outcome.plan["objective_yi_yuan"] == approx(10.0)


def test_utilisation_floor_forces_load_to_the_dearer_cluster(tiny: TinyCase) -> None:
    # 20,000 racks exist at each cluster, demand 15,000; east energy 0.5, west 0.3 yuan/kWh.
    # east floor 65 % -> 13,000 east, 2,000 west: (13,000*4,380 + 2,000*2,628) * 2 years = 1.24392 亿元.
    for row in tiny.tables["demand"]:
        if row["hub_id"] == "h1":
            row["demand_racks"] = 15000
    tiny.cluster("east1", racks_existing=20000, power_price_yuan_per_kwh=0.5, utilisation_min=0.65)
    tiny.cluster("west1", racks_existing=20000, power_price_yuan_per_kwh=0.3)
    outcome = tiny.solve()
    assert outcome.plan["objective_yi_yuan"] == approx(1.24392)
    load = outcome.results.load.groupby("cluster")["load_racks"].sum()
    assert load["east1"] == approx(26000)
    # one rack-year moved east costs (0.5 - 0.3) * 8,760 = 1,752 yuan
    assert dual(outcome, "utilisation_floor", "east1/2026") == approx(1752, rel=1e-6)


def test_build_modules_rounds_up_to_whole_modules(tiny: TinyCase) -> None:
    # 4,000-rack modules: 3 modules = 12,000 racks at west1 = 12 亿元 (a MILP).
    outcome = tiny.set(build_module_racks=4000).solve()
    assert outcome.plan["mip"] is True
    assert new_racks(outcome, "west1", 2026) == approx(12000)
    assert outcome.plan["objective_yi_yuan"] == approx(12.0)
    assert "module counts fixed" in outcome.plan["duals_note"]
    modules = outcome.results.modules
    assert float(modules["modules"].sum()) == approx(3)


def test_class_load_balance_matches_the_load(tiny: TinyCase) -> None:
    outcome = tiny.cluster("west1", build_max_racks_per_year=6000).solve()
    load = outcome.results.load
    by_cluster = load.groupby(["cluster", "year"])["load_racks"].sum()
    util = outcome.results.racks.set_index(["cluster", "year"])["racks"]
    assert isinstance(by_cluster, pd.Series)
    assert by_cluster[("west1", 2026)] == approx(6000)
    assert by_cluster[("east1", 2026)] == approx(4000)
    assert util[("east1", 2027)] == approx(4000)


def test_site_module_size_is_the_sites_own(tiny: TinyCase) -> None:
    # only west1 builds in 3,000-rack modules: 3 modules (9,000 racks, 9 亿元) + 1,000 racks at east1 (2 亿元) = 11 亿元
    # beats 4 modules (12,000 racks, 12 亿元); east1 builds freely (no module rows there).
    outcome = tiny.cluster("east1", build_module_racks="").cluster("west1", build_module_racks=3000).solve()
    assert new_racks(outcome, "west1", 2026) == approx(9000)
    assert new_racks(outcome, "east1", 2026) == approx(1000)
    assert outcome.plan["objective_yi_yuan"] == approx(11.0)
    assert set(outcome.results.modules["cluster"]) == {"west1"}
    assert "module counts fixed" in outcome.plan["duals_note"]


def test_site_opening_cost_decides_whether_the_cheap_site_opens(tiny: TinyCase) -> None:
    # opening west1 costs 3 亿元 overnight, paid as two yearly annuities (life 1 year, rate 0) = 6 亿元:
    # 10,000 racks there (10 亿元) + 6 = 16 亿元 < 20 亿元 at east1, so it opens in 2026.
    outcome = tiny.cluster("east1", open_cost_yuan="").cluster("west1", open_cost_yuan=3e8).solve()
    assert new_racks(outcome, "west1", 2026) == approx(10000)
    assert outcome.plan["objective_yi_yuan"] == approx(16.0)
    opened = outcome.results.racks_new.set_index(["cluster", "year"])["opened"]
    assert opened.to_dict() == {
        ("west1", 2026): approx(1.0),
        ("west1", 2027): approx(0.0),
        ("east1", 2026): 0.0,
        ("east1", 2027): 0.0,
    }
    duals = outcome.results.duals
    assert (duals["family"] == "site_opening").sum() == 2  # duals from the LP with the opening fixed
    # at 6 亿元 overnight (12 亿元 of annuities) west1 stays closed: all 10,000 racks at east1, 20 亿元
    closed = tiny.cluster("west1", open_cost_yuan=6e8).solve()
    assert new_racks(closed, "west1", 2026) == approx(0)
    assert closed.plan["objective_yi_yuan"] == approx(20.0)

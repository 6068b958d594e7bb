"""Links, latency, budgets and shares: tiny cases solved by hand (see conftest)."""

from __future__ import annotations

from tests.conftest import TinyCase, approx, set_rows
from tests.model.test_capacity_families import dual, new_racks


def test_latency_limit_rules_out_the_cheap_cluster(tiny: TinyCase) -> None:
    # real-time work within 5 ms RTT: west1 (20 ms) is not eligible, so 10,000 racks at east1 = 20 亿元.
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, latency_max_rtt_ms=5)
    outcome = tiny.solve()
    assert new_racks(outcome, "east1", 2026) == approx(10000)
    assert outcome.plan["objective_yi_yuan"] == approx(20.0)
    load = outcome.results.load
    assert not (
        (load["hub"] == "h1") & (load["cluster"] == "west1")
    ).any()  # no load column at all for the excluded pair
    assert load.loc[load["hub"] == "h1"].groupby("cluster")["load_racks"].sum().to_dict() == {"east1": approx(20000)}


def traffic_case(tiny: TinyCase) -> TinyCase:
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, gbps_per_rack=0.01)
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, bandwidth_existing_gbps=60)
    return tiny


def test_link_bandwidth_limits_remote_service(tiny: TinyCase) -> None:
    # 60 Gbps at 0.01 Gbps/rack carries 6,000 racks west; 4,000 stay east: 6 + 8 = 14 亿元.
    outcome = traffic_case(tiny).solve()
    assert new_racks(outcome, "west1", 2026) == approx(6000)
    assert outcome.plan["objective_yi_yuan"] == approx(14.0)
    # one more Gbps moves 100 racks west, saving 100 x 100k yuan = 1,000 万元
    assert dual(outcome, "link_bandwidth", "h1/west1/2026") == approx(-1000, rel=1e-6)


def test_link_expansion_limit_and_cost(tiny: TinyCase) -> None:
    # expansion at 1 M yuan/Gbps (two annuities if built in 2026): 40 Gbps -> 0.8 亿元; all west.
    traffic_case(tiny)
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, bandwidth_expansion_max_gbps=1000,
             expansion_capex_yuan_per_gbps=1_000_000)
    outcome = tiny.solve()
    assert new_racks(outcome, "west1", 2026) == approx(10000)
    assert outcome.plan["objective_yi_yuan"] == approx(10.8)
    capped = traffic_case(tiny)
    set_rows(capped.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, bandwidth_expansion_max_gbps=20)
    outcome = capped.solve()
    assert new_racks(outcome, "west1", 2026) == approx(8000)
    assert outcome.plan["objective_yi_yuan"] == approx(8 * 1.0 + 2 * 2.0 + 20 * 2e6 / 1e8)


def test_budget_total_leaves_a_known_shortfall(tiny: TinyCase) -> None:
    # 3 亿元 buys 6,000 west racks; 4,000 racks unmet in both years at 200k: 6 + 16 = 22 亿元.
    outcome = tiny.set(budget={"total_yi_yuan": 3}).solve()
    assert outcome.plan["unmet_rack_years"] == approx(8000)
    assert outcome.plan["objective_yi_yuan"] == approx(22.0)
    # one more 亿元: 2,000 racks that each save 2 x 200k - 100k = 300k yuan -> 6 亿元
    assert dual(outcome, "budget_total", "total") == approx(-6.0, rel=1e-6)
    assert outcome.plan["unmet_by_hub_workload_racks"] == {"h1": {"batch": approx(8000)}}


def test_budget_yearly_delays_builds(tiny: TinyCase) -> None:
    # 3 亿元 in 2026: 6,000 racks then; 4,000 unmet in 2026, built in 2027: 6 + 8 + 2 = 16 亿元.
    outcome = tiny.set(budget={"yearly_yi_yuan": {2026: 3, 2027: 100}}).solve()
    assert new_racks(outcome, "west1", 2027) == approx(4000)
    assert outcome.plan["objective_yi_yuan"] == approx(16.0)
    assert dual(outcome, "budget_yearly", "2026") == approx(-3.0, rel=1e-6)


def test_west_share_pushes_builds_west(tiny: TinyCase) -> None:
    # east cheaper (50k) than west (100k); west >= 30 % of new racks: 7,000 x 100k + 3,000 x 200k = 13 亿元.
    tiny.cluster("east1", capex_yuan_per_rack=50000).cluster("west1", capex_yuan_per_rack=100000)
    outcome = tiny.set(policy={"west_share_min_new_racks": 0.3}).solve()
    assert new_racks(outcome, "west1", 2026) == approx(3000)
    assert outcome.plan["objective_yi_yuan"] == approx(13.0)
    assert outcome.plan["west_share_of_new_racks"] == approx(0.3)


def test_hub_share_reserves_new_racks_for_a_hub(tiny: TinyCase) -> None:
    tiny.cluster("east1", capex_yuan_per_rack=50000).cluster("west1", capex_yuan_per_rack=100000)
    set_rows(tiny.tables["hubs"], {"hub_id": "h2"}, new_racks_share_min=0.3)
    outcome = tiny.solve()
    assert new_racks(outcome, "west1", 2026) == approx(3000)
    assert outcome.plan["objective_yi_yuan"] == approx(13.0)


def test_national_hubs_share_keeps_sixty_percent_of_new_racks_in_the_hubs(tiny: TinyCase) -> None:
    # east1 is a city DC outside the hubs at 50k yuan/rack; west1 (a hub cluster) costs 100k. Without the
    # rule all 10,000 racks go to east1 (2 x 5 = 10 亿元); with the default 60 % rule 6,000 go west:
    # 6,000 x 100k x 2 + 4,000 x 50k x 2 = 16 亿元. One rack less to keep in the hubs saves 2 x 50k = 100k yuan.
    tiny.cluster("east1", capex_yuan_per_rack=50000, in_hubs=False).cluster("west1", capex_yuan_per_rack=100000)
    outcome = tiny.solve()
    assert new_racks(outcome, "west1", 2026) == approx(6000)
    assert outcome.plan["objective_yi_yuan"] == approx(16.0)
    assert abs(dual(outcome, "national_hubs_share", "total")) == approx(100000, rel=1e-6)
    off = tiny.set(policy={"national_hubs_share_min_new_racks": None}).solve()
    assert new_racks(off, "west1", 2026) == approx(0)
    assert off.plan["objective_yi_yuan"] == approx(10.0)


def ai_case(tiny: TinyCase) -> TinyCase:
    """h1 asks for 10,000 standard racks of `batch` (general) and 1 EFLOPS of `ai` (intelligent, 40 kW racks)."""
    tiny.tables["workloads"].append(
        {"workload_id": "ai", "name_zh": "智算", "name_en": "AI", "latency_max_rtt_ms": "", "gbps_per_rack": 0.0}
    )
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, rack_kw="", compute_kind="general")
    set_rows(tiny.tables["workloads"], {"workload_id": "ai"}, rack_kw=40.0, compute_kind="intelligent")
    for row in tiny.tables["demand"]:
        row.update(demand_eflops="")
    tiny.tables["demand"] += [
        {"hub_id": "h1", "workload_id": "ai", "year": y, "demand_racks": "", "demand_eflops": 1.0} for y in (2026, 2027)
    ]
    # 1 PFLOPS per 40 kW rack = 40 standard racks: 1 EFLOPS = 1,000 AI racks = 40,000 standard racks;
    # a general rack delivers 0.001 PFLOPS: 10,000 racks = 0.01 EFLOPS.
    tiny.tables["compute"] = [
        {"workload_id": w, "year": y, "pflops_per_rack": p}
        for w, p in (("batch", 0.001), ("ai", 1.0))
        for y in (2026, 2027)
    ]
    return tiny


def test_demand_in_eflops_becomes_standard_racks_of_the_kind(tiny: TinyCase) -> None:
    # 50,000 standard racks at west1 (50k yuan, two annuities) = 50 亿元; the plan reports EFLOPS and the AI share.
    outcome = ai_case(tiny).solve()
    assert new_racks(outcome, "west1", 2026) == approx(50000)
    assert outcome.plan["objective_yi_yuan"] == approx(50.0)
    assert outcome.plan["compute_eflops_by_year"]["2026"] == approx(1.01)
    assert outcome.plan["intelligent_share_of_compute_by_year"]["2026"] == approx(1.0 / 1.01)


def test_intelligent_share_floor_leaves_general_demand_unserved(tiny: TinyCase) -> None:
    # AI compute is 1 of 1.01 EFLOPS (99.0 %). A 99.5 % floor allows at most 1/0.995 - 1 = 0.005025 EFLOPS of
    # general compute = 5,025.1 racks a year; the rest of the 10,000 general racks is unmet both years.
    outcome = ai_case(tiny).set(policy={"intelligent_share_min": 0.995}).solve()
    allowed = (1.0 / 0.995 - 1.0) / 0.001 * 1000  # standard racks of general compute the floor allows
    assert outcome.plan["unmet_rack_years"] == approx(2 * (10000 - allowed), abs_=0.1)  # plan.json keeps 1 decimal
    assert outcome.plan["objective_yi_yuan"] == approx(
        (40000 + allowed) * 2 * 50000 / 1e8 + 2 * (10000 - allowed) * 200000 / 1e8
    )
    assert outcome.plan["intelligent_share_of_compute_by_year"]["2027"] == approx(0.995)
    # one more PFLOPS of room lets 1/0.995 krack more general racks in 2027, each saving 200k - 50k yuan
    assert abs(dual(outcome, "intelligent_share", "2027")) == approx(1000 / 0.995 * 150000, rel=1e-6)

"""IT-equipment capex (the scenario's `it_capex`): tiny cases solved by hand (see conftest)."""

from __future__ import annotations

import pytest

from planner.errors import InputError
from planner.inputs.read import load_inputs
from tests.conftest import TinyCase, approx, set_rows
from tests.model.test_capacity_families import new_racks


def it_case(tiny: TinyCase) -> TinyCase:
    """h1 asks for 10,000 standard racks of `batch` and 1,000 racks of `ai` (4 kW = 4 standard racks each)."""
    tiny.tables["workloads"].append(
        {"workload_id": "ai", "name_zh": "智算", "name_en": "AI", "latency_max_rtt_ms": "", "gbps_per_rack": 0.0}
    )
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, rack_kw="", it_capex_yuan_per_rack=30000,
             it_lifetime_years=2)
    set_rows(tiny.tables["workloads"], {"workload_id": "ai"}, rack_kw=4.0, it_capex_yuan_per_rack=400000,
             it_lifetime_years=1)
    tiny.tables["demand"] += [
        {"hub_id": h, "workload_id": "ai", "year": y, "demand_racks": 4000 if h == "h1" else 0}
        for h in ("h1", "h2")
        for y in (2026, 2027)
    ]
    return tiny.set(discount_rate=0.1)


def test_it_capex_is_an_annuity_per_rack_in_use_reported_apart(tiny: TinyCase) -> None:
    # Off, the plan counts facility capex only and has no it_capex term.
    off = it_case(tiny).solve()
    assert "it_capex" not in off.plan["cost_breakdown_yi_yuan"]
    on = tiny.set(it_capex=True).solve()
    # batch: 30,000 yuan a rack over 2 years at 10 %: crf = 0.1 / (1 - 1.1^-2) = 0.57619; paid in 2026 and 2027
    #   (discount 1 and 1/1.1): 30,000 x 0.57619 x 1.90909 = 33,000 yuan a rack; x 10,000 racks = 3.3 亿元.
    # ai: 400,000 yuan per 4 kW rack = 100,000 a standard rack over 1 year: crf 1.1; x 1.90909 = 210,000 yuan;
    #   x 4,000 standard racks = 8.4 亿元.
    assert on.plan["cost_breakdown_yi_yuan"]["it_capex"] == approx(3.3 + 8.4)
    # servers cost the same wherever they stand: the racks and the facility capex do not move
    assert on.plan["cost_breakdown_yi_yuan"]["capex"] == approx(off.plan["cost_breakdown_yi_yuan"]["capex"])
    assert new_racks(on, "west1", 2026) == approx(new_racks(off, "west1", 2026))
    assert on.plan["objective_yi_yuan"] == approx(off.plan["objective_yi_yuan"] + 11.7)
    # undiscounted annuities by year: 2026 = 10,000 x 17,285.7 + 4,000 x 110,000 = 6.1286 亿元; all at hub h2 (west1)
    assert on.plan["it_capex_by_year_yi_yuan"]["2026"] == approx(10000 * 30000 * 0.1 / (1 - 1.1**-2) / 1e8 + 4.4)
    assert on.plan["it_capex_by_hub_yi_yuan"]["h2"] == approx(on.plan["it_capex_total_yi_yuan"])
    assert "investment_total_yi_yuan" in on.plan
    assert on.plan["investment_total_yi_yuan"] == approx(off.plan["investment_total_yi_yuan"])  # facility only


def test_servers_dearer_than_the_shortfall_leave_demand_unmet(tiny: TinyCase) -> None:
    # No discounting. batch: 500,000 yuan of servers a rack over 1 year = 500,000 a rack-year, above the 200,000
    # penalty, so its 10,000 racks go unmet in both years (40 亿元); ai (servers free here) is served at west1:
    # 4,000 standard racks x 50,000 yuan x 2 annuities = 4 亿元. Off: all 14,000 racks at west1 = 14 亿元.
    it_case(tiny).set(discount_rate=0.0)
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, it_capex_yuan_per_rack=500000, it_lifetime_years=1)
    set_rows(tiny.tables["workloads"], {"workload_id": "ai"}, it_capex_yuan_per_rack=0)
    assert tiny.solve().plan["objective_yi_yuan"] == approx(14.0)
    on = tiny.set(it_capex=True).solve()
    assert on.plan["unmet_rack_years"] == approx(20000)
    assert on.plan["objective_yi_yuan"] == approx(44.0)
    assert on.plan["cost_breakdown_yi_yuan"]["it_capex"] == approx(0.0)


def test_it_capex_needs_every_class_priced_and_a_facility_capex(tiny: TinyCase) -> None:
    tiny.set(it_capex=True)
    with pytest.raises(InputError) as info:
        load_inputs(tiny.write())
    said = [str(p) for p in info.value.problems]
    assert any("workloads.csv:2: it_capex_yuan_per_rack:" in p and "'batch'" in p for p in said), said
    assert any("workloads.csv:2: it_lifetime_years:" in p for p in said), said
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, it_capex_yuan_per_rack=1, it_lifetime_years=5)
    tiny.set(capex_basis="facility_and_it")
    with pytest.raises(InputError, match="count the servers twice"):
        load_inputs(tiny.write())


def test_verify_recomputes_it_capex_from_the_load(tiny: TinyCase) -> None:
    # Servers 30,000 yuan a rack over 1 year, no discounting. 1,000 racks more in use at west1 in 2026 than the
    # plan's IT capex paid for: verify finds the term 1,000 x 30,000 = 0.3 亿元 off (and the load's other rows).
    from planner.verify.check import verify_outputs
    from tests.test_verify import edit_csv, sizes

    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, it_capex_yuan_per_rack=30000, it_lifetime_years=1)
    out = tiny.set(it_capex=True).solve().out_dir
    edit_csv(out / "load.csv", {"hub": "h1", "cluster": "west1", "year": 2026}, "load_racks", 11000)
    assert sizes(verify_outputs(out), "cost_terms") == {"it_capex": approx(0.3)}

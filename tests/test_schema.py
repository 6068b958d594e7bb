"""One test per validation rule: the good case passes; each bad case is an InputError naming file:row: column."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import InputError
from planner.inputs.read import load_inputs
from tests.conftest import TinyCase, set_rows


def problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_inputs(folder)
    return [str(p) for p in info.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_tiny_case_is_valid(tiny: TinyCase) -> None:
    inputs = load_inputs(tiny.write())
    assert [c.cluster_id for c in inputs.clusters] == ["east1", "west1"]
    assert inputs.scenario.years.last == 2027


def test_missing_column_names_file_and_column(tiny: TinyCase) -> None:
    folder = tiny.write()
    path = folder / "workloads.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:-1]) for line in lines) + "\n")
    found = problems(folder)
    assert any("workloads.csv:1:" in p and "missing column 'gbps_per_rack'" in p for p in found), found


def test_unknown_column_suggests_the_right_one(tiny: TinyCase) -> None:
    folder = tiny.write()
    edit(folder / "links.csv", "rtt_ms", "rtt_msec")
    found = problems(folder)
    assert any("links.csv:1:" in p and "unknown column 'rtt_msec'; did you mean 'rtt_ms'?" in p for p in found), found


def test_text_in_a_numeric_cell_names_row_column_and_value(tiny: TinyCase) -> None:
    tiny.cluster("west1", capex_yuan_per_rack="abc")
    found = problems(tiny.write())
    assert found == [
        "{}/clusters.csv:3: capex_yuan_per_rack: 'abc' - Input should be a valid number, unable to parse string as a "
        "number (in yuan/rack)".format(
            tiny.root / "case1"
        )
    ]


def test_negative_and_out_of_range_values(tiny: TinyCase) -> None:
    tiny.cluster("east1", racks_existing=-5, wind_cf=1.5)
    found = problems(tiny.write())
    assert any(
        "clusters.csv:2: racks_existing: '-5' - Input should be greater than or equal to 0" in p for p in found
    ), found
    assert any("clusters.csv:2: wind_cf: '1.5' - Input should be less than or equal to 1" in p for p in found), found


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_nan_and_infinity_are_rejected(tiny: TinyCase, value: str) -> None:
    tiny.cluster("east1", pue=value)
    found = problems(tiny.write())
    assert any("clusters.csv:2: pue:" in p for p in found), found


def test_duplicate_keys(tiny: TinyCase) -> None:
    tiny.tables["links"].append(dict(tiny.tables["links"][0]))
    found = problems(tiny.write())
    assert any("links.csv:6:" in p and "duplicate row for hub_id=h1, cluster_id=east1" in p for p in found), found


def test_unknown_id_suggests_the_right_one(tiny: TinyCase) -> None:
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, cluster_id="wset1")
    found = problems(tiny.write())
    assert any(
        "links.csv:3: cluster_id: 'wset1' - unknown cluster id (not in clusters.csv); did you mean 'west1'?" in p
        for p in found
    ), found


def test_invalid_id_pattern(tiny: TinyCase) -> None:
    set_rows(tiny.tables["clusters"], {"cluster_id": "west1"}, cluster_id="West-1")
    found = problems(tiny.write())
    assert any("clusters.csv:3: cluster_id: 'West-1' - String should match pattern" in p for p in found), found


def test_demand_year_outside_the_horizon(tiny: TinyCase) -> None:
    tiny.tables["demand"].append({"hub_id": "h1", "workload_id": "batch", "year": 2031, "demand_racks": 5})
    found = problems(tiny.write())
    assert any("demand.csv:6: year: 2031 - year outside the planning horizon 2026-2027" in p for p in found), found


def test_every_hub_needs_demand_rows_for_every_year(tiny: TinyCase) -> None:
    tiny.tables["demand"] = [r for r in tiny.tables["demand"] if not (r["hub_id"] == "h2" and r["year"] == 2027)]
    found = problems(tiny.write())
    assert any("no demand rows for hub/year: h2 2027" in p for p in found), found


def test_a_class_no_cluster_can_serve_within_its_latency(tiny: TinyCase) -> None:
    set_rows(tiny.tables["workloads"], {"workload_id": "batch"}, latency_max_rtt_ms=0.5)
    found = problems(tiny.write())
    assert any(
        "workload 'batch' at hub 'h1' needs RTT <= 0.5 ms but no linked cluster is that close (nearest: east1 at 1 ms)"
        in p
        for p in found
    ), found


def test_pue_above_its_cap(tiny: TinyCase) -> None:
    tiny.cluster("east1", pue=1.4, pue_max=1.25)
    found = problems(tiny.write())
    assert any("clusters.csv:2: pue: 1.4 - PUE above the cluster's cap pue_max=1.25" in p for p in found), found


def test_existing_racks_above_the_land_limit(tiny: TinyCase) -> None:
    tiny.cluster("east1", racks_existing=500, racks_max=100)
    found = problems(tiny.write())
    assert any("clusters.csv:2: racks_existing: 500.0 - existing racks exceed racks_max=100" in p for p in found), found


def test_negative_budget_names_the_yaml_line(tiny: TinyCase) -> None:
    tiny.set(budget={"total_yi_yuan": -5})
    folder = tiny.write()
    line = next(
        i for i, text in enumerate((folder / "scenario.yaml").read_text().splitlines(), 1) if "total_yi_yuan" in text
    )
    found = problems(folder)
    assert found == [
        f"{folder}/scenario.yaml:{line}: budget.total_yi_yuan: -5 - Input should be greater than or equal to 0"
    ]


def test_unknown_scenario_setting(tiny: TinyCase) -> None:
    tiny.set(policy={"utilisation_minimum": 0.5})
    found = problems(tiny.write())
    assert any("policy.utilisation_minimum" in p and "unknown setting" in p for p in found), found


def test_yaml_syntax_error_names_the_line(tiny: TinyCase) -> None:
    folder = tiny.write()
    (folder / "scenario.yaml").write_text("name: tiny\nyears: {first: 2026, last: 2027\n", encoding="utf-8")
    found = problems(folder)
    assert len(found) == 1, found
    assert "scenario.yaml:" in found[0], found
    assert "not valid YAML" in found[0], found


def test_yearly_mapping_must_cover_the_horizon(tiny: TinyCase) -> None:
    tiny.set(budget={"yearly_yi_yuan": {2026: 5, 2030: 5}})
    found = problems(tiny.write())
    assert any("budget.yearly_yi_yuan: 2030 - year outside the planning horizon" in p for p in found), found
    assert any("no value for year(s) 2027" in p for p in found), found


def test_missing_and_empty_files(tiny: TinyCase) -> None:
    folder = tiny.write()
    (folder / "links.csv").unlink()
    (folder / "hubs.csv").write_text("", encoding="utf-8")
    (folder / "workloads.csv").write_text(
        "workload_id,name_zh,name_en,latency_max_rtt_ms,gbps_per_rack\n", encoding="utf-8"
    )
    found = problems(folder)
    assert any("links.csv: missing table" in p for p in found), found
    assert any("hubs.csv: file is empty" in p for p in found), found
    assert any("workloads.csv: table has a header but no rows" in p for p in found), found


def test_byte_order_mark_is_accepted_and_other_encodings_are_named(tiny: TinyCase) -> None:
    folder = tiny.write()
    path = folder / "clusters.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_inputs(folder).clusters[0].name_zh == "东集群"
    path.write_bytes(path.read_bytes()[3:].decode("utf-8").encode("gbk"))
    found = problems(folder)
    assert any("clusters.csv:2: file is not UTF-8 text" in p for p in found), found


def test_profiles_must_cover_8760_hours_for_every_cluster(tiny: TinyCase) -> None:
    tiny.tables["profiles"] = [
        {
            "cluster_id": c,
            "slice_id": s,
            "weight_hours": 4380 if c == "east1" else 4000,
            "wind_cf": 0.2,
            "solar_cf": 0.1,
            "hydro_cf": 0,
        }
        for c in ("east1", "west1")
        for s in ("day", "night")
    ]
    found = problems(tiny.write())
    assert any("weight_hours of cluster 'west1' sum to 8000; expected 8760" in p for p in found), found


def test_all_problems_are_reported_together(tiny: TinyCase) -> None:
    tiny.cluster("west1", capex_yuan_per_rack="abc")
    set_rows(tiny.tables["links"], {"hub_id": "h2", "cluster_id": "east1"}, cluster_id="eats1")
    tiny.set(budget={"total_yi_yuan": -1})
    folder = tiny.write()
    edit(folder / "hubs.csv", "region", "regoin")
    found = problems(folder)
    assert len(found) == 5, found  # bad cell, unknown id, negative budget, unknown + missing column

"""Scenario overlays: deep-merged settings, match/set/scale row patches, order, and located errors."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.inputs.read import load_inputs
from tests.conftest import TinyCase

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def overlay(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(case: Path, *overlays: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_inputs(case, list(overlays))
    return [str(p) for p in caught.value.problems]


def test_set_deep_merges_into_the_scenario(tiny: TinyCase, tmp_path: Path) -> None:
    tiny.set(budget={"total_yi_yuan": 50, "yearly_yi_yuan": 30}, policy={"utilisation_min": 0.1})
    case = tiny.write()
    path = overlay(
        tmp_path, "cut", "name: cut\nset:\n  budget: {total_yi_yuan: 35}\n  policy: {carbon_price_yuan_per_t: 200}\n"
    )
    s = load_inputs(case, [path]).scenario
    assert s.name == "cut"
    assert s.budget.total_yi_yuan == 35
    assert s.budget.yearly_yi_yuan == 30
    assert s.policy.carbon_price_yuan_per_t == 200
    assert s.policy.utilisation_min == 0.1
    assert s.years.first == 2026  # untouched sections stay


def test_match_set_and_scale_patch_only_the_matching_rows(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    path = overlay(tmp_path, "rows", """\
tables:
  clusters:
    - match: {cluster_id: west1}
      set: {pue: 1.15, racks_max: 4000}
  demand:
    - match: {hub_id: h1, year: 2027}
      scale: {demand_racks: 1.5}
  links:
    - match: {hub_id: h1, cluster_id: [east1, west1]}
      scale: {bandwidth_existing_gbps: 0.25}
""")
    inputs = load_inputs(case, [path])
    clusters = {c.cluster_id: c for c in inputs.clusters}
    assert clusters["west1"].pue == 1.15
    assert clusters["west1"].racks_max == 4000
    assert clusters["east1"].pue == 1.0
    assert clusters["east1"].racks_max is None
    demand = {(d.hub_id, d.year): d.demand_racks for d in inputs.demand}
    assert demand == {("h1", 2026): 10000, ("h1", 2027): 15000, ("h2", 2026): 0, ("h2", 2027): 0}
    links = {(lk.hub_id, lk.cluster_id): lk.bandwidth_existing_gbps for lk in inputs.links}
    assert links == {("h1", "east1"): 250000, ("h1", "west1"): 250000, ("h2", "east1"): 1e6, ("h2", "west1"): 1e6}


def test_empty_match_selects_every_row_and_blank_cells_stay_blank(tiny: TinyCase, tmp_path: Path) -> None:
    tiny.cluster("east1", racks_max=3000)
    case = tiny.write()
    path = overlay(
        tmp_path,
        "all",
        "tables:\n  clusters:\n    - match: {}\n      scale: {racks_max: 2, capex_yuan_per_rack: 0.5}\n",
    )
    clusters = {c.cluster_id: c for c in load_inputs(case, [path]).clusters}
    assert clusters["east1"].racks_max == 6000
    assert clusters["west1"].racks_max is None
    assert clusters["east1"].capex_yuan_per_rack == 50000
    assert clusters["west1"].capex_yuan_per_rack == 25000


def test_overlays_apply_in_order(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    a = overlay(
        tmp_path,
        "a",
        "name: a\nset: {policy: {carbon_price_yuan_per_t: 100}}\ntables:\n  clusters:\n    - match: {cluster_id: "
        "east1}\n      set: {pue: 1.1}\n",
    )
    b = overlay(
        tmp_path,
        "b",
        "name: b\nset: {policy: {carbon_price_yuan_per_t: 200}}\ntables:\n  clusters:\n    - match: {cluster_id: "
        "east1}\n      scale: {pue: 1.1}\n",
    )
    ab, ba = load_inputs(case, [a, b]), load_inputs(case, [b, a])
    assert ab.scenario.name == "b"
    assert ab.scenario.policy.carbon_price_yuan_per_t == 200
    assert ba.scenario.name == "a"
    assert ba.scenario.policy.carbon_price_yuan_per_t == 100
    east_ab = next(c for c in ab.clusters if c.cluster_id == "east1")
    east_ba = next(c for c in ba.clusters if c.cluster_id == "east1")
    assert east_ab.pue == pytest.approx(1.21)  # set 1.1, then scaled by 1.1
    assert east_ba.pue == pytest.approx(1.1)  # scaled 1.0 -> 1.1, then set to 1.1


def test_unknown_key_table_column_and_id_are_located_in_the_overlay(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    path = overlay(tmp_path, "bad", """\
name: bad
sett: {budget: {total_yi_yuan: 1}}
tables:
  cluster:
    - match: {cluster_id: east1}
      set: {pue: 1.1}
  clusters:
    - match: {cluster_id: east1}
      set: {puee: 1.1}
    - match: {cluster_id: east9}
      set: {pue: 1.1}
    - match: {cluster_id: east1}
      scale: {name_en: 2}
""")
    problems = problems_of(case, path)
    assert problems == [
        f"{path}:2: 'sett' - unknown overlay key; did you mean 'set'?",
        f"{path}:4: 'cluster' - unknown table; did you mean 'clusters'?",
        f"{path}:8: 'puee' - unknown column of clusters.csv; did you mean 'pue'?",
        f"{path}:10: no row of clusters.csv matches cluster_id=east9; check the ids",
        f"{path}:12: cannot scale name_en by 2: the factor and the cells must be numbers",
    ]


def test_bad_settings_and_cells_point_at_the_overlay_line(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    path = overlay(tmp_path, "values", """\
set:
  policy:
    carbon_price_yuan_per_t: -5
    carbon_prize: 3
tables:
  clusters:
    - match: {cluster_id: west1}
      set: {pue: 7}
""")
    problems = problems_of(case, path)
    assert f"{path}:3: policy.carbon_price_yuan_per_t: -5 - Input should be greater than or equal to 0" in problems
    assert f"{path}:4: policy.carbon_prize: 3 - unknown setting; check the spelling against docs/inputs.md" in problems
    assert any(
        p.startswith(f"{case / 'clusters.csv'}:3: pue: '7' - Input should be less than or equal to 3")
        and f"(value set by {path}:7)" in p
        for p in problems
    )


def test_base_of_another_case_only_warns(tiny: TinyCase, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    case = tiny.write()
    path = overlay(tmp_path, "other", "base: inputs/default\nset: {policy: {carbon_price_yuan_per_t: 1}}\n")
    with caplog.at_level(logging.WARNING):
        load_inputs(case, [path])
    assert "was written for base case 'inputs/default'" in caplog.text
    caplog.clear()
    same = overlay(tmp_path, "same", f"base: {case}\n")
    with caplog.at_level(logging.WARNING):
        load_inputs(case, [same])
    assert caplog.text == ""


def test_cli_applies_several_scenarios_in_order(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    # west1 at twice east1's capex makes east1 the cheaper site: 10,000 racks x 100,000 yuan x 2 years = 20 亿元
    a = overlay(
        tmp_path,
        "a",
        "name: a\ntables:\n  clusters:\n    - match: {cluster_id: west1}\n      set: {capex_yuan_per_rack: 200000}\n",
    )
    b = overlay(
        tmp_path, "b", "name: b\ntables:\n  demand:\n    - match: {hub_id: h1}\n      scale: {demand_racks: 0.5}\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(case), "--scenario", str(a), "--scenario", str(b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["case"] == "b"
    assert plan["objective_yi_yuan"] == pytest.approx(10.0)  # 5,000 racks at east1: 5,000 x 100,000 x 2 = 10 亿元
    assert plan["new_racks_by_cluster"] == {"east1": 5000.0, "west1": 0.0}


def test_cli_bad_overlay_exits_2_and_writes_nothing(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    bad = overlay(tmp_path, "bad", "tables:\n  clusters:\n    - match: {cluster_id: nowhere}\n      set: {pue: 1.1}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(case), "--scenario", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert f"{bad}:3: no row of clusters.csv matches cluster_id=nowhere" in result.output
    assert not out.exists()


EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


OVERLAY_EXAMPLES = [
    p for p in EXAMPLES if not p.name.startswith("sweep_") and "\nstochastic:" not in p.read_text(encoding="utf-8")
]


@pytest.mark.parametrize("path", OVERLAY_EXAMPLES, ids=lambda p: p.stem)
def test_every_example_overlay_validates_against_the_default_case(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Question:"), "each example says at the top what question it answers"
    inputs = load_inputs(ROOT / "inputs" / "default", [path])
    assert inputs.scenario.name == path.stem


def test_an_add_patch_appends_a_row_and_names_a_bad_column(tmp_path: Path) -> None:
    inputs = load_inputs(ROOT / "inputs" / "default", [ROOT / "examples" / "outside_hubs.yaml"])
    outside = [c.cluster_id for c in inputs.clusters if not c.in_hubs]
    assert outside == ["beijing_city", "shanghai_city", "shenzhen_city", "chengdu_city"]
    assert len(inputs.clusters) == 14
    assert len(inputs.links) == 84
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "base: inputs/default\ntables:\n  links:\n    - add: {hub_id: jingjinji, cluster_idd: zhangjiakou}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="cluster_idd"):
        load_inputs(ROOT / "inputs" / "default", [bad])


def test_description_zh_is_an_overlay_key_that_changes_no_setting(tiny: TinyCase, tmp_path: Path) -> None:
    case = tiny.write()
    plain = overlay(tmp_path, "plain", "name: cut\ndescription: Cut.\nset:\n  budget: {total_yi_yuan: 35}\n")
    text = "name: cut\ndescription: Cut.\ndescription_zh: 削减。\nset:\n  budget: {total_yi_yuan: 35}\n"
    zh = overlay(tmp_path, "zh", text)
    assert load_inputs(case, [zh]).scenario == load_inputs(case, [plain]).scenario
    typo = overlay(tmp_path, "typo", "name: cut\ndescription_cn: 削减。\n")
    assert problems_of(case, typo)[0].startswith(f"{typo}:2: 'description_cn' - unknown overlay key")


def test_every_overlay_example_has_a_chinese_description() -> None:
    import re

    import yaml

    from planner.web.store import examples

    listed = examples()
    assert len(listed) >= 15
    for e in listed:
        data = yaml.safe_load((ROOT / "examples" / f"{e['name']}.yaml").read_text(encoding="utf-8"))
        assert re.search(r"[\u4e00-\u9fff]", str(data.get("description_zh", ""))), e["name"]
        assert e["description_zh"] == data["description_zh"]

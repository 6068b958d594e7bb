"""`update_data` (a what-if's ModelData from the kept one) equals `build_data` of the changed case, field by field."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from planner.inputs.overlay import apply_patch
from planner.inputs.read import read_raw, validate
from planner.model.data import UPDATES, ModelData, build_data, input_changes, update_data

ROOT = Path(__file__).resolve().parents[2]

CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("scenario.budget.total_yi_yuan", {"set": {"budget": {"total_yi_yuan": 3000.0}}}),
    ("scenario.budget.yearly_yi_yuan", {"set": {"budget": {"yearly_yi_yuan": 900.0}}}),
    ("scenario.policy.green_share_min_new", {"set": {"policy": {"green_share_min_new": 0.93}}}),
    ("scenario.policy.certificate_share_max", {"set": {"policy": {"certificate_share_max": 0.2}}}),
    ("scenario.policy.west_share_min_new_racks", {"set": {"policy": {"west_share_min_new_racks": 0.7}}}),
    ("scenario.policy.carbon_price_yuan_per_t", {"set": {"policy": {"carbon_price_yuan_per_t": 217.5}}}),
    ("scenario.policy.utilisation_min", {"set": {"policy": {"utilisation_min": 0.71}}}),
    ("scenario.policy.utilisation_min_scope", {"set": {"policy": {"utilisation_min_scope": "new_racks"}}}),
    ("scenario.policy.utilisation_min_from_year", {"set": {"policy": {"utilisation_min_from_year": 2029}}}),
    (
        "clusters.capex_yuan_per_rack",
        {"tables": {"clusters": [{"match": {"cluster_id": "qingyang"}, "set": {"capex_yuan_per_rack": 61234.5}}]}},
    ),
    ("demand.demand_racks", {"tables": {"demand": [{"match": {}, "scale": {"demand_racks": 1.137}}]}}),
]


def assert_same_data(a: ModelData, b: ModelData) -> None:
    """Every field equal: values exactly, dtypes, index and series names."""
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, check_exact=True, obj=f.name)
        elif isinstance(x, pd.Index):
            pd.testing.assert_index_equal(x, y, exact=True, check_exact=True, obj=f.name)
        else:
            assert x == y, f.name


@pytest.fixture(scope="module")
def base() -> tuple[Any, Any, ModelData]:
    raw = read_raw(ROOT / "inputs" / "default")
    inputs = validate(raw)
    return raw, inputs, build_data(inputs)


def test_every_update_is_tested() -> None:
    assert {key for key, _ in CHANGES} | {"scenario.name", "scenario.description"} == set(UPDATES)


@pytest.mark.parametrize(("key", "patch"), CHANGES, ids=[key for key, _ in CHANGES])
def test_update_equals_a_fresh_build(base: tuple[Any, Any, ModelData], key: str, patch: dict[str, Any]) -> None:
    raw, inputs, data = base
    new = validate(apply_patch(raw, patch, "test"))
    assert input_changes(inputs, new) == {key}
    updated = update_data(data, inputs, new)
    assert updated is not None
    fresh = build_data(new)
    assert_same_data(updated[0], fresh)
    moved = {f.name for f in fields(data) if not _same(getattr(data, f.name), getattr(fresh, f.name))}
    assert moved, "the change should move some field"
    assert moved <= updated[1]


def _same(x: object, y: object) -> bool:
    return bool(x.equals(y)) if isinstance(x, pd.Series | pd.Index) else x == y


def test_a_change_it_does_not_know_is_left_to_build_data(base: tuple[Any, Any, ModelData]) -> None:
    raw, inputs, data = base
    hubs = validate(apply_patch(raw, {"tables": {"hubs": [{"match": {}, "set": {"new_racks_share_min": 0.01}}]}}, "t"))
    assert input_changes(inputs, hubs) == {"hubs.new_racks_share_min"}
    assert update_data(data, inputs, hubs) is None
    both = {"set": {"discount_rate": 0.05, "policy": {"carbon_price_yuan_per_t": 100.0}}}
    assert update_data(data, inputs, validate(apply_patch(raw, both, "t"))) is None
    same = update_data(data, inputs, inputs)  # nothing changed: the kept data itself, nothing recomputed
    assert same is not None
    # field by field the kept objects themselves (== on a ModelData would compare arrays: not a yes or no)
    assert all(getattr(same[0], f.name) is getattr(data, f.name) for f in fields(data))
    assert same[1] == set()

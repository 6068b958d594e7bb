"""Row structure: the rows a family creates, by label, sense, coefficients and right-hand side."""

from __future__ import annotations

from pathlib import Path

import pulp
import pytest

from planner.inputs.read import load_inputs
from planner.model import build_model
from planner.model.data import build_data
from tests.conftest import TinyCase, set_rows


def rows(built, family: str) -> dict[str, tuple[int, dict[str, float], float]]:
    """label -> (sense, {variable name: coefficient}, rhs) for one family."""
    out = {}
    for label in built.model.labels(family):
        con = built.model.prob.get_constraint_by_name(label)
        out[label] = (con.sense, {v.name: c for v, c in con.items()}, -con.constant)
    return out


@pytest.fixture
def built(tmp_path):
    # a pure build: no hand-off path involved, so one run (the package's `tiny` fixture runs twice)
    tiny = TinyCase(tmp_path)
    tiny.set(rack={"utilisation_max": 0.9, "power_kw": 2.5, "it_load_factor": 0.8}, policy={"green_share_min_new": 0.8})
    tiny.cluster("west1", racks_existing=3000, pue=1.2)
    set_rows(tiny.tables["links"], {"hub_id": "h1", "cluster_id": "west1"}, bandwidth_expansion_max_gbps=50)
    return build_model(build_data(load_inputs(tiny.write())))


def test_rack_stock_rows(built) -> None:
    got = rows(built, "rack_stock")
    assert got["rack_stock__west1__2026"] == (
        pulp.LpConstraintEQ,
        {"racks__west1__2026": 1.0, "racks_new__west1__2026": -1.0},
        3.0,
    )
    assert got["rack_stock__west1__2027"] == (
        pulp.LpConstraintEQ,
        {"racks__west1__2027": 1.0, "racks_new__west1__2027": -1.0, "racks__west1__2026": -1.0},
        0.0,
    )


def test_capacity_rows(built) -> None:
    sense, coefs, rhs = rows(built, "capacity")["capacity__west1__2026"]
    assert sense == pulp.LpConstraintLE
    assert coefs == {"class_load__batch__west1__2026": 1.0, "racks__west1__2026": -0.9}
    assert rhs == 0.0


def test_green_share_rows(built) -> None:
    # e_new = pue 1.2 x 2.5 kW x 0.8 x 8760 h / 1000 = 21.024 GWh per krack-year; x 0.8 floor
    sense, coefs, _rhs = rows(built, "green_share")["green_share__west1__2027"]
    assert sense == pulp.LpConstraintGE
    assert coefs["renewable__west1__2027__year"] == 1.0
    assert coefs["certificates__west1__2027"] == 1.0
    assert coefs["new_load__west1__2027"] == pytest.approx(-0.8 * 21.024)


def test_new_load_rows(built) -> None:
    sense, coefs, rhs = rows(built, "new_load")["new_load__west1__2026"]
    assert sense == pulp.LpConstraintGE
    assert coefs == {"new_load__west1__2026": 1.0, "class_load__batch__west1__2026": -1.0}
    assert rhs == pytest.approx(-0.9 * 3.0)


def test_link_bandwidth_rows_accumulate_expansion(built) -> None:
    got = rows(built, "link_bandwidth")
    sense, coefs, rhs = got["link_bandwidth__h1__west1__2027"]
    assert sense == pulp.LpConstraintLE
    assert coefs == {
        "bandwidth_new__h1__west1__2026": -1.0,
        "bandwidth_new__h1__west1__2027": -1.0,
    }  # zero traffic: no load term
    assert rhs == 1e6


def test_power_balance_rows(built) -> None:
    # it = 2.5 kW x 0.8 x 8760 h / 1000 = 17.52 GWh per krack; x pue 1.2 = 21.024
    sense, coefs, rhs = rows(built, "power_balance")["power_balance__west1__2026__year"]
    assert sense == pulp.LpConstraintEQ
    assert coefs == pytest.approx(
        {"grid__west1__2026__year": 1.0, "renewable__west1__2026__year": 1.0, "class_load__batch__west1__2026": -21.024}
    )
    assert rhs == 0.0


def test_labels_are_unique_across_the_model(built) -> None:
    labels = [label for family in built.model.rows for label in built.model.labels(family)]
    assert len(labels) == len(set(labels))
    names = [v.name for v in built.model.prob.variables()]
    assert len(names) == len(set(names))


FAMILY_MODULES = ("capacity", "demand", "energy", "network", "objective", "policy", "storage", "expressions")


@pytest.mark.parametrize("module", FAMILY_MODULES)
def test_families_use_the_helpers_not_hand_built_terms_or_filters(module) -> None:
    # rows come from _lp.terms/align/broadcast/running_total; subsets from _lp.subset (written once)
    source = (Path(__file__).resolve().parents[2] / "planner" / "model" / f"{module}.py").read_text(encoding="utf-8")
    assert "Terms(" not in source
    assert ".isin(" not in source
    assert "shift(1)" not in source or module == "expressions"  # stock accounting: expressions.stock_accounting

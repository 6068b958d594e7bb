"""The array model: CSR assembly, the PuLP view of the same rows, and solutions on both paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.config import RunConfig
from planner.model import _lp
from planner.solver.solve import Status, solve


def small_model() -> tuple[_lp.Model, pd.Series]:
    """min x0 + 2 x1 + 3 x2  s.t.  x0 + x1 >= 4 (stated as two terms on x0: 0.5 + 0.5), x1 + x2 >= 3, x <= 10."""
    m = _lp.new_model("small")
    x = m.add_vars("x", pd.Index(["a", "b", "c"], name="item"), ub=10.0)
    keys = pd.DataFrame({"row": ["r1", "r1", "r1", "r2", "r2", "r2"]})
    var = x.to_numpy()[[0, 0, 1, 1, 2, 0]]
    coef = np.array([0.5, 0.5, 1.0, 1.0, 1.0, 0.0])
    m.add_rows(
        "cover", _lp.Terms(keys, var, coef), ">=", pd.Series([4.0, 3.0], index=pd.Index(["r1", "r2"], name="row"))
    )
    m.set_objective({"cost": _lp.terms(x, by=[], coef=pd.Series([1.0, 2.0, 3.0], index=x.index))})
    return m, x


def test_matrix_merges_duplicates_and_drops_zeros() -> None:
    m, _ = small_model()
    starts, col, val = m.matrix()
    assert starts.tolist() == [0, 2, 4]
    assert col.tolist() == [0, 1, 1, 2]
    assert val.tolist() == [1.0, 1.0, 1.0, 1.0]
    assert m.nonzeros == 6  # as stated, before merging


def test_pulp_view_has_the_same_rows() -> None:
    m, _ = small_model()
    rows = {c.name: ({v.name: a for v, a in c.items()}, c.constant, c.sense) for c in m.prob.constraints()}
    assert rows["cover__r1"] == ({"x__a": 1.0, "x__b": 1.0}, -4.0, 1)
    assert rows["cover__r2"] == ({"x__b": 1.0, "x__c": 1.0}, -3.0, 1)


@pytest.mark.parametrize("interface", ["direct", "pulp"])
def test_both_paths_give_the_hand_solution(interface: str) -> None:
    # x1 = 3 covers r2 cheaper than x2 and helps r1: x0 = 1, x1 = 3, cost 1 + 6 = 7; duals 1 and 1.
    m, x = small_model()
    result = solve(m, RunConfig(interface=interface))
    assert result.status == Status.OPTIMAL
    assert result.objective == pytest.approx(7.0)
    assert _lp.values(m, x).tolist() == pytest.approx([1.0, 3.0, 0.0])
    dual, slack = _lp.row_duals(m)["cover"]
    assert dual.tolist() == pytest.approx([1.0, 1.0])
    assert slack.tolist() == pytest.approx([0.0, 0.0])



def test_the_model_and_the_resolvers_recorder_are_both_builders(tmp_path) -> None:
    from planner import load_inputs
    from planner.model import DataReads, build_model
    from planner.model.data import ModelData, build_data
    from planner.scenarios.resolve import Recorder
    from tests.conftest import TinyCase

    built = build_model(build_data(load_inputs(TinyCase(tmp_path).write())))
    assert isinstance(built.model, _lp.Builder)
    assert isinstance(Recorder(built.model, built.vars), _lp.Builder)
    reads = DataReads(built.data)
    assert isinstance(reads, ModelData)
    assert reads.years.equals(built.data.years)
    assert reads.fields_read == {"years"}


def test_broadcast_subset_and_running_total() -> None:
    m = _lp.new_model("helpers")
    cy = pd.MultiIndex.from_product([["a", "b"], [2026, 2027]], names=["cluster", "year"])
    x = m.add_vars("x", cy)
    spread = _lp.broadcast(x, pd.Index(["noon", "night"], name="slice"))
    assert list(spread.index.names) == ["cluster", "year", "slice"]
    assert spread.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert spread.index[1] == ("a", 2026, "night")
    assert _lp.subset(x, pd.Index(["b"])).tolist() == [2, 3]
    assert _lp.subset(x, pd.Index([2027]), level="year").tolist() == [1, 3]
    total = _lp.running_total(x, "year", pd.Index([2026, 2027]))
    rows = sorted(zip(map(tuple, total.keys.to_numpy().tolist()), total.var.tolist(), strict=True))
    assert rows == [
        (("a", 2026), 0),
        (("a", 2027), 0),
        (("a", 2027), 1),
        (("b", 2026), 2),
        (("b", 2027), 2),
        (("b", 2027), 3),
    ]

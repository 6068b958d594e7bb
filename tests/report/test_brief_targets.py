"""The brief's first screen says what the model does now: floors judged from their start year, compute, scope."""

from __future__ import annotations

from planner.report import brief
from planner.report.glossary import Lang
from planner.report.tables import make_view
from planner.results.plan_folder import read_plan_folder
from tests.conftest import TinyCase, set_rows


def _targets(tiny: TinyCase, lang: str) -> dict[str, tuple[str, str]]:
    """Target -> (plan, verdict) of the brief's target table, solved and read back from the plan folder."""
    outcome = tiny.solve()
    frame = brief.targets(make_view(read_plan_folder(outcome.out_dir), Lang(lang)))
    return {str(r.iloc[0]): (str(r.iloc[2]), str(r.iloc[3])) for _, r in frame.iterrows()}


def test_utilisation_verdict_counts_only_years_the_floor_applies(tiny: TinyCase) -> None:
    # 20,000 racks in place at east1; demand 10,000 racks in 2026 (50 % in use) and 15,000 in 2027 (75 %).
    # The 65 % floor starts in 2027, so the plan meets it: lowest 75 %, not the 50 % of 2026.
    tiny.cluster("east1", racks_existing=20000)
    set_rows(tiny.tables["demand"], {"hub_id": "h1", "year": 2027}, demand_racks=15000)
    tiny.set(policy={"utilisation_min": 0.65, "utilisation_min_from_year": 2027})
    en = _targets(tiny, "en")["Utilisation (racks in use / installed)"]
    assert en == ("lowest 75 % (东集群)", "✓ met")
    zh = _targets(tiny, "zh")["上架率"]
    assert zh == ("最低 75 % (东集群)", "✓ 达标")


def test_compute_row_reports_eflops_and_scope_lists_neither_water_nor_compute(tiny: TinyCase) -> None:
    # 10,000 general racks at 0.001 PFLOPS each = 0.01 EFLOPS in 2027.
    tiny.tables["compute"] = [{"workload_id": "batch", "year": y, "pflops_per_rack": 0.001} for y in (2026, 2027)]
    en = _targets(tiny, "en")
    assert en["Computing power (EFLOPS)"] == ("0.010 EFLOPS in 2027", "– not set")
    zh = _targets(tiny, "zh")
    assert zh["算力规模 EFLOPS"] == ("0.010 EFLOPS（2027 年）", "– 本情景未设")
    assert not any("not modelled" in verdict for _, verdict in en.values())
    assert not any("未建模" in verdict for _, verdict in zh.values())
    outcome = tiny.solve()
    view = make_view(read_plan_folder(outcome.out_dir), Lang("en"))
    scope = dict(brief.scope(view).itertuples(index=False, name=None))
    assert "water" not in scope["Not in the model"]
    assert "computing power" not in scope["Not in the model"]
    assert "an IT load factor of their own for dense (AI) racks" in scope["Not in the model"]  # not yet
    assert "PUE and IT load factor" not in scope["Not in the model"]  # a kind has its PUE (pue_delta)
    zh_scope = dict(brief.scope(make_view(read_plan_folder(outcome.out_dir), Lang("zh"))).itertuples(index=False))
    assert "用水" not in zh_scope["未纳入模型"]
    assert "算力" not in zh_scope["未纳入模型"]

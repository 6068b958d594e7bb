"""Time slices from hourly profiles: resolution parsing, k-medoids days, weights, and the
representative-day objective against the full year on a reduced case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner.inputs.profiles import read_hourly
from planner.inputs.timeseries import Resolution, k_medoids, representative_days, slices
from planner.solver.solve import Status
from tests.conftest import TinyCase

DEFAULT = Path(__file__).resolve().parents[1] / "inputs" / "default"  # anchored to the repository, not the cwd


@pytest.fixture(scope="module")
def hourly() -> pd.DataFrame:
    return read_hourly(DEFAULT, ["zhongwei", "tianfu"])


def test_resolution_parsing() -> None:
    assert Resolution.parse("days:12") == Resolution("days", 12)
    assert Resolution.parse("hours").kind == "hours"
    for bad in ("days:0", "days:366", "hourly", "days:x"):
        with pytest.raises(ValueError, match="time resolution"):
            Resolution.parse(bad)


def test_k_medoids_finds_two_obvious_groups() -> None:
    # rows 0-2 near (0, 0), rows 3-4 near (10, 10): medoids are the middle of each group.
    features = np.array([[0.0, 0.0], [0.1, 0.0], [0.2, 0.0], [10.0, 10.0], [10.1, 10.0]])
    medoids, assign = k_medoids(features, 2)
    assert set(medoids.tolist()) in ({1, 3}, {1, 4})
    assert assign.tolist() == [0, 0, 0, 1, 1]


def test_representative_days_keep_weights_and_annual_energy(hourly: pd.DataFrame) -> None:
    days = representative_days(hourly, 12)
    for cluster, frame in days.groupby("cluster"):
        assert frame["weight_hours"].sum() == pytest.approx(8760)
        assert len(frame) == 12 * 24
        for tech in ("wind_cf", "solar_cf", "hydro_cf"):
            annual = hourly.xs(cluster, level="cluster")[tech].mean()
            assert np.dot(frame[tech], frame["weight_hours"]) / 8760 == pytest.approx(annual, abs=1e-6)
        assert frame["period"].nunique() == 12


def test_full_year_and_year_slices(hourly: pd.DataFrame) -> None:
    full = slices(hourly, Resolution("hours"))
    assert len(full) == 2 * 8760
    assert (full["weight_hours"] == 1).all()
    assert full["period"].nunique() == 365
    assert (full.groupby(["cluster", "period"]).size() == 24).all()
    year = slices(hourly, Resolution("year")).set_index("cluster")
    assert year.loc["zhongwei", "solar_cf"] == pytest.approx(hourly.xs("zhongwei", level="cluster")["solar_cf"].mean())


def test_365_representative_days_are_the_year_day_by_day(hourly: pd.DataFrame) -> None:
    days = representative_days(hourly, 365)
    zhongwei = days[days["cluster"] == "zhongwei"]
    assert (zhongwei["weight_hours"] == 1).all()
    assert np.sort(zhongwei["solar_cf"].to_numpy()) == pytest.approx(
        np.sort(hourly.xs("zhongwei", level="cluster")["solar_cf"].to_numpy())
    )


def reduced_case(tiny: TinyCase) -> TinyCase:
    """west1 alone (zhongwei's wind and sun), one year, 80 % green floor without certificates."""
    tiny.tables["clusters"] = [r for r in tiny.tables["clusters"] if r["cluster_id"] == "west1"]
    tiny.tables["links"] = [r for r in tiny.tables["links"] if r["cluster_id"] == "west1"]
    tiny.tables["demand"] = [r for r in tiny.tables["demand"] if r["year"] == 2026]
    tiny.set(years={"first": 2026, "last": 2026}, policy={"green_share_min_new": 0.8, "certificate_share_max": 0.0})
    tiny.cluster("west1", wind_mw=30, solar_mw=40, power_price_yuan_per_kwh=0.35, ppa_price_yuan_per_kwh=0.3)
    tiny.set(
        storage={
            "enabled": True,
            "power_capex_yuan_per_kw": 300,
            "energy_capex_yuan_per_kwh": 500,
            "lifetime_years": 15,
        }
    )
    return tiny


def with_profiles(tiny: TinyCase, hourly: pd.DataFrame) -> None:
    folder = tiny.root / f"case{tiny.runs + 1}" / "profiles"
    folder.mkdir(parents=True)
    frame = hourly.xs("zhongwei", level="cluster").reset_index()
    frame.insert(0, "cluster_id", "west1")
    frame.to_csv(folder / "hourly.csv.gz", index=False)


@pytest.mark.slow
def test_representative_days_objective_within_one_percent_of_the_full_year(
    tiny: TinyCase, hourly: pd.DataFrame
) -> None:
    case = reduced_case(tiny)
    with_profiles(case, hourly)
    full = case.solve(time_resolution="hours", highs_method="ipm")
    with_profiles(case, hourly)
    days = case.solve(time_resolution="days:12")
    storage_full = full.results.storage["battery_mwh"].sum()
    assert storage_full > 1.0  # the battery matters in this case
    assert days.plan["objective_yi_yuan"] == pytest.approx(full.plan["objective_yi_yuan"], rel=0.01)


def test_cli_days_writes_the_resolution_into_plan_and_manifest(tiny: TinyCase, hourly: pd.DataFrame) -> None:
    import json

    from typer.testing import CliRunner

    from planner.cli import app

    case = reduced_case(tiny)
    with_profiles(case, hourly)
    folder = case.write()
    result = CliRunner().invoke(
        app, ["solve", str(folder), "--days", "2", "--out", str(folder.parent / f"{folder.name}_out")]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads((folder.parent / f"{folder.name}_out" / "plan.json").read_text())
    manifest = json.loads((folder.parent / f"{folder.name}_out" / "manifest.json").read_text())
    assert plan["time_resolution"].startswith("2 representative days")
    assert manifest["time_resolution"]["slices_per_year"] == 48
    assert manifest["solver"]["interface"] == "direct"
    assert (folder.parent / f"{folder.name}_out" / "storage.csv").exists()


def test_cli_rejects_bad_resolution_flags(tiny: TinyCase) -> None:
    from typer.testing import CliRunner

    from planner.cli import app

    folder = tiny.write()
    assert CliRunner().invoke(app, ["solve", str(folder), "--hours", "half"]).exit_code == 2
    assert CliRunner().invoke(app, ["solve", str(folder), "--hours", "full", "--days", "3"]).exit_code == 2


def test_missing_hourly_profiles_is_a_located_input_error(tiny: TinyCase) -> None:
    from planner.errors import InputError

    with pytest.raises(InputError, match="no hourly profiles"):
        tiny.solve(time_resolution="days:2")


def test_profile_slices_are_kept_within_a_process_keyed_by_the_hourly_file(tmp_path: Path) -> None:
    import shutil

    from planner.inputs import profiles
    from planner.inputs.read import read_raw, validate

    inputs = validate(read_raw(DEFAULT))
    days = Resolution.parse("days:2")
    profiles._CACHE.clear()
    first = profiles.profile_slices(DEFAULT, inputs, days)
    assert first is not None
    first["wind_cf"] = -1.0  # the caller's copy: the kept one is untouched
    kept = profiles.profile_slices(DEFAULT, inputs, days)
    profiles._CACHE.clear()
    fresh = profiles.profile_slices(DEFAULT, inputs, days)
    assert kept is not None
    assert fresh is not None
    pd.testing.assert_frame_equal(kept, fresh)
    # another hourly file (wind halved) is another key: its slices, not the kept ones
    case = tmp_path / "case"
    shutil.copytree(DEFAULT, case)
    frame = pd.read_csv(case / "profiles" / "hourly.csv.gz")
    frame["wind_cf"] *= 0.5
    frame.to_csv(case / "profiles" / "hourly.csv.gz", index=False)
    changed = profiles.profile_slices(case, inputs, days)
    assert changed is not None

    def wind_hours(slices: pd.DataFrame) -> float:
        return float((slices["wind_cf"] * slices["weight_hours"]).sum())

    # half the wind hours (not 1x: the kept slices), to the k-medoids' choice of other days (~3e-6 here)
    assert wind_hours(changed) == pytest.approx(0.5 * wind_hours(fresh), rel=1e-4)


def test_pdlp_ends_at_an_optimal_vertex_with_the_simplex_objective(tiny: TinyCase, hourly: pd.DataFrame) -> None:
    """PDLP stops near the optimum; crossover and a dual simplex clean-up make it a verified optimal vertex.

    Second method: the same case by dual simplex. Both are kOptimal vertices of one LP, so the objectives
    agree to the solvers' tolerances, and so do the binding rows' shadow prices where the optimum is not
    degenerate (here: the green floor's price, on which the battery build turns).
    """
    case = reduced_case(tiny)
    with_profiles(case, hourly)
    pdlp = case.solve(time_resolution="days:4", highs_method="pdlp")  # solve() verifies the written plan
    with_profiles(case, hourly)
    simplex = case.solve(time_resolution="days:4", highs_method="simplex")
    assert pdlp.status == simplex.status == Status.OPTIMAL
    assert pdlp.manifest["solver"]["iterations"]["pdlp"] > 0  # PDLP ran, then crossover and simplex
    assert pdlp.plan["objective_yi_yuan"] == pytest.approx(simplex.plan["objective_yi_yuan"], rel=1e-7)
    floor = [outcome.results.duals.query("family == 'green_share'")["dual"].to_numpy() for outcome in (pdlp, simplex)]
    assert floor[0] == pytest.approx(floor[1], rel=1e-5)

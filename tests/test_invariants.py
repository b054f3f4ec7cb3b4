"""Invariants over every shipped scenario: builds, runs, stays in bounds, no NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim

from .conftest import ROOT, SCENARIOS

BOUNDED_MODEL = [
    "eu_capability_share",
    "us_threat_level",
    "coercion_credibility",
    "mean_trust",
    "mean_threat",
    "russia_resolve_estimate",
    "us_influence",
    "nuclear_liability",
    "cohesion",
    "progress_headline",
    "progress_capability",
]


@pytest.fixture(scope="module", params=SCENARIOS, ids=lambda p: p.stem)
def results(request):
    return sim.run_replications(sim.load_scenario(request.param), reps=3, seed=11)


def test_every_run_completes(results):
    assert not results.failures, results.failures[0].error
    sc = results.scenario
    years = sc.get("run.end_year") - sc.get("run.start_year") + 1
    assert len(results.model) == 3 * years
    assert len(results.allies) == 3 * years * 31
    assert set(results.summary["verdict"]) <= set(sim.VERDICTS)


def test_indices_stay_in_bounds(results):
    for col in BOUNDED_MODEL:
        values = results.model[col]
        assert values.between(0.0, 1.0).all(), col
    for col in ("threat", "trust"):
        assert results.allies[col].between(0.0, 1.0).all(), col
    assert (
        (results.allies[["core_pct", "related_pct", "spending_bn", "capability"]] >= 0).all().all()
    )
    assert (
        results.model["us_posture"] >= results.scenario.get("united_states.congress_floor") - 1e-9
    ).all()


def test_no_nan_anywhere(results):
    """No NaN but by design: Russia's estimate of a fait accompli is not assessed (NaN) in the
    years it waits after a probe, and only then."""
    model = results.model
    for name in ("model", "allies"):
        numeric = results.tables[name].select_dtypes("number")
        if name == "model":
            numeric = numeric.drop(columns="probe_success_estimate")
        assert not numeric.isna().any().any(), name
    wait = results.scenario.get("russia.probe_cooldown_years")
    for _, run in model.groupby("run"):
        probed = set(run.loc[run["probe"] == 1, "year"])
        waiting = {y + k for y in probed for k in range(1, wait + 1)}
        unassessed = set(run.loc[run["probe_success_estimate"].isna(), "year"])
        assert unassessed <= waiting
        assert run["probe_success_estimate"].dropna().between(0.0, 1.0).all()
    # missing by design: no probe, no exit, a run that ends before 2027 or 2030, no summit
    maybe_missing = [
        "first_probe_year",
        "us_exit_year",
        "eu_core_pct_2027",
        "eu_core_pct_2030",
        "pledge_target_pct",
        "deadline_met",
    ]
    summary = results.summary.drop(columns=maybe_missing)
    assert not summary.select_dtypes("number").isna().any().any()


def test_reported_spending_is_genuine_plus_reclassified(results):
    a = results.allies
    assert np.allclose(a["core_pct"], a["genuine_core_pct"] + a["reclassified_pct"])
    assert np.allclose(a["headline_pct"], a["core_pct"] + a["related_pct"])


def test_first_year_is_the_data(results):
    """Each ally starts at its start-year figure, plus, in a run from a calibration window's
    start, its own-record level (the underlying level against that one figure, issue 26)."""
    sc = results.scenario
    start = sc.get("run.start_year")
    first = results.allies[(results.allies.year == start) & (results.allies.run == 0)]
    pol = first.set_index("iso3").loc["POL", "core_pct"]
    own = sc.get("allies.record_start_year") == start
    level = sc.ally_value("POL", "record_level_pp") if own else 0.0
    assert math.isclose(pol, sim.data.defence_history()["POL"][start] + level, rel_tol=1e-9)


@pytest.mark.parametrize("name", ["baseline", "baltic_probe", "holdouts"])
def test_model_columns_agree_with_the_ally_table_and_with_each_year_as_it_was(name):
    """The recorder computes the model table from the yearly ally state at the end: it must
    equal the row computed for each year as the run went on, and the European aggregates must
    follow from the ally table."""
    from sim.model.alliance import AllianceModel

    model = AllianceModel(sim.load_scenario(ROOT / "scenarios" / f"{name}.toml"), rng=4)
    as_it_went = [model.recorder.latest_row()]
    while model.running:
        model.step()
        as_it_went.append(model.recorder.latest_row())
    rows = model.recorder.model_rows
    for i, row in enumerate(as_it_went):
        for col, value in row.items():
            if isinstance(value, str):
                assert rows[col][i] == value, (col, i)
            else:
                assert rows[col][i] == pytest.approx(value, rel=1e-12, abs=1e-12), (col, i)
    allies = model.recorder.ally_columns()
    eu = np.isin(allies["iso3"], np.array(model.codes)[model.european])
    for i, year in enumerate(rows["year"]):
        this = eu & (allies["year"] == year)
        gdp, core = allies["gdp_bn"][this], allies["core_pct"][this]
        assert rows["eu_core_pct"][i] == pytest.approx(gdp @ core / gdp.sum())
        assert rows["mean_trust"][i] == pytest.approx(
            allies["trust"][allies["year"] == year].mean()
        )


def test_recorder_keeps_every_year_when_a_model_is_stepped_past_its_end():
    """The seminar app may step on after the end year: the recorder's yearly buffer grows."""
    from sim.model.alliance import AllianceModel

    sc = sim.Scenario.default().with_params({"run.end_year": 2027})
    model = AllianceModel(sc, rng=2)
    for _ in range(5):
        model.step()
    rows = model.recorder.model_rows
    assert rows["year"] == list(range(2025, 2031))
    allies = model.recorder.ally_columns()
    assert len(allies["year"]) == 6 * len(model.allies)
    assert not np.isnan(allies["trust"]).any()

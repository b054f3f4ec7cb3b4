"""natosim under the EMA Workbench: experiments over uncertainties and levers, then PRIM."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench")

from sim.analysis.ema import MEAN_OUTCOMES, SHARE_OUTCOMES, column, ema_model  # noqa: E402
from sim.runs.worlds import scenario_ranges  # noqa: E402
from sim.scenario import CATALOGUE, load_scenario  # noqa: E402


def test_levers_and_uncertainties_come_from_the_schema():
    model = ema_model("baseline", reps=1)
    levers = {column(p.name) for p in model.levers}
    assert levers == {p.key for p in CATALOGUE.params if p.lever}
    uncertain = {column(p.name) for p in model.uncertainties}
    assert not uncertain & levers
    # the default uncertainties are the sampled assumptions (not every parameter)
    assert uncertain == set(scenario_ranges(load_scenario("baseline")))
    assert "allies.adjustment_rate" not in uncertain  # fitted: held at its fitted value
    assert "crisis.nuclear_threat_probability" in uncertain
    assert not any(k.startswith(("run.", "mechanisms.", "verdict.")) for k in uncertain)


def test_uncertainties_follow_their_plausible_distributions():
    from ema_workbench import RealParameter

    model = ema_model("baseline", reps=1)
    ranges = scenario_ranges(load_scenario("baseline"))
    for p in model.uncertainties:
        dist = ranges[column(p.name)]
        assert dist.low - 1e-9 <= p.lower_bound and p.upper_bound <= dist.high + 1e-9, p.name
        if isinstance(p, RealParameter) and dist.shape == "triangular":
            mid = p.dist.ppf(0.5)  # a triangular's median lies between its mode and its mean
            assert min(dist.mode, (dist.low + dist.mode + dist.high) / 3) - 1e-9 <= mid
            assert mid <= max(dist.mode, (dist.low + dist.mode + dist.high) / 3) + 1e-9


def test_perform_experiments_and_prim():
    from ema_workbench import SequentialEvaluator
    from ema_workbench.analysis import prim

    model = ema_model(
        "ceasefire",
        uncertainties=["allies.adjustment_rate", "russia.fatigue", "russia.reaction_coefficient"],
        reps=2,
        seed=3,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=24, policies=2)
    assert len(experiments) == 48
    assert set(outcomes) == set(MEAN_OUTCOMES) | set(SHARE_OUTCOMES)
    for name in SHARE_OUTCOMES:
        assert ((outcomes[name] >= 0) & (outcomes[name] <= 1)).all(), name
    assert np.isfinite(outcomes["eu_core_pct_end"]).all()
    # the lever moves the outcome: experiments differ (common random numbers, not noise alone)
    assert np.std(outcomes["eu_core_pct_end"]) > 0
    x = experiments.drop(columns=["model", "policy", "scenario"]).select_dtypes("number")
    y = outcomes["eu_core_pct_end"] > np.median(outcomes["eu_core_pct_end"])
    # ema_workbench 2.5 takes a density threshold; 3.0 (pip's choice on Python 3.12) does not
    takes_threshold = "threshold" in inspect.signature(prim.Prim.__init__).parameters
    box = prim.Prim(x, y, **({"threshold": 0.6} if takes_threshold else {})).find_box()
    assert box is not None
    assert box.coverage > 0 and box.density >= np.mean(y)


def test_screening_finds_the_uncertainty_an_outcome_turns_on():
    import pandas as pd

    from sim.analysis.ema import screen

    rng = np.random.default_rng(1)
    x = pd.DataFrame({f"russia__p{i}": rng.random(200) for i in range(30)})
    x["policy"] = "p0"
    y = x["russia__p7"] > 0.7
    assert screen(x, y, top=3)[0] == "russia__p7"

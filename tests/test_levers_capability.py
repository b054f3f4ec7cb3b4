"""Levers on the capability pipeline moved mid-run reach its rules (issue 25's review: before
this, depreciation, capacity growth and the US share of purchases kept the start's values), and
those that set its shape or start capacity are refused once a run has started."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine.lockstep import run_jobs
from sim.runs.runner import run_one

from .conftest import make_model

YEAR = 2028


def _stock_and_capacity(changes, params=None):
    m = make_model(params, seed=3)
    while m.year < YEAR:
        m.step()
    for key, value in changes.items():
        m.change_params({key: value})
    for _ in range(3):
        m.step()
    return m.pipeline.stock.copy(), m.pipeline.capacity.copy()


def test_depreciation_moved_mid_run_lowers_stocks_from_the_next_year():
    base, _ = _stock_and_capacity({})
    worn, _ = _stock_and_capacity({"capability.depreciation_manoeuvre": 0.3})
    k = list(sim.mechanisms.capability.CATEGORIES).index("manoeuvre")
    assert (worn[:, k] <= base[:, k]).all() and (worn[:, k] < base[:, k]).any()
    others = [i for i in range(base.shape[1]) if i != k]
    np.testing.assert_array_equal(worn[:, others], base[:, others])


def test_capacity_growth_moved_mid_run_changes_capacity():
    tight = {"capability.industry_headroom": 0.0}  # orders above capacity: it grows (M1)
    _, base = _stock_and_capacity({}, tight)
    _, grown = _stock_and_capacity({"capability.capacity_growth": 0.5}, tight)
    assert (grown >= base).all() and (grown > base).any()


def test_a_pipeline_lever_gives_a_run_in_a_batch_what_it_gives_alone():
    sc = sim.Scenario.default()
    seeds = sim.replication_seeds(5, 3)
    changes = [
        (YEAR, "capability.depreciation_isr", 0.2),
        (YEAR, "capability.capacity_growth", 0.4),
    ]
    together = run_jobs(sc, [(i, s, None) for i, s in enumerate(seeds)], changes)
    for i, s in enumerate(seeds):
        alone = run_one(sc, s, run=i, changes=changes)
        assert not together[i].error and not alone.error
        for col, values in alone.allies.items():
            np.testing.assert_array_equal(together[i].allies[col], values, err_msg=col)
        assert together[i].model == alone.model


def test_a_lever_moved_in_one_run_leaves_the_others_of_its_scenario_alone():
    first, second = make_model(seed=1), make_model(seed=1)
    first.step()
    second.step()
    first.change_params({"capability.depreciation_munitions": 0.5})
    first.step()
    second.step()
    third = make_model(seed=1)  # a model of the same scenario started after the change
    third.step()
    third.step()
    np.testing.assert_array_equal(second.pipeline.stock, third.pipeline.stock)
    assert not np.array_equal(first.pipeline.stock, second.pipeline.stock)


@pytest.mark.parametrize(
    "key",
    [
        "capability.lead_time_isr",
        "capability.us_backlog_years",
        "capability.industry_headroom",
    ],
)
def test_the_pipelines_shape_and_start_capacity_are_refused_mid_run(key):
    m = make_model()
    m.step()
    value = m.config.params["capability"][key.split(".", 1)[1]]
    with pytest.raises(ValueError, match="fixed once a run has started"):
        m.change_params({key: value})

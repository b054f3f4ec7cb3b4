"""A batch of one (a model's own ``step()``, the ui, the seminar, ``run_one``): the engine's
gathering helpers give it views of its own arrays and its own numbers, with the values a batch of
many gives each of its runs (:mod:`sim.engine.batch`); whole tables are compared for R = 1, 7 and
256 in ``tests/test_engine.py``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.engine.batch import Batch, rows
from sim.runs.runner import start_model
from sim.runs.worlds import draw_fitted_world, draw_world, scenario_ranges

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def models():
    """Three runs in sampled worlds (their numbers differ), advanced three years alone."""
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    ranges = scenario_ranges(sc)
    out = []
    for seed in sim.replication_seeds(3, 3):
        world = {**draw_fitted_world(sc, seed), **draw_world(ranges, seed)}
        m = start_model(sc, seed, world)[0]
        for _ in range(3):
            m.step()
        out.append(m)
    return out


def test_a_batch_of_one_gathers_views_of_its_arrays(models):
    m = models[0]
    one = Batch.of(m)
    got = one.stack(lambda x: x.ally_state.threat)
    assert got.shape == (1, len(m.allies)) and np.shares_memory(got, m.ally_state.threat)
    assert one.stack(lambda x: x.sovereign_isr).shape == (1,)
    many = [np.arange(3.0), np.ones(3)]
    assert np.array_equal(rows(many), np.stack(many))
    assert np.shares_memory(rows(many[:1]), many[0])


def test_a_batch_of_one_reads_the_numbers_a_batch_of_many_gives_its_run(models):
    keys = ("gap_priority", "us_buy_share", "isr_sovereign_rate")
    many = Batch(models)
    together = many.numbers("capability", *keys)
    assert np.array_equal(many.table("capability", *keys), np.hstack([together[k] for k in keys]))
    for r, m in enumerate(models):
        alone = Batch.of(m).numbers("capability", *keys)
        for k in keys:
            assert alone[k].shape == (1, 1)
            assert alone[k][0, 0] == together[k][r, 0] == float(m.p_capability[k])
        column = Batch.of(m).column(lambda x: x.p_russia["incursion_serious_share"])
        assert column[0, 0] == many.column(lambda x: x.p_russia["incursion_serious_share"])[r, 0]

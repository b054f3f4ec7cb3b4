"""Same seed, same tables; different seeds, different tables; serial equals parallel."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

import sim
from sim.model.alliance import AllianceModel
from sim.runs.pool import process_executor
from sim.runs.runner import run_replications


def test_same_seed_gives_identical_tables(default_scenario):
    a = run_replications(default_scenario, 3, seed=5)
    b = run_replications(default_scenario, 3, seed=5)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])


def test_different_seeds_give_different_tables(default_scenario):
    a = run_replications(default_scenario, 3, seed=5)
    b = run_replications(default_scenario, 3, seed=6)
    assert not a.allies["greyzone_attacks"].equals(b.allies["greyzone_attacks"])


def test_replication_seeds_are_spawned_and_distinct():
    seeds = sim.replication_seeds(7, 50)
    assert len(set(seeds)) == 50
    assert seeds[:10] == sim.replication_seeds(7, 10)


def test_serial_equals_parallel(default_scenario):
    serial = run_replications(default_scenario, 4, seed=9)
    with process_executor(2) as ex:
        parallel = run_replications(default_scenario, 4, seed=9, executor=ex, batch=1)
    for name in serial.tables:
        pd.testing.assert_frame_equal(serial.tables[name], parallel.tables[name])


def test_what_goes_to_workers_pickles(default_scenario):
    sc = pickle.loads(pickle.dumps(default_scenario))
    assert sc == default_scenario
    result = pickle.loads(pickle.dumps(sim.run_one(sc, 3)))
    assert result.summary == sim.run_one(default_scenario, 3).summary


def test_a_failed_run_is_recorded_not_raised(default_scenario, monkeypatch):
    from sim.runs import runner

    def boom(self):
        raise RuntimeError("scripted failure")

    monkeypatch.setattr(runner.AllianceModel, "_end_year", boom)
    res = run_replications(default_scenario, 2, seed=1)
    assert len(res.failures) == 2 and "scripted failure" in res.failures[0].error


def test_values_cached_per_scenario_follow_the_parameters_they_depend_on():
    """A scenario made by with_params reuses what its parent computed only if nothing it
    depends on changed: a sweep point over a US parameter shares the allies' start arrays, a
    point over an allies' parameter gets its own, and either equals a cold start."""
    base = sim.Scenario.default()
    AllianceModel(base, rng=1)  # fills base's cache
    us = base.with_params({"united_states.threat_intensity": 0.3})
    allies = base.with_params({"allies.initial_trust": 0.2})
    per_ally = base.with_params({"allies.overrides.POL.initial_trust": 0.9})
    m_us, m_allies, m_pol = (AllianceModel(sc, rng=1) for sc in (us, allies, per_ally))
    key = ("ally_state", base.get("run.start_year"))
    assert us._derived[key][1] is base._derived[key][1]
    assert allies._derived[key][1] is not base._derived[key][1]
    assert np.all(m_allies.ally_state.trust == 0.2)
    pol = m_pol.codes.index("POL")
    assert m_pol.ally_state.trust[pol] == 0.9
    assert m_pol.ally_state.trust[pol - 1] == base.get("allies.initial_trust")
    cold = sim.Scenario.default().with_params({"allies.initial_trust": 0.2})
    a, b = sim.run_one(allies, 5), sim.run_one(cold, 5)
    assert a.model == b.model

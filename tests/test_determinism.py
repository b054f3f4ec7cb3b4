"""Same seed, same tables; different seeds, different tables; serial equals parallel."""

from __future__ import annotations

import pickle

import pandas as pd

import sim
from sim.runner import process_executor, run_replications


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
    from sim import runner

    def boom(self):
        raise RuntimeError("scripted failure")

    monkeypatch.setattr(runner.AllianceModel, "run", boom)
    res = run_replications(default_scenario, 2, seed=1)
    assert len(res.failures) == 2 and "scripted failure" in res.failures[0].error

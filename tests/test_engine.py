"""The engine (issue 25): a run's tables do not depend on the batch it is advanced in.

Every model keeps its own random stream and a phase draws from each in that model's own order
(:mod:`sim.engine`), so the same replication gives the same tables alone (R = 1), in a batch of
7 and in a batch of 256, serially or over worker processes; a run that fails in a batch is
recorded with its traceback and the others keep their tables.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine import lockstep
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.engine.lockstep import run_jobs
from sim.model.alliance import AllianceModel
from sim.runs import runner
from sim.runs.runner import run_replications

ROOT = Path(__file__).resolve().parent.parent


def _equal(a: sim.Results, b: sim.Results) -> None:
    for name, frame in a.tables.items():
        pd.testing.assert_frame_equal(frame, b.tables[name], check_exact=True)
    assert [f.seed for f in a.failures] == [f.seed for f in b.failures]


@pytest.fixture(autouse=True)
def strict(monkeypatch):
    """A batch that fails raises here instead of being run again one run at a time (which
    keeps the tables right but would hide a batched phase that fails)."""
    monkeypatch.setattr(lockstep, "STRICT", True)


@pytest.fixture(scope="module")
def baseline() -> sim.Scenario:
    return sim.load_scenario(ROOT / "scenarios" / "baseline.toml")


def test_tables_are_the_same_for_batches_of_1_7_and_256(baseline):
    """256 replications in sampled worlds (each run its own parameters): advanced one at a time,
    7 at a time and all 256 together, every table is identical."""
    runs = {r: run_replications(baseline, 256, 11, batch=r, worlds=True) for r in (1, 7, 256)}
    assert len(runs[1].seeds) == 256 and runs[1].model["run"].nunique() == 256
    _equal(runs[1], runs[7])
    _equal(runs[1], runs[256])


def test_tables_are_the_same_serially_and_over_two_worker_processes():
    scenario = sim.load_scenario(ROOT / "scenarios" / "baltic_probe.toml")
    serial = run_replications(scenario, 12, 5, batch=12, worlds=True)
    with ProcessPoolExecutor(2) as pool:
        parallel = run_replications(scenario, 12, 5, executor=pool, batch=5, worlds=True)
    _equal(serial, parallel)


def test_levers_moved_mid_run_are_moved_in_every_run_of_a_batch(baseline):
    changes = [(2029, "united_states.threat_intensity", 1.0), (2033, "allies.peer_weight", 0.1)]
    alone = run_replications(baseline, 6, 2, batch=1, changes=changes)
    together = run_replications(baseline, 6, 2, batch=6, changes=changes)
    _equal(alone, together)
    assert (alone.events["kind"] == "lever").sum() == 2 * 6


def test_a_run_that_fails_in_a_batch_is_recorded_and_the_others_keep_their_tables(
    baseline, monkeypatch
):
    monkeypatch.setattr(lockstep, "STRICT", False)
    seeds = sim.replication_seeds(3, 5)
    jobs = [(i, s, None) for i, s in enumerate(seeds)]
    good = run_jobs(baseline, jobs)
    original = engine_year.PHASES[5]
    start = runner.start_model

    def marked(scenario, seed, world):
        model, used = start(scenario, seed, world)
        model.test_seed = seed
        return model, used

    def failing(batch: Batch) -> None:
        if any(m.year == 2031 and m.test_seed == seeds[2] for m in batch.models):
            raise FloatingPointError("a run that breaks in 2031")
        original(batch)

    monkeypatch.setattr(runner, "start_model", marked)
    monkeypatch.setattr(lockstep, "start_model", marked)
    monkeypatch.setattr(
        engine_year, "PHASES", (*engine_year.PHASES[:5], failing, *engine_year.PHASES[6:])
    )
    results = run_jobs(baseline, jobs)
    assert [r.seed for r in results] == seeds
    assert "a run that breaks in 2031" in results[2].error
    for k in (0, 1, 3, 4):
        assert not results[k].error
        assert results[k].model == good[k].model
        for col, column in good[k].allies.items():
            values = np.asarray(column)
            nan = values.dtype.kind == "f"
            assert np.array_equal(results[k].allies[col], values, equal_nan=nan), col


def test_a_batch_holds_models_of_one_structure(baseline):
    other = baseline.with_params({"mechanisms.probing": False})
    with pytest.raises(ValueError, match="share their years, allies and switches"):
        Batch([AllianceModel(baseline, rng=1), AllianceModel(other, rng=1)])


def test_a_batch_stacks_parameters_per_run_and_keeps_the_stack_until_they_change(baseline):
    models = [AllianceModel(baseline, rng=1), AllianceModel(baseline, rng=2)]
    batch = Batch(models)
    p = batch.params("allies")
    assert p["peer_weight"].shape == (2, 1)
    assert batch.params("allies") is p
    models[1].change_params({"allies.peer_weight": 0.1})
    q = batch.params("allies")
    assert q is not p and q["peer_weight"][:, 0].tolist() == [
        models[0].p_allies["peer_weight"],
        0.1,
    ]


def test_a_lever_moved_mid_run_reaches_every_rule_that_reads_its_section(baseline):
    """A crisis lever moved mid-run reaches the theatre (travel times, forces) as it reaches
    the crisis game: the model's parts that keep a parameter table are given the new one."""
    model = AllianceModel(baseline, rng=4)
    model.step()
    model.change_params({"crisis.move_kmh": 5.0, "russia.probe_cost": 0.3})
    assert model.theatre.c["move_kmh"] == 5.0 == model.p_crisis["move_kmh"]
    assert model.russia.p["probe_cost"] == 0.3
    targets = np.flatnonzero(model.theatre.reachable)
    slow = model.theatre._travel(targets)[0]
    model.change_params({"crisis.move_kmh": 50.0})
    assert (model.theatre._travel(targets)[0] < slow).any()
    near = model.theatre.projection.copy()
    model.change_params(
        {"russia.projection_elasticity": 2.0 * model.p_russia["projection_elasticity"] + 0.5}
    )
    assert (model.theatre.projection != near).any()  # Russia's reach follows its lever


def test_a_long_task_keeps_at_most_max_batch_models_alive(baseline, monkeypatch):
    """A sweep's task of any size (its ``task_size`` is the user's) is advanced at most
    ``MAX_BATCH`` runs at a time, points of several structures alike, with each run's tables
    those it has alone."""
    monkeypatch.setattr(lockstep, "MAX_BATCH", 3)
    sizes: list[int] = []
    advance = lockstep._advance

    def counted(batch, changes):
        sizes.append(len(batch))
        advance(batch, changes)

    monkeypatch.setattr(lockstep, "_advance", counted)
    off = baseline.with_params({"mechanisms.incursions": False})
    seeds = sim.replication_seeds(9, 8)
    items = [(off if i % 2 else baseline, i, s, None) for i, s in enumerate(seeds)]
    together = lockstep.run_many(items)
    assert max(sizes) <= 3 and sum(sizes) == 8
    for (scenario, run, seed, _), got in zip(items, together, strict=True):
        alone = runner._run(scenario, seed, run, None, ())
        assert (got.run, got.seed) == (run, seed) and got.model == alone.model

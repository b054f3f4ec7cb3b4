"""What outlives a batch (found by review of the engine's second round): a run's result holds
its own data, not its batch's arrays; a model kept after its batch does not keep the batch's other
models alive (its recorder holds its peers weakly)."""

from __future__ import annotations

import gc
import weakref

import numpy as np

import sim
from sim.engine.batch import Batch
from sim.engine.lockstep import run_many
from sim.engine.year import step
from sim.model.alliance import AllianceModel
from sim.runs.runner import release_model


def _root(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def test_a_runs_result_does_not_keep_its_batchs_arrays():
    sc = sim.load_scenario("baltic_probe")
    results = run_many([(sc, k, 100 + k, None) for k in range(8)])
    kept = results[0]
    del results
    gc.collect()
    own = sum(np.asarray(v).nbytes for v in kept.allies.values())
    roots = {
        id(r): r for r in (_root(v) for v in kept.allies.values() if isinstance(v, np.ndarray))
    }
    held = sum(r.nbytes for r in roots.values())
    assert held <= 1.5 * own, f"one result holds {held} bytes for its {own}"


def test_a_model_kept_after_its_batch_does_not_keep_the_others():
    sc = sim.load_scenario("baltic_probe")
    models = [AllianceModel(sc, rng=s) for s in range(4)]
    batch = Batch(models)
    step(batch)
    step(batch)
    others = [weakref.ref(m) for m in models[1:]]
    # as the engine does once a run's result is taken (Mesa 3.3.1's Agent._ids)
    list(map(release_model, models[1:]))
    kept = models[0]
    del models, batch
    gc.collect()
    alive = [r() is not None for r in others]
    assert kept.year == sc.params["run"]["start_year"] + 2
    assert not any(alive), f"{sum(alive)} of the batch's other models still alive"

"""The garbage collector in a process that does nothing but runs (:data:`sim.runs.pool.DEDICATED`,
set by :func:`sim.runs.pool.start_worker`): :func:`sim.engine.lockstep.run_many` freezes what the
process holds at its first chunk, runs each chunk without automatic collections and collects
after it (:func:`sim.engine.lockstep._collecting`). The tables are those of a process that does
not, the collector is left on and each chunk's models are freed; anywhere else (the ui, the
seminar, a Python session) nothing of the collector is touched; a `natosim` command that runs
models marks its process (:func:`sim.cli.entry.main`)."""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import commands, entry
from sim.engine import lockstep
from sim.model.alliance import AllianceModel
from sim.runs import pool
from sim.runs.runner import run_replications, start_model

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def baseline():
    return sim.load_scenario(ROOT / "scenarios" / "baseline.toml")


def _same(got, want) -> None:
    for a, b in zip(got, want, strict=True):
        assert (a.run, a.seed) == (b.run, b.seed)
        assert (a.error or "").splitlines()[-1:] == (b.error or "").splitlines()[-1:]
        assert list(a.model) == list(b.model)
        for k, v in b.model.items():
            np.testing.assert_array_equal(np.array(a.model[k]), np.array(v), err_msg=k)
        for k, v in b.allies.items():
            assert np.array_equal(a.allies[k], v, equal_nan=v.dtype.kind == "f"), k
        assert a.events == b.events
        assert a.summary.keys() == b.summary.keys()


def test_a_process_not_dedicated_keeps_its_collector(baseline, monkeypatch):
    """The ui, the seminar, a command's own process: no freeze, thresholds and state kept."""
    monkeypatch.setattr(pool, "DEDICATED", False)
    monkeypatch.setattr(lockstep, "_frozen", False)
    frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
    lockstep.run_jobs(baseline, [(0, 5, None)])
    assert gc.isenabled() and gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == frozen and not lockstep._frozen


def test_a_dedicated_process_gives_the_same_tables_and_frees_its_models(baseline, monkeypatch):
    """Chunks of :data:`MAX_BATCH` (three here, the last short, one item a failing world):
    each run's tables those of a process that does not tune its collector; the collector on
    after every chunk, what the process held frozen once, the chunks' models freed."""
    monkeypatch.setattr(lockstep, "MAX_BATCH", 3)
    worlds = [None, {"perception.threat_adjustment": 0.2}, None, {"no.such": 1}, None, None, None]
    items = [(baseline, i, 40 + i, w) for i, w in enumerate(worlds)]
    monkeypatch.setattr(pool, "DEDICATED", False)
    want = lockstep.run_many(items)
    assert want[3].error and not want[0].error
    built: list[weakref.ref[AllianceModel]] = []

    def start(*args):
        model, used = start_model(*args)
        built.append(weakref.ref(model))
        return model, used

    monkeypatch.setattr(lockstep, "start_model", start)
    monkeypatch.setattr(pool, "DEDICATED", True)
    monkeypatch.setattr(lockstep, "_frozen", False)
    try:
        got = lockstep.run_many(items)
        assert lockstep._frozen and gc.get_freeze_count() > 0
        assert gc.isenabled()
        assert len(built) == 6 and all(r() is None for r in built)  # collected after each chunk
        again = lockstep.run_many(items)  # frozen once: the second call freezes nothing new
    finally:
        gc.unfreeze()
    _same(got, want)
    _same(again, want)


def test_a_chunk_that_raises_leaves_the_collector_on(baseline, monkeypatch):
    """A batch that raises (``NATOSIM_ENGINE_STRICT``) still turns the collector back on."""
    monkeypatch.setattr(pool, "DEDICATED", True)
    monkeypatch.setattr(lockstep, "_frozen", True)  # nothing frozen in the test's process

    def fail(*args, **kwargs):
        raise RuntimeError("a year that fails")

    monkeypatch.setattr(lockstep, "STRICT", True)
    monkeypatch.setattr(lockstep, "_advance", fail)
    with pytest.raises(RuntimeError, match="a year that fails"):
        lockstep.run_many([(baseline, 0, 1, None)])
    assert gc.isenabled()


def test_pool_workers_are_dedicated_and_give_the_same_tables(baseline):
    """A worker of :func:`sim.runs.pool.process_executor` (run_replications with two
    workers) is marked dedicated by its initializer and freezes at its first runs; its runs'
    tables are those of this process's own."""
    want = run_replications(baseline, 4, 7)
    with pool.process_executor(1) as ex:
        got = run_replications(baseline, 4, 7, executor=ex)
        assert ex.submit(gc.get_freeze_count).result() > 0
        assert ex.submit(gc.isenabled).result()
    for name, table in want.tables.items():
        assert got.tables[name].equals(table), name


@pytest.mark.parametrize(
    ("argv", "given", "dedicated"),
    [
        (["natosim", "sweep", "x.toml"], None, True),
        (["natosim", "run", "baseline"], None, True),
        (["natosim", "ui"], None, False),  # a server: its batches share the process
        (["natosim", "seminar"], None, False),
        (["natosim"], None, False),
        (["natosim", "run", "baseline"], ["run", "baseline"], False),  # called from Python
    ],
)
def test_a_computing_command_marks_its_process(monkeypatch, argv, given, dedicated):
    """``natosim run``, ``sweep`` and the other commands that run models mark their process as
    one that does nothing but runs; the servers and a call from Python with its own arguments
    do not (the setting is process-wide)."""

    monkeypatch.setattr(pool, "DEDICATED", False)
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(commands, "main", lambda a=None: 0)
    assert entry.main(given) == 0
    assert pool.DEDICATED is dedicated

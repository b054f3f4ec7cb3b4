"""Runs moved between batches mid-run: what a batch keeps on its runs' identity (the allies'
flags and parameters bound to its stacks, :meth:`sim.engine.batch.Batch.bound`; each run's
budget reasons a :class:`~sim.engine.batch.Terms` row of its block; the stacks kept by
:meth:`~sim.engine.batch.Batch.kept` and what is derived from them, in
:mod:`sim.mechanisms.incursions` and :mod:`sim.engine.deliveries`; a pledge's memo,
:meth:`sim.model.pledge.Pledge.year`) stays right when a run leaves its batch for another, in
another order, or goes on alone: each run's tables are those it has alone (issue 25, review of
its third round)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import sim
from sim.engine.batch import Batch
from sim.engine.year import step
from sim.model.alliance import AllianceModel
from sim.model.decisions import Decisions
from sim.runs.runner import release_model

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (11, 12, 13, 14, 15)
LEVER = {"crisis.reinforce_share": 0.7, "alliance.cohesion_heal_rate": 0.3}


def _decide(m: AllianceModel, k: int, year: int) -> None:
    """A human decision in some runs and years (a budget, a US demand)."""
    m.decisions = (
        Decisions(budget_pct={"POL": 4.0}, us_demand_pct=3.0) if (k + year) % 3 == 0 else None
    )


def _tables(m: AllianceModel) -> tuple:
    r = m.recorder
    return r.model_rows, r.ally_columns(), dict(r.events)


def _same(got: tuple, want: tuple) -> None:
    for k, v in want[0].items():
        assert np.array_equal(
            np.array(got[0][k]), np.array(v), equal_nan=isinstance(v[0], float)
        ), k
    assert list(got[1]) == list(want[1])
    for k, v in want[1].items():
        assert np.array_equal(got[1][k], v, equal_nan=v.dtype.kind == "f"), k
    assert got[2] == want[2]


def test_runs_moved_between_batches_mid_run_get_what_they_get_alone():
    # 2014-2025: Finland and Sweden join (membership written in place), pledges fall due
    sc = sim.load_scenario(ROOT / "scenarios" / "hindcast_2014.toml")
    scs = [sc, sc.with_params({"russia.probe_cost": 0.6}), sc]

    def started() -> list[AllianceModel]:
        return [AllianceModel(scs[k % len(scs)], rng=s) for k, s in enumerate(SEEDS)]

    alone = started()
    for k, m in enumerate(alone):
        y = 0
        while m.running:
            _decide(m, k, y)
            m.step()
            y += 1
            if y == 3:
                m.change_params(LEVER)
    ms = started()
    groupings = [
        [[0, 1, 2, 3, 4]],
        [[4, 2, 0], [3, 1]],  # other batches, other orders
        [[1, 3, 4, 0, 2]],
        [[0], [1, 2, 3, 4]],  # one run alone
        [[2, 4], [0, 1, 3]],
    ]
    y = 0
    while ms[0].running:
        for k, m in enumerate(ms):
            _decide(m, k, y)
        for group in groupings[y % len(groupings)]:
            step(Batch([ms[k] for k in group]) if len(group) > 1 else Batch.of(ms[group[0]]))
        y += 1
        if y == 3:
            for m in ms:
                m.change_params(LEVER)
    for got, want in zip(ms, alone, strict=True):
        _same(_tables(got), _tables(want))
    for m in (*ms, *alone):
        release_model(m)

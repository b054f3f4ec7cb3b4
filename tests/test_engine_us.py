"""The US's year over a batch (:func:`sim.engine.year.united_states_acts`): its measures of
progress computed once for the batch (:mod:`sim.engine.measures`) give each run what it gets
alone; the threats, their execution (a draw) and human decisions stay per run."""

from __future__ import annotations

import numpy as np

import sim
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.engine.measures import progress_measures
from sim.model.alliance import AllianceModel
from sim.model.decisions import Decisions

VARIANTS = (
    {},
    {"united_states.patience_years": 1, "united_states.execution_probability": 0.9},
    {"united_states.threat_intensity": 0.0},
    {"capability.isr_irreplaceable_share": 0.9},
)


def _models(seed: int, measurement: str = "headline") -> list[AllianceModel]:
    base = sim.Scenario.default().with_params({"united_states.measurement": measurement})
    return [
        AllianceModel(base.with_params(v) if v else base, rng=seed + k)
        for k, v in enumerate(VARIANTS)
    ]


def _us(m: AllianceModel) -> tuple:
    us = m.united_states
    return (us.threat_level, us.posture, us.escalation, tuple(m.laggards.tolist()))


def test_the_batch_measures_are_each_runs_alone():
    """Runs in different states (seeds, worlds, years stepped): the batch's measures of progress
    are, bit for bit, what each run measures alone."""
    models = _models(3)
    for k, m in enumerate(models):
        for _ in range(k + 1):
            m.step()
    head, capab = progress_measures(Batch(models))
    for m, h, c in zip(models, head.tolist(), capab.tolist(), strict=True):
        assert (h, c) == m.progress_measures()
    assert len(set(head.tolist())) > 1 and len(set(capab.tolist())) > 1


def test_the_us_acts_in_a_batch_as_each_run_alone():
    """Every year, after the batch's US phase, each run's US (threat, posture, escalation,
    laggards) is what it is stepped alone, by either measure; a human's threat level in one
    run stays that run's."""
    for measurement in ("headline", "capability"):
        together, alone = _models(21, measurement), _models(21, measurement)
        batch = Batch(together)
        while together[0].running:
            for ms in (together, alone):
                if ms[2].year == 2027:
                    ms[2].decisions = Decisions(us_threat=0.8, us_drawdown=0.1)
            engine_year.step(batch)
            for m in alone:
                m.step()
            for a, b in zip(together, alone, strict=True):
                assert _us(a) == _us(b)
        for a, b in zip(together, alone, strict=True):
            assert a.recorder.events == b.recorder.events
            np.testing.assert_array_equal(
                np.array(a.recorder.model_rows["us_threat_level"]),
                np.array(b.recorder.model_rows["us_threat_level"]),
            )
        assert any("human" in m.recorder.events["kind"] for m in together)

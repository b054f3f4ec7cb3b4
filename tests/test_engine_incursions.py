"""The incursions phase over a batch (issue 25, :func:`sim.mechanisms.incursions.act`).

Runs in different states and worlds (numeric parameters) advanced together get exactly what each
gets alone: the same incursions, answers, feedback, events and random stream; a run without
incursions and one whose every incursion brings Article 4 included. The targets drawn from one
block of a run's stream are those ``Generator.choice`` draws from it.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.mechanisms import incursions

from .conftest import make_model

WORLDS = [
    (1, {}),
    (2, {"russia.incursion_scale": 0.0}),  # no incursions: the run draws nothing more
    (3, {"russia.incursion_serious_share": 1.0, "russia.incursion_firm_base": 6.0}),  # Article 4
    (
        4,
        {
            "russia.incursion_scale": 4.0,
            "russia.incursion_exposure_elasticity": 1.0,
            "russia.incursion_belarus_weight": 1.5,
            "russia.incursion_target_sensitivity": 3.0,
        },
    ),
    (5, {"russia.incursion_serious_share": 0.5, "russia.incursion_threat_weight": 0.2}),
]


def _models(years: int) -> list:
    """The worlds' models, each advanced alone ``years`` years and then to this year's
    incursions (its first two phases)."""
    out = []
    for seed, params in WORLDS:
        m = make_model(params, seed=seed)
        for _ in range(years):
            m.step()
        one = Batch.of(m)
        engine_year.begin_year(one)
        engine_year.russia_prepares(one)
        out.append(m)
    return out


def _state(m) -> tuple:
    ru, st = m.russia, m.ally_state
    return (
        ru.incursions_this_year,
        len(ru.incursion_history),
        st.shock.tobytes(),
        st.trust.tobytes(),
        m.cohesion_damage,
        ru.confidence,
        ru.resolve_estimate,
        ru.europe_resolve_estimate,
        ru.incursion_rng.bit_generator.state,
        {k: list(v) for k, v in m.recorder.events.items()},
    )


@pytest.mark.parametrize("years", [0, 3])
def test_a_batch_gives_each_run_what_it_gets_alone(years):
    together, alone = _models(years), _models(years)
    got = incursions.act(Batch(together))
    for m, incs in zip(alone, got, strict=True):
        assert incursions.act(Batch.of(m)) == [incs]
    for a, b in zip(together, alone, strict=True):
        assert _state(a) == _state(b)
    counts = [len(m.russia.incursions_this_year) for m in together]
    assert counts[1] == 0 and counts[3] > 0
    assert all(i.article4 for i in together[2].russia.incursions_this_year)


def test_the_per_run_functions_are_rows_of_the_batched_ones():
    models = _models(2)
    batch = Batch(models)
    logit = incursions.firmness_logits(batch)
    weights = incursions.target_weight_table(batch, logit)
    exposure = incursions.exposures(batch)
    expected = incursions.expected_firmnesses(batch, logit)
    for r, m in enumerate(models):
        assert np.array_equal(incursions.firmness_logit(m), logit[r])
        assert np.array_equal(incursions.exposure(m), exposure[r])
        assert np.array_equal(incursions.target_weights(m), weights[r])
        assert np.array_equal(incursions.target_weights(m, logit[r]), weights[r])
        assert np.array_equal(incursions.expected_firmness(m), expected[r])
    # worlds of other exposure parameters keep their own exposure (the theatre's cache is per run)
    assert not np.array_equal(exposure[0], exposure[3])


def test_targets_from_one_block_are_those_choice_draws():
    """``choice(n, size=k, p=p)`` then ``random((k, 3))`` is the stream of ``random(4k)``: the
    first k uniforms give ``choice``'s targets (:func:`incursions._draw_targets`)."""
    gen = np.random.default_rng(5)
    for k in (1, 2, 7, 40):
        w = gen.random(31) * (gen.random(31) < 0.5)
        w[gen.integers(31)] += 1e-3
        p = w / w.sum()
        a, b = np.random.default_rng(k), np.random.default_rng(k)
        targets = a.choice(31, size=k, p=p)
        rest = a.random((k, 3))
        block = b.random(4 * k)
        drawn = incursions._draw_targets(np.tile(p, (k, 1)), block[:k])
        assert np.array_equal(drawn, targets)
        assert np.array_equal(block[k:].reshape(k, 3), rest)

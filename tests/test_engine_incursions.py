"""The incursions phase over a batch (issue 25, :func:`sim.mechanisms.incursions.act`).

Runs in different states and worlds (numeric parameters) advanced together get exactly what each
gets alone: the same incursions, answers, feedback, events and random stream; a run without
incursions and one whose every incursion brings Article 4 included. The targets drawn from one
block of a run's stream are those ``Generator.choice`` draws from it. The feedback over the
batch (shocks added in one ``np.add.at``, trust by each run's k-th request, Russia's learning a
year at a time) and the event texts are, bit for bit, those of the incursions fed back and
logged one at a time (a reference written out here), with the trust and reading switches on
and off.
"""

from __future__ import annotations

import math

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
    (  # many incursions, several Article 4 requests a year between routine ones
        6,
        {
            "russia.incursion_scale": 3.0,
            "russia.incursion_serious_share": 0.3,
            "russia.incursion_firm_base": 3.0,
            "russia.incursion_trust_loss": 0.2,
            "russia.incursion_cohesion_loss": 0.1,
        },
    ),
]


def _models(years: int, switches: dict | None = None) -> list:
    """The worlds' models, each advanced alone ``years`` years and then to this year's
    incursions (its first two phases); ``switches``: parameters every world shares."""
    out = []
    for seed, params in WORLDS:
        m = make_model(params | (switches or {}), seed=seed)
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


# -- the feedback and the texts against one incursion at a time -----------------------------------
def _before(m) -> tuple:
    ru, st = m.russia, m.ally_state
    return (
        st.shock.copy(),
        st.trust.copy(),
        m.cohesion_damage,
        ru.confidence,
        ru.europe_resolve_estimate,
        ru.resolve_estimate,
    )


def _one_at_a_time(m, before: tuple, incs: list) -> tuple:
    """The feedback of ``incs`` (M8) applied one incursion after the other, as the rules state
    it: a routine incursion adds to its target's shock; a request adds a vector (the target's
    weight plus the network's alarm), moves trust and cohesion; Russia learns from each."""
    shock, trust, damage, c, e, r = before
    shock, trust = shock.copy(), trust.copy()
    p = m.p_russia
    reads = m.on("russia_reads_resolve")
    for inc in incs:
        t = inc.target
        if inc.article4:
            vec = np.zeros(len(shock))
            vec[t] = p["incursion_threat_weight"]
            closeness = m.raw_weights[t] / (m.raw_weights.max() or 1.0)
            closeness[t] = 1.0
            shock = shock + (vec + p["incursion_article4_threat_weight"] * closeness)
            if m.on("trust"):
                if inc.us_stood:
                    trust = trust + p["incursion_trust_gain"] * (1.0 - trust)
                else:
                    trust = trust - p["incursion_trust_loss"] * trust
            if not inc.us_stood:
                damage = 1.0 - (1.0 - damage) * (1.0 - p["incursion_cohesion_loss"])
        else:
            shock[t] += p["incursion_threat_weight"]
        if inc.firm:
            c = c - p["incursion_deter_gain"] * max(0.0, 1.0 + c)
        else:
            c = c + p["incursion_embolden_gain"] * max(0.0, 1.0 - c)
        if reads:
            if inc.firm:
                e = e + p["incursion_resolve_gain"] * (1.0 - e)
            else:
                e = e - p["incursion_resolve_loss"] * e
            if inc.us_stood is not None:
                if inc.us_stood:
                    r = r + p["incursion_resolve_gain"] * (1.0 - r)
                else:
                    r = r - p["incursion_resolve_loss"] * r
    return shock, trust, damage, c, e, r


def _texts(m, incs: list) -> list[str]:
    """The year's ``incursion`` events in words, one incursion at a time: each request's, then
    one for the rest."""
    answers = {"air": "intercepted", "drone": "shot down", "sea": "escorted out"}
    out = [incursions.describe(m, i) for i in incs if i.article4]
    parts = []
    for i in incs:
        if not i.article4:
            c = m.allies[i.target].record.country
            where = f"sea off {c}" if i.kind == "sea" else f"{i.kind} over {c}"
            parts.append(f"{where} ({answers[i.kind] if i.firm else 'tracked, a protest'})")
    if parts:
        n = len(parts)
        out.append(f"{n} Russian incursion{'s' if n > 1 else ''}: " + ", ".join(parts))
    return [f"{m.year}: {t[0].upper()}{t[1:]}" for t in out]


@pytest.mark.parametrize(
    "switches",
    [
        {},
        {"mechanisms.trust": False},
        {"mechanisms.russia_reads_resolve": False},
    ],
)
def test_the_feedback_and_texts_are_those_of_one_incursion_at_a_time(switches):
    models = _models(2, switches)
    before = [_before(m) for m in models]
    logged = [len(m.recorder.events["event"]) for m in models]
    incursions.act(Batch(models))
    several = 0
    for m, b, k in zip(models, before, logged, strict=True):
        incs = m.russia.incursions_this_year
        got = _before(m)
        want = _one_at_a_time(m, b, incs)
        assert got[0].tobytes() == want[0].tobytes() and got[1].tobytes() == want[1].tobytes()
        assert got[2:] == want[2:]
        assert m.recorder.events["event"][k:] == _texts(m, incs)
        requests = [j for j, i in enumerate(incs) if i.article4]
        several += len(requests) > 1 and requests[-1] - requests[0] >= len(requests)
    assert several  # a run with several requests and routine incursions between them


def test_learning_from_a_year_is_learning_from_each_in_turn():
    firm = [True, False, False, True, True, False]
    stood = [None, True, None, False, None, None]
    for reads in (True, False):
        a, b = make_model(seed=3).russia, make_model(seed=3).russia
        a.confidence = b.confidence = 0.3
        a.learn_from_incursions(firm, stood, reads)
        for f, s in zip(firm, stood, strict=True):
            b.learn_from_incursion(f, s, reads)
        assert (a.confidence, a.europe_resolve_estimate, a.resolve_estimate) == (
            b.confidence,
            b.europe_resolve_estimate,
            b.resolve_estimate,
        )


def test_the_rates_over_a_batch_are_each_runs_alone():
    """:func:`sim.agents.russia.incursion_rates` over runs of different worlds and states gives
    each run, bit for bit, what its method gives alone (a batch of one), the war's intensity
    outside 0-1 included; the boldness is the method's."""
    from sim.agents.russia import incursion_rates

    models = _models(2)
    models[4].russia.confidence = 0.7
    models[5].russia.resolve_estimate = 0.1
    situations = [
        (w, 0.1 * i, 0.3 - 0.05 * i) for i, w in enumerate([1.0, 0.0, 0.4, 1.3, -0.2, 0.7])
    ]
    batch = Batch(models)
    rates, boldness, growth = incursion_rates(
        models, situations, batch.params("russia"), batch.params("perception")
    )
    for r, (m, s) in enumerate(zip(models, situations, strict=True)):
        alone = m.russia.incursion_rates(*s)
        assert alone.tobytes() == rates[r].tobytes()
        assert m.russia.incursion_boldness(*s[1:]) == boldness[r]
        assert growth[r] == math.exp(min(50.0, boldness[r]))
    assert not rates[1].any() and rates[3].any()  # world 2: incursion_scale 0


def test_what_the_batch_keeps_sees_a_lever_moved_and_a_presence_bound():
    """The exposures, the presence's sums and the closeness kept on a batch from year to year
    (:meth:`Batch.kept`) follow a run's new ``[russia]`` table (a lever moved mid-run) and a
    presence bound from outside; a batch stepped over the years, a lever moved in one run
    between them, gives each run what it gets alone."""
    models = _models(1)
    batch = Batch(models)
    before = incursions.exposures(batch).copy()
    logit = incursions.firmness_logits(batch).copy()
    models[0].change_params({"russia.incursion_exposure_elasticity": 2.5})
    models[1].theatre.presence = models[1].theatre.presence + 2.0
    after = incursions.exposures(batch)
    assert not np.array_equal(before[0], after[0])
    assert np.array_equal(before[2:], after[2:])
    assert np.array_equal(after[0], incursions.exposure(models[0]))
    moved = incursions.firmness_logits(batch)
    assert not np.array_equal(moved[1], logit[1])
    assert np.array_equal(moved[1], incursions.firmness_logit(models[1]))

    together = [make_model(params, seed=seed) for seed, params in WORLDS]
    alone = [make_model(params, seed=seed) for seed, params in WORLDS]
    batch = Batch(together)
    for year in range(4):
        if year == 2:
            for m in (together[3], alone[3]):
                m.change_params(
                    {"russia.incursion_exposure_elasticity": 0.5, "russia.incursion_scale": 2.0}
                )
        engine_year.step(batch)
        for m in alone:
            m.step()
        for a, b in zip(together, alone, strict=True):
            assert _state(a) == _state(b)
            assert a.russia.incursion_history == b.russia.incursion_history

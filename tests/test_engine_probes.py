"""The probe phase over a batch (issue 25): Russia's assessment and choice of targets are made for
every model of a batch together (:func:`sim.agents.russia.choose_probes`,
:func:`sim.mechanisms.crisis.perceived_successes`), and each model gets exactly what it gets
alone, in different states and worlds, waiting after a probe, with another set of candidates,
with a human Russia or a forced probe (the crisis game, per model)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.engine import year as engine_year
from sim.engine.batch import Batch
from sim.mechanisms import crisis as crisis_game
from sim.model.alliance import AllianceModel

ROOT = Path(__file__).resolve().parent.parent

# (numeric parameters of the world, seed, years advanced before the phase)
WORLDS = [
    ({}, 1, 0),
    ({"crisis.enabler_elasticity": 0.5, "russia.probe_threshold": -1.0}, 2, 3),
    ({"crisis.race_step_hours": 4.0, "crisis.ally_aid_base": -0.5}, 3, 5),
    ({"russia.probe_gain": 4.5, "russia.misperception_sd": 0.3}, 4, 2),
    ({}, 5, 4),
    ({"crisis.probe_depth_km": 20.0}, 6, 1),
]


def _ready_models() -> list[AllianceModel]:
    """Models in different worlds and years, each at the start of its probe phase; one waits
    after a probe, one has lost a candidate, one has a human Russia, one a forced probe."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    models = []
    for params, seed, years in WORLDS:
        m = AllianceModel(base.with_params(params) if params else base, rng=seed)
        for _ in range(years):
            m.step()
        one = Batch.of(m)
        for phase in engine_year.PHASES[: engine_year.PHASES.index(engine_year.russia_probes)]:
            phase(one)
        models.append(m)
    models[1].russia.cooldown = 1
    est = models[2].codes.index("EST")
    models[2].ally_state.member[est] = False  # other candidates: assessed in a group of its own
    models[3].decided.russia_probe = "LVA"
    models[4].forced_probe = models[4].codes.index("LTU")
    models[5].russia.confidence = 3.0  # bold: likely to probe
    return models


def _state(m: AllianceModel) -> dict:
    r = m.russia
    o = r.options
    return {
        "options": None
        if o is None
        else {k: np.asarray(getattr(o, k)) for k in o.__dataclass_fields__},
        "success": r.success_estimate,
        "probability": r.probe_probability,
        "cooldown": r.cooldown,
        "rng": m.rng.bit_generator.state,
        "crisis": m.probe_this_year,
        "events": copy.deepcopy(m.recorder.events),
        "confidence": r.confidence,
        "trust": m.ally_state.trust.copy(),
    }


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k, x in a.items():
        y = b[k]
        if k == "options":
            assert (x is None) == (y is None)
            if x is not None:
                for f in x:
                    assert np.array_equal(x[f], y[f], equal_nan=True), f
        elif isinstance(x, (np.ndarray, float)):
            assert np.array_equal(x, y, equal_nan=True), k
        else:
            assert x == y, k


@pytest.fixture(scope="module")
def ready() -> list[AllianceModel]:
    return _ready_models()


def test_the_batch_gives_each_model_what_it_gets_alone():
    together, alone = _ready_models(), _ready_models()  # the same states, built twice
    engine_year.russia_probes(Batch(together))
    for a, b in zip(alone, together, strict=True):
        engine_year.russia_probes(Batch.of(a))
        _same(_state(a), _state(b))
    states = [_state(m) for m in together]
    assert states[1]["options"] is None and np.isnan(states[1]["success"])  # waiting
    assert states[0]["options"] is not None and states[2]["options"] is not None
    assert len(states[2]["options"]["candidates"]) == len(states[0]["options"]["candidates"]) - 1
    assert any("(human)" in e for e in states[3]["events"]["event"])  # the human Russia
    assert states[4]["crisis"] is not None  # the forced probe played the crisis game


def test_the_assessment_over_a_group_is_each_models_own(ready):
    """perceived_successes over models sharing their targets gives, row by row, what
    perceived_success gives each model alone, bit for bit."""
    ms = ready  # in different worlds: the aid, enabler and race parameters differ
    s = ms[0].ally_state
    targets = np.flatnonzero(ms[0].theatre.reachable & s.member & s.armed)
    us = np.array([0.2, 0.5, 0.9, 1.0, 0.0, 0.7])
    eu = np.array([0.6, 0.1, 0.5, 0.33, 1.0, 0.02])
    together = crisis_game.perceived_successes(ms, targets, us, eu)
    for k, m in enumerate(ms):
        alone = crisis_game.perceived_success(m, targets, float(us[k]), float(eu[k]))
        assert np.array_equal(together[k], alone)

"""Russia's reading of US and European resolve at the end of a year, over a batch (M3).

The rules are :func:`sim.agents.russia.read_resolve` and :func:`sim.agents.russia.europe_signal`,
written for one run's numbers or for arrays of runs; here they are applied once for the batch.
The allies' mean threat perception is a dot product (``mean_weights @ threat``), kept per run.
"""

from __future__ import annotations

import operator

import numpy as np

from ..agents import russia as ru
from .batch import Batch

# the [perception] parameters the rules read
_PERCEPTION = (
    "resolve_weight_posture",
    "resolve_weight_threat",
    "resolve_weight_reassurance",
    "resolve_weight_ambiguity",
    "resolve_exit_penalty",
    "resolve_learning",
    "europe_resolve_weight_threat",
    "europe_resolve_weight_cohesion",
    "europe_resolve_weight_capability",
)
_perception = operator.itemgetter(*_PERCEPTION)  # a run's as a tuple, in one call


def read_resolve(batch: Batch) -> None:
    """Every run's Russia updates its estimates of resolve from what it sees this year (M3, C9)."""
    models = batch.models
    # one row of numbers per run (gathered at once: cheaper than an array per quantity)
    rows = np.array(
        [
            (
                float(m.mean_weights @ m.ally_state.threat),
                m.cohesion,
                us.posture,
                us.threat_level,
                us.reassurance_now(m.now),
                us.ambiguity,
                bool(us.exited_mechanisms),
                r.resolve_estimate,
                r.europe_resolve_estimate,
                r.confidence,
                r.p["confidence_memory"],
                *_perception(m.p_perception),
            )
            for m in models
            for us, r in ((m.united_states, m.russia),)
        ],
        dtype=float,
    ).T
    mean_threat, cohesion, *seen = rows[:7]
    seen[-1] = seen[-1] > 0.5  # whether the US has exited the coordination mechanisms
    estimates, memory = tuple(rows[7:10]), rows[10]
    pp = dict(zip(_PERCEPTION, rows[11:], strict=True))
    coverage = np.array([m.coverage for m in models]).mean(axis=-1)  # per run as alone
    signal = ru.europe_signal(pp, mean_threat, cohesion, coverage)
    out = ru.read_resolve(pp, memory, estimates, tuple(seen), signal)
    for m, a, b, c in zip(models, *(v.tolist() for v in out), strict=True):
        m.russia.resolve_estimate, m.russia.europe_resolve_estimate, m.russia.confidence = a, b, c

"""Russia's reading of US and European resolve at the end of a year, over a batch (M3).

The rules are :func:`sim.agents.russia.read_resolve` and :func:`sim.agents.russia.europe_signal`,
written for one run's numbers or for arrays of runs; here they are applied once for the batch.
The allies' mean threat perception is a dot product (``mean_weights @ threat``), kept per run.
"""

from __future__ import annotations

import numpy as np

from ..agents import russia as ru
from .batch import Batch


def read_resolve(batch: Batch) -> None:
    """Every run's Russia updates its estimates of resolve from what it sees this year (M3, C9)."""
    models = batch.models
    pp = {
        k: v[:, 0] if isinstance(v, np.ndarray) else v
        for k, v in batch.params("perception").items()
    }
    mean_threat = np.array([float(m.mean_weights @ m.ally_state.threat) for m in models])
    cohesion = np.array([m.cohesion for m in models], dtype=float)
    coverage = np.stack([m.coverage for m in models]).mean(axis=-1)  # per run as alone
    signal = ru.europe_signal(pp, mean_threat, cohesion, coverage)
    us = [m.united_states for m in models]
    seen = (
        np.array([u.posture for u in us], dtype=float),
        np.array([u.threat_level for u in us], dtype=float),
        np.array([u.reassurance_now(m.now) for u, m in zip(us, models, strict=True)], dtype=float),
        np.array([u.ambiguity for u in us], dtype=float),
        np.array([bool(u.exited_mechanisms) for u in us]),
    )
    russias = [m.russia for m in models]
    estimates = (
        np.array([r.resolve_estimate for r in russias], dtype=float),
        np.array([r.europe_resolve_estimate for r in russias], dtype=float),
        np.array([r.confidence for r in russias], dtype=float),
    )
    memory = np.array([r.p["confidence_memory"] for r in russias], dtype=float)
    out = ru.read_resolve(pp, memory, estimates, seen, signal)
    for r, a, b, c in zip(russias, *(v.tolist() for v in out), strict=True):
        r.resolve_estimate, r.europe_resolve_estimate, r.confidence = a, b, c

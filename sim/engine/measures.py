"""Europe's progress as the US measures it (M5, C19), for every run of a batch at once."""

from __future__ import annotations

import numpy as np

from ..mechanisms import progress
from .batch import Batch


def progress_measures(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """(headline, capability) progress in [0, 1] of each run of ``batch``, as the US can measure
    it (C19), as arrays of shape (R,).

    Headline: GDP-weighted share of European allies whose reported core spending reaches the
    US demand (:func:`~sim.mechanisms.progress.headline_progress`). Capability: per category,
    the share of the US contribution at the start that European capability delivered since
    replaces (ISR at most :meth:`~sim.model.alliance.AllianceModel.isr_replaceable`'s part),
    averaged over categories (:func:`~sim.mechanisms.progress.capability_progress`). Europe's
    capability per category (a matrix product) is computed per run.
    """
    models = batch.models
    head = progress.headline_progress(
        batch.stack(lambda m: m.ally_state.gdp_bn),
        batch.stack(lambda m: m.european & m.ally_state.member),
        batch.stack(lambda m: m.ally_state.reported_core_pct),
        batch.column(lambda m: m.now["us_demand_pct"]),
    )
    capab = progress.capability_progress(
        np.array([m.europe_capability() for m in models]),
        batch.stack(lambda m: m.europe_start),
        batch.stack(lambda m: m.us_base),
        np.array([m.isr_replaceable() for m in models], dtype=float),
    )
    return head, capab

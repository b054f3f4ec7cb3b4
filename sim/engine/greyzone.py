"""Russia's grey-zone attacks of a year over a batch (M8, C12).

The mean attacks per ally (:func:`sim.agents.russia.greyzone_means`) are computed once for the
batch, elementwise over (runs, allies); each run then draws its Poisson counts from its own
stream, with the same call as alone; a human Russia's choice (a seminar) scales a run's counts,
per run; the attacks scripted by events are added over the batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..agents.russia import greyzone_means
from .batch import Batch

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel


def attack(batch: Batch) -> None:
    """Every run's grey-zone attacks this year (M8, C12): Poisson counts with mean
    :func:`~sim.agents.russia.greyzone_means` from the run's own stream, scaled by a human
    Russia's choice in a seminar (rounded), plus those scripted by events (each run's
    ``greyzone_attacks_extra``, then emptied); ``greyzone_total`` their sum. The runs'
    proximity to Russia is kept on the batch (:meth:`Batch.kept`: the network's, bound once in
    a run and never written into)."""
    models = batch.models
    # the year's numbers, one row per run (gathered at once), each column of shape (runs, 1);
    # the parameters as the batch keeps them (Batch.params: Russia's table is the model's)
    rows = np.array(
        [(m.now["greyzone_escalation"], m.russia.resolve_estimate) for m in models], dtype=float
    )
    means = greyzone_means(
        batch.params("russia"), rows[:, 0:1], batch.kept("proximity"), rows[:, 1:2]
    )
    attacks = np.array([m.rng.poisson(lam) for m, lam in zip(models, means, strict=True)])
    for i, m in enumerate(models):
        share = m.decided.russia_greyzone
        if share is not None:
            attacks[i] = _human(m, attacks[i], share)
    attacks = attacks + batch.stack(lambda m: m.ally_state.greyzone_attacks_extra)
    emptied = np.zeros_like(attacks)
    totals = attacks.sum(axis=1).tolist()
    for m, row, none, total in zip(models, attacks, emptied, totals, strict=True):
        s = m.ally_state
        s.greyzone_attacks, s.greyzone_attacks_extra = row, none
        m.greyzone_total = total


def _human(m: AllianceModel, attacks: np.ndarray, share: float) -> np.ndarray:
    """A human Russia sets its grey-zone campaign to ``share`` times the drawn attacks
    (rounded; logged)."""
    m.recorder.event("human", f"Russia (human) sets its grey-zone campaign to {share:.1f}x")
    return np.round(attacks * share).astype(np.int64)

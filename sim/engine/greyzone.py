"""Russia's grey-zone attacks of a year over a batch (M8, C12).

The mean attacks per ally (:func:`sim.agents.russia.greyzone_means`) are computed once for the
batch, elementwise over (runs, allies); each run then draws its Poisson counts from its own
stream, with the same call as alone (:meth:`sim.model.alliance.AllianceModel._greyzone_attacks`:
a human Russia's choice and the attacks scripted by events are per run).
"""

from __future__ import annotations

import numpy as np

from ..agents.russia import greyzone_means
from .batch import Batch


def attack(batch: Batch) -> None:
    """Every run's grey-zone attacks this year."""
    # one row of numbers per run (gathered at once), each column of shape (runs, 1)
    rows = np.array(
        [
            (
                m.russia.p["greyzone_base"],
                m.russia.p["greyzone_resolve_sensitivity"],
                m.now["greyzone_escalation"],
                m.russia.resolve_estimate,
            )
            for m in batch.models
        ],
        dtype=float,
    )
    p = {"greyzone_base": rows[:, 0:1], "greyzone_resolve_sensitivity": rows[:, 1:2]}
    means = greyzone_means(
        p, rows[:, 2:3], np.array([m.proximity for m in batch.models]), rows[:, 3:4]
    )
    for m, lam in zip(batch.models, means, strict=True):
        m._greyzone_attacks(lam)

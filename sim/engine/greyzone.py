"""Russia's grey-zone attacks of a year over a batch (M8, C12).

The mean attacks per ally (:func:`sim.agents.russia.greyzone_means`) are computed once for the
batch, elementwise over (runs, allies); each run then draws its Poisson counts from its own
stream, with the same call as alone (:meth:`sim.model.alliance.AllianceModel._greyzone_attacks`:
a human Russia's choice and the attacks scripted by events are per run).
"""

from __future__ import annotations

from ..agents.russia import greyzone_means
from .batch import Batch


def attack(batch: Batch) -> None:
    """Every run's grey-zone attacks this year."""
    p = {
        k: batch.column(lambda m, k=k: m.russia.p[k])
        for k in ("greyzone_base", "greyzone_resolve_sensitivity")
    }
    means = greyzone_means(
        p,
        batch.column(lambda m: m.now["greyzone_escalation"]),
        batch.stack(lambda m: m.proximity),
        batch.column(lambda m: m.russia.resolve_estimate),
    )
    for m, lam in zip(batch.models, means, strict=True):
        m._greyzone_attacks(lam)

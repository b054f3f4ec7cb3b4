"""Europe's progress as the US measures it (M5, C19), for every run of a batch at once."""

from __future__ import annotations

import numpy as np

from ..mechanisms import capability as cap
from ..mechanisms import progress
from .batch import Batch


def headline(
    batch: Batch,
    member: np.ndarray | None = None,
    reported: np.ndarray | None = None,
    european: np.ndarray | None = None,
    demand: np.ndarray | None = None,
    gdp: np.ndarray | None = None,
) -> np.ndarray:
    """Headline progress of each run, shape (R,): the GDP-weighted share of European allies
    whose reported core spending reaches the US demand
    (:func:`~sim.mechanisms.progress.headline_progress`). ``member``, ``reported``,
    ``european`` (the allies' membership, reported core spending and the European allies with
    armed forces, (R, allies)), ``demand`` (the US demand, (R, 1)) and ``gdp`` (the allies'
    GDP, (R, allies)) if the caller has them gathered already."""
    if member is None:
        member = batch.stack(lambda m: m.ally_state.member)
    if reported is None:
        reported = batch.stack(lambda m: m.ally_state.reported_core_pct)
    if european is None:
        european = batch.stack(lambda m: m.european)
    if demand is None:
        demand = batch.column(lambda m: m.now["us_demand_pct"])
    if gdp is None:
        gdp = batch.stack(lambda m: m.ally_state.gdp_bn)
    return progress.headline_progress(gdp, european & member, reported, demand)


def capability(batch: Batch) -> np.ndarray:
    """Capability progress of each run, shape (R,): per category, the share of the US
    contribution at the start that European capability delivered since replaces (ISR at most
    :meth:`~sim.model.alliance.AllianceModel.isr_replaceable`'s part), averaged over categories
    (:func:`~sim.mechanisms.progress.capability_progress`). Europe's capability per category
    is one stacked matrix product over the runs' stocks
    (:func:`~sim.mechanisms.capability.in_europe`: each run's product the one it computes
    alone, :meth:`~sim.model.alliance.AllianceModel.europe_capability`)."""
    models = batch.models
    return progress.capability_progress(
        cap.in_europe(batch.kept("europe_weights"), cap.stocks([m.pipeline for m in models])),
        batch.kept("europe_start"),
        batch.kept("us_base"),
        np.array([m.isr_replaceable() for m in models], dtype=float),
    )


def progress_measures(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """(headline, capability) progress in [0, 1] of each run of ``batch``, as the US can measure
    it (C19), as arrays of shape (R,): :func:`headline` and :func:`capability`."""
    return headline(batch), capability(batch)


def measured(
    batch: Batch,
    member: np.ndarray | None = None,
    reported: np.ndarray | None = None,
    european: np.ndarray | None = None,
    demand: np.ndarray | None = None,
    gdp: np.ndarray | None = None,
) -> np.ndarray:
    """Progress by the measure the US uses (``united_states.measurement``, the same in every
    run of a batch: :meth:`~sim.agents.united_states.UnitedStates.measure_progress`), shape
    (R,); only that measure is computed (the arrays: as :func:`headline`)."""
    if batch.models[0].united_states.p["measurement"] == "headline":
        return headline(batch, member, reported, european, demand, gdp)
    return capability(batch)

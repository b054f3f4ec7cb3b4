"""One year of every run in a batch (:mod:`sim.engine`), in the model's order.

The order is :mod:`sim.model.alliance`'s (its module docstring). Each phase below takes the
batch. A phase written over the batch stacks the runs' state and applies its rules once; the
others call each model's own method in turn. Either way each model draws from its own stream
in its own order, so a run's tables do not depend on the batch.

Batched (written once over the batch, each checked to leave every table identical:
``benchmarks/golden.py``, ``tests/test_engine*.py``): Russia's spending and forces
(:mod:`sim.engine.russia`), its grey-zone attacks (:mod:`sim.engine.greyzone`) and the theatre
(:func:`~sim.mechanisms.theatre.refresh_theatres`), the incursions
(:func:`sim.mechanisms.incursions.act`), Russia's weighing of its probe options
(:func:`sim.agents.russia.choose_probes`), the US's measures of progress, threats, execution and
posture (:mod:`sim.engine.measures`, :mod:`sim.engine.us`), the allies' year
(:mod:`sim.engine.allies`), the deliveries and indices (:mod:`sim.engine.deliveries`), Russia's
reading of resolve and the year's record (:mod:`sim.engine.resolve`,
:func:`sim.model.outputs.record_years`). Per run still, gathered by mask where they apply: the
year's events and joins, the crisis game when Russia probes, human decisions, the event log's
lines and the deadline judged.
"""

from __future__ import annotations

import numpy as np

from ..agents.russia import choose_probes
from ..mechanisms import crisis as crisis_game
from ..mechanisms import incursions
from ..mechanisms.theatre import refresh_theatres
from ..model import initial
from ..model.outputs import record_years
from . import allies, deliveries, greyzone, resolve, russia, us
from .batch import Batch


def begin_year(batch: Batch) -> None:
    """Step 1: the year's series, joins, events and GDP growth (per model: rare branches).
    Whether an ally can join a run this year is checked over the batch: one not yet a member
    whose record's accession year has come (:func:`~sim.model.initial.members`; ``allies.csv``,
    the same in every run of a batch: :func:`~sim.engine.batch.structure`), or an accession
    event of the year; only those runs look for their joins
    (:meth:`~sim.model.alliance.AllianceModel._join_on_record`)."""
    models = batch.models
    if len(models) == 1:  # a run alone looks for its joins itself (no arrays of one)
        models[0]._begin_year(True)
        return
    record = models[0].accession_year
    years = {m.year + 1 for m in models}  # one year in a batch stepped together
    if len(years) == 1:
        due = initial.members(record, years.pop())
    else:
        due = np.array([initial.members(record, m.year + 1) for m in models])
    joins = (due & ~batch.stack(lambda m: m.ally_state.member)).any(axis=1).tolist()
    for m, j in zip(models, joins, strict=True):
        m._begin_year(j or (m.year + 1) in m.accession_events)


def russia_prepares(batch: Batch) -> None:
    """Step 2, first part: Russia's spending and forces (M8, over the batch:
    :mod:`sim.engine.russia`; a ceasefire logged per run), its grey-zone attacks (M8; the means
    over the batch, each run's draws from its own stream: :mod:`sim.engine.greyzone`) and the
    theatre read again (over the batch: :func:`~sim.mechanisms.theatre.refresh_theatres`)."""
    models = batch.models
    russia.prepare(batch)
    greyzone.attack(batch)
    refresh_theatres([m.theatre for m in models], models, [m.year for m in models], batch)


def russia_incursions(batch: Batch) -> None:
    """Step 2: air, drone and sea incursions below the threshold of war (M8): batched (the
    draws per run)."""
    incursions.act(batch)


def russia_probes(batch: Batch) -> None:
    """Step 2, last part: the probe decision and the crisis game (M8, M9). Russia weighs its
    options in every model together (:func:`~sim.agents.russia.choose_probes`, the assessment
    :func:`~sim.mechanisms.crisis.perceived_successes`); a human Russia, a forced probe and the
    crisis game (about one run-year in 75) are each model's own, in turn (only the models
    that probe or are told to)."""
    options = [m._probe_options() for m in batch.models]
    targets = choose_probes(
        batch.models,
        [o[0] for o in options],
        [o[1] for o in options],
        crisis_game.perceived_successes,
        [o[2] for o in options],
    )
    for m, target in zip(batch.models, targets, strict=True):
        if target is not None or m.forced_probe is not None or m.decided.russia_probe is not None:
            m._answer_probe(target)  # (a model that neither probes nor is told to: nothing)


def united_states_acts(batch: Batch) -> None:
    """Step 3: the US measures progress, threatens, executes and adjusts its posture (M5),
    over the batch (:func:`sim.engine.us.act`; per run: its humans, events and draws)."""
    us.act(batch)


def allies_act(batch: Batch) -> None:
    """Step 4: the allies' threat, trust, answer to coercion and budgets (M2, M3, M4), batched
    (:func:`sim.engine.allies.act`)."""
    allies.act(batch)


def deliver(batch: Batch) -> None:
    """Step 5: orders, deliveries and the alliance's indices (M1, M6, M7), over the batch
    (:func:`sim.engine.deliveries.deliver`)."""
    deliveries.deliver(batch)


def end_year(batch: Batch) -> None:
    """Steps 5-6: the deadline judged (per model, its events; only the runs whose deadline
    falls due this year or whose last year it is: :meth:`AllianceModel._end_year`), Russia
    reads resolve (M3, over the batch: :mod:`sim.engine.resolve`), the year recorded (over the
    batch: :func:`~sim.model.outputs.record_years`)."""
    for m in [m for m in batch.models if m.united_states.deadline_due() or m.year >= m.end_year]:
        m._end_year()  # only the runs with something to do: a deadline or their last year
    resolve.read_resolve(batch)
    record_years(batch)


PHASES = (
    begin_year,
    russia_prepares,
    russia_incursions,
    russia_probes,
    united_states_acts,
    allies_act,
    deliver,
    end_year,
)


def step(batch: Batch) -> None:
    """Advance every model of ``batch`` one year."""
    for phase in PHASES:
        phase(batch)

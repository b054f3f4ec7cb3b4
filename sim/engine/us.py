"""The US's year over a batch (M5, step 3 of :mod:`sim.model.alliance`): progress measured,
threats set, executed, posture adjusted, for every run at once.

The rules are :mod:`sim.agents.united_states`' (:func:`~sim.agents.united_states.threats`,
:func:`~sim.agents.united_states.executions`, :func:`~sim.agents.united_states.postures`),
applied once to the runs' US state gathered as (R,) arrays and written back. Per run, gathered
by mask: a seminar's human US (its threat level, reassurance and drawdown), the event log
(each run's lines in the order it writes them alone) and the execution's draw, from the run's
own stream where an execution can happen.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..agents import united_states as rules
from ..model.events import apply_event
from ..scenario.schema import Event
from . import measures
from .batch import Batch
from .elementwise import negate

# the [united_states] numbers the year's rules read (a column per run in a batch)
NUMBERS = (
    "threat_intensity",
    "success_progress",
    "escalation_step",
    "progress_expected",
    "asia_pressure",
    "relent_trust",
    "relent_share",
    "relent_reassurance",
    "reassurance_memory",
    "threat_adjustment",
    "ambiguity_per_threat",
    "patience_years",
    "congress_floor",
    "execution_probability",
    "drawdown_step",
    "posture_ceiling",
    "refocus_drift",
    "handover_gain",
    "max_posture_change",
)
_numbers = operator.itemgetter(*NUMBERS)
_now = operator.itemgetter("us_pressure", "china_pull", "us_ambiguity", "us_demand_pct")
# the allies' arrays the year reads, gathered in one call (membership as 1.0 / 0.0)
_ALLIES = ("member", "core_pct", "reclassified_pct", "trust", "gdp_bn")
_allies = operator.attrgetter(*_ALLIES)


# (the tables read, their parameter columns) of the last batch, one tuple read and replaced
# whole (so batches advanced in two threads, as two exports of the ui at once, never pair one's
# tables with the other's columns); the tables kept alive, so their ids stay theirs:
# :func:`_columns` reads them again only when a table is not the one kept
_kept: list[tuple[Any, Any] | None] = [None]


def _columns(batch: Batch) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The US's and the perception's parameters the rules read, over the batch: a column (R,)
    per number, the shared value of a switch (``execute_threats``: the same in every run,
    :func:`~sim.engine.batch.structure`). Kept while every run's two tables are the ones they
    were read from: a lever moved mid-run binds new tables
    (:meth:`~sim.model.alliance.AllianceModel.change_params`), and a table is read-only. A
    batch of one reads its model's own tables."""
    models = batch.models
    first = models[0]
    if len(models) == 1:
        return first.united_states.p, first.p_perception
    tables = [(m.united_states.p, m.p_perception) for m in models]
    kept = _kept[0]
    if (
        kept is not None
        and len(kept[0]) == len(tables)
        and all(a[0] is b[0] and a[1] is b[1] for a, b in zip(kept[0], tables, strict=True))
    ):
        return kept[1]
    values = np.array([_numbers(us) for us, _ in tables], dtype=float)
    p: dict[str, Any] = {k: values[:, i] for i, k in enumerate(NUMBERS)}
    p["execute_threats"] = first.united_states.p["execute_threats"]
    per = np.array(
        [(t["credibility_decay"], t["credibility_execution_gain"]) for _, t in tables],
        dtype=float,
    )
    out = (p, {"credibility_decay": per[:, 0], "credibility_execution_gain": per[:, 1]})
    _kept[0] = (tables, out)
    return out


def act(batch: Batch) -> None:
    """Every run's US year (M5): it measures progress (:func:`sim.engine.measures.measured`),
    threatens (a human's threat level and reassurance override, per run), names the laggards
    (members of Europe whose spending by its measure is more than 0.05 pp below the pledge's
    path), executes or lets its threats lapse (a human's drawdown in its place), adjusts its
    posture; the laggards are kept in each model's ``laggards`` for the allies' year. A batch
    of one applies the rules to its run's own Python numbers (no arrays of one)."""
    models = batch.models
    one = len(models) == 1
    agents = [m.united_states for m in models]
    p, per = _columns(batch)
    # each run's numbers of the year in one pass: the series, an event's pressure, the
    # pledge's path and the year; its allies' arrays in one call (membership, core and
    # reclassified spending, trust, GDP), mean trust a dot product per run (``np.vecdot``)
    rows = [(*_now(m.now), m.forced_pressure, m.pledge_level(), m.year) for m in models]
    table = np.array(rows, dtype=float)
    if one:  # a run alone: views of its own arrays
        member, core, reclassified, trust_of, gdp = (a[None] for a in _allies(models[0].ally_state))
    else:
        arrays = [x for m in models for x in _allies(m.ally_state)]
        allies = np.concatenate(arrays).reshape(len(models), len(_ALLIES), len(arrays[0]))
        member = allies[:, 0] != 0.0
        core, reclassified, trust_of, gdp = (allies[:, k] for k in range(1, len(_ALLIES)))
    european = batch.kept("european")
    reported = core + reclassified  # reported_core_pct
    mean_trust = np.vecdot(batch.kept("mean_weights"), trust_of)  # m.mean_weights @ trust
    progress: Any = measures.measured(batch, member, reported, european, table[:, 3:4], gdp)
    if one:
        pressure, china, ambiguity, _, forced, _, years = rows[0]
        progress, trust = float(progress[0]), float(mean_trust[0])
    else:
        pressure, china, ambiguity, forced = (table[:, k] for k in (0, 1, 2, 4))
        trust, years = mean_trust, table[:, 6]
    s = rules.gather(agents)
    moves = rules.threats(p, s, progress, pressure, forced, china, trust, ambiguity)

    decided = [m.decided for m in models]
    humans = [
        i
        for i, d in enumerate(decided)
        if d.us_threat is not None or d.us_reassurance or d.us_drawdown is not None
    ]
    for i in humans:
        _human_threat(models[i])
        _put(s, "threat_level", i, agents[i].threat_level)  # for the laggards and execution

    measured = reported if first_measurement(batch) == "headline" else core
    laggards = member & european & (measured < table[:, 5:6] - 0.05)
    counts = laggards.sum(axis=1)
    exempt = [decided[i].us_drawdown is not None for i in humans]
    if one:
        lagging: Any = int(counts[0])
        spared: Any = bool(exempt and exempt[0])
    else:
        lagging = counts
        spared = np.zeros(len(models), dtype=bool)
        spared[[i for i, e in zip(humans, exempt, strict=True) if e]] = True
    threat = (s["threat_level"] >= 0.05) & (lagging > 0) & negate(s["success_declared"])

    # the runs that log or decide this year see their US's state so far (the logs read it):
    # a year of threats is logged the first time and every fifth after (each run's own count,
    # Recorder.due, asked once for each threatened run, as before its line)
    logged = _indices(moves[0] | moves[1] | moves[2])
    threatened, drawn = _indices(threat), _indices(spared)
    warned = [i for i in threatened if models[i].recorder.due("threat")]
    touched = sorted(set(humans).union(logged, warned))
    if touched:
        rules.scatter(agents, s, touched)
    values = progress.tolist() if isinstance(progress, np.ndarray) else [progress]
    names = rules.move_names(*moves)
    for us, made in zip(agents, names, strict=True):  # this year's moves, on each US
        us.moves = made
    for i in logged:
        models[i]._log_us_moves(values[i], names[i])
    count, level = counts.tolist(), np.atleast_1d(s["threat_level"]).tolist()
    warns = set(warned)
    for i in sorted(warns.union(drawn)):
        m = models[i]
        if i in warns:
            m._log_threat(laggards[i], count[i], level[i], values[i])
        if decided[i].us_drawdown is not None:
            _human_drawdown(m)
            _put(s, "posture_target", i, m.united_states.posture_target)

    executed = rules.executions(p, per, s, lagging, [m.rng for m in models], spared)
    for i in _indices(executed):
        models[i]._log_execution(count[i])
    rules.postures(p, s, years, china, progress)
    rules.scatter(agents, s)
    for m, row in zip(models, laggards, strict=True):
        m.laggards = row


def first_measurement(batch: Batch) -> str:
    """How the US measures progress: ``headline`` or ``capability`` (a choice, the same in
    every run of a batch)."""
    return str(batch.models[0].united_states.p["measurement"])


def _human_threat(m: Any) -> None:
    """A seminar's human US sets its threat level or reassures (per run, logged)."""
    us, d = m.united_states, m.decided
    if d.us_threat is not None:
        us.threat_level = d.us_threat
        m.recorder.event("human", f"the US (human) sets its threat level to {d.us_threat:.2f}")
    if d.us_reassurance:
        apply_event(m, Event(m.year, "us_reassurance", magnitude=d.us_reassurance))
        m.recorder.event("human", f"the US (human) reassures ({d.us_reassurance:.2f})")


def _human_drawdown(m: Any) -> None:
    """A seminar's human US draws down (or holds: 0) in place of the execution rule."""
    d = m.decided.us_drawdown
    if d > 0:
        m.united_states.forced_drawdown(d)
        m.recorder.event("human", f"the US (human) draws down {d:.0%} of its 2025 posture")


def _indices(mask: Any) -> list[int]:
    """The runs where ``mask`` (an array over runs, or one run's bool) is true."""
    if isinstance(mask, np.ndarray):
        return np.flatnonzero(mask).tolist() if mask.any() else []
    return [0] if mask else []


def _put(s: dict[str, Any], key: str, i: int, value: Any) -> None:
    """Set run ``i``'s ``key`` in ``s`` (an array over runs, or one run's own number)."""
    if isinstance(s[key], np.ndarray):
        s[key][i] = value
    else:
        s[key] = value

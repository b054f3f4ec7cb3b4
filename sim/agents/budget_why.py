"""Why each ally budgeted what it did: the change in core spending split into the budget rule's
terms (M4; issue "Every decision explained").

The budget rule (:mod:`sim.agents.ally_rules`) moves genuine core spending by ``rate x (desired -
core)`` within fiscal limits, where ``desired = (1 - peer_weight) x need + peer_weight x peers +
pledge_weight x max(pledge - need, 0) + coercion + shock`` and ``need = base + threat_gain x threat
+ self_help_gain x threat x (1 - trust) - free_ride_gain x trust x (1 - size) + war`` (``war``:
:func:`sim.agents.ally_rules.war_urgency`).

Each situational term is measured against its value in the start year's situation (when the
budgets were anchored to NATO's figures), so a term says what a change since then asks for:

* ``threat``: Russia's threat as this ally perceives it (C10, C12);
* ``war``: the front line's urgency as Russia's war escalates beyond the start's (C10);
* ``self_help``: threat met with doubt about the US (C9);
* ``free_riding``: a small ally's trust in the US (C5);
* ``peers``: its neighbours' spending (C5);
* ``pledge``: the alliance pledge's pull (C4);
* ``us_answer``: its answer to US coercion: comply, hedge or resist (C3, C5);
* ``shock``: this year's domestic budget shock;
* ``level``: what it already spends against what the start year's situation asked (a budget
  that has risen needs less rise to stay);
  each of these times the year's adjustment rate; then
* ``limits``: what the fiscal limits (largest rise and cut), a holdout's cap and the bounds took
  off or added;
* ``human``: a human player's budget in place of the rule (the seminar);
* ``reclassification``: spending reported as defence that was not (C19);
* ``deadline``: a pledge fallen due and met, the genuine part (C4; :func:`sim.agents.ally_rules.
  meet_deadline`);
* ``deadline_oneoff``: the same, by one-off measures and reclassification (C19);
* ``gdp``: a money budget on a GDP that grew faster or slower than planned.

The terms sum to the change in reported core spending (genuine plus reclassified) exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

Num = Any

SITUATION = ("threat", "war", "self_help", "free_riding", "peers", "pledge")
RULE_TERMS = (*SITUATION, "us_answer", "shock", "level", "limits")
TERMS = (*RULE_TERMS, "human", "reclassification", "deadline", "deadline_oneoff", "gdp")
COLUMNS = tuple(f"why_budget_{t}" for t in TERMS)


def situation_terms(
    a: Mapping[str, float],
    base: Num,
    threat: Num,
    trust: Num,
    size: Num,
    peers: Num,
    pledge: float,
    pledge_weight: Num,
    war: Num = 0.0,
) -> dict[str, np.ndarray]:
    """The situational terms of ``desired`` (module docstring) and ``base`` (the constant part,
    ``(1 - peer_weight) x base``); with coercion and the shock they sum to the rule's desired
    level before its caps."""
    keep = 1.0 - a["peer_weight"]
    threat_t = a["threat_gain"] * threat
    self_help = a["self_help_gain"] * threat * (1.0 - trust)
    free_ride = -a["free_ride_gain"] * trust * (1.0 - size)
    need = base + threat_t + self_help + free_ride + war
    out = {
        "base": keep * base,
        "threat": keep * threat_t,
        "war": keep * war,
        "self_help": keep * self_help,
        "free_riding": keep * free_ride,
        "peers": a["peer_weight"] * peers,
        "pledge": pledge_weight * np.maximum(pledge - need, 0.0),
    }
    shape = np.shape(base)
    return {
        k: v if np.shape(v) == shape else np.broadcast_to(np.asarray(v, dtype=float), shape).copy()
        for k, v in out.items()
    }


def budget_terms(
    now: Mapping[str, np.ndarray],
    start: Mapping[str, np.ndarray],
    rate: np.ndarray,
    coercion: np.ndarray,
    shock: np.ndarray,
    core_before: np.ndarray,
    core_rule: np.ndarray,
) -> dict[str, np.ndarray]:
    """The rule's part of the change (``core_rule - core_before``), term by term: each
    situational term's change since the start times ``rate``, the answer to the US and the shock
    times ``rate``, ``level`` = ``rate x (desired at the start - core_before)``, and ``limits`` the
    rest (what the caps and fiscal limits did)."""
    out = {k: rate * (now[k] - start[k]) for k in SITUATION}
    out["us_answer"] = rate * coercion
    out["shock"] = rate * shock
    desired_start = sum(start[k] for k in ("base", *SITUATION))
    out["level"] = rate * (desired_start - core_before)
    out["limits"] = (core_rule - core_before) - sum(out.values())
    return out

"""M4: how allies answer US coercion, and the pledge bargain of a summit (C3, C4, C5, C6).

**Comply, hedge or resist** (the alliance security dilemma: Snyder 1984; Blankenship 2021 on
when burden-sharing threats are credible). An ally facing an abandonment threat splits its
answer between three responses with multinomial-logit shares:

* comply: ``comply_base + comply_dependence x dependence + comply_credibility x credibility
  + comply_threat x threat``: spend toward the US demand;
* hedge: ``hedge_base + hedge_distrust x (1 - trust) + hedge_threat x threat``: spend on
  European autonomy (buy European, sovereign ISR), which lowers US influence (C6);
* resist: ``resist_base + resist_politics x domestic_resistance + resist_harshness x the threat
  aimed at it - resist_threat x threat``: public backlash, defence used as a bargaining chip
  (C5).

``dependence`` is how much of its protection the US provides: (1 - Europe's share of NATO
capability in Europe) x the mean of its US posture weight and its proximity to Russia.

**The summit** (The Hague 2025 and later summits as scenario events): the US proposes a core
target; each ally would sign ``max(own, min(proposal, own + summit_pressure_gain x threat aimed
at it x coercion credibility x comply share x (proposal - own)+)) - summit_resistance_pp x
domestic_resistance`` with ``own = desired + summit_ambition_pp`` (what it would pledge
unasked), and never less than it spends now. Pressure moves an ally at most to the proposal;
an ally whose own need is higher offers more than it is asked
(the front line in 2025: Poland, the Baltic states and Finland had planned more than 3.5% before
The Hague). The alliance agrees the
``summit_consensus_quantile`` of what members would sign (a consensus text most can accept), and
an ally that would sign less than the agreement by more than ``summit_opt_out_gap_pp`` opts out
and holds at what it would sign (Spain at 2.1% in 2025). The pledged level rises linearly from
the members' median spending to the target over ``summit_horizon_years``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

Num = Any


def dependence(eu_share: float, posture_weight: Num, proximity: Num) -> Num:
    """How much of an ally's protection comes from the US, 0-1 (module docstring)."""
    return (1.0 - eu_share) * 0.5 * (posture_weight + proximity)


def response_shares(
    a: Mapping[str, float],
    dep: Num,
    credibility: float,
    threat: Num,
    trust: Num,
    signal: Num,
    resistance: Num,
) -> tuple[Num, Num, Num]:
    """Shares of comply, hedge and resist in an ally's answer to coercion (module docstring);
    each in [0, 1], summing to 1."""
    zc = (
        a["comply_base"]
        + a["comply_dependence"] * dep
        + a["comply_credibility"] * credibility
        + a["comply_threat"] * threat
    )
    zh = a["hedge_base"] + a["hedge_distrust"] * (1.0 - trust) + a["hedge_threat"] * threat
    zr = (
        a["resist_base"]
        + a["resist_politics"] * resistance
        + a["resist_harshness"] * signal
        - a["resist_threat"] * threat
    )
    top = np.maximum(np.maximum(zc, zh), zr)
    ec, eh, er = np.exp(zc - top), np.exp(zh - top), np.exp(zr - top)
    total = ec + eh + er
    return ec / total, eh / total, er / total


def answer_shares(
    a: Mapping[str, float],
    eu_share: Num,
    posture_weight: Num,
    proximity: Num,
    credibility: Num,
    threat: Num,
    trust: Num,
    signal: Num,
    resistance: Num,
) -> tuple[Num, Num, Num]:
    """Each ally's comply, hedge and resist shares facing US threats ``signal``:
    :func:`response_shares` with its :func:`dependence` on the US (module docstring). Numbers of
    a run (``eu_share``, ``credibility``) may be columns of a batch's runs."""
    dep = dependence(eu_share, posture_weight, proximity)
    return response_shares(a, dep, credibility, threat, trust, signal, resistance)


def coercion_pp(
    a: Mapping[str, float],
    signal: Num,
    shares: tuple[Num, Num, Num],
    leverage: float,
    demand: float,
    need: Num,
) -> Num:
    """Desired core spending added (or removed) by coercion, pp of GDP (C3, C4, C5):

    ``signal x (comply x leverage x (demand - need)+ + hedge x hedge_spending_pp
    - resist x backlash_pp)``, with ``leverage = compliance_gain x coercion credibility x US
    influence``. Zero when the US does not threaten; negative when resistance dominates."""
    comply, hedge, resist = shares
    return signal * (
        comply * leverage * np.maximum(demand - need, 0.0)
        + hedge * a["hedge_spending_pp"]
        - resist * a["backlash_pp"]
    )


def acceptable_target(
    a: Mapping[str, float],
    proposal: float,
    core: Num,
    desired: Num,
    signal: Num,
    credibility: float,
    comply: Num,
    resistance: Num,
) -> Num:
    """The core target (% of GDP) each ally would sign at a summit (module docstring): above
    the proposal if its own need is, never less than it spends now (``core``)."""
    pressure = a["summit_pressure_gain"] * signal * credibility * comply
    own = desired + a["summit_ambition_pp"]
    pressed = np.minimum(proposal, own + pressure * np.maximum(proposal - own, 0.0))
    level = np.maximum(own, pressed) - a["summit_resistance_pp"] * resistance
    return np.maximum(core, level)


def agree(
    a: Mapping[str, float], acceptable: np.ndarray, members: np.ndarray
) -> tuple[float, np.ndarray]:
    """The agreed target and who opts out (module docstring)."""
    if not members.any():
        return 0.0, np.zeros_like(members)
    target = float(np.quantile(acceptable[members], a["summit_consensus_quantile"]))
    opt_out = members & (acceptable < target - a["summit_opt_out_gap_pp"])
    return target, opt_out

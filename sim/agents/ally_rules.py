"""The allies' decision rules (M2 threat, M3 trust, M4 budgets, M9 aid), one function per rule.

Each rule is written once, with NumPy operations that take either one ally's values (floats, as
:class:`~sim.agents.Ally` passes them) or every ally's at once (arrays of the
:class:`~sim.agents.ally.AllyState`, as the model's yearly step passes them). The model therefore
runs the rules over all 31 allies in a handful of array operations, and a test of an agent's
method tests the very formula the model uses. The engine (:mod:`sim.engine.allies`) applies them
once to a batch of runs: arrays of shape (runs, allies), each run's numbers (a parameter, the
US's ambiguity, whether it exited) a column of shape (runs, 1); so a rule reads a run's numbers
with NumPy (``np.minimum``, ``np.where``), not Python's ``min`` or ``if``.

``p`` is a parameter section of the scenario (``perception``, ``allies`` or ``crisis``); the
docstrings name the parameters each rule reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

Num = Any  # a float or a float array of one entry per ally


def _clip(x: Num, lo: float, hi: float) -> Num:
    # np.minimum/np.maximum: the same as np.clip, at half its cost on small arrays
    return np.minimum(np.maximum(x, lo), hi)


def situational_threat(
    p: Mapping[str, float],
    proximity: Num,
    russia_power: float,
    war: float,
    attacks: Num,
    shock: Num,
    aggression: Num,
) -> Num:
    """M2: the threat an ally's situation warrants, before the network (C5, C12).

    ``threat_base + proximity x (threat_proximity_weight x Russia's militarisation (its military
    spending relative to the start year's, at most ``threat_power_cap``) + threat_war_weight x
    war intensity) + threat_greyzone_per_attack x attacks + shock + aggression``, clipped to
    [0, 1]: European capitals read the war economy, not what the war has destroyed (C10). The
    shock holds probes (decaying at ``shock_memory``), ``aggression`` Russia's use of force
    elsewhere (decaying at ``aggression_memory``).
    """
    power = np.minimum(russia_power, p["threat_power_cap"])  # one run's, or a column of runs'
    t = (
        p["threat_base"]
        + proximity * (p["threat_proximity_weight"] * power + p["threat_war_weight"] * war)
        + p["threat_greyzone_per_attack"] * attacks
        + shock
        + aggression
    )
    return _clip(t, 0.0, 1.0)


def perceive_threat(p: Mapping[str, float], threat: Num, situational: Num, neighbours: Num) -> Num:
    """M2: threat moves toward the situation and toward the neighbours' alarm (C5).

    ``threat += threat_adjustment x (situational - threat)
    + threat_network_weight x (neighbours - threat)``, with ``neighbours`` the network-weighted
    mean threat of the ally's neighbours last year; clipped to [0, 1]. (The shock and the
    aggression then decay: :func:`decay_shocks`.)
    """
    t = (
        threat
        + p["threat_adjustment"] * (situational - threat)
        + p["threat_network_weight"] * (neighbours - threat)
    )
    return _clip(t, 0.0, 1.0)


def decay_shocks(p: Mapping[str, float], shock: Num, aggression: Num) -> tuple[Num, Num]:
    """M2: a probe's shock fades by ``shock_memory`` a year, Russian aggression elsewhere by
    ``aggression_memory`` (C12: the threat of 2022 does not vanish at once)."""
    return shock * p["shock_memory"], aggression * p["aggression_memory"]


def update_trust(
    p: Mapping[str, float],
    trust: Num,
    threat_signal: Num,
    drawdown: float,
    posture_weight: Num,
    ambiguity: float,
    reassurance: float,
    exited: Num,
    exposure: Num = 1.0,
) -> Num:
    """M3: trust that the US would defend this ally (C3, C9, C13, C14, C15).

    Trust relaxes toward ``trust_anchor`` at ``trust_recovery``; it falls with the US threat
    aimed at this ally (``trust_threat_cost``), with posture withdrawn times the ally's US
    posture closeness (``trust_drawdown_cost``), with ambiguity (``trust_ambiguity_cost``)
    and when the US leaves coordination mechanisms, by how the ally reads the exit: a step
    toward abandonment in proportion to the trust it had placed and its ``exposure`` (the mean
    of its US posture closeness and its proximity to Russia, 0-1), ``trust_exit_cost x trust x
    exposure`` (C15: an exposed ally that relied on US command and ISR loses most; a distant
    one little); reassurance raises it in proportion to the distrust left
    (``trust_reassurance_gain``). Clipped to [0, 1].
    """
    t = (
        trust
        + p["trust_recovery"] * (p["trust_anchor"] - trust)
        - p["trust_threat_cost"] * threat_signal
        - p["trust_drawdown_cost"] * drawdown * posture_weight
        - p["trust_ambiguity_cost"] * ambiguity
        + p["trust_reassurance_gain"] * reassurance * (1.0 - trust)
        - np.where(exited, p["trust_exit_cost"] * trust * exposure, 0.0)
    )
    return _clip(t, 0.0, 1.0)


def need_pct(
    a: Mapping[str, float], base: Num, threat: Num, trust: Num, size: Num, war: Num = 0.0
) -> Num:
    """M4: the core spending an ally's own situation calls for (C3, C5, C10).

    ``base_pct + threat_gain x threat + self_help_gain x threat x (1 - trust)
    - free_ride_gain x trust x (1 - size) + war``: threat raises it, doubt about the US raises
    it more, and small allies that trust the US free-ride (Olson and Zeckhauser 1966); ``war``
    is the front line's urgency as Russia's war escalates (:func:`war_urgency`, 0 unless given).
    """
    return (
        base
        + a["threat_gain"] * threat
        + a["self_help_gain"] * threat * (1.0 - trust)
        - a["free_ride_gain"] * trust * (1.0 - size)
        + war
    )


def war_urgency(a: Mapping[str, float], proximity: Num, war: float, war_at_start: float) -> Num:
    """M4: what a war next door adds to the spending an ally needs (C10, C12; issue 26).

    ``war_urgency_gain x proximity x max(0, war - war_at_start)``, with ``war`` the intensity
    of Russia's war in Ukraine (series ``ukraine_war``) and ``proximity`` the ally's closeness
    to Russia (0-1): escalation beyond the start year's war moves the front line most (2022: the
    front line went far beyond 2%), on top of the threat index, which the front line had already
    read near its ceiling since 2014. Zero at the start (the budgets are anchored there) and when
    the war is no fiercer than at the start (de-escalation works through the threat).
    """
    return a["war_urgency_gain"] * proximity * np.maximum(0.0, war - war_at_start)


def peer_spending(weighted: Num, has_peers: Num, rows: Num, core: Num) -> Num:
    """M4: each ally's neighbours' genuine core spending, the pull of
    :func:`desired_core_pct`'s ``peers`` (peer norms, ODD 7.4; ``peer_weight`` an assumption):
    ``weighted`` is the network's weights over the allies with armed forces times their core
    spending (``W @ core``, each run's own product), divided by the weights' row sums ``rows``;
    an ally with no such neighbour (``has_peers`` False) reads its own ``core``. Elementwise:
    one run's allies, or (runs, allies)."""
    return np.where(has_peers, weighted / rows, core)


def desired_core_pct(
    a: Mapping[str, float],
    need: Num,
    coercion: Num,
    pledge: float,
    peers: Num,
    shock: Num,
    holdout: Num,
    holdout_cap: Num,
    pledge_weight: Num,
) -> Num:
    """M4: the core spending the ally wants this year (C3, C4, C5).

    From :func:`need_pct`, pulled toward the neighbours' spending (``peer_weight``) and toward
    the alliance pledge where it is higher (``pledge_weight``, growing as the pledge's deadline
    nears: :class:`sim.model.pledge.Pledge`), plus ``coercion`` (pp of GDP, the ally's answer to US
    coercion, :func:`sim.mechanisms.coercion.coercion_pp`: positive, nil or negative) and this
    year's domestic ``shock`` (``budget_noise_sd``). A holdout never wants more than its cap
    (C5: Spain at 2.1%). Bounded to [0, 15] % of GDP.
    """
    desired = (
        need
        + a["peer_weight"] * (peers - need)
        + shock
        + coercion
        + pledge_weight * np.maximum(pledge - need, 0.0)
    )
    desired = np.where(holdout & (desired > holdout_cap), holdout_cap, desired)
    return _clip(desired, 0.0, 15.0)


def anchored_base(
    a: Mapping[str, float],
    observed: Num,
    pledge: float,
    peers: Num,
    threat: Num,
    trust: Num,
    size: Num,
    pledge_weight: Num,
) -> Num:
    """The ``base_pct`` that makes :func:`desired_core_pct` (no coercion, no shock) give
    ``observed``: the rule is piecewise linear and increasing in ``need``, so ``need`` is found
    branch by branch (with the pledge pulling, else without) and the other terms of
    :func:`need_pct` are subtracted. Used when ``anchor_to_start`` is set (the default)."""
    pw, peer = pledge_weight, a["peer_weight"]
    need = (observed - pw * pledge - peer * peers) / np.maximum(1e-9, 1.0 - pw - peer)
    without_pledge = (observed - peer * peers) / max(1e-9, 1.0 - peer)
    need = np.where(need > pledge, without_pledge, need)
    return (
        need
        - a["threat_gain"] * threat
        - a["self_help_gain"] * threat * (1.0 - trust)
        + a["free_ride_gain"] * trust * (1.0 - size)
    )


def set_budget(
    core: Num,
    desired: Num,
    adjustment: Num,
    max_rise: Num,
    max_cut: Num,
    threat: Num = 0.0,
    urgency_gain: float = 0.0,
) -> Num:
    """M4: move genuine core spending toward the desired level within fiscal limits.

    ``core += clip(rate x (desired - core), -max_cut_pp, max_rise_pp)``, never below zero (C16:
    money moves slowly too), with ``rate = min(1, adjustment_rate x (1 + urgency_gain x
    threat))``: a threatened ally budgets faster (supplementary budgets and special funds, as
    after 2014 on the front line and after 2022 across Europe), a safe one at its usual pace.
    """
    rate = budget_rate(adjustment, threat, urgency_gain)
    step = np.minimum(np.maximum(rate * (desired - core), -max_cut), max_rise)
    return np.maximum(core + step, 0.0)


def budget_rate(adjustment: Num, threat: Num = 0.0, urgency_gain: float = 0.0) -> Num:
    """M4: the share of the gap to the desired level a budget closes this year,
    ``min(1, adjustment_rate x (1 + urgency_gain x threat))`` (:func:`set_budget`)."""
    return np.minimum(1.0, adjustment * (1.0 + urgency_gain * threat))


def reclassify_willingness(
    a: Mapping[str, float], holdout: Num, signal: Num, elapsed: float
) -> Num:
    """M4: how far an ally will reclassify to reach the bar (C5, C19): fully for a holdout,
    otherwise ``min(1, reclassify_pressure x signal) x elapsed``, the US threat aimed at it
    times the share of the pledge period gone by (bunching at the bar as the deadline nears)."""
    pressed = np.minimum(1.0, a["reclassify_pressure"] * signal)
    return np.maximum(holdout, pressed * elapsed)


def reclassify(
    reclassified: Num,
    core: Num,
    willing: Num,
    bar: float,
    headline_measured: bool,
    reclassify_max: Num,
    max_cut: Num,
) -> Num:
    """M4: allies under pressure reclassify spending to reach the bar the US checks (C5, C19).

    When the US measures headline numbers, an ally reports up to ``willing x
    reclassify_max_pct`` more than it genuinely spends, enough to reach ``bar`` (willing is 1
    for a holdout and ``reclassify_pressure`` x the US threat aimed at it, at most 1, for the
    others: bunching at the bar); what it no longer needs, and everything when the US measures
    real capability, is unwound at ``max_cut_pp`` a year.
    """
    unwound = np.maximum(0.0, reclassified - max_cut)
    if not headline_measured:
        return unwound
    wanted = willing * np.minimum(reclassify_max, np.maximum(0.0, bar - core))
    return np.maximum(wanted, unwound)


def money_budget_scale(planned_growth: Num, surprise_pp: float) -> Num:
    """M4: budgets are decided in money on the GDP planners expect (trend growth,
    ``gdp_growth_pct``); when real growth comes out ``surprise_pp`` points different (series
    ``gdp_surprise_pct``), the same money is a different share of GDP: every share is multiplied
    by ``(1 + g) / (1 + g + surprise)`` (a recession raises it, as in 2009 and 2020)."""
    return (1.0 + planned_growth) / np.maximum(1.0 + planned_growth + surprise_pp / 100.0, 0.05)


def adjust_related(
    a: Mapping[str, float], related: Num, holdout: Num, pledge_related: float
) -> Num:
    """M4: defence-related spending follows the Hague pledge; holdouts did not sign up.

    ``related += related_adjustment_rate x (pledge_related - related)``; a holdout's target
    is zero (C5: Spain refused the 5%).
    """
    target = np.where(holdout, 0.0, pledge_related)
    return related + a["related_adjustment_rate"] * (target - related)


def aid_logit(
    c: Mapping[str, float],
    closeness: Num,
    threat: Num,
    trust: Num,
    km: Num,
    size: Num,
    us_responds: float,
    tripwire: Num,
) -> Num:
    """M9: log-odds that an ally sends help to a probed ally (C5, C11).

    ``ally_aid_base + ally_aid_closeness x closeness + ally_aid_threat x threat
    + ally_aid_trust x trust - ally_aid_distance x km / 1000 + ally_aid_capability x size
    + ally_aid_us_responds x [US answers] + ally_aid_tripwire x [its troops are in the target]``:
    closeness is the network weight to the target relative to the strongest tie in the alliance,
    ``km`` the distance between capitals, ``size`` the ally's economic size (0-1). Trust in the
    alliance's leader makes collective action likelier; troops already in the target are a
    tripwire.
    """
    return (
        c["ally_aid_base"]
        + c["ally_aid_closeness"] * closeness
        + c["ally_aid_threat"] * threat
        + c["ally_aid_trust"] * trust
        - c["ally_aid_distance"] * km / 1000.0
        + c["ally_aid_capability"] * size
        + c["ally_aid_us_responds"] * us_responds
        + c["ally_aid_tripwire"] * tripwire
    )


def aid_probability(
    c: Mapping[str, float],
    closeness: Num,
    threat: Num,
    trust: Num,
    km: Num,
    size: Num,
    us_responds: bool,
    tripwire: Num = False,
) -> Num:
    """M9: probability that an ally sends help: ``logistic`` of :func:`aid_logit`."""
    z = aid_logit(c, closeness, threat, trust, km, size, float(us_responds), tripwire)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


def compliance_chance(a: Mapping[str, float], signal: Num, kept: Num) -> Num:
    """M4: the chance an ally below a pledge's bar meets it this year, once the pledge's
    deadline has come (C4, C5, C19; issue 26).

    ``deadline_compliance_soft + (deadline_compliance_hard - deadline_compliance_soft) x
    min(1, signal)``, with ``signal`` the US threat aimed at the ally (0-1): a deadline with no
    enforcer is met by about a third of the laggards (NATO's national plans of 2018 for 2% by
    2024), one enforced by exclusion from a club by nearly all (the Maastricht deficit criterion
    in the 1997 qualifying year); 1 for an ally that met the bar last year (``kept``: a met
    pledge is not given up while it stands). Sources: ``sim/data/deadline_references.csv``.
    """
    soft, hard = a["deadline_compliance_soft"], a["deadline_compliance_hard"]
    chance = soft + (hard - soft) * np.minimum(1.0, np.maximum(signal, 0.0))
    return np.where(kept, 1.0, chance)


def meet_deadline(
    a: Mapping[str, float],
    core: Num,
    reclassified: Num,
    core_before: Num,
    bar: float,
    comply: Num,
    max_rise: Num,
    oneoffs_count: bool,
) -> tuple[Num, Num]:
    """M4: an ally that meets a pledge's bar at its deadline closes the gap to it (C4, C5, C19).

    For an ally that complies (``comply``, drawn with :func:`compliance_chance`) and reports
    less than ``bar``: genuinely first, as far as its fiscal limit allows this year (its core
    spending at most ``max_rise_pp`` above last year's), then by one-off measures and
    reclassification (reported, bought nothing), at most ``deadline_oneoff_max_pct`` of GDP (the
    France Telecom pension transfer of 1997, 0.45% of GDP, in ``deadline_references.csv``) and
    only when headline figures count (``oneoffs_count``). An ally within reach lands exactly on
    the bar: bunching at the bar is an outcome of the rule, not an input; one out of reach moves
    as far as it can. Returns the new genuine core and reclassified spending.
    """
    gap = np.maximum(bar - (core + reclassified), 0.0)
    gap = np.where(comply, gap, 0.0)
    genuine = np.minimum(gap, np.maximum(0.0, core_before + max_rise - core))
    oneoff = np.minimum(gap - genuine, a["deadline_oneoff_max_pct"]) if oneoffs_count else 0.0
    return core + genuine, reclassified + oneoff

"""Dated exogenous shocks of a scenario's ``[[events]]`` list, and the summits where pledges are
made (M4, M5, M8; the kinds are listed in :data:`sim.scenario.schema.EVENT_KINDS`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..agents import ally_rules as rules
from ..mechanisms import coercion
from ..scenario.schema import Event
from .pledge import Pledge

if TYPE_CHECKING:
    from .alliance import AllianceModel


def apply_event(model: AllianceModel, ev: Event) -> tuple[int | None, float]:
    """Apply one event; return ``(forced probe target or None, us_pressure magnitude)``."""
    st = model.ally_state
    target = model.by_code.get(ev.target)
    forced, pressure = None, 0.0
    text = ev.note or ev.kind.replace("_", " ") + (f" ({target.record.country})" if target else "")
    if ev.kind == "russian_aggression":
        st.aggression = st.aggression + ev.magnitude * st.proximity
    elif ev.kind == "greyzone_surge" and model.on("greyzone"):
        for a in [target] if target else model.allies:
            share = 1.0 if target else float(model.proximity[a.index])
            a.greyzone_attacks_extra += round(ev.magnitude * share)
    elif ev.kind == "russia_probe" and target is not None and ev.year > model.start_year:
        if st.member[target.index]:
            forced = target.index
        else:  # no Article 5 to test: the crisis game is for members only
            text += f": not a NATO member in {ev.year}, no Article 5 crisis"
    elif ev.kind == "us_reassurance":
        gain = model.p_perception["trust_reassurance_gain"] * ev.magnitude
        st.trust = np.clip(st.trust + gain * (1.0 - st.trust), 0.0, 1.0)
        r = model.russia
        if model.on("russia_reads_resolve") and model.on("reassurance_reading"):
            r.resolve_estimate = min(1.0, r.resolve_estimate + gain * (1.0 - r.resolve_estimate))
    elif ev.kind == "us_drawdown":
        model.united_states.forced_drawdown(ev.magnitude)
    elif ev.kind == "us_pressure":
        pressure = min(1.0, ev.magnitude)
    elif ev.kind == "accession" and target is not None:
        model.admit(np.arange(len(model.allies)) == target.index)
    elif ev.kind == "european_command":
        if model.united_states.european_command:  # handed over already (the US's rule, C2)
            text += ": a European already holds it"
        model.united_states.european_command = True
    elif ev.kind == "pledge":
        members = st.member & model.european
        model.pledge = model.pledge.raised(  # a raised target keeps the old one as a floor
            target=ev.magnitude,
            set_year=ev.year,
            deadline=ev.deadline or ev.year + model.p_coercion["summit_horizon_years"],
            start_level=_start_level(model, members),
        )
    elif ev.kind == "summit":
        text = summit(model, ev)
    model.recorder.event(ev.kind, text, year=ev.year)
    return forced, pressure


def summit(model: AllianceModel, ev: Event) -> str:
    """A summit where the US proposes a core target of ``ev.magnitude`` % of GDP (C4, C5): what
    each ally would sign, the agreed target and the opt-outs follow from the allies' positions
    and US pressure (:mod:`sim.mechanisms.coercion`). Opt-outs become holdouts at what they would
    sign (at least their spending now); the agreement becomes the pledge path (a raised
    target keeps the old one as a floor: :meth:`sim.model.pledge.Pledge.raised`). With the
    ``pledge_bargain`` switch off the proposal is agreed and nobody opts out.

    A summit of the start year meets in the model's construction, where everything it reads is
    a function of the scenario (:meth:`AllianceModel._init_shared`): its outcome is computed
    once per scenario, keyed on the event and on what the summits before it that year changed
    (the pledge and the holdouts: a second summit reads the first's outcome)."""
    st = model.ally_state
    if model.year == model.start_year:  # in construction: later years' events follow year += 1
        key = ("summit", ev, repr(model.pledge), st.holdout.tobytes())
        holdout, holdout_cap, pledge, text = model._init_shared(key, lambda: _summit(model, ev))
        holdout, holdout_cap = holdout.copy(), holdout_cap.copy()
        pledge = replace(pledge)
    else:
        holdout, holdout_cap, pledge, text = _summit(model, ev)
    st.holdout, st.holdout_cap, model.pledge = holdout, holdout_cap, pledge
    return text


def _summit(model: AllianceModel, ev: Event) -> tuple[np.ndarray, np.ndarray, Pledge, str]:
    """What :func:`summit` makes of ``ev`` in ``model``'s situation: the holdouts, their caps,
    the pledge and the event log's text (the model left as it was)."""
    a, c = model.p_allies, model.p_coercion
    st, us = model.ally_state, model.united_states
    members = st.member & model.european
    signal = us.threat_level * np.ones(len(model.allies))
    comply, _, _ = model.answer_shares(signal)
    need = rules.need_pct(a, st.base_pct, st.threat, st.trust, st.size)
    desired = need + a["peer_weight"] * (model._peers() - need)
    acceptable = coercion.acceptable_target(
        c,
        ev.magnitude,
        st.core_pct,
        desired,
        signal,
        us.coercion_credibility,
        comply,
        st.resistance,
    )
    target, opt_out = coercion.agree(c, acceptable, members)
    if not model.on("pledge_bargain"):  # the proposal is agreed and nobody opts out
        target, opt_out = ev.magnitude, np.zeros_like(opt_out)
    opt_out &= model.armed & ~st.holdout
    cap = np.maximum(acceptable, st.core_pct)
    holdout = st.holdout | opt_out
    holdout_cap = np.where(opt_out, cap, st.holdout_cap)
    out_codes = tuple(model.codes[i] for i in np.flatnonzero(opt_out))
    pledge = model.pledge.raised(  # a raised target keeps the old one as a floor
        target=target,
        set_year=ev.year,
        deadline=ev.deadline or ev.year + c["summit_horizon_years"],
        start_level=_start_level(model, members),
        opted_out=out_codes,
    )
    names = ", ".join(model.allies[i].record.country for i in np.flatnonzero(opt_out))
    who = f"; {names} opt out" if names else "; no ally opts out"
    head = ev.note + ": " if ev.note else ""
    text = (
        f"{head}the US proposes {ev.magnitude:.1f}% core; allies agree to {target:.2f}% by "
        f"{pledge.deadline}{who}"
    )
    return holdout, holdout_cap, pledge, text


def _start_level(model: AllianceModel, members: np.ndarray) -> float:
    """Where a new pledge's path starts: the members' median reported core spending, and never
    below the level of the pledge it replaces (a new pledge does not lower the bar)."""
    median = float(np.median(model.ally_state.reported_core_pct[members]))
    return max(median, model.pledge_level())

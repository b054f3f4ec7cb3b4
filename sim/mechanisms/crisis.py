"""M9, the Article 5 crisis game (C7, C8, C11).

When Russia probes an ally, the US decides whether to respond
(``UnitedStates.respond_probability``), each other ally whether to come to the target's aid
(``ally_rules.aid_probability``), and the local balance decides the outcome:

* response force = ``response_share`` x (target's capability + capability of the allies that aid
  + the US capability in Europe if the US responds);
* probe force = ``probe_force_share`` x Russia's free capability;
* ratio = response / probe x exp(Normal(0, ``outcome_noise_sd``)).

Outcome: ``repelled`` if ratio >= ``repel_ratio``; otherwise ``frozen`` (Russia holds a slice, but
the alliance answered) if the US responded or ratio >= ``fail_ratio``; otherwise
``article5_failure``. The outcome feeds back into trust, threat, cohesion and Russia's estimate of
US resolve (``apply_feedback``), and any crisis pulls the US back to Europe (C8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..agents import ally_rules

if TYPE_CHECKING:
    from ..model import AllianceModel

Outcome = Literal["repelled", "frozen", "article5_failure"]


@dataclass(frozen=True)
class Crisis:
    """What happened when Russia probed ``target`` (an ally index)."""

    target: int
    us_responds: bool
    aiders: tuple[int, ...]
    ratio: float
    outcome: Outcome


def resolve_probe(model: AllianceModel, target: int) -> Crisis:
    """Play the crisis game for a probe of ally ``target`` (rules in the module docstring)."""
    c = model.p_crisis
    rng = model.rng
    us = model.united_states
    p_us = us.respond_probability(
        model.now["china_pull"], model.nuclear_liability, model.now["us_reassurance"]
    )
    us_responds = bool(rng.random() < p_us)
    ties = model.raw_weights[target]
    strongest = model.raw_weights.max() or 1.0
    draws = rng.random(len(model.allies))
    st = model.ally_state
    aid = ally_rules.aid_probability(c, ties / strongest, st.threat, us_responds)
    able = st.member & st.armed & (np.arange(len(draws)) != target)
    aiders = tuple(np.flatnonzero(able & (draws < aid)).tolist())
    stock = model.ally_capability()
    response = stock[target] + sum(stock[i] for i in aiders)
    if us_responds:
        response += model.us_capability_in_europe().sum()
    response *= c["response_share"]
    probe = c["probe_force_share"] * model.russia.free_capability
    noise = math.exp(rng.normal(0.0, c["outcome_noise_sd"]))
    ratio = (response / probe) * noise if probe > 0 else float("inf")
    outcome: Outcome
    if ratio >= c["repel_ratio"]:
        outcome = "repelled"
    elif us_responds or ratio >= c["fail_ratio"]:
        outcome = "frozen"
    else:
        outcome = "article5_failure"
    return Crisis(target, us_responds, aiders, float(min(ratio, 1e6)), outcome)


def apply_feedback(model: AllianceModel, crisis: Crisis) -> None:
    """Feed a crisis back into the alliance (C7, C8, C9, C11).

    * Threat: every ally gets a shock of ``threat_probe_weight`` x its closeness to the target
      (the target gets the full weight).
    * Trust: if the US responded, trust rises by ``trust_crisis_gain`` of the gap to 1; if it
      hesitated, trust falls by ``trust_crisis_loss`` (half of it if Europe still repelled).
    * Russia's estimate of US resolve: up by ``resolve_gain_repelled`` of the gap after a repelled
      probe, down by ``resolve_loss_failure`` after an Article 5 failure or a US hesitation.
    * Cohesion: an Article 5 failure damages it by ``cohesion_loss_failure``.
    * The US refocuses on Europe (C8).
    """
    per, c = model.p_perception, model.p_crisis
    ties = model.raw_weights[crisis.target]
    strongest = model.raw_weights.max() or 1.0
    st = model.ally_state
    closeness = ties / strongest
    closeness[crisis.target] = 1.0
    st.shock = st.shock + per["threat_probe_weight"] * closeness
    if crisis.us_responds:
        st.trust = st.trust + per["trust_crisis_gain"] * (1.0 - st.trust)
    else:
        loss = per["trust_crisis_loss"] * (0.5 if crisis.outcome == "repelled" else 1.0)
        st.trust = st.trust - loss * st.trust
    russia = model.russia
    if crisis.outcome == "repelled" and crisis.us_responds:
        russia.resolve_estimate += c["resolve_gain_repelled"] * (1.0 - russia.resolve_estimate)
    elif crisis.outcome == "article5_failure" or not crisis.us_responds:
        russia.resolve_estimate -= c["resolve_loss_failure"] * russia.resolve_estimate
    if crisis.outcome == "article5_failure":
        model.cohesion_damage = 1.0 - (1.0 - model.cohesion_damage) * (
            1.0 - c["cohesion_loss_failure"]
        )
    model.united_states.refocus()


def describe(model: AllianceModel, crisis: Crisis) -> str:
    """The crisis in words, for the event log."""
    name = model.allies[crisis.target].record.country
    us = "the US responds" if crisis.us_responds else "the US hesitates"
    n = len(crisis.aiders)
    allies = {0: "no ally comes to its aid", 1: "one ally comes to its aid"}.get(
        n, f"{n} allies come to its aid"
    )
    result = {
        "repelled": "the probe is repelled",
        "frozen": "Russia holds a slice of territory; the conflict freezes",
        "article5_failure": "Article 5 response fails",
    }[crisis.outcome]
    return f"Russia probes {name}; {us}; {allies}; {result} (force ratio {crisis.ratio:.2f})"


def response_odds(model: AllianceModel) -> np.ndarray:
    """The local balance Russia sees near each ally, in [0, 1]: European capability that could
    reach it (own plus network-weighted neighbours') over the force a repelling response needs."""
    c = model.p_crisis
    stock = model.ally_capability()
    local = (stock + model.raw_weights @ stock) * c["response_share"]
    probe = c["probe_force_share"] * model.russia.free_capability * c["repel_ratio"]
    if probe <= 0:
        return np.ones_like(local)
    return np.minimum(1.0, local / probe)

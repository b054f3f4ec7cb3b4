"""M9, the Article 5 crisis game (C7, C8, C9, C11).

When Russia probes an ally:

1. **Who answers.** The US answers with ``UnitedStates.respond_probability``; every other member
   with armed forces sends help with ``ally_rules.aid_probability`` (its threat, its trust in
   the alliance, its network closeness and distance to the target, its size, whether the US
   answers, and whether its own troops are in the target). Europe can answer when the US does
   not, and hesitate when it does.
2. **The race.** Russia's probe force (``Russia.probe_force`` x the target's projection factor,
   x a lognormal draw of sd ``outcome_noise_sd``) advances on an objective ``probe_depth_km``
   deep against the defenders in place and the reinforcements of those who answered
   (:mod:`sim.mechanisms.local_balance`): the objective is seized (a fait accompli) or the
   advance is halted.
3. **Nuclear coercion** (C7, C11). If anyone answered, Russia threatens nuclear use with
   probability ``nuclear_threat_probability``. The US then backs down with probability
   ``logistic(us_backdown_base + us_backdown_liability x nuclear liability)``: the less it
   controls the conventional conduct it would have to cover with its nuclear guarantee, the
   likelier "allied abandonment" over "the last full nuclear measure". The European helpers
   back down together with probability ``logistic(eu_backdown_base + eu_backdown_without_us x
   [the US is not standing] - eu_backdown_nuclear x [a European nuclear power helps] -
   eu_backdown_capability x Europe's mean coverage)``.
4. **Outcome.** ``article5_failure`` if nobody stands with the target (no one answered, or all
   who did backed down), even where the US first answered; else ``frozen`` if the objective was
   seized and stays taken: Russia threatened nuclear use (its threats freeze its gains), or the
   defenders gathered by the end of the crisis are too few to counterattack (fewer than
   ``halt_ratio`` x the attacker: a counterattack is an advance like any other); else
   ``repelled`` (halted, or retaken by a counterattack).

The outcome feeds back (:func:`apply_feedback`) into threat, trust, cohesion, Russia's estimates
of US and European resolve and its confidence, and any crisis pulls the US back to Europe (C8).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..agents import ally_rules
from ..engine import group
from . import theatre
from .local_balance import race, success_chance

if TYPE_CHECKING:
    from ..model.alliance import AllianceModel

Outcome = Literal["repelled", "frozen", "article5_failure"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Crisis:
    """What happened when Russia probed ``target`` (an ally index)."""

    target: int
    attacker_bde: float
    in_place_bde: float
    us_responds: bool
    aiders: tuple[int, ...]
    seized: bool
    hours: float
    reach_km: float
    first_help_hours: float
    nuclear_threat: bool
    us_backed_down: bool
    europe_backed_down: bool
    counterattack: bool
    outcome: Outcome
    p_us_responds: float = float("nan")  # the chance the US answered, as drawn
    us_human: bool = False  # a seminar's US seat decided the answer (the draw was overridden)

    @property
    def us_stood(self) -> bool:
        """The US answered and did not back down."""
        return self.us_responds and not self.us_backed_down

    @property
    def europe_stood(self) -> bool:
        """At least one ally helped and the helpers did not back down."""
        return bool(self.aiders) and not self.europe_backed_down


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def aid_logits(model: AllianceModel, targets: np.ndarray, us_responds: float) -> np.ndarray:
    """Log-odds that each ally helps each target (targets x allies) in ``model``:
    :func:`aid_logits_over` for this model alone."""
    return aid_logits_over([model], targets, us_responds)[0]


_AID_KEYS = (
    "ally_aid_base",
    "ally_aid_closeness",
    "ally_aid_threat",
    "ally_aid_trust",
    "ally_aid_distance",
    "ally_aid_capability",
    "ally_aid_us_responds",
    "ally_aid_tripwire",
)


def aid_logits_over(
    models: Sequence[AllianceModel],
    targets: np.ndarray,
    us_responds: float,
    runs: theatre.Runs | None = None,
) -> np.ndarray:
    """Log-odds that each ally helps each target (models x targets x allies) in each of
    ``models`` (a group of runs sharing ``targets``, :mod:`sim.engine.group`), from
    :func:`~sim.agents.ally_rules.aid_logit`, given whether the US answers (0-1); allies that
    cannot help get -inf. ``runs``: what :func:`~sim.mechanisms.theatre.gather` read of them,
    if read already."""
    if runs is None:
        runs = theatre.gather(models, targets)
    tripwire = runs.presence > 0
    c = group.numbers([m.p_crisis for m in models], _AID_KEYS, 3)
    z = ally_rules.aid_logit(
        c,
        runs.closeness,
        runs.threat[:, None, :],
        runs.trust[:, None, :],
        runs.km,
        runs.size[:, None, :],
        us_responds,
        tripwire,
    )
    z = np.where(runs.able[:, None, :], z, -np.inf)
    z[:, np.arange(len(targets)), targets] = -np.inf
    return z


def perceived_success(
    model: AllianceModel, targets: np.ndarray, us: float, europe: float
) -> np.ndarray:
    """Russia's reckoning of the chance of a fait accompli that stands at each target (M8):
    :func:`perceived_successes` for this model alone."""
    return perceived_successes([model], targets, np.array([us]), np.array([europe]))[0]


# what the race and Russia's reading of it read: runs that share them are raced together
_RACE_KEYS = (
    "race_step_hours",
    "horizon_days",
    "arrival_spread_hours",
    "halt_ratio",
    "rout_ratio",
    "advance_km_per_day",
    "balance_sharpness",
    "probe_depth_km",
    "nuclear_threat_probability",
)


# at most this many runs assessed at once (issue 25): about 600 races of 34 sources and 113 steps,
# whose arrays of a few hundred kB stay in the processor's caches and the process's heap (a
# batch of 128 at once took about a sixth longer, its larger arrays fetched from memory anew)
_BLOCK = 64


def perceived_successes(
    models: Sequence[AllianceModel], targets: np.ndarray, us: np.ndarray, europe: np.ndarray
) -> np.ndarray:
    """Russia's reckoning of the chance of a fait accompli that stands at each target (M8), in
    each of ``models`` (a group of runs sharing ``targets``; models x targets): the
    race run with expected answers gives the chance of seizing the objective (:func:`~sim.
    mechanisms.local_balance.success_chance`); the gain stands if its nuclear threat (which it
    makes with ``nuclear_threat_probability``) freezes it or, failing that, if the defenders by
    the end are too few to counterattack (the same smooth rule on ``halt_ratio`` x attacker over
    the defenders). The US answers with probability ``us`` (its reading of US resolve, per
    model); each ally with its aid probability shifted by ``logit(europe) - logit(1/2)`` (its
    reading of European resolve: at one half it reads the allies as they are). With the
    ``local_balance`` switch off, even odds everywhere; with ``solidarity`` off, no ally helps."""
    g, n = len(models), len(targets)
    if not models[0].on("local_balance"):
        return np.full((g, n), 0.5)
    runs = theatre.gather(models, targets)  # each run's state, read once for them all
    if g <= _BLOCK:
        return _perceived(models, targets, us, europe, runs)
    # each run's row is its own: in blocks, whose arrays stay in the caches
    return np.concatenate(
        [
            _perceived(
                models[i : i + _BLOCK],
                targets,
                us[i : i + _BLOCK],
                europe[i : i + _BLOCK],
                runs.block(i, i + _BLOCK),
            )
            for i in range(0, g, _BLOCK)
        ]
    )


def _perceived(
    models: Sequence[AllianceModel],
    targets: np.ndarray,
    us: np.ndarray,
    europe: np.ndarray,
    runs: theatre.Runs,
) -> np.ndarray:
    """:func:`perceived_successes` of a block of at most ``_BLOCK`` runs, ``runs`` what
    :func:`~sim.mechanisms.theatre.gather` read of them."""
    g, n = len(models), len(targets)
    shift = np.array([math.log(max(e, 1e-6) / max(1.0 - e, 1e-6)) for e in europe.tolist()])
    without_us = aid_logits_over(models, targets, 0.0, runs)
    without_us += shift[:, None, None]
    tables = [m.p_crisis for m in models]
    c = group.numbers(tables, ("ally_aid_us_responds",), 3)
    with_us = without_us + c["ally_aid_us_responds"]
    u = np.asarray(us, dtype=float)[:, None, None]
    # u x sig(with_us) + (1 - u) x sig(without_us), in the two arrays (no temporaries)
    p_aid = np.multiply(u, _sig(with_us, with_us), out=with_us)
    p_aid += np.multiply(1.0 - u, _sig(without_us, without_us), out=without_us)
    if not models[0].on("solidarity"):
        p_aid = np.zeros_like(p_aid)
    us_w = np.empty((g, n))
    us_w[:] = u[:, :, 0]
    in_place, amounts, delays = theatre.inputs(models, targets, p_aid, us_w, runs)
    attacker = runs.force * runs.projection[:, targets]
    out = np.empty((g, n))
    first = tables[0]
    if g == 1 or all(t is first for t in tables):  # one table: one race
        races: dict[tuple, list[int]] = {(): list(range(g))}
    else:
        races = {}
        for i, t in enumerate(tables):
            races.setdefault(tuple(t[k] for k in _RACE_KEYS), []).append(i)
    for rows in races.values():
        race_p = tables[rows[0]]
        pick = slice(None) if len(rows) == g else np.array(rows)
        a = attacker[pick].reshape(-1)
        depth = race_p["probe_depth_km"]
        result = race(
            race_p,
            a,
            in_place[pick].reshape(-1),
            amounts[pick].reshape(-1, amounts.shape[2]),
            delays[pick].reshape(-1, delays.shape[2]),
            depth,
            timing=False,  # (the reach and the defenders at the end only)
        )
        seize = success_chance(race_p, result.reach_km, depth)
        # the gain is kept if its nuclear threat freezes it or no counterattack can be mounted
        q = race_p["nuclear_threat_probability"]
        weak = success_chance(
            race_p, race_p["halt_ratio"] * a, np.maximum(result.defenders_end, 1e-9)
        )
        out[pick] = (seize * (q + (1.0 - q) * weak)).reshape(-1, n)
    return out


def _sig(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The logistic of ``z``, ``1 / (1 + exp(-z))`` with z within [-50, 50] (np.clip's values),
    written into ``out`` if given (which may be ``z``): the same operations in the same order."""
    x = np.maximum(-50.0, z, out=out)
    np.minimum(50.0, x, out=x)
    np.negative(x, out=x)
    np.exp(x, out=x)
    np.add(1.0, x, out=x)
    return np.divide(1.0, x, out=x)


def resolve_probe(model: AllianceModel, target: int) -> Crisis:
    """Play the crisis game for a probe of ally ``target`` (rules in the module docstring)."""
    c = model.p_crisis
    rng = model.rng
    us = model.united_states
    p_us = us.respond_probability(
        model.now["china_pull"], model.nuclear_liability, us.reassurance_now(model.now)
    )
    us_responds = bool(rng.random() < p_us)
    decided = (
        model.decided
    )  # a seminar's human players (sim.model.decisions); the draws happen anyway
    if decided.us_crisis_response is not None:
        us_responds = decided.us_crisis_response
    targets = np.array([target])
    p_aid = _sig(aid_logits(model, targets, float(us_responds)))[0]
    draws = rng.random(len(p_aid))
    aid = ((draws < p_aid) & model.on("solidarity")).astype(float)
    for iso3, amount in decided.crisis_help.items():  # how much of what it would send, 0-1
        i = model.ally_index[iso3]
        if i != target:
            aid[i] = float(amount)
    aiders = tuple(np.flatnonzero(aid > 0).tolist())
    in_place, amounts, delays = model.theatre.inputs(
        model, targets, aid[None, :], np.array([float(us_responds)])
    )
    noise = math.exp(rng.normal(0.0, c["outcome_noise_sd"]))
    attacker = model.russia.probe_force() * model.theatre.projection[target] * noise
    result = race(c, np.array([attacker]), in_place, amounts, delays, c["probe_depth_km"])
    coin = rng.random()  # drawn either way: the switch leaves the other draws unchanged
    seized = bool(result.hours[0] < math.inf) if model.on("local_balance") else coin < 0.5
    answered = us_responds or bool(aiders)
    threat = answered and bool(rng.random() < c["nuclear_threat_probability"])
    us_back = eu_back = False
    if threat and us_responds:
        us_back = bool(
            rng.random()
            < _logistic(
                c["us_backdown_base"] + c["us_backdown_liability"] * model.nuclear_liability
            )
        )
    if threat and aiders:
        nuclear_helper = any(model.allies[i].record.nuclear_weapon_state for i in aiders)
        z = (
            c["eu_backdown_base"]
            + c["eu_backdown_without_us"] * (not us_responds or us_back)
            - c["eu_backdown_nuclear"] * nuclear_helper
            - c["eu_backdown_capability"] * float(model.coverage.mean())
        )
        eu_back = bool(rng.random() < _logistic(z))
    standing = (us_responds and not us_back) or (bool(aiders) and not eu_back)
    counter = (
        standing and seized and not threat and result.defenders_end[0] >= c["halt_ratio"] * attacker
    )
    outcome: Outcome
    if not standing:
        outcome = "article5_failure"
    elif seized and not counter:
        outcome = "frozen"
    else:
        outcome = "repelled"
    return Crisis(
        target=target,
        attacker_bde=float(attacker),
        in_place_bde=float(in_place[0]),
        us_responds=us_responds,
        aiders=aiders,
        seized=seized,
        hours=float(result.hours[0]),
        reach_km=float(result.reach_km[0]),
        first_help_hours=float(result.first_help_hours[0]),
        nuclear_threat=threat,
        us_backed_down=us_back,
        europe_backed_down=eu_back,
        counterattack=bool(counter),
        outcome=outcome,
        p_us_responds=float(p_us),
        us_human=decided.us_crisis_response is not None,
    )


def apply_feedback(model: AllianceModel, crisis: Crisis) -> None:
    """Feed a crisis back into the alliance (C7, C8, C9, C11).

    * Threat: every ally gets a shock of ``threat_probe_weight`` x its closeness to the target
      (the target gets the full weight).
    * Trust in the US: up by ``trust_crisis_gain`` of the gap to 1 if the US stood; down by
      ``trust_crisis_loss`` of itself if it hesitated or backed down (times
      ``crisis.loss_share_if_repelled`` if the probe was repelled all the same).
    * Russia's estimate of US resolve: up by ``resolve_gain_repelled`` of the gap if the US stood
      and the outcome was not a failure; down by ``resolve_loss_failure`` of itself if the US did
      not stand. Its estimate of European resolve: likewise with ``europe_resolve_gain`` and
      ``europe_resolve_loss`` by whether European helpers stood.
    * Russia's confidence: up by ``embolden_gain`` after a fait accompli or a failure, down by
      ``deter_gain`` after a repelled probe (a success emboldens, a failure deters).
    * Cohesion: an Article 5 failure damages it by ``cohesion_loss_failure``.
    * The US refocuses on Europe (C8).

    With the ``crisis_feedback`` switch off only the refocus happens (its own switch is
    ``refocus``).
    """
    model.united_states.refocus()
    if not model.on("crisis_feedback"):
        return
    per, c = model.p_perception, model.p_crisis
    st = model.ally_state
    strongest = model.raw_weights.max() or 1.0
    closeness = model.raw_weights[crisis.target] / strongest
    closeness[crisis.target] = 1.0
    st.shock = st.shock + per["threat_probe_weight"] * closeness
    if crisis.us_stood:
        st.trust = st.trust + per["trust_crisis_gain"] * (1.0 - st.trust)
    else:
        loss = per["trust_crisis_loss"] * (
            c["loss_share_if_repelled"] if crisis.outcome == "repelled" else 1.0
        )
        st.trust = st.trust - loss * st.trust
    russia = model.russia
    if crisis.us_stood and crisis.outcome != "article5_failure":
        russia.resolve_estimate += c["resolve_gain_repelled"] * (1.0 - russia.resolve_estimate)
    elif not crisis.us_stood:
        russia.resolve_estimate -= c["resolve_loss_failure"] * russia.resolve_estimate
    e = russia.europe_resolve_estimate
    if crisis.europe_stood:
        russia.europe_resolve_estimate = e + c["europe_resolve_gain"] * (1.0 - e)
    else:
        russia.europe_resolve_estimate = e - c["europe_resolve_loss"] * e
    if crisis.outcome == "repelled":
        russia.confidence -= c["deter_gain"]
    else:
        russia.confidence += c["embolden_gain"]
    if crisis.outcome == "article5_failure":
        model.cohesion_damage = 1.0 - (1.0 - model.cohesion_damage) * (
            1.0 - c["cohesion_loss_failure"]
        )


def _names(model: AllianceModel, idx: tuple[int, ...], most: int = 3) -> str:
    names = [model.allies[i].record.country for i in idx]
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" and {len(names) - most} more"


def describe(model: AllianceModel, crisis: Crisis) -> str:
    """The crisis in words, for the event log: target, forces, who helped and how soon, the
    nuclear stage and the outcome."""
    name = model.allies[crisis.target].record.country
    parts = [
        (
            f"Russia probes {name} with {crisis.attacker_bde:.1f} brigade-equivalents against "
            f"{crisis.in_place_bde:.1f} in place"
        ),
        "the US answers" if crisis.us_responds else "the US hesitates",
    ]
    if crisis.aiders:
        when = (
            f", first help after {crisis.first_help_hours:.0f} h"
            if crisis.first_help_hours < math.inf
            else ""
        )
        parts.append(f"{_names(model, crisis.aiders)} send help{when}")
    else:
        parts.append("no ally sends help")
    if crisis.seized:
        parts.append(f"Russian forces reach their objective after {crisis.hours:.0f} h")
        if crisis.counterattack:
            parts.append("an allied counterattack restores the border")
    else:
        parts.append(f"the advance is halted {crisis.reach_km:.0f} km in")
    if crisis.nuclear_threat:
        backed = [
            w
            for w, b in (
                ("the US", crisis.us_backed_down),
                ("the Europeans", crisis.europe_backed_down),
            )
            if b
        ]
        parts.append(
            "Russia threatens nuclear use; "
            + (" and ".join(backed) + " back down" if backed else "the alliance stands firm")
        )
    result = {
        "repelled": "the probe is repelled",
        "frozen": "the fait accompli stands; the conflict freezes",
        "article5_failure": "Article 5 response fails",
    }[crisis.outcome]
    return "; ".join(parts) + f": {result}"


def why(model: AllianceModel, crisis: Crisis) -> str:
    """The crisis's deciding quantities in words (the events table's ``why``): the force ratio
    against the ratio an attacker needs to advance, the chance that the US answered, how many
    allies helped, the nuclear stage and what decided the outcome."""
    c = model.p_crisis
    ratio = crisis.attacker_bde / max(crisis.in_place_bde, 1e-9)
    parts = [
        f"force ratio {ratio:.1f}:1 at the onset (an advance needs {c['halt_ratio']:.1f}:1)",
        (
            "the US (human) chose " + ("to answer" if crisis.us_responds else "not to answer")
            if crisis.us_human
            else f"the US answered with probability {crisis.p_us_responds:.0%}"
        ),
        f"{len(crisis.aiders)} allies helped",
    ]
    if crisis.nuclear_threat:
        parts.append(
            f"a nuclear threat (probability {c['nuclear_threat_probability']:.0%}) froze any gains"
        )
    decided = {
        "article5_failure": "nobody stood with the target",
        "frozen": "the objective was seized and stayed taken",
        "repelled": "the advance was halted or retaken",
    }[crisis.outcome]
    return "; ".join(parts) + f"; {decided}"


def value_of_targets(model: AllianceModel, targets: np.ndarray) -> np.ndarray:
    """What each target is worth to Russia: its proximity (the network's Russia edge)."""
    return np.asarray(model.proximity)[targets]

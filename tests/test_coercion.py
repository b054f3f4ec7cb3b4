"""Coercion with consequences both ways (M3-M7, the verdict): the allies' answer to coercion,
the summit that makes the pledge, a US policy that moves, a deadline that lead times decide, and
verdicts on absolute scales that each some documented setting reaches.

``pytest tests/test_coercion.py -s`` prints the measured effects.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import sim
from sim.mechanisms import coercion
from sim.model.pledge import Pledge
from sim.scenario.schema import Event

from .conftest import ROOT, make_model

BASELINE = ROOT / "scenarios" / "baseline.toml"


def _scenario(name: str = "baseline", params: dict | None = None, ceasefire: int | None = None):
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    if params:
        sc = sc.with_params(params)
    if ceasefire:
        series = dict(sc.series)
        series["ukraine_war"] = ((2025, 1.0), (ceasefire, 0.0))
        sc = replace(sc, series=series)
    return sc


# -- the answer to coercion (rules) ----------------------------------------------------------------
def _shares(**kw):
    a = dict(make_model().params["coercion"])
    args = {"dep": 0.3, "credibility": 0.3, "threat": 0.3, "trust": 0.5, "signal": 0.5}
    args["resistance"] = 0.0
    args.update(kw)
    return coercion.response_shares(a, **args)


def test_dependence_credibility_and_threat_make_allies_comply():
    base = _shares()[0]
    assert _shares(dep=0.9)[0] > base
    assert _shares(credibility=0.9)[0] > base
    assert _shares(threat=0.9)[0] > base


def test_distrust_makes_allies_hedge():
    assert _shares(trust=0.1)[1] > _shares(trust=0.9)[1]


def test_domestic_resistance_and_harsh_threats_make_allies_resist():
    base = _shares()[2]
    assert _shares(resistance=2.0)[2] > base
    assert _shares(signal=1.0)[2] > base
    assert _shares(threat=0.9)[2] < base


def test_the_answer_to_coercion_can_add_or_withhold_spending():
    a = dict(make_model().params["coercion"])
    comply = (0.8, 0.1, 0.1)
    resist = (0.1, 0.1, 0.8)
    up = coercion.coercion_pp(a, 0.8, comply, leverage=0.3, demand=3.5, need=2.0)
    down = coercion.coercion_pp(a, 0.8, resist, leverage=0.3, demand=3.5, need=2.0)
    nothing = coercion.coercion_pp(a, 0.0, comply, leverage=0.3, demand=3.5, need=2.0)
    assert up > 0 > down and nothing == 0


# -- coercion's net effect over runs ----------------------------------------------------------
SIGNS = [
    ("compliance dominates (the defaults)", {}, +1),
    ("backlash dominates", {"coercion.resist_base": 3.0, "coercion.backlash_pp": 1.5}, -1),
]


def _coercion_effect(params: dict) -> tuple[float, float]:
    """Coercion's effect on European core spending in 2030 (threats at 0.7 against cajoling, the
    same seeds), mean and 95% half-width over 20 paired runs."""
    on = sim.run_replications(_scenario(params=params), 20, 3)
    off = sim.run_replications(_scenario(params={**params, "mechanisms.us_threats": False}), 20, 3)
    d = on.summary["eu_core_pct_2030"].to_numpy() - off.summary["eu_core_pct_2030"].to_numpy()
    return float(d.mean()), float(1.96 * d.std(ddof=1) / np.sqrt(len(d)))


@pytest.mark.parametrize(("label", "params", "sign"), SIGNS, ids=[s[0] for s in SIGNS])
def test_coercion_can_raise_or_lower_spending(label, params, sign):
    """Coercion's effect on 2030 core spending is positive or negative under documented settings
    (the table in the README, from ``sweeps/coercion_signs.toml``)."""
    m, half = _coercion_effect(params)
    print(f"{label}: coercion's effect on 2030 core spending {m:+.3f} pp (95% CI +-{half:.3f})")
    assert m * sign > 0 and abs(m) > half


def test_between_them_lies_a_balance_where_coercion_does_nothing():
    """With backlash at 1 pp, raising ``resist_base`` from 0 to 4 turns coercion's effect from
    positive to negative; bisection finds the setting where it is nil (within 0.05 pp, its
    confidence interval covering zero). Where the balance lies depends on every other parameter
    (it moves with the fitted budget rule); that it exists is the claim."""
    lo, hi, found = 0.0, 4.0, None
    fixed = {"coercion.backlash_pp": 1.0}
    m_lo = _coercion_effect({**fixed, "coercion.resist_base": lo})[0]
    m_hi = _coercion_effect({**fixed, "coercion.resist_base": hi})[0]
    assert m_lo > 0 > m_hi
    for _ in range(10):
        mid = (lo + hi) / 2
        m, half = _coercion_effect({**fixed, "coercion.resist_base": mid})
        if abs(m) < 0.05 and m - half < 0 < m + half:
            found = (mid, m, half)
            break
        lo, hi = (mid, hi) if m > 0 else (lo, mid)
    assert found is not None
    print(f"balance at resist_base {found[0]:.3f}: effect {found[1]:+.3f} pp (+-{found[2]:.3f})")


# -- the pledge as an outcome -----------------------------------------------------------------
def test_the_hague_pledge_follows_from_positions_and_pressure():
    """C4 as a result: under coercion the 2025 summit agrees about the 3.5% core the allies
    actually pledged, with Spain (whose stated resistance is an input) opting out; cajoling
    yields a lower pledge; with the bargain switched off the proposal is simply agreed."""
    coerce = sim.run_replications(_scenario(), 10, 1).summary
    cajole = sim.run_replications(_scenario("cajole"), 10, 1).summary
    fixed = sim.run_replications(_scenario("cajole", {"mechanisms.pledge_bargain": False}), 5, 1)
    print(
        f"pledged core: coercion {coerce['pledge_target_pct'].mean():.2f}% (opt-outs "
        f"{set(coerce['pledge_opt_outs'])}), cajole {cajole['pledge_target_pct'].mean():.2f}%"
    )
    assert coerce["pledge_target_pct"].mean() == pytest.approx(3.5, abs=0.15)
    assert set(coerce["pledge_opt_outs"]) == {"ESP"}
    assert cajole["pledge_target_pct"].mean() < coerce["pledge_target_pct"].mean() - 0.5
    assert (fixed.summary["pledge_target_pct"] == 3.5).all()


def test_a_pledge_pulls_harder_as_its_deadline_nears():
    m = make_model()
    m.pledge = Pledge(target=3.5, set_year=2025, deadline=2035, start_level=2.0)
    a = m.p_allies
    assert m.pledge.weight(a, 2026) < m.pledge.weight(a, 2034) <= 0.95 - a["peer_weight"]
    assert m.pledge.level(2030, 0.0) == pytest.approx(2.75)


# -- a US policy that moves ------------------------------------------------------------------------
def test_the_us_escalates_when_progress_stalls_and_declares_success_when_it_comes():
    us = make_model().united_states
    us.threat_level, us.last_progress = 0.5, 0.2
    before = us.escalation
    us.issue_threats(progress=0.2, pressure=1.0, forced=0.0)
    assert us.escalation > before and "escalates" in us.moves
    us.issue_threats(progress=0.95, pressure=1.0, forced=0.0)
    assert us.success_declared and "declares_success" in us.moves
    for _ in range(10):
        us.issue_threats(progress=0.1, pressure=1.0, forced=0.0)
    assert us.threat_level < 0.01  # threats end for good


def test_the_us_relents_and_reassures_when_trust_frays():
    us = make_model().united_states
    us.threat_level, us.last_progress = 0.5, 0.2
    us.issue_threats(progress=0.3, pressure=1.0, forced=0.0, mean_trust=0.2)
    assert "relents" in us.moves and us.reassurance_extra > 0
    calm = make_model().united_states
    calm.threat_level, calm.last_progress = 0.5, 0.2
    calm.issue_threats(progress=0.3, pressure=1.0, forced=0.0, mean_trust=0.6)
    assert calm.threat_level > us.threat_level


def test_the_us_threat_level_varies_across_a_run():
    """The US policy is a state, not a switch (M5): the threat level both rises and falls
    within runs (escalates, relents) and threats are executed. Relenting answers frayed trust:
    in the baseline trust holds above ``relent_trust``, so this is a world where threats cost
    five times the trust they do by default."""
    res = sim.run_replications(_scenario(params={"perception.trust_threat_cost": 0.2}), 10, 2)
    per_run = res.model.groupby("run")["us_threat_level"]
    spread = (per_run.max() - per_run.min()).mean()
    kinds = set(res.events["kind"])
    print(
        f"US threat level, mean range within a run {spread:.2f}; moves logged: "
        f"{sorted(kinds & {'escalates', 'relents', 'declares_success', 'threat_executed'})}"
    )
    # the level moves both ways within runs: it escalates and relents, not a constant switch
    assert spread > 0.1
    assert {"escalates", "relents", "threat_executed"} <= kinds


# -- a deadline that lead times decide -----------------------------------------------------------
def _deadline_world(params: dict) -> sim.Scenario:
    """The 2027 capability deadline with what it would take in money: a European pledge of 9% of
    GDP by 2027 made in 2025, budgets free to rise 3 points a year, 70% of spending on
    equipment, and "most" read as 60% of the US contribution."""
    money = {
        "allies.max_rise_pp": 3.0,
        "allies.equipment_share": 0.7,
        "allies.adjustment_rate": 1.0,
        "allies.pledge_weight": 0.7,
        "united_states.deadline_goal": 0.6,
    }
    sc = _scenario("deadline_2027_capability", {**money, **params})
    crash = Event(year=2025, kind="pledge", magnitude=9.0, deadline=2027, note="all for 2027")
    return replace(sc, events=(*[e for e in sc.events if e.kind != "summit"], crash))


def test_the_2027_deadline_is_met_with_zero_lead_times_and_missed_with_the_documented_ones():
    """C16: with zero lead times and unlimited industrial capacity (and the money) the deadline
    is met; with the documented lead times the same money misses it, and the event log says
    which categories fell short and why."""
    fast = sim.run_replications(
        _deadline_world({"mechanisms.lead_times": False, "mechanisms.industrial_capacity": False}),
        5,
        1,
    )
    slow = sim.run_replications(_deadline_world({}), 5, 1)
    p_fast = fast.model[fast.model["year"] == 2027]["progress_capability"]
    p_slow = slow.model[slow.model["year"] == 2027]["progress_capability"]
    print(f"progress 2027: zero lead times {p_fast.mean():.2f}, documented {p_slow.mean():.2f}")
    assert fast.summary["deadline_met"].all()
    assert not slow.summary["deadline_met"].any()
    text = slow.events[slow.events["kind"] == "deadline"]["event"].iloc[0]
    print(text)
    assert "lead time" in text and "deadline missed" in text.lower()


def test_isr_that_money_cannot_buy_caps_progress():
    """C17: where money and time are no object (the deadline world with zero lead times and
    unlimited capacity), the share of the US ISR contribution Europe replaces by 2028 stops at
    the replaceable part (plus the sovereign ISR built by then) while other categories pass it;
    with no irreplaceable ISR it goes on."""
    from sim.mechanisms import capability as cap
    from sim.mechanisms import progress
    from sim.model.alliance import AllianceModel

    fast = {"mechanisms.lead_times": False, "mechanisms.industrial_capacity": False}
    out = {}
    for label, extra in (("capped", {}), ("free", {"mechanisms.irreplaceable_isr": False})):
        m = AllianceModel(_deadline_world({**fast, **extra}), rng=1)
        while m.year < 2028:
            m.step()
        shares = progress.replaced(
            m.europe_capability(), m.europe_start, m.us_base, m.isr_replaceable()
        )
        out[label] = (shares, m.isr_replaceable())
    shares, cap_isr = out["capped"]
    print(
        f"US contribution replaced by 2028, per category {np.round(shares, 2).tolist()} "
        f"(ISR at most {cap_isr:.2f}); with no irreplaceable ISR, ISR {out['free'][0][cap.ISR]:.2f}"
    )
    assert shares[cap.ISR] == pytest.approx(cap_isr)
    assert np.delete(shares, cap.ISR).max() > cap_isr
    assert out["free"][0][cap.ISR] > shares[cap.ISR] + 0.05


# -- verdicts on absolute scales -------------------------------------------------------------------
VERDICT_SETTINGS = [
    (
        "deterrence_failed",
        "baseline",
        {
            "united_states.crisis_response_base": -5.0,
            "crisis.ally_aid_base": -5.0,
            "crisis.ally_aid_distance": 5.0,
            "crisis.ally_aid_tripwire": 0.0,
            "crisis.ally_aid_threat": 0.0,
            "crisis.ally_aid_trust": 0.0,
            "crisis.ally_aid_capability": 0.0,
            "crisis.ally_aid_closeness": 0.0,
        },
        2026,
        True,
    ),
    (
        # the allies stop following the US: a Europe that hedges first (hedging the likeliest
        # answer) and buys European, under a European SACEUR, and a US free to leave (no
        # Congress floor, Asia pulling five times as hard): influence is behaviour (M6)
        "europe_carries_us_lost_control",
        "european_surge",
        {
            "coercion.hedge_base": 3.0,
            "coercion.hedge_buy_shift": 1.0,
            "united_states.congress_floor": 0.0,
            "united_states.refocus_drift": 0.2,
        },
        None,
        False,
    ),
    (
        # after a ceasefire Russia rebuilds past its reconstituted forces and the requirement
        # grows 1.5 times as fast (M1): headline spending rises, coverage does not keep up
        "headline_met_capability_hollow",
        "baseline",
        {"mechanisms.probing": False, "capability.requirement_russia_elasticity": 1.5},
        2026,
        False,
    ),
    # the point-value baseline: coercion takes Europe past three quarters of its requirement
    ("europe_carries_alliance_intact", "baseline", {"mechanisms.agency": False}, None, False),
    # cajoling without threats: Europe covers more of its requirement (0.71 at point values),
    # not most of it
    ("burden_shifted_alliance_intact", "cajole", {}, None, False),
    (
        "burden_shifted_trust_broken",
        "baseline",
        {
            "mechanisms.agency": False,
            "mechanisms.policy_dynamics": False,
            "perception.trust_threat_cost": 0.4,
        },
        None,
        False,
    ),
    (
        "burden_not_shifted",
        "baseline",
        # the same growing requirement, no US threats, no pledge and no defence-related spending
        # pledged (the related share stays where it was): neither coverage nor headline rises
        {
            "mechanisms.us_threats": False,
            "mechanisms.pledge": False,
            "mechanisms.probing": False,
            "capability.requirement_russia_elasticity": 1.5,
            "allies.related_adjustment_rate": 0.0,
        },
        2026,
        False,
    ),
]


VERDICT_CASES = [
    # (coverage start, end, US influence, mean trust, headline %, outcomes) -> verdict
    ((0.40, 0.80, 0.9, 0.5, 4.0, []), "europe_carries_alliance_intact"),
    ((0.40, 0.70, 0.9, 0.5, 4.0, []), "burden_shifted_alliance_intact"),
    ((0.40, 0.80, 0.9, 0.3, 4.0, []), "burden_shifted_trust_broken"),
    ((0.40, 0.70, 0.9, 0.3, 4.0, []), "burden_shifted_trust_broken"),
    ((0.40, 0.80, 0.4, 0.5, 4.0, []), "europe_carries_us_lost_control"),
    ((0.40, 0.70, 0.4, 0.5, 4.0, []), "burden_shifted_alliance_intact"),  # control needs carrying
    ((0.70, 0.78, 0.9, 0.5, 4.0, []), "headline_met_capability_hollow"),  # high, but no gain
    ((0.70, 0.78, 0.9, 0.5, 3.0, []), "burden_not_shifted"),
    ((0.40, 0.80, 0.9, 0.5, 4.0, ["article5_failure"]), "deterrence_failed"),
    ((0.40, 0.80, 0.4, 0.3, 4.0, []), "europe_carries_us_lost_control"),  # before trust
    ((0.50, 0.625, 0.9, 0.5, 4.0, []), "burden_shifted_alliance_intact"),  # gain at the bar
    ((0.50, 0.75, 0.9, 0.5, 4.0, []), "europe_carries_alliance_intact"),  # coverage at the bar
    ((0.50, 0.80, 0.9, float("nan"), 4.0, []), "burden_shifted_trust_broken"),  # no trust read
]


@pytest.mark.parametrize(("case", "expected"), VERDICT_CASES)
def test_the_verdict_reads_its_thresholds_in_order(case, expected):
    """The verdict rule against scripted end states (``sim.model.outputs.verdict``): the burden
    shifted at a coverage gain of 0.125 (a bar exact in binary, so the cases at it are exact),
    Europe carries at an end coverage of 0.75 once it shifted, trust below 0.35 breaks the
    alliance, influence below 0.5 is lost control once Europe carries."""
    from types import SimpleNamespace

    from sim.model.outputs import verdict

    start, end, influence, trust, headline, outcomes = case
    rows = {
        "coverage_mean": [start, (start + end) / 2, end],
        "us_influence": [1.0, 0.9, influence],
        "mean_trust": [0.6, 0.5, trust],
        "eu_headline_pct": [2.0, 3.0, headline],
    }
    model = SimpleNamespace(
        p_verdict={
            "shift_coverage_gain": 0.125,
            "carry_coverage": 0.75,
            "trust_floor": 0.35,
            "headline_met_pct": 3.5,
        },
        recorder=SimpleNamespace(model_rows=rows),
    )
    assert verdict(model, outcomes) == expected


def test_europe_carries_counts_the_runs_the_verdict_reads_as_carrying():
    """``sim.analysis.compare.europe_carries`` (compare's paired outcome, the debate's
    probability) reads coverage as the verdict does: every "Europe carries" verdict is counted
    as carrying, and a run counted as carrying whose trust held, with no Article 5 failure and
    the US in control, has the verdict "Europe carries, alliance intact" (sampled worlds of the
    baseline, where both happen)."""
    from sim.analysis.compare import europe_carries

    sc = _scenario()
    res = sim.run_replications(sc, 30, 2, worlds=True)
    s = res.summary
    carries = europe_carries(s, sc.params["verdict"])
    verdicts = s["verdict"]
    assert carries.any() and not carries.all()
    assert carries[verdicts.str.startswith("europe_carries")].all()
    clean = (
        carries
        & (s["mean_trust_end"] >= sc.get("verdict.trust_floor"))
        & (s["n_article5_failures"] == 0)
        & (s["us_influence_end"] >= 0.5)
    )
    assert (verdicts[clean] == "europe_carries_alliance_intact").all()
    assert (verdicts[~carries] != "europe_carries_alliance_intact").all()


@pytest.mark.parametrize(
    ("verdict", "name", "params", "ceasefire", "forced"),
    VERDICT_SETTINGS,
    ids=[v[0] for v in VERDICT_SETTINGS],
)
def test_every_verdict_is_reached_by_a_documented_setting(verdict, name, params, ceasefire, forced):
    """Each verdict is the majority outcome of 10 runs under a documented setting: no verdict is
    out of reach, none is fixed by a switch alone (the rest of the runs go elsewhere)."""
    sc = _scenario(name, params, ceasefire)
    if forced:
        probe = Event(year=2028, kind="russia_probe", target="EST", note="a forced probe")
        sc = replace(sc, events=(*sc.events, probe))
    res = sim.run_replications(sc, 10, 1)
    counts = res.summary["verdict"].value_counts().to_dict()
    print(f"{verdict}: {counts}")
    assert counts.get(verdict, 0) > 5


def test_a_us_withdrawal_alone_does_not_shift_the_burden():
    """The verdict reads coverage, which US withdrawal does not move: the Congress floor at 0
    changes the European share, not whether the burden shifted."""
    lo = sim.run_replications(_scenario(params={"united_states.congress_floor": 0.0}), 10, 1)
    hi = sim.run_replications(_scenario(params={"united_states.congress_floor": 1.0}), 10, 1)
    gain_lo, gain_hi = lo.summary["coverage_gain"].mean(), hi.summary["coverage_gain"].mean()
    share_lo = lo.summary["eu_capability_share_end"].mean()
    share_hi = hi.summary["eu_capability_share_end"].mean()
    print(
        f"floor 0: share {share_lo:.2f}, coverage gain {gain_lo:.3f}; floor 1: share "
        f"{share_hi:.2f}, coverage gain {gain_hi:.3f}"
    )
    assert share_lo > share_hi + 0.02
    assert abs(gain_lo - gain_hi) < 0.02


# -- US policy as decisions (M5) ---------------------------------------------------------------
def test_the_us_threat_uses_its_range_and_intensity_matters():
    """M5: the threat level saturates below ``threat_intensity`` rather than pinning at 1, so a
    harder policy (intensity 1.0 against 0.7, same seeds) threatens more and moves 2040 core
    spending."""
    soft = sim.run_replications(_scenario(), 10, 4)
    hard = sim.run_replications(_scenario(params={"united_states.threat_intensity": 1.0}), 10, 4)
    at_ceiling = float((soft.model["us_threat_level"] >= 0.999).mean())

    def core_2040(res):
        m = res.model[res.model["year"] == 2040].sort_values("run")
        return m["eu_core_pct"].to_numpy()

    d = core_2040(hard) - core_2040(soft)
    print(f"threat at 1 in {at_ceiling:.0%} of run-years; intensity 1.0 - 0.7: {d.mean():+.3f} pp")
    assert at_ceiling < 0.2
    assert hard.model["us_threat_level"].mean() > soft.model["us_threat_level"].mean() + 0.1
    assert d.mean() > 0


def test_a_harder_us_raises_2040_spending_across_plausible_worlds():
    """M5 over sampled worlds (issue 23's measure, in the tool's default mode): on 100 shared
    worlds of the baseline, a threat intensity of 1.0 against 0.7 raises European core spending
    in 2040 by more than 0.05 points on average (0.07-0.09 over seeds 1-4 at 100 worlds). At the
    point values both settings reach the US ask of 3.5 and the gap is 0.04: where allies
    doubt US threats (low initial credibility, compliance or summit pressure) the softer US
    falls short of the ask, and there intensity decides."""
    soft = sim.run_replications(_scenario(), 100, 3, worlds=True)
    hard = sim.run_replications(
        _scenario(params={"united_states.threat_intensity": 1.0}), 100, 3, worlds=True
    )

    def core_2040(res):
        m = res.model[res.model["year"] == 2040].sort_values("run")
        return m["eu_core_pct"].to_numpy()

    d = core_2040(hard) - core_2040(soft)
    low = d.mean() - 1.96 * d.std(ddof=1) / np.sqrt(len(d))
    print(f"intensity 1.0 - 0.7, 2040 core spending: {d.mean():+.3f} pp (low {low:+.3f})")
    assert d.mean() > 0.05 and low > 0


def test_allies_may_offer_more_than_the_us_asks():
    """C4, C5: pressure moves an ally at most to the proposal, but an ally whose own need is
    above it offers more (the front line before The Hague); resistance offers less."""
    a = dict(make_model().params["coercion"])
    args = {"core": np.array([2.0, 2.0, 2.0]), "signal": np.array([0.6, 0.6, 0.6])}
    offers = coercion.acceptable_target(
        a,
        3.5,
        desired=np.array([2.0, 5.0, 2.0]),
        credibility=0.5,
        comply=np.array([0.5, 0.5, 0.5]),
        resistance=np.array([0.0, 0.0, 2.0]),
        **args,
    )
    assert offers[0] <= 3.5 + 1e-12
    assert offers[1] > 5.0
    assert offers[2] < offers[0]


def test_the_drawdown_slows_as_congress_resists_and_speeds_with_progress():
    """M5 (C1): the yearly drift shrinks as posture nears the Congress floor and grows with
    Europe's measured progress."""
    m = make_model()
    us = m.united_states
    m.year = us.refocus_until + 1

    def cut(target: float, progress: float) -> float:
        us.posture_target = target
        us.adjust_posture(0.5, progress)
        return target - us.posture_target

    floor = us.p["congress_floor"]
    assert cut(1.0, 0.0) > cut(floor + 0.05, 0.0) > 0
    assert cut(1.0, 0.8) > cut(1.0, 0.0)

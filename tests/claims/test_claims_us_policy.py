"""Claims about US policy: C1, C3, C4, C14, C15, C19. Each test states the model's answer."""

from __future__ import annotations

import numpy as np

from .helpers import at_year, ci, effect, runs, summary


def test_c01_china_pull_draws_us_posture_out_of_europe():
    """C1: the US stays engaged but cuts resources for Europe as Asia pulls. The model: with the
    baseline's China pull, US posture in 2040 is lower than in the same world without it."""
    base = runs("baseline")
    no_pull = runs("baseline", series=(("china_pull", ((2025, 0.0),)),))
    m, lo, hi, msg = effect(
        "posture 2040, baseline - no China pull",
        summary(base, "us_posture_end"),
        summary(no_pull, "us_posture_end"),
    )
    assert hi < 0, msg
    assert (
        summary(base, "us_posture_end") >= base.scenario.get("united_states.congress_floor") - 1e-9
    ).all(), "the Congress floor holds"


def test_c03_coercion_replaces_cajoling():
    """C3: this administration threatens and executes; prior ones asked without consequences.
    The model: threats and executed drawdowns occur in the baseline and never under cajole."""
    base, caj = runs("baseline"), runs("cajole")
    threat_base = base.model.groupby("run")["us_threat_level"].mean()
    assert caj.model["us_threat_level"].max() == 0.0
    executed = base.events[base.events["kind"] == "threat_executed"].groupby("run").size()
    m, lo, hi = ci(executed.reindex(range(len(base.seeds)), fill_value=0))
    msg = (
        f"mean threat level {threat_base.mean():.3f}; executed threats per run {m:.2f} "
        f"(95% CI {lo:.2f} to {hi:.2f}); cajole: none"
    )
    print(msg)
    assert lo > 0, msg
    assert caj.events[caj.events["kind"] == "threat_executed"].empty


def test_c04_pressure_succeeds_only_when_credible():
    """C4: the pressure may be succeeding (allies agreed to 5%). The model: coercion raises
    European core spending by 2030 more than cajoling, and threats that are never executed (the
    same rhetoric, execute_threats = false) raise it less than executed ones: allies respond to
    threats when they are credible."""
    base = runs("baseline")
    caj = runs("cajole")
    hollow = runs("baseline", params=(("united_states.execute_threats", False),))
    rise = {
        k: at_year(r, "eu_core_pct", 2030) - at_year(r, "eu_core_pct", 2025)
        for k, r in (("base", base), ("cajole", caj), ("hollow", hollow))
    }
    m, lo, hi, msg = effect("rise 2025-2030, coercion - cajole", rise["base"], rise["cajole"])
    assert lo > 0, msg
    m, lo, hi, msg = effect(
        "rise 2025-2030, executed - unexecuted threats", rise["base"], rise["hollow"]
    )
    assert lo > 0, msg
    cred = effect(
        "coercion credibility 2030, executed - unexecuted",
        at_year(base, "coercion_credibility", 2030),
        at_year(hollow, "coercion_credibility", 2030),
    )
    assert cred[1] > 0, cred[3]


def test_c14_ambiguity_about_posture_is_corrosive():
    """C14: ambiguity about US force posture is itself corrosive. The model: the baseline with
    no ambiguity beyond what threats create ends with more trust in the US."""
    base = runs("baseline")
    clear = runs("baseline", series=(("us_ambiguity", ((2025, 0.0),)),))
    m, lo, hi, msg = effect(
        "trust 2040, baseline - no ambiguity",
        summary(base, "mean_trust_end"),
        summary(clear, "mean_trust_end"),
    )
    assert hi < 0, msg


def test_c15_missed_deadline_means_leaving_coordination_mechanisms():
    """C15: Europe is to take over most conventional capabilities by 2027 or the US may leave
    coordination mechanisms. The model: the deadline is missed and the US leaves in 2027 in
    every replication, which cuts its ISR and enabler contribution and trust."""
    dl, base = runs("deadline_2027"), runs("baseline")
    exits = summary(dl, "us_exit_year")
    assert (exits == 2027).all(), f"exit years: {exits.value_counts().to_dict()}"
    m, lo, hi, msg = effect(
        "trust 2028, deadline - baseline",
        at_year(dl, "mean_trust", 2028),
        at_year(base, "mean_trust", 2028),
    )
    assert hi < 0, msg


def test_c19_what_counts_as_progress_decides_who_lags():
    """C19: nobody said how progress would be measured. The model: when the US checks headline
    numbers, holdouts report more than they spend (reclassification); when it checks capability,
    the gap disappears; and the two measures give different progress in 2027."""
    head = runs("holdouts")
    capab = runs("holdouts", params=(("united_states.measurement", "capability"),))
    gap_head = at_year(head, "eu_core_pct", 2035) - at_year(head, "eu_genuine_core_pct", 2035)
    gap_cap = at_year(capab, "eu_core_pct", 2035) - at_year(capab, "eu_genuine_core_pct", 2035)
    m, lo, hi, msg = effect(
        "reclassified share 2035, headline - capability measure", gap_head, gap_cap
    )
    assert lo > 0, msg
    dl = runs("deadline_2027")
    p_head = at_year(dl, "progress_headline", 2027)
    p_cap = at_year(dl, "progress_capability", 2027)
    assert not np.allclose(p_head, p_cap), "the two measures should disagree"

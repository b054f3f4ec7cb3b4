"""Claims about Russia and deterrence: C7, C8, C9, C10, C11, C12, C13."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import data

from .helpers import at_year, ci, effect, runs, summary


def _probes(res) -> pd.DataFrame:
    m = res.model
    return m[m["probe"] == 1]


def test_c07_nuclear_liability_grows_as_control_shrinks():
    """C7: Europe gains sway over conventional conduct while the US keeps the nuclear mission.
    The model: the surge ends with higher nuclear liability; and liability makes the US hesitate,
    so with crisis_response_liability at 0 the US answers more probes (the trade-off named)."""
    m, lo, hi, msg = effect(
        "nuclear liability 2040, surge - baseline",
        summary(runs("european_surge"), "nuclear_liability_end"),
        summary(runs("baseline"), "nuclear_liability_end"),
    )
    assert lo > 0, msg
    heavy = _probes(
        runs(
            "power_shift_spiral",
            params=(("united_states.crisis_response_liability", 5.0),),
            reps=60,
        )
    )
    none = _probes(
        runs(
            "power_shift_spiral",
            params=(("united_states.crisis_response_liability", 0.0),),
            reps=60,
        )
    )
    msg = (
        f"US answers {none['us_responded'].mean():.2f} of {len(none)} probes without the "
        f"liability effect and {heavy['us_responded'].mean():.2f} of {len(heavy)} with it"
    )
    print(msg)
    assert none["us_responded"].mean() > heavy["us_responded"].mean(), msg


def test_c08_power_shifts_roil_relations_and_pull_the_us_back():
    """C8: shifts in the distribution of power roil relations; miscalculation; a crisis pulls
    the US back. The model: in the spiral Russia ends spending more than in the baseline, probes
    happen, and US posture ends above the baseline's."""
    spiral, base = runs("power_shift_spiral"), runs("baseline")
    m, lo, hi, msg = effect(
        "Russia milex % GDP 2040, spiral - baseline",
        at_year(spiral, "russia_milex_pct_gdp", 2040),
        at_year(base, "russia_milex_pct_gdp", 2040),
    )
    assert lo > 0, msg
    n = ci(summary(spiral, "n_probes"))
    assert n[1] > 0, f"probes per run {n}"
    m, lo, hi, msg = effect(
        "US posture 2040, spiral - baseline",
        summary(spiral, "us_posture_end"),
        summary(base, "us_posture_end"),
    )
    assert lo > 0, msg


def test_c09_coercion_buys_spending_at_the_price_of_deterrence():
    """C9 against C4: with Russia free after a ceasefire (baltic_probe), full US coercion
    (threat_intensity 0.7) raises European spending but lowers Russia's estimate of US resolve
    compared with no threats (threat_intensity 0): both sides of the trade-off."""
    coerce = runs("baltic_probe")
    soft = runs(
        "baltic_probe",
        params=(("united_states.threat_intensity", 0.0), ("united_states.execute_threats", False)),
    )
    m, lo, hi, msg = effect(
        "European core % GDP 2029, coercion - none",
        at_year(coerce, "eu_core_pct", 2029),
        at_year(soft, "eu_core_pct", 2029),
    )
    assert lo > 0, msg
    m, lo, hi, msg = effect(
        "Russia's estimate of US resolve 2029, coercion - none",
        at_year(coerce, "russia_resolve_estimate", 2029),
        at_year(soft, "russia_resolve_estimate", 2029),
    )
    assert hi < 0, msg


def test_c10_russia_runs_a_war_economy_on_a_small_gdp():
    """C10: a war economy, yet a GDP about 25 times smaller than NATO's. The data give the
    ratio; the model keeps Russia's military share of GDP far above Europe's while the war lasts."""
    gdp = data.gdp_history()
    nato = sum(v[2024] for v in gdp.values() if 2024 in v)
    ratio = nato / data.russia_history()[2024]["gdp_bn"]
    print(f"NATO GDP / Russia GDP, 2024: {ratio:.1f}")
    assert 20 < ratio < 30
    base = runs("baseline")
    gap = at_year(base, "russia_milex_pct_gdp", 2030) - at_year(base, "eu_core_pct", 2030)
    m, lo, hi = ci(gap)
    assert lo > 3.0, f"Russia - Europe % GDP 2030: {m:.2f} ({lo:.2f} to {hi:.2f})"


def test_c11_if_the_us_hesitates_article5_collapses():
    """C11: a small incursion plus nuclear threats; if the US hesitates, Article 5 deterrence
    collapses. The model: over the probes of baltic_probe, Article 5 fails far more often when the
    US hesitates than when it answers, and a failure lowers Russia's estimate of US resolve."""
    res = runs("baltic_probe", reps=60)
    p = _probes(res)
    hes = p[p["us_responded"] == 0]
    ans = p[p["us_responded"] == 1]
    f_hes = (hes["probe_outcome"] == "article5_failure").mean()
    f_ans = (ans["probe_outcome"] == "article5_failure").mean()
    msg = (
        f"Article 5 failure rate: {f_hes:.2f} of {len(hes)} probes when the US hesitates, "
        f"{f_ans:.2f} of {len(ans)} when it answers"
    )
    print(msg)
    assert len(hes) > 5 and f_hes > f_ans, msg


def test_c12_greyzone_attacks_continue_with_near_impunity():
    """C12: grey-zone attacks continue with near impunity. The model: escalation multiplies the
    attacks, which land on the allies nearest Russia and raise their threat perception."""
    grey, base = runs("grey_zone"), runs("baseline")
    m, lo, hi, msg = effect(
        "grey-zone attacks per run, escalation - baseline",
        summary(grey, "greyzone_attacks_total"),
        summary(base, "greyzone_attacks_total"),
    )
    assert lo > 0, msg
    late = grey.model[grey.model["year"] >= 2035]["greyzone_attacks"].mean()
    early = grey.model[grey.model["year"].between(2026, 2028)]["greyzone_attacks"].mean()
    assert late > early, f"attacks per year 2026-28 {early:.1f}, 2035-40 {late:.1f}"
    a_g, a_b = grey.allies, base.allies
    thr = [
        a[(a["year"] == 2035) & (a["iso3"].isin(["EST", "LVA", "LTU"]))]
        .groupby("run")["threat"]
        .mean()
        for a in (a_g, a_b)
    ]
    m, lo, hi, msg = effect("Baltic threat 2035, escalation - baseline", *thr)
    assert lo > 0, msg


def test_c13_reassurance_restores_trust_and_resolve():
    """C13: reaffirm Article 5, Congress speaks, Europe builds enablers. The model: the
    reassurance package ends with more trust and a higher Russian estimate of US resolve than
    the baseline, and puts more into enablers."""
    re_, base = runs("reassurance"), runs("baseline")
    for col in ("mean_trust_end", "russia_resolve_estimate_end"):
        m, lo, hi, msg = effect(
            f"{col}, reassurance - baseline", summary(re_, col), summary(base, col)
        )
        assert lo > 0, msg
    m, lo, hi, msg = effect(
        "enabler coverage 2035, reassurance - baseline",
        at_year(re_, "coverage_enablers", 2035),
        at_year(base, "coverage_enablers", 2035),
    )
    assert lo > 0, msg
    assert np.isfinite(m)

"""Incursions below the threshold of war (M8, ``sim.mechanisms.incursions``): the rules against
scripted situations, then the runs.

Story: while the war in Ukraine runs Russia has no free forces for a ground probe, yet it tests
the allies with aircraft, drones and vessels, most often where it is exposed (the Baltic states,
Poland, Finland, Romania); it tests more when it doubts their resolve and when the US threatens
abandonment; a firm answer teaches it caution, an unanswered one emboldens it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import sim
from sim.mechanisms import incursions
from sim.mechanisms.incursions import Incursion
from sim.model.alliance import AllianceModel
from sim.scenario import CATALOGUE

from .conftest import ROOT, make_model

FLANK = {"EST", "LVA", "LTU", "POL", "FIN", "NOR", "ROU"}


def _baseline(params: dict | None = None) -> sim.Scenario:
    sc = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    return sc.with_params(params) if params else sc


def _runs(params: dict | None = None, reps: int = 4, seed: int = 7) -> list[AllianceModel]:
    sc = _baseline(params)
    out = []
    for r in range(reps):
        m = AllianceModel(sc, rng=seed + r)
        m.run()
        out.append(m)
    return out


def _per_run_year(models: list[AllianceModel], column: str = "incursions") -> float:
    values = [v for m in models for v in m.recorder.model_rows[column][1:]]
    return float(np.mean(values))


# -- Russia's choice: how many --------------------------------------------------------------------
def test_higher_perceived_resolve_gives_fewer_incursions():
    m = make_model()
    ru = m.russia
    rates = []
    for resolve in (0.2, 0.5, 0.9):
        ru.resolve_estimate = ru.europe_resolve_estimate = resolve
        rates.append(ru.incursion_rates(1.0, 0.0, 0.0).sum())
    assert rates[0] > rates[1] > rates[2] > 0


def test_us_threats_and_ambiguity_invite_testing():
    ru = make_model().russia
    calm = ru.incursion_rates(1.0, 0.0, 0.0).sum()
    assert ru.incursion_rates(1.0, 1.0, 0.0).sum() > calm
    assert ru.incursion_rates(1.0, 0.0, 1.0).sum() > calm


def test_confidence_emboldens_and_caution_restrains():
    ru = make_model().russia
    ru.confidence = 0.5
    bold = ru.incursion_rates(1.0, 0.0, 0.0).sum()
    ru.confidence = -0.5
    assert ru.incursion_rates(1.0, 0.0, 0.0).sum() < bold


def test_the_base_rates_are_the_records_at_the_start_readings():
    """At its initial estimates, no US threat, no ambiguity and full war, the expected counts
    are the 2022-2025 record's rates (incursions.csv): air 1.7, drones 3.9, sea 0.5 a year."""
    m = make_model()
    rates = m.russia.incursion_rates(1.0, 0.0, 0.0)
    assert rates == pytest.approx([1.7, 3.9, 0.5])
    peace = m.russia.incursion_rates(0.0, 0.0, 0.0)
    assert peace == pytest.approx([4.1, 0.0, 0.5])


def test_the_default_rates_are_computed_from_the_record():
    """The ``russia.incursion_rate_*`` defaults are ``incursions.record_rates()`` rounded: the
    parameters and the data cannot drift apart."""
    defaults = sim.Scenario.default().params["russia"]
    rec = incursions.record_rates()
    for name in ("air_war", "air_peace", "drone", "sea"):
        assert defaults[f"incursion_rate_{name}"] == pytest.approx(rec[name], abs=0.05), name


def test_the_scenario_multiplier_scales_every_rate():
    base = make_model().russia.incursion_rates(1.0, 0.3, 0.3)
    doubled = make_model({"russia.incursion_scale": 2.0}).russia.incursion_rates(1.0, 0.3, 0.3)
    assert doubled == pytest.approx(2.0 * base)


# -- where ----------------------------------------------------------------------------------------
def test_exposed_allies_lead_and_landlocked_ones_see_no_ships():
    m = make_model()
    w = incursions.target_weights(m)
    codes = np.array(m.codes)
    air, drone, sea = w
    assert set(codes[np.argsort(air)[::-1][:6]]) <= FLANK
    assert set(codes[np.argsort(drone)[::-1][:2]]) == {"POL", "ROU"}
    for landlocked in ("HUN", "SVK", "CZE", "LUX", "MKD"):
        assert sea[m.ally_index[landlocked]] == 0.0
    assert w.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])
    assert w[:, m.ally_index["ISL"]].sum() == 0.0  # no armed forces to answer


def test_a_firmer_ally_is_chosen_less():
    m = make_model()
    i = m.ally_index["EST"]
    before = incursions.target_weights(m)[0, i]
    m.ally_state.threat[i] = 1.0  # a more alarmed Estonia answers more firmly
    assert incursions.target_weights(m)[0, i] < before


# -- the answer ---------------------------------------------------------------------------------
def test_firmness_rises_with_threat_and_forward_presence():
    m = make_model()
    i = m.ally_index["FIN"]
    base = incursions.firmness(m)[i]
    m.ally_state.threat[i] += 0.2
    alarmed = incursions.firmness(m)[i]
    assert alarmed > base
    presence = np.array(m.theatre.presence)
    presence[0, i] += 2.0
    m.theatre.presence = presence
    assert incursions.firmness(m)[i] > alarmed


# -- feedback -------------------------------------------------------------------------------------
def _incursion(m: AllianceModel, iso3: str = "EST", **kw) -> Incursion:
    fields = {"serious": False, "firm": True, "article4": False, "us_stood": None} | kw
    return Incursion(m.year, m.ally_index[iso3], "air", **fields)


def test_a_firm_answer_teaches_caution():
    m = make_model()
    ru = m.russia
    c, e, r = ru.confidence, ru.europe_resolve_estimate, ru.resolve_estimate
    incursions.apply_feedback(m, _incursion(m, firm=True))
    assert ru.confidence < c
    assert ru.europe_resolve_estimate > e
    assert ru.resolve_estimate == r  # no consultations: nothing said of the US


def test_an_unanswered_incursion_emboldens():
    m = make_model()
    ru = m.russia
    c, e = ru.confidence, ru.europe_resolve_estimate
    incursions.apply_feedback(m, _incursion(m, firm=False))
    assert ru.confidence > c
    assert ru.europe_resolve_estimate < e


def test_an_incursion_alarms_its_target():
    m = make_model()
    i = m.ally_index["POL"]
    shock = m.ally_state.shock.copy()
    incursions.apply_feedback(m, _incursion(m, "POL"))
    assert m.ally_state.shock[i] > shock[i]
    others = np.arange(len(shock)) != i
    assert np.array_equal(m.ally_state.shock[others], shock[others])


@pytest.mark.parametrize("stood", [True, False])
def test_article4_consultations_move_trust_cohesion_and_russias_reading_of_the_us(stood):
    m = make_model()
    st, ru = m.ally_state, m.russia
    trust, damage, r = st.trust.copy(), m.cohesion_damage, ru.resolve_estimate
    shock = st.shock.copy()
    inc = _incursion(m, "EST", serious=True, article4=True, us_stood=stood)
    incursions.apply_feedback(m, inc)
    assert (st.shock > shock).sum() > 1  # the consultations spread the alarm
    if stood:
        assert (st.trust >= trust).all() and (st.trust > trust).any()
        assert m.cohesion_damage == damage
        assert ru.resolve_estimate > r
    else:
        assert (st.trust <= trust).all() and (st.trust < trust).any()
        assert m.cohesion_damage > damage
        assert ru.resolve_estimate < r


def test_without_the_reading_of_resolve_only_confidence_learns():
    m = make_model({"mechanisms.russia_reads_resolve": False})
    ru = m.russia
    e, c = ru.europe_resolve_estimate, ru.confidence
    incursions.apply_feedback(m, _incursion(m, firm=True))
    assert ru.europe_resolve_estimate == e and ru.confidence < c


# -- the runs -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def baseline_runs() -> list[AllianceModel]:
    return _runs()


def test_baseline_has_incursions_in_wartime(baseline_runs):
    """Issue 23's done criterion, on a few runs: at least one incursion or probe per run-year
    while the war runs (baseline: all years), most of them on the exposed flank."""
    per_year = _per_run_year(baseline_runs) + _per_run_year(baseline_runs, "probe")
    assert per_year >= 1.0
    targets = [m.codes[i.target] for m in baseline_runs for i in m.russia.incursion_history]
    assert np.mean([t in FLANK for t in targets]) > 0.8
    assert all(
        m.recorder.summary()["n_incursions"] == len(m.russia.incursion_history)
        for m in baseline_runs
    )


def test_incursions_are_logged_in_words(baseline_runs):
    ev = baseline_runs[0].recorder.events
    texts = [t for k, t in zip(ev["kind"], ev["event"], strict=True) if k == "incursion"]
    assert texts and any("Russian incursion" in t for t in texts)
    article4 = [i for m in baseline_runs for i in m.russia.incursion_history if i.article4]
    assert all(i.serious and i.firm and i.us_stood is not None for i in article4)


def test_the_switch_off_gives_none_and_leaves_the_other_draws():
    on = AllianceModel(_baseline(), rng=3)
    off = AllianceModel(_baseline({"mechanisms.incursions": False}), rng=3)
    for m in (on, off):
        for _ in range(3):
            m.step()
    assert sum(off.recorder.model_rows["incursions"]) == 0
    assert "incursion" not in off.recorder.events["kind"]
    assert sum(on.recorder.model_rows["incursions"]) > 0
    # the first year's grey-zone attacks come before any incursion: the same draws
    assert (
        on.recorder.model_rows["greyzone_attacks"][1]
        == off.recorder.model_rows["greyzone_attacks"][1]
    )


def test_no_drones_without_the_war():
    sc = _baseline()
    series = dict(sc.series)
    series["ukraine_war"] = ((2025, 0.0),)
    m = AllianceModel(replace(sc, series=series), rng=5)
    m.run()
    kinds = {i.kind for i in m.russia.incursion_history}
    assert "drone" not in kinds and "air" in kinds


def test_us_threats_of_abandonment_invite_testing():
    """Issue 23's done criterion: fewer incursions at threat_intensity 0 than at 0.7."""
    calm = _runs({"united_states.threat_intensity": 0.0}, reps=3)
    threats = _runs({"united_states.threat_intensity": 0.7}, reps=3)
    assert _per_run_year(calm) < _per_run_year(threats)


def test_every_incursion_parameter_at_its_bound_gives_a_bounded_run():
    """All ``russia.incursion_*`` parameters at their upper (then lower) bounds: the counts stay
    within one a day of each kind, and threat, trust, cohesion and the estimates within 0-1."""
    keys = [p for p in CATALOGUE.params if p.section == "russia" and "incursion" in p.name]
    for bound in ("high", "low"):
        values = {p.key: (p.high if bound == "high" else p.low) for p in keys}
        m = AllianceModel(_baseline(values), rng=11)
        for _ in range(4):
            m.step()
        rows = m.recorder.model_rows
        assert max(rows["incursions"]) <= 3 * incursions.MAX_PER_KIND
        for col in ("mean_threat", "mean_trust", "cohesion", "russia_resolve_estimate"):
            assert all(0.0 <= v <= 1.0 for v in rows[col]), (bound, col)
        assert 0.0 <= m.russia.europe_resolve_estimate <= 1.0
        assert np.isfinite(m.russia.confidence)

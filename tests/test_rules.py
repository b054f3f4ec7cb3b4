"""Decision rules against scripted situations: each mechanism M1-M9 moves the right way."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim
from sim.agents import ally_rules as rules
from sim.engine import greyzone
from sim.engine.batch import Batch
from sim.mechanisms import capability as cap
from sim.mechanisms import crisis as crisis_game

from .conftest import ROOT, ally, make_model


# -- M1 capability pipeline (C16, C17) -----------------------------------------------------------
def _pipeline(**over):
    p = dict(make_model().config.params["capability"])
    p.update(over)
    stock = np.zeros((1, len(cap.CATEGORIES)))
    return cap.CapabilityPipeline(p, stock, np.zeros_like(stock)), p


def test_order_arrives_after_its_lead_time_at_its_vintage_value():
    pipe, p = _pipeline(us_buy_share=0.0, industry_headroom=0.0)
    pipe.capacity[:] = 1e9
    orders = np.zeros((1, len(cap.CATEGORIES)))
    k = cap.CATEGORIES.index("munitions")
    orders[0, k] = 10.0
    pipe.order(orders)
    lead = p["lead_time_munitions"]
    arrivals = [pipe.deliver()[0, k] for _ in range(lead + 1)]
    # an order ages from the year it is placed: in transit as in service
    assert arrivals[-1] == pytest.approx(10.0 * (1 - p["depreciation_munitions"]) ** lead)
    assert sum(arrivals[:-1]) == 0.0


@pytest.mark.parametrize("category", cap.CATEGORIES)
def test_longer_lead_times_never_raise_capability(category):
    """C16: the same orders with a longer lead time give no more capability in any year."""
    from sim.model.alliance import AllianceModel

    stocks = []
    for lead in (0, 2, 5):
        m = make_model({f"capability.lead_time_{category}": lead})
        path = []
        for _ in range(10):
            m.step()
            path.append(m.europe_capability()[cap.CATEGORIES.index(category)])
        stocks.append(np.array(path))
        assert isinstance(m, AllianceModel)
    assert (stocks[0] >= stocks[1] - 1e-9).all() and (stocks[1] >= stocks[2] - 1e-9).all()


def test_us_orders_arrive_later_than_european_ones():
    pipe, p = _pipeline(us_buy_share=1.0, us_backlog_years=2)
    pipe.capacity[:] = 1e9
    orders = np.zeros((1, len(cap.CATEGORIES)))
    orders[0, 0] = 5.0
    pipe.order(orders)
    got = [pipe.deliver()[0, 0] for _ in range(p["lead_time_manoeuvre"] + 3)]
    assert got.index(max(got)) == p["lead_time_manoeuvre"] + 2


def test_industrial_capacity_creates_a_backlog_that_clears_later():
    pipe, p = _pipeline(us_buy_share=0.0, capacity_growth=0.0, depreciation_manoeuvre=0.0)
    pipe.capacity[:] = 1.0
    orders = np.zeros((1, len(cap.CATEGORIES)))
    orders[0, 0] = 3.0
    pipe.order(orders)
    got = [pipe.deliver()[0, 0] for _ in range(p["lead_time_manoeuvre"] + 3)]
    assert max(got) == pytest.approx(1.0)
    assert sum(got) == pytest.approx(3.0)


def test_pipeline_conserves_what_is_ordered():
    """Every bn ordered is, at any time, delivered, in the backlog or still due (several allies,
    both suppliers, a filled start pipeline, capacity binding)."""
    p = dict(make_model().config.params["capability"])
    p.update(us_buy_share=0.3, capacity_growth=0.05)
    p.update({f"depreciation_{c}": 0.0 for c in cap.CATEGORIES})  # value is conserved then
    rng = np.random.default_rng(3)
    start_orders = rng.random((4, len(cap.CATEGORIES)))
    pipe = cap.CapabilityPipeline(p, np.zeros_like(start_orders), start_orders)
    ordered = pipe.due.sum()
    delivered = 0.0
    for _ in range(12):
        orders = 2.0 * rng.random(start_orders.shape)
        pipe.order(orders)
        ordered += orders.sum()
        delivered += pipe.deliver().sum()
        assert delivered + pipe.backlog.sum() + pipe.due.sum() == pytest.approx(ordered)
    assert pipe.backlog.sum() > 0  # capacity did bind


def test_isr_coverage_cannot_pass_the_irreplaceable_cap():
    europe = np.full(len(cap.CATEGORIES), 10.0)
    cov = cap.coverage(europe, np.full(len(cap.CATEGORIES), 10.0), isr_cap=0.5)
    assert cov[cap.ISR] == 0.5
    assert cov[0] == 1.0


def test_money_alone_does_not_take_over_isr_quickly():
    """C17: even with very large ISR orders, ISR coverage stays near its cap for years."""
    m = make_model(
        {
            "capability.allocation_isr": 1.0,
            "capability.gap_priority": 0.0,
            "allies.threat_gain": 10.0,
        }
    )
    cap_start = 1 - m.p_capability["isr_irreplaceable_share"]
    for _ in range(5):
        m.step()
    assert m.coverage[cap.ISR] <= cap_start + 5 * m.p_capability["isr_sovereign_rate"] + 1e-9


# -- M2 threat perception (C5, C12) --------------------------------------------------------------
def test_border_ally_under_greyzone_attack_raises_its_threat():
    m = make_model()
    lt_quiet, lt_hit = ally(make_model(), "LTU"), ally(m, "LTU")
    lt_hit.greyzone_attacks = 10
    for a in (lt_quiet, lt_hit):
        a.perceive_threat(a.situational_threat(1.0, 1.0), a.threat)
    assert lt_hit.threat > lt_quiet.threat


def test_alarm_spreads_over_the_network():
    m = make_model()
    a = ally(m, "PRT")
    before = a.threat
    a.perceive_threat(a.situational_threat(1.0, 1.0), neighbours=1.0)
    calm = ally(make_model(), "PRT")
    calm.perceive_threat(calm.situational_threat(1.0, 1.0), neighbours=calm.threat)
    assert a.threat > calm.threat >= 0 and a.threat > before - 1e-9


def test_front_line_allies_feel_more_threat_than_western_ones():
    m = make_model()
    assert ally(m, "EST").threat > ally(m, "FRA").threat > 0
    assert ally(m, "POL").threat > ally(m, "PRT").threat


# -- M3 trust and credibility (C3, C9, C13, C14) -------------------------------------------------
def test_executed_threat_raises_coercion_credibility():
    m = make_model({"united_states.execution_probability": 1.0, "united_states.patience_years": 1})
    us = m.united_states
    us.threat_level, us.years_threatened = 0.8, 5
    before = us.coercion_credibility
    assert us.execute_threats(laggards=3)
    assert us.coercion_credibility > before


def test_unexecuted_threat_decays_coercion_credibility():
    m = make_model({"united_states.execute_threats": False})
    us = m.united_states
    us.threat_level = 0.8
    before = us.coercion_credibility
    assert not us.execute_threats(laggards=3)
    assert us.coercion_credibility < before


def test_ambiguity_costs_trust_and_reassurance_restores_it():
    base, ambiguous, reassured = (ally(make_model(), "DEU") for _ in range(3))
    base.update_trust(0.0, 0.0, 0.0, 0.0, False)
    ambiguous.update_trust(0.0, 0.0, 1.0, 0.0, False)
    reassured.update_trust(0.0, 0.0, 0.0, 1.0, False)
    assert ambiguous.trust < base.trust < reassured.trust


def test_drawdown_costs_more_trust_where_us_forces_are():
    de, pt = ally(make_model(), "DEU"), ally(make_model(), "ALB")
    d0, p0 = de.trust, pt.trust
    de.update_trust(0.0, 0.2, 0.0, 0.0, False)
    pt.update_trust(0.0, 0.2, 0.0, 0.0, False)
    assert (d0 - de.trust) > (p0 - pt.trust)


def test_threats_lower_russias_estimate_of_us_resolve():
    calm, threatened = make_model().russia, make_model().russia
    calm.read_resolve(1.0, 0.0, 0.2, 0.2, False, 0.5)
    threatened.read_resolve(1.0, 1.0, 0.2, 0.2, False, 0.5)
    assert threatened.resolve_estimate < calm.resolve_estimate


@pytest.mark.parametrize(
    ("weight", "signal"),
    [
        ("resolve_weight_posture", (0.0, 0.5, 0.5, 0.5, False)),
        ("resolve_weight_threat", (0.5, 1.0, 0.5, 0.5, False)),
        ("resolve_weight_reassurance", (0.5, 0.5, 0.0, 0.5, False)),
        ("resolve_weight_ambiguity", (0.5, 0.5, 0.5, 1.0, False)),
    ],
)
def test_each_resolve_weight_is_a_parameter_that_matters(weight, signal):
    """Russia's reading of US resolve: a weak signal on one channel lowers the estimate more the
    more weight that channel has (the weights are schema parameters, not constants)."""
    low, high = (make_model({f"perception.{weight}": w}).russia for w in (0.1, 0.9))
    for r in (low, high):
        r.read_resolve(*signal, 0.5)
    assert high.resolve_estimate < low.resolve_estimate


# -- M4 ally budget (C3, C4, C5) -----------------------------------------------------------------
def test_threat_and_distrust_raise_desired_spending():
    a = ally(make_model(), "DEU")
    a.drafted_threat, a.trust = 0.2, 0.8
    low = a.desired_core_pct(0.0, 2.0, 2.0)
    a.drafted_threat, a.trust = 0.8, 0.2
    assert a.desired_core_pct(0.0, 2.0, 2.0) > low


def test_coercion_moves_desired_spending_either_way():
    a = ally(make_model(), "ITA")
    none = a.desired_core_pct(0.0, 2.0, 2.0)
    assert a.desired_core_pct(0.5, 2.0, 2.0) > none > a.desired_core_pct(-0.5, 2.0, 2.0)


def test_small_trusting_allies_free_ride_more_than_large_ones():
    m = make_model()
    small, large = ally(m, "LUX"), ally(m, "DEU")
    for a in (small, large):
        a.drafted_threat, a.trust = 0.3, 0.9
    assert small.desired_core_pct(0, 0, 0) < large.desired_core_pct(0, 0, 0)


def test_holdout_never_wants_more_than_its_cap():
    m = make_model({"allies.overrides.ESP.holdout": True})
    es = ally(m, "ESP")
    es.drafted_threat = 1.0
    assert es.desired_core_pct(1.0, 3.5, 4.0) <= 2.1


def test_budget_moves_within_fiscal_limits():
    a = ally(make_model(), "FRA")
    before = a.core_pct
    a.set_budget(10.0)
    assert a.core_pct - before == pytest.approx(a.max_rise)
    a.set_budget(0.0)
    assert a.core_pct == pytest.approx(before + a.max_rise - a.max_cut)


def test_a_threatened_ally_budgets_faster_only_when_urgency_is_on():
    """Urgency (M4): with urgency_gain 0 threat does not change the pace; with it on a threatened
    ally closes more of its gap, a safe one the same as before."""
    calm = rules.set_budget(1.0, 3.0, 0.2, 5.0, 0.2, threat=0.9, urgency_gain=0.0)
    urgent = rules.set_budget(1.0, 3.0, 0.2, 5.0, 0.2, threat=0.9, urgency_gain=2.0)
    safe = rules.set_budget(1.0, 3.0, 0.2, 5.0, 0.2, threat=0.0, urgency_gain=2.0)
    assert calm == pytest.approx(1.4) and safe == pytest.approx(1.4)
    assert urgent == pytest.approx(1.0 + 0.2 * 2.8 * 2.0)
    assert rules.set_budget(1.0, 3.0, 0.9, 5.0, 0.2, threat=1.0, urgency_gain=9.0) == 3.0


def test_budgets_in_money_raise_shares_when_gdp_falls_short():
    """Budgets are set in money (M4): a growth shortfall raises the share, a windfall lowers
    it, as planned growth changes nothing."""
    assert rules.money_budget_scale(0.016, 0.0) == pytest.approx(1.0)
    assert rules.money_budget_scale(0.016, -7.5) > 1.07
    assert rules.money_budget_scale(0.016, 3.8) < 0.97


def test_pledge_pull_grows_toward_the_deadline_and_with_threat():
    """The pledge (M4): pull on budgets grows as the deadline nears and for threatened allies;
    budgets are pulled toward the pledged target, not the path."""
    from sim.model.pledge import Pledge

    m = make_model(
        {
            "allies.pledge_weight": 0.1,
            "allies.pledge_deadline_gain": 2.0,
            "allies.pledge_threat_gain": 1.0,
        }
    )
    a = m.p_allies
    pledge = Pledge(target=3.5, set_year=m.year, deadline=m.year + 10, start_level=2.0)
    early, late = pledge.weight(a, m.year + 1), pledge.weight(a, m.year + 9)
    assert late > early
    assert pledge.weight(a, m.year + 1, threat=0.8) > early
    assert pledge.goal(m.year + 1, 2.0) == 3.5
    assert pledge.level(m.year + 1, 2.0) < 3.5


def test_a_raised_pledge_keeps_the_old_target_as_a_floor_still_due():
    """The pledge (M4; C4, C5, C19): a pledge raising the target (The Hague's 3.5% by 2035 over
    Vilnius' 2% by 2024) pulls budgets toward the new target along the new path, while the old
    target stays due as a floor until the new one falls due; a lowered pledge replaces the one
    in force, floor and all; a series pledge is never due."""
    from sim.model.pledge import Pledge

    vilnius = Pledge(target=2.0, set_year=2023, deadline=2024, start_level=1.8)
    hague = vilnius.raised(target=3.5, set_year=2025, deadline=2035, start_level=2.0)
    assert hague.target == 3.5 and hague.floors == ((2.0, 2024),)
    assert hague.goal(2025, 1.16) == 3.5 and hague.level(2025, 1.16) == 2.0
    assert hague.level(2030, 1.16) == pytest.approx(2.75)
    assert hague.elapsed(2025) == 0.0
    assert not hague.due(2025) and hague.due_bar(2025) == 2.0  # the floor still due
    assert hague.due_bar(2034) == 2.0 and hague.due_bar(2035) == 3.5  # then the target
    # a floor not yet due stays silent: raised before the old deadline
    early = Pledge(target=2.0, set_year=2014, deadline=2024).raised(3.0, 2020, 2030, 1.5)
    assert early.due_bar(2023) is None and early.due_bar(2024) == 2.0
    assert early.due_bar(2030) == 3.0
    # raised twice: every floor stays due at its own deadline
    twice = hague.raised(target=5.0, set_year=2026, deadline=2040, start_level=2.2)
    assert twice.floors == ((2.0, 2024), (3.5, 2035))
    assert twice.due_bar(2026) == 2.0 and twice.due_bar(2035) == 3.5
    assert twice.due_bar(2040) == 5.0
    # a lowered pledge (or the same target restated) replaces it, floors and all
    lowered = hague.raised(target=2.5, set_year=2026, deadline=2030, start_level=2.2)
    assert lowered.floors == () and lowered.target == 2.5
    assert lowered.due_bar(2029) is None and lowered.due_bar(2030) == 2.5
    restated = Pledge(target=2.0, set_year=2014, deadline=2024).raised(2.0, 2023, 2024, 1.9)
    assert restated.floors == () and restated.set_year == 2023
    # a series pledge is never due, and a target set over it has no floor
    series = Pledge(target=None, set_year=2014, deadline=2014)
    assert series.due_bar(2014) is None and series.due_bar(2050) is None
    assert series.raised(3.5, 2025, 2035, 2.0).floors == ()


def test_willingness_to_reclassify_grows_with_pressure_and_the_deadline():
    """Bunching at the bar (C19): a pressed ally is readier to reclassify late in the pledge
    period than early, an unpressed one not at all; a holdout always is."""
    a = {"reclassify_pressure": 2.0}
    early = rules.reclassify_willingness(a, False, 0.4, 0.1)
    late = rules.reclassify_willingness(a, False, 0.4, 0.9)
    assert 0 < early < late <= 1
    assert rules.reclassify_willingness(a, False, 0.0, 0.9) == 0
    assert rules.reclassify_willingness(a, True, 0.0, 0.0) == 1


def test_holdout_reclassifies_only_when_headline_numbers_are_measured():
    m = make_model({"allies.overrides.ESP.holdout": True})
    es = ally(m, "ESP")
    es.reclassify(bar=3.0, headline_measured=True)
    assert es.reclassified_pct == pytest.approx(es.reclassify_max)
    assert es.reported_core_pct > es.core_pct
    es.reclassify(bar=3.0, headline_measured=False)
    assert es.reclassified_pct < es.reclassify_max


def test_allies_under_pressure_reclassify_to_the_bar_others_do_not():
    """Bunching at the bar (C19): an ally the US threatens reclassifies up to its maximum to
    reach the bar; one under no pressure does not."""
    pressed, calm = ally(make_model(), "ITA"), ally(make_model(), "ITA")
    bar = pressed.core_pct + 0.2
    pressed.reclassify(bar, headline_measured=True, willing=1.0)
    calm.reclassify(bar, headline_measured=True, willing=0.0)
    assert pressed.reported_core_pct == pytest.approx(bar)
    assert calm.reclassified_pct == 0.0


# -- M5 US policy (C1, C3, C8, C15) --------------------------------------------------------------
def test_cajoling_issues_no_threat():
    us = make_model({"united_states.threat_intensity": 0.0}).united_states
    assert us.issue_threats(progress=0.1, pressure=1.0, forced=0.0) == 0.0


def test_missed_deadline_makes_the_us_leave_coordination_mechanisms():
    m = make_model({"united_states.exit_mechanisms": True, "united_states.deadline_year": 2026})
    m.year = 2026
    assert m.united_states.judge_deadline(progress=0.1) is False
    assert m.united_states.exited_mechanisms


def test_leaving_the_mechanisms_removes_us_isr_and_enablers():
    m = make_model()
    before = m.us_capability_in_europe()
    m.united_states.exited_mechanisms = True
    after = m.us_capability_in_europe()
    assert after[cap.ISR] < before[cap.ISR] and after[cap.ENABLERS] < before[cap.ENABLERS]
    assert after[0] == before[0]


def test_posture_never_falls_below_the_congress_floor():
    m = make_model({"united_states.congress_floor": 0.7, "united_states.refocus_drift": 0.5})
    for _ in range(15):
        m.step()
        assert m.united_states.posture >= 0.7 - 1e-12


def test_a_crisis_refocuses_the_us_on_europe():
    us = make_model().united_states
    before = us.posture_target
    us.refocus()
    assert us.posture_target > before


# -- M6 agency and M7 nuclear liability (C6, C7) -------------------------------------------------
def test_us_influence_is_read_from_what_allies_do():
    """M6: each channel is behaviour: allies buying European, a posture cut, a European SACEUR
    and allies fighting without the US each lower the index, and the nuclear liability with
    it; with the ``agency`` switch off influence stays whole."""
    m = make_model()
    m.step()
    infl0, liab0 = m.us_influence, m.nuclear_liability
    m.us_buy_shares = m.us_buy_shares * 0.5
    m._update_indices()
    assert m.influence_channels["procurement"] == pytest.approx(0.5, abs=0.05)
    assert m.us_influence < infl0 and m.nuclear_liability > liab0
    infl1 = m.us_influence
    m.united_states.posture = 0.5
    m._update_indices()
    assert m.influence_channels["basing"] == 0.5 and m.us_influence < infl1
    off = make_model({"mechanisms.agency": False})
    off.step()
    off.us_buy_shares = off.us_buy_shares * 0.5
    off._update_indices()
    assert off.us_influence == 1.0


def test_europe_standing_up_lowers_compliance():
    """M6 through M4: a Europe with twice the capability depends less on the US, so fewer allies
    comply when asked, and the compliance channel falls (C6)."""
    a, b = make_model(), make_model()
    b.pipeline.stock *= 2.0
    b._update_indices()
    a.step()
    b.step()
    assert b.influence_channels["compliance"] < a.influence_channels["compliance"]


def test_allies_that_fight_without_the_us_show_it_lost_the_lead():
    """M6: in a crisis the US sits out while every ally helps: alignment falls by
    ``influence_memory`` of the way to 0; when the US answers and they all help, it stays."""
    from sim.mechanisms import influence

    gdp = np.ones(4)
    helped = np.ones(4, dtype=bool)
    assert influence.followed_us(False, helped, gdp) == 0.0
    assert influence.followed_us(True, helped, gdp) == 1.0
    assert influence.remember(1.0, 0.0, 0.5) == 0.5


def test_european_command_lowers_us_influence():
    a = make_model()
    b = make_model({"united_states.european_command": True})
    assert b.us_influence < a.us_influence


def test_the_us_hands_over_command_at_a_change_once_europe_covers_enough():
    """M6 (C2, C8): a European takes NATO's command only in a change-of-command year after the
    last change (2025, every 3 years), with Europe's coverage at the handover bar, a US that
    accepts it and no crisis pulling the US back; once handed over it stays."""
    us = make_model().united_states
    bar = us.p["command_handover_coverage"]

    def fresh(**p):
        us.p = {**make_model().united_states.p, **p}
        us.european_command, us.refocus_until = False, -1
        return us

    assert fresh().choose_commander(2028, bar)  # a change, at the bar
    assert not fresh().choose_commander(2028, bar - 0.01)  # below it
    assert not fresh().choose_commander(2027, 1.0)  # not a change of command
    assert not fresh().choose_commander(2025, 1.0)  # the last change itself (an American)
    assert fresh().choose_commander(2031, 1.0)
    assert not fresh(accepts_european_command=False).choose_commander(2028, 1.0)
    assert fresh(command_term_years=2).choose_commander(2027, 1.0)
    refocused = fresh()
    refocused.refocus_until = 2029
    assert not refocused.choose_commander(2028, 1.0)  # a crisis pulled the US back (C8)
    assert not refocused.european_command
    refocused.refocus_until = 2028  # through the change year itself: still pulled back
    assert not refocused.choose_commander(2028, 1.0)
    refocused.refocus_until = 2027  # over by then
    assert refocused.choose_commander(2028, 1.0)
    handed = fresh()
    assert handed.choose_commander(2028, 1.0) and handed.european_command
    assert not handed.choose_commander(2031, 1.0)  # already European: no second handover


def test_a_surge_that_covers_the_requirement_earns_the_command_and_costs_influence():
    """M6 in a run (C2): the surge without its scripted SACEUR event reaches the bar, so the US
    hands the command over at the first change of command (2028, 2031, ...) at which Europe's
    coverage is at the bar, the event log says why, and the command channel reads 0 from that
    year; with the ``command_handover`` switch off it stays American."""
    from dataclasses import replace

    sc = sim.load_scenario(ROOT / "scenarios" / "european_surge.toml")
    sc = replace(sc, events=tuple(e for e in sc.events if e.kind != "european_command"))
    on = sim.run_replications(sc, 3, 5)
    off = sim.run_replications(sc.with_params({"mechanisms.command_handover": False}), 3, 5)
    bar = sc.get("united_states.command_handover_coverage")
    handovers = on.events[on.events["kind"] == "european_command"]
    assert len(handovers) == 3 and handovers["why"].str.contains("of its requirement").all()
    for run, m in on.model.groupby("run"):
        year = int(handovers[handovers["run"] == run]["year"].iloc[0])
        cover = m.set_index("year")["coverage_mean"]
        changes = [y for y in range(2028, 2041, 3) if y < year]
        assert (year - 2025) % 3 == 0 and cover[year] >= bar
        assert all(cover[y] < bar for y in changes)  # not earlier: below the bar then
        assert (m[m["year"] >= year]["influence_command"] == 0).all()
        assert (m[m["year"] < year]["influence_command"] == 1).all()
    assert (off.model["influence_command"] == 1).all()
    assert off.events[off.events["kind"] == "european_command"].empty


# -- M8 Russia (C8, C10, C11, C12) ---------------------------------------------------------------
def test_russia_reacts_to_european_rearmament():
    slow, fast = make_model().russia, make_model().russia
    base = slow.europe_start_bn
    slow.react_to_balance(base, 1.0)
    fast.react_to_balance(base * 1.5, 1.0)
    assert fast.milex_bn > slow.milex_bn


def test_an_observed_russian_path_overrides_the_spending_rule():
    """Hindcast input (M8): with ``russia_milex_pct_gdp`` given Russia spends that share of its
    GDP; with 0 its own rule decides."""
    own, driven = make_model().russia, make_model().russia
    own.react_to_balance(own.europe_start_bn, 1.0)
    driven.react_to_balance(driven.europe_start_bn, 1.0, observed_pct=9.0)
    assert driven.milex_pct_gdp == pytest.approx(9.0)
    assert own.milex_pct_gdp != pytest.approx(9.0)


def _probe_rate(
    params: dict | None = None,
    readiness: float = 1.0,
    chance: float = 0.9,
    resolve: float = 0.5,
    n: int = 300,
) -> float:
    """Mean chance that Russia probes over ``n`` decisions (misperception draws) with a scripted
    assessment, from one state."""
    m = make_model(params, seed=1)
    r = m.russia
    cand = np.array([m.codes.index(c) for c in ("EST", "LVA", "LTU")])
    value = np.ones(len(cand))
    total = 0.0
    for _ in range(n):
        r.resolve_estimate, r.cooldown = resolve, 0
        r.choose_probe(cand, value, lambda t, us, eu: np.full(len(t), chance), readiness)
        total += r.probe_probability
    return total / n


def test_russia_tied_down_in_ukraine_probes_rarely_but_can():
    """No hard gate: a Russia not ready for the war a probe could start (readiness 0) still
    probes sometimes, but far more rarely than a ready one."""
    tied, ready = (
        _probe_rate(readiness=0.0, resolve=0.2, n=600),
        _probe_rate(readiness=1.0, resolve=0.2, n=600),
    )
    assert 0 < tied < ready


def test_doubt_about_us_resolve_invites_probes():
    assert _probe_rate(resolve=0.1) > _probe_rate(resolve=0.9)


def test_a_likely_fait_accompli_invites_probes():
    assert _probe_rate(chance=0.95) > _probe_rate(chance=0.2)


def test_no_candidate_no_probe_and_cooldown_holds():
    m = make_model()
    r = m.russia
    none = np.array([], dtype=int)
    assert r.choose_probe(none, none.astype(float), lambda t, u, e: np.zeros(0), 1.0) is None
    r.cooldown = 2
    cand = np.array([m.codes.index("EST")])
    assessed = []

    def assess(t, u, e):
        assessed.append(t)
        return np.ones(1)

    assert r.choose_probe(cand, np.ones(1), assess, 1.0) is None
    assert r.cooldown == 1
    # waiting after a probe, Russia weighs no target and assesses none (issue 25)
    assert not assessed and np.isnan(r.success_estimate) and r.options is None
    r.cooldown = 0
    r.choose_probe(cand, np.ones(1), assess, 1.0)
    assert len(assessed) == 1 and r.success_estimate == 1.0


def test_greyzone_attacks_fall_mostly_on_allies_near_russia():
    m = make_model(greyzone_escalation=3.0)
    attacks = 0
    for _ in range(50):  # the model's own path: the year's attacks over a batch of one
        greyzone.attack(Batch.of(m))
        attacks = attacks + m.ally_state.greyzone_attacks
    near = attacks[[m.codes.index(c) for c in ("EST", "LVA", "LTU", "FIN", "POL")]].mean()
    far = attacks[[m.codes.index(c) for c in ("PRT", "ESP", "GBR", "CAN")]].mean()
    assert near > 3 * far


# -- M9 crisis game (C7, C11) --------------------------------------------------------------------
def _crisis(params: dict, seed: int = 3, target: str = "LTU"):
    m = make_model(params, seed=seed, ukraine_war=0.0)
    m.russia.forces.committed = m.russia.forces.reconstituting = 0.0
    return m, crisis_game.resolve_probe(m, m.codes.index(target))


def test_strong_response_with_the_us_repels_a_probe():
    _, c = _crisis(
        {
            "united_states.crisis_response_base": 5.0,
            "russia.probe_force_max_bde": 0.05,
            "crisis.nuclear_threat_probability": 0.0,
        }
    )
    assert c.us_responds and not c.seized and c.outcome == "repelled"


def test_without_anyone_answering_article5_fails():
    m, c = _crisis(
        {
            "united_states.crisis_response_base": -5.0,
            "crisis.ally_aid_base": -5.0,
            "crisis.ally_aid_threat": 0.0,
            "crisis.ally_aid_closeness": 0.0,
            "crisis.ally_aid_trust": 0.0,
            "crisis.ally_aid_capability": 0.0,
            "crisis.ally_aid_tripwire": 0.0,
            "crisis.ally_aid_distance": 5.0,
        }
    )
    assert not c.us_responds and not c.aiders and c.outcome == "article5_failure"
    trust0 = np.mean([a.trust for a in m.allies])
    resolve0 = m.russia.resolve_estimate
    crisis_game.apply_feedback(m, c)
    assert np.mean([a.trust for a in m.allies]) < trust0
    assert m.russia.resolve_estimate < resolve0
    assert "Article 5 response fails" in crisis_game.describe(m, c)


def test_article5_can_fail_even_when_the_us_answers():
    """C7: the US answers, Russia threatens nuclear use, the US backs down under its liability and
    the Europeans follow: no collective response stands."""
    m, c = _crisis(
        {
            "united_states.crisis_response_base": 5.0,
            "crisis.nuclear_threat_probability": 1.0,
            "crisis.us_backdown_base": 10.0,
            "crisis.eu_backdown_base": 10.0,
        }
    )
    assert c.us_responds and c.nuclear_threat and c.us_backed_down
    assert c.outcome == "article5_failure"


def test_a_fait_accompli_stands_when_help_comes_too_late():
    """Help arrives after the objective falls: the alliance answered, the slice is lost
    (frozen), not a failure of Article 5."""
    _, c = _crisis(
        {
            "united_states.crisis_response_base": 5.0,
            "crisis.nuclear_threat_probability": 0.0,
            "crisis.staging_hours": 700.0,
            "crisis.us_conus_hours": 700.0,
            "crisis.own_readiness": 0.0,
            "crisis.mobilisation_hours": 700.0,
        },
        target="EST",
    )
    assert c.seized and c.outcome == "frozen"


def test_nuclear_liability_makes_the_us_hesitate():
    us = make_model().united_states
    assert us.respond_probability(0.5, 0.8, 0.2) < us.respond_probability(0.5, 0.0, 0.2)


# -- M9 aid and the agents' view of the allies' state ---------------------------------------------
def test_allies_closer_nearer_alarmed_trusting_and_led_by_the_us_are_likelier_to_aid():
    a = ally(make_model(), "DEU")
    a.threat, a.trust = 0.2, 0.5
    base = a.aid_probability(0.2, 1000.0, us_responds=False)
    assert a.aid_probability(0.8, 1000.0, us_responds=False) > base
    assert a.aid_probability(0.2, 300.0, us_responds=False) > base
    assert a.aid_probability(0.2, 1000.0, us_responds=True) > base
    assert a.aid_probability(0.2, 1000.0, us_responds=False, tripwire=True) > base
    a.threat = 0.8
    assert a.aid_probability(0.2, 1000.0, us_responds=False) > base
    a.threat, a.trust = 0.2, 0.9
    assert a.aid_probability(0.2, 1000.0, us_responds=False) > base
    assert 0.0 < base < 1.0


def test_every_ally_state_array_is_an_agent_attribute_and_back():
    """Each Ally attribute kept in AllyState reads and writes its own entry, for every array."""
    from sim.agents.ally import Ally, AllyState

    m = make_model()
    entries = {k for k, v in vars(Ally).items() if type(v).__name__ == "_Entry"}
    # the two facts of the data are the agent's own attributes (from its record)
    assert entries == set(AllyState.__annotations__) - {"armed", "european"}
    pol = ally(m, "POL")
    assert pol.armed_forces == m.ally_state.armed[pol.index]
    assert pol.european == m.ally_state.european[pol.index]
    for name in sorted(entries):
        array = getattr(m.ally_state, name)
        assert getattr(pol, name) == array[pol.index].item(), name
        new = not array[pol.index] if array.dtype == bool else array[pol.index] + 1
        setattr(pol, name, new)
        assert getattr(m.ally_state, name)[pol.index] == new, name
    assert pol.reported_core_pct == pytest.approx(pol.core_pct + pol.reclassified_pct)
    assert pol.headline_pct == pytest.approx(pol.reported_core_pct + pol.related_pct)


def test_budgets_answer_last_years_war_drafted_a_year_ahead():
    """M4 (issue 26): a budget passed for year t answers the war as it stood in t-1. The war
    escalates in the year after the start: that year's budgets hold no war term (they were
    drafted before it), the next year's do, on the front line more than in the west."""
    from dataclasses import replace

    from sim.model.alliance import AllianceModel
    from sim.scenario import Scenario

    sc = Scenario.default().with_params({"allies.war_urgency_gain": 2.0})
    start = sc.get("run.start_year")
    series = dict(sc.series)
    series["ukraine_war"] = ((start, 0.2), (start + 1, 1.0))
    model = AllianceModel(replace(sc, series=series), rng=1)
    model.step()
    assert model.now["ukraine_war"] == 1.0
    assert np.allclose(model.budget_why["war"], 0.0)
    model.step()
    war = model.budget_why["war"]
    assert war[model.ally_index["POL"]] > 0.0
    assert war[model.ally_index["POL"]] > war[model.ally_index["PRT"]]


def test_an_allys_own_methods_give_the_budget_the_model_gives_it(monkeypatch):
    """M4: an :class:`~sim.agents.ally.Ally` applying the budget rules to itself alone
    (``coercion_pp``, ``desired_core_pct``, ``set_budget``), read where the model sets the
    budgets, sets the budget the model's rule for every ally at once set, including the threat
    and the war term the budget was drafted on a year ahead (a rising threat and an escalating
    war make them differ otherwise)."""
    from dataclasses import replace

    from sim.engine import deliveries
    from sim.model.alliance import AllianceModel
    from sim.scenario import Scenario

    sc = Scenario.default().with_params(
        {"allies.war_urgency_gain": 2.0, "allies.budget_noise_sd": 0.0}
    )
    start = sc.get("run.start_year")
    series = dict(sc.series)
    series["ukraine_war"] = ((start, 0.2), (start + 1, 1.0))
    model = AllianceModel(replace(sc, series=series), rng=3)
    model.step()
    s = model.ally_state
    seen: dict[str, Any] = {"before": s.core_pct.copy()}
    peers_rule, deliver = model._peers, deliveries.deliver

    def peers() -> np.ndarray:
        seen["peers"] = peers_rule()
        return seen["peers"]

    def agents_then_deliver(batch) -> None:  # right after the budgets, before anything moves
        seen["after"] = s.core_pct.copy()
        demand = model.now["us_demand_pct"]
        mine = {}
        for agent in model.allies:
            if agent.armed_forces:
                i = agent.index
                push = agent.coercion_pp(float(model.signals[i]), demand)
                want = agent.desired_core_pct(push, model.pledge_goal(), float(seen["peers"][i]))
                agent.core_pct = seen["before"][i]
                agent.set_budget(want)
                mine[i] = agent.core_pct
                agent.core_pct = seen["after"][i]
        seen["mine"] = mine
        deliver(batch)

    model._peers = peers  # type: ignore[method-assign]
    monkeypatch.setattr(deliveries, "deliver", agents_then_deliver)  # the year's step 5
    model.step()
    assert not np.allclose(s.drafted_threat, s.threat)  # the threat moved during the year
    assert np.any(s.war_urgency > 0.0)
    assert not np.any(model.budget_why["deadline"]) and not np.any(model.budget_why["gdp"])
    assert len(seen["mine"]) > 25
    for i, core in seen["mine"].items():
        assert core == pytest.approx(seen["after"][i], abs=1e-12), model.allies[i].iso3


def test_a_pledge_binds_members_only_until_accession():
    """M4 (issue 26): a country that has not yet joined (Finland before 2023) feels no pull
    from the alliance's pledge, gets no US signal and meets no deadline; once its accession
    event makes it a member, the pledge pulls it as it pulls the others. Without the rule the
    Wales pledge pulled Finland's budget from 2015 and the fit offset it with the level term."""
    import sim
    from sim.model.alliance import AllianceModel

    sc = sim.load_scenario("hindcast_2014")
    model = AllianceModel(sc, rng=1)
    fin, est = model.ally_index["FIN"], model.ally_index["EST"]
    assert not model.ally_state.member[fin] and model.ally_state.member[est]
    pulled_before, pulled_after = [], []
    while model.running:
        model.step()
        member = bool(model.ally_state.member[fin])
        why = model.budget_why
        if not member:
            assert why["pledge"][fin] == 0.0 and why["deadline"][fin] == 0.0
            assert model.signals[fin] == 0.0 and why["us_answer"][fin] == 0.0
            assert model.ally_state.reclassified_pct[fin] == 0.0
            pulled_before.append(why["pledge"][est])
        else:
            pulled_after.append(why["pledge"][fin])
    assert max(pulled_before) > 0.0  # members were pulled meanwhile
    assert pulled_after and max(pulled_after) > 0.0  # and Finland once it joined


def test_an_ally_joins_in_its_accession_year_without_an_event():
    """M4 (issue 26): membership follows allies.csv in a run from any start year. A run from
    2014 makes Montenegro a member in 2017 and North Macedonia in 2020, with no event in the
    scenario; from then the pledge pulls them. Before, only an ``accession`` event made a
    member, so in the hindcast both stayed outside NATO to 2025, unpulled by the pledge and
    never meeting its deadline (simulated at 2% in 2025 in 8% of runs; NATO: both at 2%)."""
    import sim
    from sim.model.alliance import AllianceModel

    sc = sim.load_scenario("hindcast_2014")
    assert not any(ev.kind == "accession" and ev.target in ("MNE", "MKD") for ev in sc.events)
    model = AllianceModel(sc, rng=1)
    mne, mkd = model.ally_index["MNE"], model.ally_index["MKD"]
    joined: dict[int, int] = {}
    pulled = []
    while model.running:
        model.step()
        for i in (mne, mkd):
            if model.ally_state.member[i]:
                joined.setdefault(i, model.year)
        if model.year >= 2020:
            pulled.append(model.budget_why["pledge"][mkd])
    assert joined == {mne: 2017, mkd: 2020}
    assert max(pulled) > 0.0
    ev = model.recorder.events
    log = [t for k, t in zip(ev["kind"], ev["event"], strict=True) if k == "accession"]
    assert sum("Montenegro joins" in t for t in log) == 1
    # Finland's event, dated the year it joined, is logged once, by the event's own note
    assert sum("Finland" in t for t in log) == 1


def test_a_summit_in_a_join_year_counts_the_new_member(monkeypatch):
    """M4, M5 (issue 26): an ally joins before the year's events, so a summit held in the year
    it joins bargains with it among the members. Before, the join ran after the events and a
    scripted summit of 2020 left North Macedonia out of the agreement."""
    from dataclasses import replace as dc_replace

    import sim
    from sim.mechanisms import coercion
    from sim.model.alliance import AllianceModel
    from sim.scenario.schema import Event

    sc = sim.load_scenario("hindcast_2014")
    summit = Event(year=2020, kind="summit", magnitude=2.5, note="a summit in 2020")
    # Finland brought forward to 2020 by an event listed after the summit
    finland = Event(year=2020, kind="accession", target="FIN", note="Finland joins early")
    sc = dc_replace(sc, events=(*sc.events, summit, finland))
    seen: list[np.ndarray] = []
    agree = coercion.agree

    def spy(c, acceptable, members):
        seen.append(members.copy())
        return agree(c, acceptable, members)

    monkeypatch.setattr(coercion, "agree", spy)
    model = AllianceModel(sc, rng=1)
    while model.year < 2020:
        model.step()
    assert len(seen) == 1
    assert seen[0][model.ally_index["MKD"]] and seen[0][model.ally_index["FIN"]]
    ev = model.recorder.events
    log = [t for k, t in zip(ev["kind"], ev["event"], strict=True) if k == "accession"]
    assert sum("Finland" in t for t in log) == 1 and any("Finland joins early" in t for t in log)


def test_russia_measures_readiness_against_todays_members():
    """M8, M9 (issue 26): the forces each war would meet are taken over today's members, at the
    start year's strength, so Finland's and Sweden's joins raise the free forces Russia needs
    for a regional war; Finland also changes the local one (a mean over the reachable members);
    a year without a join leaves the thresholds as they were."""
    import sim
    from sim.model.alliance import AllianceModel

    model = AllianceModel(sim.load_scenario("hindcast_2014"), rng=1)
    by_year = {model.year: model.readiness_thresholds}
    while model.running:
        model.step()
        by_year[model.year] = model.readiness_thresholds
    # Montenegro (2017) and North Macedonia (2020) add to a large war's, not the region's
    assert by_year[2016] == by_year[2014]
    assert by_year[2017][2] > by_year[2016][2] and by_year[2017][1] == by_year[2016][1]
    assert by_year[2022][1] == by_year[2014][1]
    assert by_year[2023][1] > by_year[2022][1]  # Finland
    assert by_year[2023][0] != by_year[2022][0]  # a reachable member: the local mean moves
    assert by_year[2024][1] > by_year[2023][1]  # Sweden
    assert by_year[2025] == by_year[2024]


def test_the_compliance_reference_counts_a_new_member_at_its_own_start():
    """M6 (issue 26): US influence's compliance channel compares this year's comply share of
    the European members with the same members' share at the start, so a join neither leaves
    the new member out of the reference nor moves the others'. A run without joins (every
    forward scenario) keeps the start's one figure."""
    import sim
    from sim.mechanisms import influence
    from sim.model.alliance import AllianceModel

    model = AllianceModel(sim.load_scenario("hindcast_2014"), rng=1)
    comply, gdp = model.comply_each_start
    start = model.comply_start
    members_start = model.ally_state.member.copy()
    while model.year < 2017:
        model.step()
    mne = model.ally_index["MNE"]
    assert model.ally_state.member[mne] and not members_start[mne]
    members = model.european & model.ally_state.member
    assert model.comply_start == influence.gdp_weighted(comply, np.where(members, gdp, 0.0))
    assert model.comply_start != start

    forward = AllianceModel(sim.load_scenario("baseline"), rng=1)
    first = forward.comply_start
    forward.run()
    assert forward.comply_start == first

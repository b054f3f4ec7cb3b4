"""Human decisions at the model's decision points (sim.model.decisions): each replaces the agent's
rule
for one year, is logged, and nothing changes when none is given."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.model.alliance import AllianceModel
from sim.model.decisions import Decisions
from sim.scenario.schema import Event


def _model(name: str = "baseline", seed: int = 5) -> AllianceModel:
    return AllianceModel(sim.load_scenario(name), rng=seed)


def test_no_decision_changes_nothing():
    a, b = _model(), _model()
    for _ in range(5):
        a.step()
        b.decisions = Decisions()
        b.step()
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.recorder.model_rows), pd.DataFrame(b.recorder.model_rows)
    )


def test_an_allys_budget_and_answer_replace_its_rules_for_one_year():
    m = _model()
    i = m.ally_index["ITA"]
    m.decisions = Decisions(budget_pct={"ITA": 4.2}, answer={"ITA": "resist"})
    m.step()
    assert m.ally_state.core_pct[i] == pytest.approx(4.2)
    assert (m.shares[0][i], m.shares[1][i], m.shares[2][i]) == (0.0, 0.0, 1.0)
    log = " ".join(m.recorder.events["event"]).lower()
    assert "italy (human) sets core spending to 4.20% of gdp" in log
    assert "italy (human) answers the us: resist" in log
    m.step()  # the next year the agents decide again
    assert m.ally_state.core_pct[i] != pytest.approx(4.2)


def test_the_us_threat_drawdown_and_reassurance():
    m = _model()
    before = m.united_states.posture_target
    m.decisions = Decisions(us_threat=0.0, us_drawdown=0.2, us_reassurance=1.0)
    m.step()
    assert m.recorder.model_rows["us_threat_level"][-1] == pytest.approx(0.0)
    assert m.united_states.posture_target <= before - 0.2 + 1e-9  # then China drift, as always
    assert "the us (human) reassures" in " ".join(m.recorder.events["event"]).lower()


def test_the_us_decides_natos_command_in_place_of_its_rule():
    """M6 (C2): a human US hands the command to a European in any year (yes), or keeps an
    American in a change-of-command year where its rule would hand over (no)."""
    m = _model("european_surge")
    m.decisions = Decisions(us_command=True)
    m.step()
    assert m.united_states.european_command and m.influence_channels["command"] == 0.0
    log = " ".join(m.recorder.events["event"]).lower()
    assert "hands nato's command to a european" in log  # the decision, among the humans'
    assert "a european officer becomes supreme allied commander" in log  # and in the story

    keep = _model()
    keep.united_states.p = {**keep.united_states.p, "command_handover_coverage": 0.0}
    while keep.year < 2027:
        keep.step()
    keep.decisions = Decisions(us_command=False)  # 2028: a change, the bar met
    keep.step()
    assert not keep.united_states.european_command
    assert "the us (human) keeps an american" in " ".join(keep.recorder.events["event"]).lower()
    keep.step()  # 2029: no change of command, the American stays
    assert not keep.united_states.european_command
    rule = _model()
    rule.united_states.p = {**rule.united_states.p, "command_handover_coverage": 0.0}
    while rule.year < 2028:
        rule.step()
    assert rule.united_states.european_command  # the agent's rule, left to decide


def test_a_no_after_an_injected_saceur_changes_nothing_and_says_so():
    """A handover is for good: the instructor's injected European SACEUR (applied first) stands
    against the US seat's no in the same year, and the log says the no changed nothing."""
    m = _model()
    m.decisions = Decisions(us_command=False, events=(Event(0, "european_command"),))
    m.step()
    assert m.united_states.european_command
    log = " ".join(m.recorder.events["event"]).lower()
    assert "but a european already holds it" in log


def test_russia_probes_where_told_or_not_at_all():
    m = _model("ceasefire", seed=3)
    m.decisions = Decisions(russia_probe="EST", russia_greyzone=0.0)
    m.step()
    assert m.recorder.model_rows["probe_target"][-1] == "EST"
    assert m.recorder.model_rows["greyzone_attacks"][-1] == 0
    m.decisions = Decisions(russia_probe="")
    m.step()
    assert m.recorder.model_rows["probe_target"][-1] == ""


def test_an_injected_event_applies_this_year():
    m = _model()
    before = m.united_states.posture_target
    m.decisions = Decisions(events=(Event(0, "us_drawdown", magnitude=0.1),))
    m.step()
    assert m.united_states.posture_target < before
    assert "the instructor injects: us_drawdown" in " ".join(m.recorder.events["event"]).lower()


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        (Decisions(budget_pct={"XXX": 2.0}), "not an ally"),
        (Decisions(budget_pct={"ITA": 11.0}), "budget_pct.ITA"),
        (Decisions(budget_pct={"ITA": float("nan")}), "budget_pct.ITA"),
        (Decisions(answer={"ITA": "maybe"}), "answer.ITA"),
        (Decisions(us_threat=1.5), "us_threat"),
        (Decisions(us_drawdown=0.9), "us_drawdown"),
        (Decisions(russia_probe="RUS"), "russia_probe"),
        (Decisions(russia_greyzone=-1.0), "russia_greyzone"),
        (Decisions(us_command=1), "us_command"),  # type: ignore[arg-type]
    ],
)
def test_bad_decisions_are_refused_with_their_name(decisions, message):
    m = _model()
    with pytest.raises(ValueError, match=message):
        decisions.check(set(m.ally_index))


def test_the_crisis_answer_of_the_us_and_of_an_ally():
    """In a year Russia probes Estonia: the US (human) stays out and Poland (human) helps, or the
    US answers and Poland stays out; the crisis record follows the humans, not the draws."""
    outcomes = {}
    for us_answers, poland_helps in ((False, True), (True, False)):
        m = _model("ceasefire", seed=3)
        m.decisions = Decisions(
            russia_probe="EST",
            us_crisis_response=us_answers,
            crisis_help={"POL": poland_helps},
        )
        m.step()
        crisis = m.probe_this_year
        assert crisis is not None
        assert crisis.us_responds is us_answers
        assert (m.ally_index["POL"] in crisis.aiders) is poland_helps
        outcomes[us_answers] = m.recorder.model_rows["us_responded"][-1]
        # every human decision is logged (ODD 6.4), a no as much as a yes, and the crisis's
        # why says the US's answer was chosen, not drawn
        events = m.recorder.events
        human = [e for k, e in zip(events["kind"], events["event"], strict=True) if k == "human"]
        answer = "answers" if us_answers else "does not answer"
        assert f"2026: The US (human) {answer} the probe of Estonia" in human
        sends = "100% of the help it could" if poland_helps else "no help"
        assert f"2026: Poland (human) sends {sends} to Estonia" in human
        probe_why = [w for k, w in zip(events["kind"], events["why"], strict=True) if k == "probe"]
        assert any("the US (human) chose" in w for w in probe_why)
    assert outcomes == {False: 0, True: 1}


def test_a_seat_can_commit_to_help_or_to_answer():
    from sim.seminar.session import US, ClassSession

    s = ClassSession(sim.load_scenario("ceasefire"), seed=3, code="1", instructor_token="T")
    pol = s.join("1", "Ana", "POL")
    us = s.join("1", "Ben", US)
    s.decide(pol, help=1.0)  # all it would send
    s.decide(us, respond=False)
    s.inject("russia_probe", "EST")
    s.advance()
    crisis = s.model.probe_this_year
    assert crisis is not None and not crisis.us_responds
    assert s.model.ally_index["POL"] in crisis.aiders


def test_an_allys_equipment_mix_and_us_share_steer_its_orders():
    """Poland (human) puts every new order into air and missile defence, bought in Europe: its
    orders that year are all of that category and none goes to a US supplier."""
    from sim.mechanisms.capability import CATEGORIES

    a, b = _model(), _model()
    a.step()
    mix = {c: (1.0 if c == "air_missile_defence" else 0.0) for c in CATEGORIES}
    b.decisions = Decisions(equipment_mix={"POL": mix}, us_buy_share={"POL": 0.0})
    b.step()
    i = b.ally_index["POL"]
    # what is owed to each (supplier, category) for Poland: the pipeline's due orders
    due_a = a.pipeline.due[..., i].sum(axis=0)  # (supplier, category), summed over years
    due_b = b.pipeline.due[..., i].sum(axis=0)
    k = CATEGORIES.index("air_missile_defence")
    others = [j for j in range(len(CATEGORIES)) if j != k]
    assert due_b[:, others].sum() < due_a[:, others].sum()
    assert due_b[1].sum() < due_a[1].sum()  # less owed to US suppliers
    log = " ".join(b.recorder.events["event"]).lower()
    assert "poland (human) buys mostly air missile defence" in log
    assert "poland (human) buys 0% of its equipment from the us" in log


def test_bad_equipment_decisions_are_refused():
    m = _model()
    members = set(m.ally_index)
    with pytest.raises(ValueError, match=r"equipment_mix\.POL"):
        Decisions(equipment_mix={"POL": {"tanks": 1.0}}).check(members)
    with pytest.raises(ValueError, match="more than 0"):
        Decisions(equipment_mix={"POL": {"isr": 0.0}}).check(members)
    with pytest.raises(ValueError, match=r"us_buy_share\.POL"):
        Decisions(us_buy_share={"POL": 1.5}).check(members)


def test_the_us_demand_and_how_much_an_ally_helps():
    """A US demand of 5% pushes budgets further than the series' 3.5%; half of Poland's help
    arrives as half the reinforcement (fewer defenders than with all of it)."""
    low, high = _model(), _model()
    low.decisions = Decisions(us_demand_pct=0.0)
    high.decisions = Decisions(us_demand_pct=5.0)
    low.step()
    high.step()
    assert high.ally_state.core_pct.sum() > low.ally_state.core_pct.sum()
    assert "the us (human) demands 5.0% of gdp" in " ".join(high.recorder.events["event"]).lower()
    results = {}
    for amount in (0.5, 1.0):
        m = _model("ceasefire", seed=3)
        m.decisions = Decisions(russia_probe="LVA", crisis_help={"POL": amount})
        m.step()
        crisis = m.probe_this_year
        assert crisis is not None and m.ally_index["POL"] in crisis.aiders
        results[amount] = crisis
    with pytest.raises(ValueError, match=r"crisis_help\.POL"):
        Decisions(crisis_help={"POL": 1.5}).check(set(_model().ally_index))

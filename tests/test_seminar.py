"""The classroom seminar's session: seats, decisions per role, the clock, fallbacks to the
agents, the debrief against the agents alone, and the export."""

from __future__ import annotations

import pytest

import sim
from sim.report import build_report
from sim.seminar.session import RUSSIA, US, ClassSession, SeminarError
from sim.store import read_table


@pytest.fixture
def session():
    return ClassSession(sim.load_scenario("ceasefire"), seed=3, code="123456", instructor_token="T")


def test_joining_needs_the_code_and_a_free_role(session):
    token = session.join("123456", "Ada", "EST")
    assert session.seat(token).role == "EST"
    with pytest.raises(SeminarError, match="code"):
        session.join("000000", "Bob", "LVA")
    with pytest.raises(SeminarError, match="taken"):
        session.join("123456", "Bob", "EST")
    with pytest.raises(SeminarError, match="not a role"):
        session.join("123456", "Bob", "XXX")
    with pytest.raises(SeminarError, match="name"):
        session.join("123456", "<>", "LVA")
    assert {US, RUSSIA, "EST", "POL"} <= set(session.roles())
    assert "ISL" not in session.roles()  # no armed forces: nothing to decide


def test_a_student_decides_only_for_their_own_role(session):
    est = session.join("123456", "Ada", "EST")
    with pytest.raises(SeminarError, match="cannot decide 'probe'"):
        session.decide(est, probe="LVA")
    with pytest.raises(SeminarError, match=r"budget_pct\.EST"):
        session.decide(est, budget=40)
    with pytest.raises(SeminarError, match="not a seat"):
        session.decide("forged", budget=2)
    session.decide(est, budget=3.3, answer="comply")
    assert session.decided() == {"EST"}


def test_advance_applies_decisions_and_logs_fallbacks(session):
    est = session.join("123456", "Ada", "EST")
    session.join("123456", "Bo", RUSSIA)
    us = session.join("123456", "Cy", US)
    session.decide(est, budget=3.3)
    session.decide(us, threat=0.0, reassurance=0.5)
    session.advance()
    assert session.year == 2026
    i = session.model.ally_index["EST"]
    assert session.model.ally_state.core_pct[i] == pytest.approx(3.3)
    log = " ".join(session.events(50)).lower()
    assert "estonia (human) sets core spending" in log
    assert "russia (bo) did not decide in time" in log
    assert session.decided() == set()
    assert set(session.revealed()["role"]) == {"EST", US}


def test_debrief_and_export(session, tmp_path):
    est = session.join("123456", "Ada", "EST")
    for _ in range(3):
        session.decide(est, budget=5.0)
        session.advance()
    d = session.debrief()
    assert d["class_verdict"] in sim.VERDICTS and d["agents_verdict"] in sim.VERDICTS
    seats = d["seats"]
    assert list(seats["year"]) == [2026, 2027, 2028]
    assert seats["class"].tolist() == pytest.approx([5.0, 5.0, 5.0])
    assert (seats["agents"] < 5.0).all()  # the agents would not have spent that much
    folder = session.export(tmp_path)
    assert (folder / "decisions.csv").read_text().count("budget") == 3
    assert len(read_table(folder / "class", "model")) == 4
    assert build_report(folder / "class").exists() and build_report(folder / "agents").exists()


def test_natosim_compare_reads_the_class_and_the_agents(session, tmp_path):
    from sim.cli import main

    est = session.join("123456", "Ada", "EST")
    for _ in range(2):
        session.decide(est, budget=6.0)
        session.advance()
    folder = session.export(tmp_path / "exports")
    out = tmp_path / "cmp"
    args = ["compare", str(folder / "class"), str(folder / "agents"), "--out", str(out)]
    assert main(args) == 0  # years: those both runs reached
    text = (out / "comparison.txt").read_text()
    assert "class" in text and "agents" in text
    assert (out / "report.html").exists()


def test_a_seat_buys_by_priority_and_source(session):
    pol = session.join("123456", "Ana", "POL")
    with pytest.raises(SeminarError, match="priority"):
        session.decide(pol, priority="tanks")
    session.decide(pol, priority="isr", us_share=0.25)
    session.advance()
    log = " ".join(session.events(60)).lower()
    assert "poland (human) buys mostly isr" in log
    assert "poland (human) buys 25% of its equipment from the us" in log


def test_odd_codes_and_tokens_are_refused_not_crashed(session):
    with pytest.raises(SeminarError, match="code"):
        session.join("é€", "Ada", "EST")
    assert not session.is_instructor("é")
    assert session.is_instructor("T")
    assert session.seat("é") is None

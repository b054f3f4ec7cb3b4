"""The classroom seminar's session: seats, decisions per role, the clock, fallbacks to the
agents, the debrief against the agents alone, and the export."""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.report import build_report
from sim.runs.store import read_table
from sim.seminar.session import RUSSIA, US, ClassSession, SeminarError


@pytest.fixture
def session():
    return ClassSession(sim.load_scenario("ceasefire"), seed=3, code="123456", instructor_token="T")


def test_the_logs_folded_line_counts_decisions_and_seats_left_to_the_agent_apart(session):
    """A browser check: a year in which no seat decided read "5 decisions by students" (the
    seats that fell back to their agent counted as decisions)."""
    from sim.seminar.views import log_html

    est = session.join("123456", "Ada", "EST")
    session.join("123456", "Bo", RUSSIA)
    session.decide(est, budget=3.3)
    session.advance()
    summary = re.findall(r"<summary>([^<]*)</summary>", log_html(session.model.recorder.events))
    assert summary == ["1 decision by students, 1 seat left to the agent"], summary
    session.advance()  # nobody decides
    summary = re.findall(r"<summary>([^<]*)</summary>", log_html(session.model.recorder.events))
    assert summary[0] == "no decisions by students, 2 seats left to the agent", summary


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
    with pytest.raises(SeminarError, match=r"budget: expected a number"):
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
    session.decide(us, threat=0.0, reassurance=0.5, command="yes")
    session.advance()
    assert session.model.united_states.european_command  # the student's choice, in 2026
    us_words = session.debrief()["words"][US]["text"]
    assert "NATO's command: a European from 2026 (the agents alone: an American" in us_words
    assert session.year == 2026
    i = session.model.ally_index["EST"]
    assert session.model.ally_state.core_pct[i] == pytest.approx(3.3)
    log = " ".join(session.events(50)).lower()
    assert "estonia (human) sets core spending" in log
    assert "russia (bo) did not decide in time" in log
    assert session.decided() == set()
    assert set(session.revealed()["role"]) == {"EST", US}
    session.inject("european_command")  # the instructor's SACEUR: a European holds it already
    session.advance()
    assert "european command: a european already holds it" in " ".join(session.events(50)).lower()


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


def test_export_pressed_twice_writes_one_folder_until_the_class_moves_on(session, tmp_path):
    """Found by a browser check: Export clicked twice in 0.2 s wrote two folders of the same
    class. A second Export with nothing changed gives the folder already written; after a
    decision or an Advance, a new one."""
    est = session.join("123456", "Ada", "EST")
    session.advance()
    first = session.export(tmp_path)
    assert session.export(tmp_path) == first
    session.decide(est, budget=4.0)
    session.advance()
    second = session.export(tmp_path)
    assert second != first and (second / "seminar.json").is_file()
    assert session.export(tmp_path, label="named") not in (first, second)
    assert len(list(tmp_path.rglob("seminar.json"))) == 3


def test_natosim_compare_reads_the_class_and_the_agents(session, tmp_path):
    from sim.cli.commands import main

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


# -- correct under concurrency --------------------------------------------------------------


def _years_in(snap) -> set[str]:
    """Every year a snapshot's drawings and status claim to show."""
    import re

    found = set()
    for text in (*snap.charts, snap.map, snap.status):
        found |= set(re.findall(r"data-year='(\d+)'", text))
    return found


def test_viewers_during_advances_never_see_a_wrong_year(session):
    """Four viewer threads read the published views while 15 years are played: every snapshot
    they see is whole (its charts, map and status all show its own year), years never go back,
    and once advance() returns the published year is the model's."""
    import threading

    est = session.join("123456", "Ada", "EST")
    stop = threading.Event()
    wrong: list[str] = []
    seen: list[int] = []

    def viewer() -> None:
        last = 0
        while not stop.is_set():
            snap = session.snapshot
            if _years_in(snap) != {str(snap.year)}:
                wrong.append(f"snapshot {snap.year} shows {_years_in(snap)}")
            if snap.year < last:
                wrong.append(f"year went back from {last} to {snap.year}")
            last = snap.year
            seen.append(snap.year)

    threads = [threading.Thread(target=viewer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(15):
            session.decide(est, budget=3.0)
            session.advance()
            if session.snapshot.year != session.model.year:
                wrong.append("published year behind the model after advance")
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert wrong == []
    assert session.snapshot.year == 2040 and len(set(seen)) > 1


def test_a_submit_changes_the_roster_not_the_shared_views(session):
    est = session.join("123456", "Ada", "EST")
    snap, roster = session.snapshot, session.roster_version
    session.decide(est, budget=3.0)
    assert session.snapshot is snap  # no page but the seat's and the roster redraws
    assert session.roster_version == roster + 1
    assert [r for r in session.roster() if r["decided"]] == [
        {"role": "EST", "name": "Estonia", "player": "Ada", "decided": True, "locked": False}
    ]


def test_forms_start_from_this_years_agent_values(session):
    est = session.join("123456", "Ada", "EST")
    session.decide(est)  # an untouched submit: every control on 'my agent decides'
    session.advance()
    agents = session.counterfactual()
    i = session.model.ally_index["EST"]
    assert session.model.ally_state.core_pct[i] == pytest.approx(agents.ally_state.core_pct[i])
    assert session.snapshot.defaults["EST"]["budget"] == pytest.approx(
        round(float(session.model.ally_state.core_pct[i]), 2)
    )
    assert "estonia (human)" not in " ".join(session.events(60)).lower()
    assert session.snapshot.defaults[RUSSIA] == {"probe": None, "greyzone": 1.0}


# -- doors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"budget": True},
        {"budget": 10**400},
        {"budget": float("nan")},
        {"budget": float("inf")},
        {"budget": "3"},
        {"budget": [3]},
        {"answer": "x" * 10_000},
        {"answer": 1},
        {"priority": "tanks"},
        {"help": True},
        {"us_share": -0.1},
        {"nonsense": 1},
    ],
)
def test_every_value_a_page_sends_is_checked(session, fields):
    est = session.join("123456", "Ada", "EST")
    with pytest.raises(SeminarError):
        session.decide(est, **fields)
    assert session.decided() == set()


def test_crafted_us_russia_and_instructor_messages_are_refused(session):
    us = session.join("123456", "Cy", US)
    ru = session.join("123456", "Bo", RUSSIA)
    for bad in (
        {"threat": True},
        {"respond": 2},
        {"drawdown": 0.9},
        {"demand": 10**30},
        {"command": "maybe"},
    ):
        with pytest.raises(SeminarError):
            session.decide(us, **bad)
    for bad in ({"probe": "X" * 1000}, {"probe": 5}, {"probe": "ZZZ"}, {"greyzone": -1}):
        with pytest.raises(SeminarError):
            session.decide(ru, **bad)
    for magnitude in (float("nan"), float("inf"), True, 10**400, 1e9):
        with pytest.raises(SeminarError):
            session.inject("us_drawdown", "", magnitude)
    with pytest.raises(SeminarError):
        session.inject("russia_probe", "E" * 500, 1.0)
    with pytest.raises(SeminarError):
        session.join("1" * 10_000, "Ann", "LVA")
    assert session.injected == []


def test_an_event_injected_twice_or_a_second_probe_is_refused(session):
    """Found by a browser check: ten identical probes of Estonia were all accepted, logged ten
    times, and the debrief counted one probe. An event that acts once a year (a probe, a summit,
    the command) is refused a second time; one that adds up (a drawdown) may be repeated; a
    target on an event that acts on the alliance is refused (it would be ignored)."""
    session.inject("russia_probe", "EST", 1.0)
    with pytest.raises(SeminarError, match="already"):
        session.inject("russia_probe", "EST", 1.0)
    with pytest.raises(SeminarError, match="already"):
        session.inject("russia_probe", "LVA", 1.0)
    session.inject("us_drawdown", "", 0.1)
    session.inject("us_drawdown", "", 0.1)  # adds up: 0.2 in all
    with pytest.raises(SeminarError, match="takes no target"):
        session.inject("us_drawdown", "EST", 0.1)
    assert len(session.injected) == 3


@pytest.mark.parametrize(
    ("kind", "target", "magnitude", "refusal"),
    [
        ("russia_probe", "EST", 3.0, "takes no magnitude"),  # ignored by the game
        ("european_command", "", 0.0, "takes no magnitude"),
        ("us_drawdown", "", 5.0, "fraction 0-1 of the 2025 posture"),  # cut more than all
        ("summit", "", 0.0, r"core target in \(0, 15\]"),  # a summit asking nothing
    ],
)
def test_an_injected_magnitude_follows_the_scenario_files_rule(
    session, kind, target, magnitude, refusal
):
    """A probe with magnitude 3 was accepted and ran as any probe; a drawdown of 5 was taken
    (files refuse both since the fourth fuzzing pass): injections follow the files' rule, and
    the default 1.0 the instructor's page sends for a kind without one stays accepted."""
    with pytest.raises(SeminarError, match=refusal):
        session.inject(kind, target, magnitude)
    assert session.injected == []
    session.inject("russia_probe", "EST", 1.0)
    session.inject("summit", "", 3.5)
    assert [e["magnitude"] for e in session.injected] == [1.0, 3.5]


def test_an_injected_probe_does_not_silently_replace_the_scenarios_own(tmp_path):
    """A review found that an injected probe in a year the scenario probes replaced the
    scenario's probe, whose event still read as if it happened."""
    from sim.seminar.session import ClassSession

    s = ClassSession(sim.load_scenario("baltic_probe"), seed=3, code="1", instructor_token="T")
    year = next(e.year for e in s.scenario.events if e.kind == "russia_probe")
    while s.year + 1 < year:
        s.advance()
    with pytest.raises(SeminarError, match="already"):
        s.inject("russia_probe", "EST", 1.0)


def test_an_advance_from_a_year_gone_or_within_the_cooldown_advances_nothing(session):
    """A double click, or a press as the clock advanced, must not move the class two years: the
    check is made under the session's lock (a review raced the console's own check)."""
    year = session.year
    assert session.advance(from_year=year)
    assert not session.advance(from_year=year)  # the same console year, pressed again
    assert not session.advance(from_year=session.year, cooldown=60.0)
    assert session.year == year + 1


def test_a_seated_browser_is_offered_its_seat_back(session, monkeypatch):
    """Found by a browser check: a student who opened the join link again in the browser that
    holds a seat was refused ("this browser already holds Estonia") with no way back. The join
    page now offers that browser its seat, and only that browser."""
    token = session.join(session.code, "Nora", "EST", client="10.0.0.7|abc")
    assert session.seat_of_client("10.0.0.7|abc").token == token
    assert session.seat_of_client("10.0.0.7|other") is None
    assert session.seat_of_client("10.0.0.7|") is None and session.seat_of_client("") is None


def test_join_code_guessing_is_slowed_then_refused(session):
    for k in range(5):
        with pytest.raises(SeminarError, match="code is not"):
            session.join(f"{k:06d}", "Eve", "LVA", client="10.0.0.9|s1")
    # the sixth try from that address must wait, even with the right code
    with pytest.raises(SeminarError, match="try again in"):
        session.join("123456", "Eve", "LVA", client="10.0.0.9|s2")
    # another client is not held up by Eve
    assert session.join("123456", "Ada", "EST", client="10.0.0.7|s3")
    # in total: many addresses guessing close the door for the rest of the minute
    for k in range(40):
        with contextlib.suppress(SeminarError):
            session.join("000000", "Mob", "LVA", client=f"10.1.0.{k}|x")
    with pytest.raises(SeminarError, match="too many wrong join codes"):
        session.join("123456", "Ann", "LVA", client="10.0.0.8|s4")


def test_names_are_unique_and_a_browser_holds_one_seat(session):
    session.join("123456", "Ada", "EST", client="10.0.0.1|a")
    with pytest.raises(SeminarError, match="already called"):
        session.join("123456", "ada", "LVA", client="10.0.0.2|b")
    with pytest.raises(SeminarError, match="this browser already holds Estonia"):
        session.join("123456", "Bob", "LVA", client="10.0.0.1|a")


def test_the_instructor_releases_moves_and_locks_seats(session):
    ada = session.join("123456", "Ada", "EST")
    session.decide(ada, budget=3.0)
    session.release("EST")
    assert session.seat(ada) is None and session.decided() == set()
    with pytest.raises(SeminarError, match="not a seat"):
        session.decide(ada, budget=3.0)
    bob = session.join("123456", "Bob", "EST")  # the freed seat can be taken again
    session.reassign("EST", "LVA")
    assert session.seat(bob).role == "LVA"
    session.set_locked("LVA", True)
    with pytest.raises(SeminarError, match="given your role to its agent"):
        session.decide(bob, budget=3.0)
    with pytest.raises(SeminarError, match="kept"):
        session.join("123456", "Cy", "LVA")
    session.advance()  # a locked seat is not a fallback
    assert not [f for f in session.fallbacks if f["role"] == "LVA"]


# -- injections, restart, debrief ------------------------------------------------------------


def test_an_injected_probe_replaces_russias_own_and_is_replayed_for_the_agents(session, tmp_path):
    ru = session.join("123456", "Bo", RUSSIA)
    for _ in range(3):
        session.advance()
    session.inject("russia_probe", "LTU", 1.0)
    session.decide(ru, probe="LVA")
    session.advance()
    rows = session.model.recorder.model_rows
    assert rows["probe_target"][-1] == "LTU"
    assert "replaces russia's (human) choice" in " ".join(session.events(80)).lower()
    from sim.seminar.views import log_html  # the instructor's act is no student's decision

    summary = re.findall(r"<summary>([^<]*)</summary>", log_html(session.model.recorder.events))
    assert summary[0] == "1 decision by students", summary
    agents = session.counterfactual()
    assert agents.recorder.model_rows["probe_target"][-1] == "LTU"
    session.set_fog(False)
    meta = json.loads((session.export(tmp_path) / "seminar.json").read_text())
    assert meta["injections"] == [
        {"year": 2029, "kind": "russia_probe", "target": "LTU", "magnitude": 1.0}
    ]
    assert meta["probe_overrides"] == [2029]
    assert meta["reveals"][0]["fog"] is False


def test_a_saved_session_comes_back_whole(tmp_path):
    scenario = sim.load_scenario("ceasefire")
    first = ClassSession(scenario, seed=3, code="123456", instructor_token="T", folder=tmp_path)
    ada = first.join("123456", "Ada", "EST")
    bo = first.join("123456", "Bo", RUSSIA)
    for k in range(4):
        first.decide(ada, budget=3.0 + k / 10, answer="hedge", priority="isr")
        if k == 2:
            first.inject("russia_probe", "LVA", 1.0)
        first.advance()
    first.decide(ada, budget=4.0)  # this year's, not yet played: saved with the session
    first.inject("summit", "", 3.5)
    assert oct((tmp_path / "session.json").stat().st_mode & 0o777) == "0o600"
    back = ClassSession.resume(tmp_path)
    assert back.snapshot.year == first.model.year == 2029
    assert back.seat(ada).role == "EST" and back.seat(bo).role == RUSSIA
    assert back.code == "123456" and back.is_instructor("T")
    a, b = first.history_frame(), back.history_frame()
    pd.testing.assert_frame_equal(a, b)
    assert first.events(200) == back.events(200)
    # the decisions and injections sent for the coming year come back too
    assert back.decided() == {"EST"} and back.pending["EST"]["budget"] == 4.0
    assert back.injected == [{"kind": "summit", "target": "", "magnitude": 3.5}]
    first.advance()
    back.advance()
    assert back.year == 2030
    pd.testing.assert_frame_equal(first.history_frame(), back.history_frame())


def test_a_resumed_session_checks_the_saved_decisions_again(tmp_path):
    scenario = sim.load_scenario("ceasefire")
    first = ClassSession(scenario, seed=3, code="123456", instructor_token="T", folder=tmp_path)
    ada = first.join("123456", "Ada", "EST")
    first.decide(ada, budget=4.0)
    saved = json.loads((tmp_path / "session.json").read_text())
    saved["pending"]["EST"]["budget"] = 1e9  # a hand-edited file
    (tmp_path / "session.json").write_text(json.dumps(saved))
    with pytest.raises(SeminarError, match="budget"):
        ClassSession.resume(tmp_path)


def test_a_resumed_session_shows_the_debrief_if_it_was_shown(tmp_path):
    """The instructor's Debrief is saved: a class resumed after it was shown shows it again
    (it came back hidden), and hidden again is hidden after a resume."""
    scenario = sim.load_scenario("ceasefire")
    first = ClassSession(scenario, seed=3, code="123456", instructor_token="T", folder=tmp_path)
    first.show_debrief(True)
    assert ClassSession.resume(tmp_path).debrief_shown is True
    first.show_debrief(False)
    assert ClassSession.resume(tmp_path).debrief_shown is False


def test_the_debrief_speaks_per_seat_and_the_export_has_an_after_action_report(session, tmp_path):
    ada = session.join("123456", "Ada", "EST")
    session.join("123456", "Cy", US)
    for _ in range(3):
        session.decide(ada, budget=5.0)
        session.advance()
    d = session.debrief()
    words = d["words"]["EST"]["text"]
    assert "Ada played Estonia" in words and "more than the agents alone" in words
    assert "Score for the objective" in words and 0 <= d["words"]["EST"]["score"] <= 100
    # why the budget moved in the last year, in both runs (the model's why_budget_ terms)
    assert "In the class's run: Estonia" in words and "The agents alone: Estonia" in words
    assert "a human player" in words.split("The agents alone")[0]
    assert "agent decided in 3 year" in d["words"][US]["text"]
    assert "NATO's command: an American throughout" in d["words"][US]["text"]  # C2
    assert "US influence" in d["words"][US]["text"]
    assert session.debrief() is d  # kept for the year
    folder = session.export(tmp_path)
    html = (folder / "after_action.html").read_text()
    assert "After-action report" in html and "Ada played Estonia" in html and "@media print" in html
    own = (folder / "after_action_EST.html").read_text()
    assert "Ada played Estonia" in own and "Cy played" not in own


# -- the server's guard ------------------------------------------------------------------------


def _ws_run(guard, client: str, messages: int):
    """Drive one websocket connection through the guard: the app echoes how many messages it
    received before a disconnect; returns (what was sent back, what the app saw)."""
    import asyncio

    seen: dict[str, object] = {}

    async def app(scope, receive, send):
        seen["client"] = dict(scope["headers"]).get(b"x-natosim-client")
        n = 0
        while True:
            msg = await receive()
            if msg["type"] == "websocket.disconnect":
                break
            if msg["type"] == "websocket.receive":
                n += 1
        seen["received"] = n

    guard.app = app
    queue = [{"type": "websocket.connect"}]
    queue += [{"type": "websocket.receive", "text": "x"}] * messages
    queue += [{"type": "websocket.disconnect", "code": 1000}]
    sent: list[dict] = []

    async def receive():
        return queue.pop(0)

    async def send(msg):
        sent.append(msg)

    scope = {"type": "websocket", "client": (client, 1), "headers": [(b"x-natosim-client", b"x")]}
    asyncio.run(guard(scope, receive, send))
    return sent, seen


def test_the_guard_bounds_connections_and_messages():
    import asyncio

    from sim.seminar.serve import Guard

    guard = Guard(None, per_client=2, total=10, rate=30.0, burst=50.0)
    sent, seen = _ws_run(guard, "10.0.0.1", 20)
    assert seen == {"client": b"10.0.0.1", "received": 20}  # a forged header is replaced
    sent, seen = _ws_run(guard, "10.0.0.1", 5000)  # a flood is cut after its burst
    assert seen["received"] <= 52 and {"type": "websocket.close", "code": 1008} in sent
    # a client with two open pages cannot open a third
    guard.open = {"10.0.0.2": 2}
    sent, seen = _ws_run(guard, "10.0.0.2", 1)
    assert sent == [{"type": "websocket.close", "code": 1008}] and seen == {}
    assert asyncio.iscoroutinefunction(guard.__call__)


def _http_get(guard, client: str, path: str = "/", accept: bytes = b"text/html,*/*;q=0.8"):
    """One HTTP GET through the guard to an app that answers 200; returns (status, body)."""
    guard.app = _answers_200
    return _get_through(guard, client, [(b"accept", accept)], path)


async def _answers_200(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"the app"})


def _get_through(asgi, client: str, headers: list, path: str = "/"):
    """One HTTP GET of ``path`` from ``client`` through the ASGI app ``asgi``; returns
    (status, body)."""
    import asyncio

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(msg):
        sent.append(msg)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "scheme": "http",
        "client": (client, 1),
        "headers": headers,
    }
    asyncio.run(asgi(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]).decode()


def test_a_client_beyond_its_pages_is_told_why_and_its_connection_refused():
    """A page asked for beyond the limit said nothing: Solara's "Loading app" stayed for ever
    (issue 28). Now the browser's page request is answered 429 with the reason; the page's
    connection is still refused (pages that asked at the same moment)."""
    from sim.seminar.serve import Guard

    guard = Guard(None, per_client=2, total=10)
    guard.open = {"10.0.0.2": 2}
    status, body = _http_get(guard, "10.0.0.2")
    assert status == 429
    assert "10.0.0.2" in body and "has 2 pages" in body and "Closing one of those tabs" in body
    assert "--connections-per-client" in body
    # it asks again by itself: a page reloaded at the limit was asked for while its own
    # connection was still open, and comes in at the retry
    assert '<meta http-equiv="refresh" content="3">' in body
    sent, seen = _ws_run(guard, "10.0.0.2", 1)
    assert sent == [{"type": "websocket.close", "code": 1008}] and seen == {}
    assert _http_get(guard, "10.0.0.3") == (200, "the app")  # another address is let in
    # the server full: everyone, this machine too, is told so
    guard.open = {f"10.0.1.{i}": 1 for i in range(10)}
    for client in ("10.0.0.3", "127.0.0.1"):
        status, body = _http_get(guard, client)
        assert status == 429 and "has 10 pages open" in body
        assert _ws_run(guard, client, 1)[0] == [{"type": "websocket.close", "code": 1008}]
    # an address is data: escaped on the page
    guard.open = {"<b>": 2}
    assert "&lt;b&gt;" in _http_get(guard, "<b>")[1]


def test_this_machines_pages_are_bounded_by_the_total_alone():
    """Every page opened on the server's machine comes from one address (a teacher's tabs, a
    browser-driven test of a class, a reverse proxy on the same host): its ninth page stalled."""
    from sim.seminar.serve import Guard, loopback

    assert all(loopback(a) for a in ("127.0.0.1", "127.0.1.1", "::1", "::ffff:127.0.0.1"))
    assert not any(loopback(a) for a in ("10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "unknown"))
    for client in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        guard = Guard(None, per_client=2, total=5)
        guard.open = {client: 3, "10.0.0.1": 1}
        assert _http_get(guard, client) == (200, "the app")
        sent, seen = _ws_run(guard, client, 1)
        assert seen == {"client": client.encode(), "received": 1}
        assert {"type": "websocket.close", "code": 1008} not in sent
        guard.open = {client: 4, "10.0.0.1": 1}  # the total reached
        assert _http_get(guard, client)[0] == 429
        assert _ws_run(guard, client, 1)[1] == {}


def test_pages_asked_for_at_once_beyond_the_limit_are_told_why():
    """A class behind one router following the link at once: every page was let in before any
    had connected, and those beyond the limit stayed at "Loading app" (their connections
    refused). A page let in now holds its place until its connection comes (or for 20 s)."""
    from sim.seminar.serve import Guard

    guard = Guard(None, per_client=2, total=10)
    assert [_http_get(guard, "10.0.0.5")[0] for _ in range(3)] == [200, 200, 429]
    for _ in range(2):  # the two pages let in connect
        sent, seen = _ws_run(guard, "10.0.0.5", 1)
        assert seen == {"client": b"10.0.0.5", "received": 1}
    assert not guard.pending.get("10.0.0.5")  # their places are open ones now
    guard.open = {"10.0.0.5": 2}  # both still open: a third connection is refused
    assert _ws_run(guard, "10.0.0.5", 1)[1] == {}
    guard.open, guard.pending = {}, {}
    _http_get(guard, "10.0.0.6")
    _http_get(guard, "10.0.0.6")
    guard.pending_s = 0.0  # pages let in that never connected free their places
    assert _http_get(guard, "10.0.0.6")[0] == 200
    # the server's total counts them too, this machine's pages included
    guard = Guard(None, per_client=2, total=3)
    assert [_http_get(guard, "127.0.0.1")[0] for _ in range(4)] == [200, 200, 200, 429]


def test_behind_a_reverse_proxy_on_this_host_each_student_keeps_their_own_limit(monkeypatch):
    """Behind a reverse proxy every page comes from the proxy: on this host, a loopback
    address counted only towards the total, so one student could open every page. uvicorn's
    proxy headers, before the guard, give it the page's own address from X-Forwarded-For, from
    a trusted proxy only (the server's own configuration is what is tested)."""
    from sim.seminar.serve import server_config

    monkeypatch.setenv("NATOSIM_SEMINAR_PER_CLIENT", "2")
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    config = server_config(_answers_200, "127.0.0.1", 0)
    config.load()

    def get(proxy: str, forwarded: str) -> int:
        headers = [(b"accept", b"text/html"), (b"x-forwarded-for", forwarded.encode())]
        return _get_through(config.loaded_app, proxy, headers)[0]

    # the same host's proxy, one student: their own limit of 2; over IPv6 too
    assert [get("127.0.0.1", "10.0.0.7") for _ in range(3)] == [200, 200, 429]
    assert get("127.0.0.1", "10.0.0.8") == 200  # another student
    assert [get("::1", "10.0.1.7") for _ in range(3)] == [200, 200, 429]
    assert [get("::ffff:127.0.0.1", "10.0.2.7") for _ in range(3)] == [200, 200, 429]
    # a header from a page that is not the proxy is not believed: it cannot take another's
    # place, nor escape its own limit
    assert [get("10.0.0.9", "10.0.0.8") for _ in range(3)] == [200, 200, 429]


def test_a_class_behind_one_router_gets_in_by_default():
    """A server outside the school's network sees a whole class at the school router's address:
    the default per-address limit (8) stalled a hosted class at its ninth student. Now a class
    of 30 and its instructor's tabs get in by default; the limit still bounds one address."""
    from sim.cli.commands import build_parser
    from sim.seminar.serve import PER_CLIENT, Guard

    guard = Guard(None)
    assert guard.per_client == PER_CLIENT >= 36
    assert all(_http_get(guard, "192.0.2.1")[0] == 200 for _ in range(PER_CLIENT))
    assert _http_get(guard, "192.0.2.1")[0] == 429
    parser = build_parser()
    for command in ("seminar", "ui"):
        args = parser.parse_args([command])
        assert args.connections_per_client == PER_CLIENT


def test_static_assets_are_never_refused():
    """Only a page request is turned away: a page let in a moment before the limit was reached
    must still load its scripts, styles and widgets."""
    from sim.seminar.serve import Guard

    guard = Guard(None, per_client=1, total=1)
    guard.open = {"10.0.0.2": 1}
    for path, accept in (
        ("/static/assets/style.css", b"text/css,*/*;q=0.1"),
        ("/_solara/cdn/vuetify.min.js", b"*/*"),
        ("/static/main-vuetify.js", b"text/html,*/*"),  # opened in a tab of its own
        ("/jupyter/nbextensions/x.js", b"text/html"),
        ("/jupyter/api/kernels/1", b"application/json"),
        ("/", b"*/*"),  # not a browser's page request (a health check, curl)
    ):
        assert _http_get(guard, "10.0.0.2", path, accept) == (200, "the app"), path
    assert _http_get(guard, "10.0.0.2", "/", b"text/html")[0] == 429


def test_the_clock_advances_by_itself_only_when_asked(session):
    import time

    session.deadline = time.time() - 1
    assert not session.tick() and session.year == 2025  # the instructor did not ask
    session.set_auto(True)
    session.set_paused(True)
    session.deadline = time.time() - 1
    assert not session.tick()  # paused
    session.paused = False
    assert session.tick() and session.year == 2026
    assert session.snapshot.seconds_left() > 0 and session.snapshot.auto


def test_the_clock_resumes_with_the_time_left_when_it_was_paused(session):
    """A browser check: paused at 3:51, the countdown resumed at 4:00 (the whole year again).
    An Advance made while paused starts the next year's countdown whole."""
    import time

    session.deadline = time.time() + 70
    session.set_paused(True)
    assert session.snapshot.seconds_left() == -1  # shown as paused
    session.set_paused(False)
    assert 68 <= session.snapshot.seconds_left() <= 70
    session.set_paused(False)  # a second Resume (a double click, a second tab: found by review)
    assert 67 <= session.snapshot.seconds_left() <= 70  # it gave the whole year back
    session.set_paused(True)
    session.advance()
    session.set_paused(False)
    assert session.snapshot.seconds_left() >= session.seconds_per_year - 2
    session.deadline = time.time() - 5  # run out, then paused: no time is given back
    session.set_paused(True)
    session.set_paused(False)
    assert session.snapshot.seconds_left() == 0


def test_russia_sees_its_own_forces_while_the_class_does_not(session):
    snap = session.snapshot
    assert "hidden" in snap.status and "Your forces" in snap.russia_own
    assert "brigade-equivalents" in snap.russia_own
    assert "Objective" in snap.briefings[RUSSIA] and "Estonia spends" in snap.briefings["EST"]


# what only Russia (and the instructor) may see while hidden: the chart of its reading of US
# resolve, its free forces and its readings in the status line, its forces in its briefing
HIDDEN_MARKS = (
    r"estimate of US resolve",
    r"free forces \d",
    r"read of US resolve \d",
    r"Your forces: \d",
    r"read US resolve at \d",
)


def _outsider_sees(session) -> str:
    """Everything a page that is not Russia's nor the instructor's can be shown: the shared
    blocks, the join page's briefing of every role, every ally's and the US's own briefing."""
    from sim.seminar.views import page_views

    snap = session.snapshot
    return " ".join(
        [
            *page_views(snap, insider=False).values(),
            *snap.previews.values(),
            *(text for role, text in snap.briefings.items() if role != RUSSIA),
        ]
    )


def test_hidden_information_reaches_only_russia_and_the_instructor(session):
    """While the instructor hides it, no student page but Russia's shows Russia's reading of US
    resolve (chart or status) or its forces, this year or after a year is played (the chart was
    drawn for every page, issue 28's fog); Russia's seat and the instructor see it all along, and
    everyone does once it is revealed."""
    from sim.seminar.views import page_views

    est = session.join("123456", "Ada", "EST")
    for played in range(2):
        if played:
            session.decide(est, budget=3.0)
            session.advance()
        seen = _outsider_sees(session)
        assert not [m for m in HIDDEN_MARKS if re.search(m, seen)], "hidden on a student page"
        inside = " ".join(page_views(session.snapshot, insider=True).values())
        assert "estimate of US resolve" in inside and re.search(r"free forces \d", inside)
        assert re.search(r"Your forces: \d", session.snapshot.briefings[RUSSIA])
    snap = session.snapshot
    n_out = page_views(snap, insider=False)["charts"].count("<svg")
    n_in = page_views(snap, insider=True)["charts"].count("<svg")
    assert n_in == n_out + 1
    session.set_fog(False)  # revealed: every page
    shown = page_views(session.snapshot, insider=False)
    assert "estimate of US resolve" in shown["charts"] and "free forces" in shown["status"]
    assert "brigade-equivalents" not in session.snapshot.previews[RUSSIA]  # the join page's


def test_seminar_command_refuses_a_bad_resume_folder(tmp_path, capsys):
    from sim.cli.commands import main

    assert main(["seminar", "--resume", str(tmp_path)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["seminar"]) == 2


def test_shared_block_is_joined_once_per_snapshot_and_kept_with_it():
    """Two classes in one process never share a page's block (it is kept on each snapshot), and
    the joined block is page_views' blocks in the page's order."""
    from sim.seminar.views import page_views, shared_html

    a = ClassSession(sim.load_scenario("ceasefire"), seed=7)
    b = ClassSession(sim.load_scenario("ceasefire"), seed=7)
    a.advance()  # a new year in one class, a reveal in the other: each published once more
    b.set_fog(False)
    assert a.snapshot.seq == b.snapshot.seq
    shown = shared_html(a.snapshot, insider=False)
    assert shared_html(a.snapshot, insider=False) is shown  # made once
    assert shared_html(b.snapshot, insider=False) != shown
    assert shown == "".join(
        f"<div class='{cls}'>{page_views(a.snapshot, False)[key]}</div>"
        for key, cls in (
            ("status", "status"),
            ("log", "event-log"),
            ("charts", "chart-grid"),
            ("map", "map"),
            ("revealed", "revealed"),
        )
    )
    assert shared_html(a.snapshot, insider=True) != shown  # Russia's chart while hidden


def _listening_inodes(port: int) -> set[str]:
    """The inodes of the sockets listening on ``port`` (Linux's /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as fh:
            for row in list(fh)[1:]:
                fields = row.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    found.add(fields[9])  # state 0A: LISTEN
    return found


def _socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` holds open."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                held.add(target[len("socket:[") : -1])
    return held


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and SO_REUSEPORT")
def test_launch_leaves_the_port_to_the_server_which_listens_first_and_keeps_it(
    tmp_path, monkeypatch
):
    """The race: the browser tests and benchmarks took a free port (bound, then closed) and
    launched ``natosim seminar --port`` on it, so another program could take the port in
    between. launch() hands the command no port chosen beforehand (``--port 0`` unless told);
    the port in the links is the one the server's own process listens on; and while it serves,
    a second listener cannot have the port, not even with SO_REUSEADDR and SO_REUSEPORT (which
    would share it, and its connections, with a socket that set SO_REUSEPORT too). A port that
    is taken is refused by the command, and launch says why."""
    import errno
    import socket
    import subprocess
    import urllib.request

    from sim.seminar import launch as launching

    given: list[list[str]] = []
    real = subprocess.Popen

    def recording(cmd, **kw):
        given.append(list(cmd))
        return real(cmd, **kw)

    monkeypatch.setattr(launching.subprocess, "Popen", recording)
    server = launching.launch("baseline", export_dir=tmp_path / "ex", cwd=tmp_path)
    try:
        (cmd,) = given
        assert cmd[cmd.index("--port") + 1] == "0", "a port chosen before the server listens"
        assert server.port >= 1024
        assert f"127.0.0.1:{server.port}/" in server.join
        assert f"127.0.0.1:{server.port}/" in server.instructor
        listening = _listening_inodes(server.port)
        assert listening and listening <= _socket_inodes(server.process.pid), (
            "the port is listened on by another process than the server"
        )
        for host in ("127.0.0.1", "0.0.0.0"):
            with socket.socket() as thief:
                thief.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                thief.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                with pytest.raises(OSError, match="in use") as taken:
                    thief.bind((host, server.port))
                assert taken.value.errno == errno.EADDRINUSE
        with urllib.request.urlopen(server.join, timeout=10) as reply:
            assert reply.status == 200
    finally:
        server.stop()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match="in use"):
            launching.launch("baseline", port, tmp_path / "ex", cwd=tmp_path)


@pytest.mark.parametrize(
    "program",
    [
        "import time; time.sleep(60)",  # hangs before its links
        "import sys; print('warning: something', flush=True); sys.exit(3)",  # dies early
    ],
)
def test_launch_gives_up_on_a_command_that_hangs_or_dies(tmp_path, monkeypatch, program):
    """launch() read the command's first four lines with no deadline (a command that hung before
    its links blocked the caller for good) and did not notice a server that died: both now
    fail within ``wait_s``, with what the command said."""
    import subprocess
    import sys
    import time

    from sim.seminar import launch as launching

    real = subprocess.Popen

    def fake(cmd, **kw):
        return real([sys.executable, "-c", program], **kw)

    monkeypatch.setattr(launching.subprocess, "Popen", fake)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="natosim seminar"):
        launching.launch("baseline", 0, tmp_path / "ex", cwd=tmp_path, wait_s=3)
    assert time.monotonic() - t0 < 20

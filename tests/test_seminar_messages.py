"""Messages between seats: who may write to whom, who reads what (Russia never reads allied
traffic), the checks on a message, the rate limit, the cap, the save and the resume, the export
and the after-action report, and that a message wakes no shared view."""

from __future__ import annotations

import json

import pytest

import sim
from sim.seminar.messages import (
    ALLIANCE,
    ALLIES,
    EVERYONE,
    INSTRUCTOR,
    Message,
    MessageLog,
    addresses,
    can_read,
    clean_text,
    may_send,
)
from sim.seminar.session import RUSSIA, US, ClassSession, SeminarError

ROLES = [US, RUSSIA, "EST", "LVA", "POL"]


@pytest.fixture
def session():
    return ClassSession(sim.load_scenario("ceasefire"), seed=3, code="123456", instructor_token="T")


@pytest.fixture
def seats(session):
    return {
        role: session.join("123456", name, role)
        for name, role in (("Ada", "EST"), ("Bo", "LVA"), ("Cy", US), ("Dmitri", RUSSIA))
    }


def _m(sender: str, to: str) -> Message:
    return Message(2026, sender, "x", to, "hello", 0.0)


def test_who_may_write_to_whom():
    assert may_send("EST", "LVA", ROLES) and may_send("EST", US, ROLES)
    assert may_send("EST", ALLIES, ROLES) and may_send("EST", ALLIANCE, ROLES)
    assert may_send(US, "EST", ROLES) and may_send(US, ALLIES, ROLES)
    # nobody writes privately to Russia, nor to everyone, but the instructor (and Russia, in public)
    for sender in ("EST", US):
        assert not may_send(sender, RUSSIA, ROLES) and not may_send(sender, EVERYONE, ROLES)
        assert not may_send(sender, sender, ROLES)
    assert may_send(RUSSIA, EVERYONE, ROLES)
    for to in ("EST", US, ALLIES, ALLIANCE):
        assert not may_send(RUSSIA, to, ROLES)
    for to in (RUSSIA, "EST", ALLIES, EVERYONE):
        assert may_send(INSTRUCTOR, to, ROLES)
    assert not may_send("EST", "XXX", ROLES) and not may_send(INSTRUCTOR, "XXX", ROLES)
    assert addresses(RUSSIA, ROLES) == [EVERYONE]
    assert addresses("EST", ROLES) == [ALLIES, ALLIANCE, US, "LVA", "POL"]
    assert addresses(US, ROLES) == [ALLIES, "EST", "LVA", "POL"]


def test_who_reads_what():
    assert can_read("LVA", _m("EST", ALLIES)) and not can_read(US, _m("EST", ALLIES))
    assert can_read(US, _m("EST", ALLIANCE)) and can_read("POL", _m("EST", ALLIANCE))
    assert can_read("EST", _m("EST", "LVA")) and can_read("LVA", _m("EST", "LVA"))
    assert not can_read("POL", _m("EST", "LVA"))
    for sent in (_m("EST", ALLIES), _m("EST", ALLIANCE), _m(US, "EST"), _m("EST", US)):
        assert not can_read(RUSSIA, sent) and can_read(INSTRUCTOR, sent)
    assert all(can_read(r, _m(RUSSIA, EVERYONE)) for r in (*ROLES, INSTRUCTOR))
    assert can_read(RUSSIA, _m(INSTRUCTOR, RUSSIA)) and not can_read("EST", _m(INSTRUCTOR, RUSSIA))


def test_russia_reads_no_allied_traffic_in_a_session(session, seats):
    session.send_message(seats["EST"], ALLIANCE, "We hold 3.5% if you keep the brigade.")
    session.send_message(seats[US], "EST", "Deal, if Latvia follows.")
    session.send_message(seats["LVA"], ALLIES, "A European caucus at the break?")
    session.send_message(seats[RUSSIA], EVERYONE, "Any probe is an exercise.")
    session.send_message("T", RUSSIA, "Russia: two minutes left.")
    texts = {r: [m.text for m in session.messages_for(r)] for r in (*seats, INSTRUCTOR)}
    assert texts[RUSSIA] == ["Any probe is an exercise.", "Russia: two minutes left."]
    assert texts["EST"] == [
        "We hold 3.5% if you keep the brigade.",
        "Deal, if Latvia follows.",
        "A European caucus at the break?",
        "Any probe is an exercise.",
    ]
    assert texts[US] == [
        "We hold 3.5% if you keep the brigade.",
        "Deal, if Latvia follows.",
        "Any probe is an exercise.",
    ]
    assert "Deal, if Latvia follows." not in texts["LVA"]
    assert len(texts[INSTRUCTOR]) == 5
    with pytest.raises(SeminarError, match="may not write to 'RUS'"):
        session.send_message(seats["EST"], RUSSIA, "psst")
    with pytest.raises(SeminarError, match="may not write to 'EST'"):
        session.send_message(seats[RUSSIA], "EST", "psst")
    with pytest.raises(SeminarError, match="not a seat"):
        session.send_message("forged", ALLIES, "hi")


def test_a_message_is_checked():
    assert clean_text("  a\x00b\x1b[31m\u202ec\nd\t ") == "ab[31mc d"
    assert clean_text("é" * 500) == "é" * 500
    for bad, why in (
        (None, "expected text"),
        (42, "expected text"),
        ("\x00\u200b \n", "nothing to send"),
        ("x" * 501, "at most 500"),
        ("x" * 10**6, "at most 500"),
    ):
        with pytest.raises(SeminarError, match=why):
            clean_text(bad)


def test_a_seat_is_rate_limited_and_the_log_capped(session, seats):
    for k in range(3):
        session.send_message(seats["EST"], ALLIES, f"m{k}")
    with pytest.raises(SeminarError, match=r"at most 3 messages in 10 s: wait \d+ s"):
        session.send_message(seats["EST"], ALLIES, "m3")
    session.send_message(seats["LVA"], ALLIES, "another seat is not held up")
    for k in range(5):
        session.send_message("T", EVERYONE, f"the instructor is not limited {k}")
    log = MessageLog(limit=2, rate=10)
    log.add(_m("EST", ALLIES), "a", now=0.0)
    log.add(_m("EST", ALLIES), "a", now=0.1)
    with pytest.raises(SeminarError, match="full"):
        log.add(_m("EST", ALLIES), None, now=0.2)
    later = MessageLog(rate=2, rate_seconds=10.0)
    later.add(_m("EST", ALLIES), "a", now=0.0)
    later.add(_m("EST", ALLIES), "a", now=1.0)
    later.add(_m("EST", ALLIES), "a", now=10.5)  # the first has left the window


def test_a_message_wakes_only_the_panels_that_read_it(session, seats):
    snap, roster, seat_v = session.snapshot, session.roster_version, dict(session.seat_versions)
    inbox = dict(session.inbox_versions)
    session.send_message(seats["EST"], "LVA", "bilateral")
    assert session.snapshot is snap and session.roster_version == roster
    assert session.seat_versions == seat_v
    changed = {r for r, v in session.inbox_versions.items() if v != inbox.get(r, 0)}
    assert changed == {"EST", "LVA"}
    assert session.messages_version == 1


def test_messages_are_saved_resumed_and_exported(tmp_path):
    scenario = sim.load_scenario("ceasefire")
    first = ClassSession(scenario, seed=3, code="123456", instructor_token="T", folder=tmp_path)
    ada = first.join("123456", "Ada", "EST")
    cy = first.join("123456", "Cy", US)
    first.send_message(ada, US, "2026: we comply if you stay.")
    first.advance()
    first.send_message(cy, "EST", "2027: <b>stay</b> we will")
    back = ClassSession.resume(tmp_path)
    assert back.messages_for(INSTRUCTOR) == first.messages_for(INSTRUCTOR)
    assert [(m.year, m.sender, m.player, m.to) for m in back.messages_for("EST")] == [
        (2025, "EST", "Ada", US),
        (2026, US, "Cy", "EST"),
    ]
    folder = back.export(tmp_path / "exports")
    meta = json.loads((folder / "seminar.json").read_text())
    assert [m["text"] for m in meta["messages"]] == [
        "2026: we comply if you stay.",
        "2027: <b>stay</b> we will",
    ]
    report = (folder / "after_action.html").read_text()
    assert "2027: &lt;b&gt;stay&lt;/b&gt; we will" in report and "<b>stay</b>" not in report
    assert "we comply if you stay" in (folder / "after_action_EST.html").read_text()


def test_a_hand_edited_message_is_refused_on_resume(tmp_path):
    scenario = sim.load_scenario("ceasefire")
    first = ClassSession(scenario, seed=3, code="123456", instructor_token="T", folder=tmp_path)
    ada = first.join("123456", "Ada", "EST")
    first.send_message(ada, ALLIES, "hello")
    saved = json.loads((tmp_path / "session.json").read_text())
    saved["messages"][0]["to"] = RUSSIA  # a private line to Russia the pages never offer
    (tmp_path / "session.json").write_text(json.dumps(saved))
    with pytest.raises(SeminarError, match="may not write to 'RUS'"):
        ClassSession.resume(tmp_path)


def test_the_inbox_reads_by_year_newest_last_as_text():
    from sim.seminar.messages import messages_html

    names = {"EST": "Estonia", "LVA": "Latvia"}
    html = messages_html(
        [
            Message(2025, "LVA", "Bo", "EST", "first", 0.0),
            Message(2026, "EST", "Ada", ALLIES, "<script>x</script>", 1.0),
            Message(2026, INSTRUCTOR, "instructor", EVERYONE, "last", 2.0),
        ],
        names,
        "EST",
    )
    assert html.index("Year 2025") < html.index("first") < html.index("Year 2026")
    assert html.index("&lt;script&gt;") < html.index("last") and "<script>" not in html
    assert "Bo (Latvia) to Estonia (EST)" in html and "you to all allies" in html
    assert "the instructor to everyone" in html

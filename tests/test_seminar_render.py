"""The seminar server's work per render (issue 28): pages rendered headless in this process, as
on the server (each page its own reacton render context and watcher threads), counting the
widget updates reacton makes when one student submits, writes or the year advances. A widget
update of an unchanged widget sends nothing to the browser, but costs the server's CPU under the
GIL while the rest of the class waits."""

from __future__ import annotations

import collections
import re
import threading
import time

import ipywidgets
import pytest
import reacton.core
import solara
from solara import routing

import sim
from sim.seminar.session import ClassSession


def new_session(monkeypatch) -> ClassSession:
    """A fresh session of the pages' modules (they read ``live.SESSION`` and the names each page
    module imported from it)."""
    from sim.seminar import (
        app,
        debrief_view,
        instructor_page,
        join_page,
        live,
        messages_panel,
        seat_page,
    )

    session = ClassSession(
        sim.load_scenario("ceasefire"),
        seed=3,
        code="123456",
        instructor_token="T",
        seconds_per_year=3600,
    )
    for module in (live, app, debrief_view, instructor_page, join_page, messages_panel, seat_page):
        monkeypatch.setattr(module, "SESSION", session)
    return session


@pytest.fixture
def live(monkeypatch):
    return new_session(monkeypatch)


class Counter:
    """Widget updates (``Element._update_widget``) by the page whose render made them."""

    def __init__(self, monkeypatch):
        self.by_page: collections.Counter[int] = collections.Counter()
        self.lock = threading.Lock()
        update = reacton.core.Element._update_widget
        counter = self

        def counted(el, widget, el_prev, kwargs):
            rc = reacton.core._get_render_context(required=False)
            with counter.lock:
                counter.by_page[id(rc)] += 1
            return update(el, widget, el_prev, kwargs)

        monkeypatch.setattr(reacton.core.Element, "_update_widget", counted)

    def snapshot(self) -> dict[int, int]:
        with self.lock:
            return dict(self.by_page)

    def settle(self, quiet: float = 0.6, limit: float = 20.0) -> None:
        """Wait until no page has updated a widget for ``quiet`` seconds."""
        t0, last, since = time.time(), self.snapshot(), time.time()
        while time.time() - t0 < limit:
            time.sleep(0.05)
            now = self.snapshot()
            if now != last:
                last, since = now, time.time()
            elif time.time() - since >= quiet:
                return
        raise AssertionError("the pages did not settle")

    def during(self, action) -> dict[int, int]:
        self.settle()
        before = self.snapshot()
        action()
        self.settle()
        return {k: v - before.get(k, 0) for k, v in self.snapshot().items()}


def page(search: str):
    from sim.seminar.app import Page

    @solara.component
    def WithRouter() -> None:
        routing.router_context.provide(routing.Router("/?" + search, []))
        Page()

    _, rc = solara.render(WithRouter(), handle_error=False)
    return rc


def text_of(rc) -> list:
    """What a page shows: every widget's synced state (its own model id and children aside).

    The session's watchers render in their own threads while this reads, so each dict is
    copied before it is walked (``list`` of a dict's values runs in C, under the GIL), and a
    read that still met a tree changing under it is read again: CI's 3.12 run once failed with
    "dictionary changed size during iteration" here. Holding the render lock instead would
    make a watcher's render skip (reacton leaves the render to the lock's holder)."""

    def walk(context, out):
        for w in list(context.widgets.values()):
            if w is None:
                continue
            state = {k: v for k, v in w.get_state().items() if k not in ("children", "layout")}
            state["text"] = [c for c in list(getattr(w, "children", ())) if isinstance(c, str)]
            out.append((type(w).__name__, sorted(state.items(), key=lambda kv: kv[0])))
        for child in list(context.children.values()):
            walk(child, out)

    for attempt in range(20):
        out: list = []
        try:
            walk(rc.context_root, out)
        except RuntimeError as e:
            if "changed size during iteration" not in str(e) or attempt == 19:
                raise
            time.sleep(0.05)
            continue
        return sorted(map(repr, out))


@pytest.fixture
def pages(live, monkeypatch):
    roles = ["EST", "LVA", "POL", "USA"]
    tokens = {r: live.join("123456", f"student {r}", r) for r in roles}
    counter = Counter(monkeypatch)
    teacher = page("instructor=T")
    seats = {r: page(f"seat={t}") for r, t in tokens.items()}
    yield live, tokens, counter, teacher, seats
    for rc in (teacher, *seats.values()):
        rc.close()


def test_a_submit_updates_the_roster_not_the_console(pages):
    """A student's Submit re-renders the instructor's roster block: only the widgets on the way
    down to it are looked at, not the ~75 of the console (the default renderer updated every
    widget of the page: 73 updates with 12 seats, 40 here), and no other student's page; the
    seat's own page (here one that did not make the Submit: another device) its Submit box."""
    session, tokens, counter, teacher, seats = pages
    assert "0 of 4 seats decided" in repr(text_of(teacher))
    got = counter.during(lambda: session.decide(tokens["EST"]))
    assert "1 of 4 seats decided" in repr(text_of(teacher))
    assert got.get(id(teacher), 0) <= 6, got
    assert "is in" in repr(text_of(seats["EST"]))
    assert 1 <= got.get(id(seats["EST"]), 0) <= 10, got
    assert all(got.get(id(rc), 0) == 0 for r, rc in seats.items() if r != "EST"), got


def test_a_seat_open_on_two_devices_shows_a_submit_made_on_either(live):
    """Found by a browser check: a student with the seat open on a laptop and a phone submitted
    "resist" on the laptop; the phone still said "Not submitted yet" with "agent" chosen, and
    its Submit would have put the agent back. The other device shows the decision in and the
    choice; the device that submitted keeps its form (a change made since stays)."""
    from sim.seminar.seat_page import ANSWER_CHOICES

    token = live.join("123456", "Ada", "EST")
    laptop, phone = page(f"seat={token}"), page(f"seat={token}")
    try:
        for rc in (laptop, phone):
            assert "Not submitted yet" in settled(lambda rc=rc: repr(text_of(rc)))

        def toggle(rc):
            return next(w for w in _widgets(rc) if type(w).__name__ == "BtnToggle")

        toggle(laptop).v_model = ANSWER_CHOICES.index("resist")
        settled(lambda: repr(text_of(laptop)))
        _by_class(laptop, "submit")[0].fire_event("click", {})
        shown = settled(lambda: repr(text_of(phone)))
        assert live.submitted("EST")["answer"] == "resist"
        assert f"Your decision for {live.year + 1} is in" in shown
        assert toggle(phone).v_model == ANSWER_CHOICES.index("resist")
        assert "is in" in settled(lambda: repr(text_of(laptop)))
        # the laptop changes its mind without submitting: its own form keeps the change
        toggle(laptop).v_model = ANSWER_CHOICES.index("hedge")
        settled(lambda: repr(text_of(laptop)))
        assert toggle(laptop).v_model == ANSWER_CHOICES.index("hedge")
        # the phone submits "comply": the laptop shows it; the phone keeps its own
        toggle(phone).v_model = ANSWER_CHOICES.index("comply")
        settled(lambda: repr(text_of(phone)))
        _by_class(phone, "submit")[0].fire_event("click", {})
        settled(lambda: repr(text_of(laptop)))
        assert live.submitted("EST")["answer"] == "comply"
        assert toggle(laptop).v_model == ANSWER_CHOICES.index("comply")
        assert toggle(phone).v_model == ANSWER_CHOICES.index("comply")
        # and the laptop's Submit now sends what it shows
        _by_class(laptop, "submit")[0].fire_event("click", {})
        settled(lambda: repr(text_of(phone)))
        assert live.submitted("EST")["answer"] == "comply"
    finally:
        laptop.close()
        phone.close()


def test_a_submit_draws_its_own_page_no_further_than_its_submit_box(live, monkeypatch):
    """A Submit made on a seat's page re-renders that page's Submit box, which says it is in;
    the seat's version it moves (for the seat's other devices) no longer draws the whole seat
    again on the page that submitted (a Submit cost 14 widget updates, 8 before the two devices'
    fix). The form keeps what it shows; a Submit made elsewhere still draws the page."""
    from sim.seminar.seat_page import ANSWER_CHOICES

    token = live.join("123456", "Ada", "EST")
    counter = Counter(monkeypatch)
    rc = page(f"seat={token}")
    try:
        assert "Not submitted yet" in settled(lambda: repr(text_of(rc)))
        toggle = next(w for w in _widgets(rc) if type(w).__name__ == "BtnToggle")
        toggle.v_model = ANSWER_CHOICES.index("resist")
        settled(lambda: repr(text_of(rc)))
        got = counter.during(lambda: _by_class(rc, "submit")[0].fire_event("click", {}))
        assert live.submitted("EST")["answer"] == "resist"
        shown = settled(lambda: repr(text_of(rc)))
        assert f"Your decision for {live.year + 1} is in" in shown
        assert toggle.v_model == ANSWER_CHOICES.index("resist")
        assert got.get(id(rc), 0) <= 6, got  # 5 here; 11 when the seat was drawn again
        # a Submit made elsewhere (the session's API, as another device) still draws the page
        live.decide(token, answer="comply")
        assert f"Your decision for {live.year + 1} is in" in settled(lambda: repr(text_of(rc)))
        assert toggle.v_model == ANSWER_CHOICES.index("comply")
    finally:
        rc.close()


def test_a_choice_made_again_a_year_later_and_not_submitted_is_cleared_at_the_next_year(live):
    """Found while changing the Submit's render: a student who chose "resist" in a year and
    submitted it, then chose it again the next year without submitting, saw "resist" still
    chosen in the year after, though the form held "my agent decides" (the agent decided, and
    choosing resist again changed nothing: a Submit sent the agent's). The form drew nothing
    for a choice whose values equalled an earlier year's, so the new year's reset drew nothing
    either."""
    from sim.seminar.seat_page import ANSWER_CHOICES

    token = live.join("123456", "Ada", "EST")
    rc = page(f"seat={token}")

    def toggle():
        return next(w for w in _widgets(rc) if type(w).__name__ == "BtnToggle")

    try:
        settled(lambda: repr(text_of(rc)))
        agent = toggle().v_model
        toggle().v_model = ANSWER_CHOICES.index("resist")
        settled(lambda: repr(text_of(rc)))
        _by_class(rc, "submit")[0].fire_event("click", {})
        settled(lambda: repr(text_of(rc)))
        live.advance()
        settled(lambda: repr(text_of(rc)))
        assert toggle().v_model == agent
        toggle().v_model = ANSWER_CHOICES.index("resist")  # chosen, not submitted
        settled(lambda: repr(text_of(rc)))
        live.advance()
        settled(lambda: repr(text_of(rc)))
        assert toggle().v_model == agent  # was still "resist"
        toggle().v_model = ANSWER_CHOICES.index("resist")
        settled(lambda: repr(text_of(rc)))
        live.advanced_at = 0.0  # not asked again (a Submit in a year's first seconds is)
        _by_class(rc, "submit")[0].fire_event("click", {})
        settled(lambda: repr(text_of(rc)))
        assert live.submitted("EST")["answer"] == "resist"
    finally:
        rc.close()


def test_a_message_updates_the_panels_that_read_it_only(pages):
    session, tokens, counter, teacher, seats = pages
    got = counter.during(lambda: session.send_message(tokens["EST"], "LVA", "hello"))
    assert "hello" in repr(text_of(seats["LVA"])) and "hello" in repr(text_of(seats["EST"]))
    assert "hello" not in repr(text_of(seats["POL"]))
    for role in ("EST", "LVA"):  # the inbox and the To list, not the whole seat's page
        assert 1 <= got.get(id(seats[role]), 0) <= 12, got
    assert got.get(id(seats["POL"]), 0) == 0 and got.get(id(seats["USA"]), 0) == 0, got


def test_an_advance_updates_what_changed_and_shows_the_new_year(pages):
    """At a new year a seat's page updates the widgets that show the year (the countdown, the
    shared block, the form's title, the Submit box, sliders whose agent value moved): the
    default renderer updated all of them, about 50 per page."""
    session, tokens, counter, teacher, seats = pages
    year = session.snapshot.year
    got = counter.during(session.advance)
    for rc in seats.values():
        shown = repr(text_of(rc))
        assert f"Year {year + 1}" in shown and f"decisions for {year + 2}" in shown
        assert got.get(id(rc), 0) <= 30, got


def tree(widget, tokens) -> list[str]:
    """A page as the browser gets it: every widget's synced state, depth first (model ids, the
    style block's random id, the seats' tokens, the countdown's seconds left and the clock a
    message was sent at aside)."""
    out: list[str] = []

    def scrubbed(text: str) -> str:
        text = re.sub(r"IPY_MODEL_[0-9a-f]+", "M", text)
        text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "U", text)
        # the clock a message was sent at: the two runs may fall in different minutes
        text = re.sub(r"\b\d\d:\d\d\b", "HH:MM", text)
        for token in tokens:
            text = text.replace(token, "TOKEN")
        return text

    def walk(w, depth):
        state = {
            k: v
            for k, v in w.get_state().items()
            if k not in ("children", "layout", "_model_id", "left")
        }
        text = scrubbed(repr(sorted(state.items(), key=lambda kv: kv[0])))
        out.append("  " * depth + type(w).__name__ + " " + text)
        for c in getattr(w, "children", ()) or ():
            if isinstance(c, ipywidgets.Widget):
                walk(c, depth + 1)
            else:
                out.append("  " * (depth + 1) + scrubbed(repr(c)))

    walk(widget, 0)
    return out


def settled(look, quiet: float = 1.5, limit: float = 60.0):
    """What ``look()`` returns once it has stayed the same for ``quiet`` seconds: the watchers
    wake and render in their own threads, later on a loaded machine (a fixed second's wait read
    a page half drawn in CI). A widget closed while it is walked (its comm gone: the page is
    being redrawn in another thread, seen once on a loaded machine) counts as a change."""

    def look_once():
        try:
            return look()
        except AttributeError:  # ipywidgets: a closed widget has no comm, so no model id
            return object()  # equal to nothing: not yet settled

    t0 = time.time()
    last, since = look_once(), time.time()
    while time.time() - t0 < limit:
        time.sleep(0.25)
        now = look_once()
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return now
    raise AssertionError("the pages did not settle")


def class_pages(session) -> list[list[str]]:
    """The instructor's page, two seats' and the join page through a class's events: joins, a
    Submit, a message, an Advance, a seat locked, the debrief, another Advance."""
    roles = session.roles()[:6]
    tokens = [session.join("123456", f"student {i}", r) for i, r in enumerate(roles)]
    roots = []
    for search in ("instructor=T", f"seat={tokens[0]}", f"seat={tokens[2]}", ""):
        from sim.seminar.app import Page

        @solara.component
        def WithRouter(search=search) -> None:
            routing.router_context.provide(routing.Router("/?" + search, []))
            Page()

        roots.append(solara.render(WithRouter(), handle_error=False))
    shown = []
    events = (
        lambda: None,
        lambda: session.decide(tokens[2]),
        lambda: session.send_message(tokens[2], roles[3], "hello"),
        session.advance,
        lambda: session.set_locked(roles[4], True),
        lambda: session.show_debrief(True),
        session.advance,
    )
    for event in events:
        event()
        shown.append(settled(lambda: [tree(box, tokens) for box, _ in roots]))
    for _, rc in roots:
        rc.close()
    return shown


def test_the_fast_renderer_draws_the_same_pages(monkeypatch):
    """The pages reacton's default renderer draws and those its fast renderer draws (which the
    seminar uses: sim.ui.config), widget by widget with their state, after each of a class's
    events."""
    import sim.seminar.live  # noqa: F401  (through sim.ui.config: the apps' renderer)

    assert reacton.core._render_context_class() is reacton.core._RenderContextFast
    drawn = {}
    for fast in ("0", "1"):
        monkeypatch.setenv("REACTON_FAST", fast)
        drawn[fast] = class_pages(new_session(monkeypatch))
    assert len(drawn["1"]) == 7 and all(len(pages) == 4 for pages in drawn["1"])
    seat = drawn["1"][3][2]  # a seat's page after the first Advance: the new year, the message
    assert any("Year 2026" in line for line in seat) and any("hello" in line for line in seat)
    assert drawn["1"][0][0] != drawn["1"][1][0]  # the roster counted the Submit
    assert drawn["0"] == drawn["1"]


def _widgets(rc) -> list:
    """Every widget of a page, once each."""
    out: dict[int, object] = {}

    def walk(context):
        out.update((id(w), w) for w in list(context.widgets.values()) if w is not None)
        for child in list(context.children.values()):
            walk(child)

    walk(rc.context_root)
    return list(out.values())


def test_a_tapped_role_stays_that_role_when_roles_before_it_are_taken(live):
    """Found by a browser check: two students took roles listed before the one a third was
    about to tap; her page redrew as she typed her name, and her tap chose the role two further
    on (the buttons were matched by position). Buttons are keyed by role, and the join page
    follows the seats, so the taken roles leave it and the tap chooses the role tapped."""
    roles = live.roles()
    want = roles[5]
    rc = page("")
    try:

        def button(role):
            found = [w for w in _widgets(rc) if f"role-{role}" in (getattr(w, "class_", "") or "")]
            return found[0] if found else None

        def free_roles():
            return sorted(
                c.split("role-")[1]
                for w in _widgets(rc)
                for c in (getattr(w, "class_", "") or "").split()
                if c.startswith("role-")
            )

        tapped = button(want)
        assert tapped is not None
        live.join("123456", "first", roles[0])
        live.join("123456", "second", roles[1])
        settled(free_roles)
        assert roles[0] not in free_roles() and roles[1] not in free_roles()
        name = next(w for w in _widgets(rc) if getattr(w, "label", "") == "Your name")
        name.v_model = "Xena"  # a keystroke: the page draws again
        settled(free_roles)
        tapped.fire_event("click", {})
        settled(lambda: repr(text_of(rc)))
        assert live.role_name(want) in repr(text_of(rc))
        chosen = [
            w
            for w in _widgets(rc)
            if getattr(w, "color", None) == "primary"
            and "role-" in (getattr(w, "class_", "") or "")
        ]
        assert {w.class_ for w in chosen} == {f"role role-{want}"}
    finally:
        rc.close()


def _by_class(rc, name: str) -> list:
    return [w for w in _widgets(rc) if name in (getattr(w, "class_", "") or "").split()]


def test_a_reloaded_seat_shows_its_submitted_decision_and_a_second_submit_keeps_it(live):
    """Found by a browser check: after a reload (or a restart with --resume) a seat that had
    submitted "comply" read "Not submitted yet" on an empty form, and its Submit replaced the
    decision with the agent's. The page opened again shows the decision in and its choices."""
    token = live.join("123456", "Nora", "NOR")
    live.decide(token, answer="comply")
    rc = page(f"seat={token}")  # the page opened again
    try:
        shown = settled(lambda: repr(text_of(rc)))
        assert f"Your decision for {live.year + 1} is in" in shown
        from sim.seminar.seat_page import ANSWER_CHOICES

        toggles = [w for w in _widgets(rc) if type(w).__name__ == "BtnToggle"]
        assert [w.v_model for w in toggles] == [ANSWER_CHOICES.index("comply")]
        _by_class(rc, "submit")[0].fire_event("click", {})
        settled(lambda: repr(text_of(rc)))
        assert live.submitted("NOR")["answer"] == "comply"
    finally:
        rc.close()


def test_a_submit_from_a_year_gone_is_refused_and_one_just_after_is_asked_again(live, monkeypatch):
    """Found by a browser check (and a review): a Submit pressed as the instructor advanced was
    taken as a decision for the next year, all-agent or with a change made on the page still
    showing last year's form, and the page said it was in. A decision made on a year's form is
    refused once the class has moved on; any Submit in the first seconds of a year is asked
    again, naming the year the agent decided, and a second press goes."""
    from sim.seminar.session import SeminarError

    token = live.join("123456", "Pat", "POL")
    year = live.year
    live.advance()
    with pytest.raises(SeminarError, match="advanced before your Submit"):
        live.decide(token, for_year=year, answer="resist")
    assert live.submitted("POL") is None
    monkeypatch.setattr(live, "seconds_since_advance", lambda: 0.5)  # just advanced
    rc = page(f"seat={token}")
    try:
        settled(lambda: repr(text_of(rc)))
        _by_class(rc, "submit")[0].fire_event("click", {})
        shown = settled(lambda: repr(text_of(rc)))
        assert f"your agent decided {year + 1}" in shown and "press Submit again" in shown
        assert live.submitted("POL") is None
        _by_class(rc, "submit")[0].fire_event("click", {})
        shown = settled(lambda: repr(text_of(rc)))
        assert live.submitted("POL") is not None and "is in" in shown
    finally:
        rc.close()


def test_a_double_click_on_advance_advances_one_year(live):
    """Found by a browser check: a double click on Advance went from 2029 to 2031, the year
    between left to the agents."""
    rc = page("instructor=T")
    try:
        settled(lambda: repr(text_of(rc)))
        year = live.year
        button = _by_class(rc, "advance")[0]
        button.fire_event("click", {})
        button.fire_event("click", {})
        shown = settled(lambda: repr(text_of(rc)))
        assert live.year == year + 1
        assert "a moment ago" in shown
    finally:
        rc.close()


def _shown_now(rc) -> str:
    """``text_of`` as a string, read again if a watcher was rendering the page meanwhile."""
    for _ in range(50):
        try:
            return repr(text_of(rc))
        except RuntimeError:  # a widget dict changed size as it was read
            time.sleep(0.05)
    raise AssertionError("the page kept changing")


def test_joining_does_not_flash_this_browser_holds_a_seat(live, monkeypatch):
    """Found by a browser check: a student's Join woke the join page's watcher (the seats
    changed), which drew "This browser holds Estonia (Ada)" and "Back to my seat" before the
    page went to the seat. Held here between the join and the page's move to its seat (the
    router records where it was sent), the page does not say so; a second join page of the same
    browser does."""
    from sim.seminar import join_page
    from sim.seminar.app import Page

    monkeypatch.setattr(join_page, "_client", lambda: "10.0.0.9|browser-1")
    sent: list[str] = []

    def joinpage():
        @solara.component
        def WithRouter() -> None:
            routing.router_context.provide(routing.Router("/?", [], set_path=sent.append))
            Page()

        return solara.render(WithRouter(), handle_error=False)[1]

    rc = joinpage()
    try:
        settled(lambda: _shown_now(rc))
        name = next(w for w in _widgets(rc) if getattr(w, "label", "") == "Your name")
        code = next(w for w in _widgets(rc) if getattr(w, "label", "") == "Join code")
        code.v_model, name.v_model = "123456", "Ada"
        settled(lambda: _shown_now(rc))
        _by_class(rc, "role-EST")[0].fire_event("click", {})
        settled(lambda: _shown_now(rc))
        _by_class(rc, "join")[0].fire_event("click", {})
        shown = settled(lambda: _shown_now(rc))
        assert sent and sent[-1].startswith("?seat="), sent
        assert "This browser holds" not in shown and not _by_class(rc, "back-to-seat")
    finally:
        rc.close()
    again = joinpage()  # the join link opened again in the same browser: the way back
    try:
        shown = settled(lambda: _shown_now(again))
        assert "This browser holds Estonia (Ada)" in shown and _by_class(again, "back-to-seat")
    finally:
        again.close()


def _labelled(rc, label: str) -> list:
    return [w for w in _widgets(rc) if getattr(w, "label", None) == label]


def test_the_inject_target_is_offered_only_for_an_event_that_takes_one(live):
    """Found by a browser check: the Target list stayed on screen for a drawdown or a summit,
    which act on the whole alliance (an injection with a target on them is refused)."""
    from sim.scenario.loader import TARGETED_KINDS

    rc = page("instructor=T")
    try:
        settled(lambda: repr(text_of(rc)))
        (event,) = _labelled(rc, "Event")
        for item in event.items:
            kind = item if isinstance(item, str) else item["value"]
            event.v_model = kind
            settled(lambda: repr(text_of(rc)), quiet=0.3)
            assert bool(_labelled(rc, "Target")) == (kind in TARGETED_KINDS), kind
    finally:
        rc.close()


def test_the_inject_target_list_names_the_allies_and_injects_the_one_chosen(live):
    """Found by a browser check: the Target list was 30 bare ISO codes in code order. It lists
    "Latvia (LVA)" in the order of the names, and the injection goes to the ally chosen."""
    rc = page("instructor=T")
    try:
        settled(lambda: repr(text_of(rc)))
        (event,) = _labelled(rc, "Event")
        event.v_model = "russia_probe"
        settled(lambda: repr(text_of(rc)), quiet=0.3)
        (target,) = _labelled(rc, "Target")
        items = [i if isinstance(i, str) else i["value"] for i in target.items]
        assert "Latvia (LVA)" in items and "Estonia (EST)" in items
        assert items == sorted(items)
        assert target.v_model == "Estonia (EST)"  # the default target, named
        target.v_model = "Latvia (LVA)"
        settled(lambda: repr(text_of(rc)), quiet=0.3)
        _by_class(rc, "inject")[0].fire_event("click", {})
        settled(lambda: repr(text_of(rc)), quiet=0.3)
        assert [(i["kind"], i["target"]) for i in live.injected] == [("russia_probe", "LVA")]
    finally:
        rc.close()

"""The seminar web app (Solara): one shared run for a class.

Three kinds of page, chosen by the address: ``?instructor=TOKEN`` (the console), ``?seat=TOKEN``
(a student's seat: its briefing and decision form; the token in the address means a reload keeps
the seat), and anything else (the join page: code, name, role). Every page shows the countdown
and the shared views: the year, the story of each year, the charts and the map, and the
decisions of the years already played.

Pages never read the live model: they show the session's published :class:`Snapshot` (replaced
whole, under the session's lock, when a year is played, a reveal or the clock changes). A page
learns of a change in a thread (which Solara cancels when the page closes) that sleeps until the
session says something changed, then compares a few numbers: the snapshot (every page), the
seats' version (the instructor's console), its own seat's version (a seat's page), and, in the
instructor's roster block alone, the roster's version. A student's Submit thus re-renders that
page's Submit box, the seat's other pages (the same seat on another device) and the roster
block, nothing else on any page. At a new year the seat form
keeps its controls and resets their values, and the countdown ticks in the browser. Measured
under the load benchmark (py-spy), the costs removed were: a server-side countdown re-rendering
every page every second (39% of the server's samples), Solara's line tracing of the watcher
threads, which ran every render they triggered (about a quarter), and the form's rebuild.

The layout is one flexible row: the controls (join form, seat form or console) and the countdown
on the left, the shared views on the right; below 760 px wide they stack, controls first.

This module holds the page itself (the layout, its watcher, the shared views); the rest is in
modules named for what they hold: :mod:`.live` (the class of this server process and its clock),
:mod:`.countdown`, :mod:`.join_page`, :mod:`.seat_page` (the form, one component per decision, and
the Submit box), :mod:`.messages_panel`, :mod:`.instructor_page` (the console and its roster) and
:mod:`.debrief_view`.
"""

from __future__ import annotations

import secrets
import threading
import urllib.parse

import solara

from .countdown import Countdown
from .instructor_page import InstructorView
from .join_page import JoinView
from .live import RENDER_ONE_AT_A_TIME, SESSION, WAIT_SECONDS
from .seat_page import SeatView
from .session import RUSSIA, Snapshot
from .views import shared_html

CSS = """
/* a long word (a 40-letter name, typed as one word) breaks where it must: it ran past a phone's
   edge, cut off, in the seat's heading, the roster, the debrief and the decisions table */
.sem-wrap { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start;
  overflow-wrap: anywhere; }
.sem-controls { flex: 1 1 340px; min-width: 300px; max-width: 460px; }
.sem-shared { flex: 2 1 520px; min-width: 300px; }
@media (max-width: 760px) {
  .sem-controls, .sem-shared { flex: 1 1 100%; max-width: 100%; min-width: 0; }
}
.sem-controls .v-btn.submit, .sem-controls .v-btn.join { width: 100%; }
.sem-controls .v-btn { white-space: normal; }
.sem-controls .v-btn__content { white-space: normal; }
.countdown { font-size: 1.15em; font-weight: bold; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr));
  gap: 4px; }
.event-log { max-height: 240px; overflow-y: auto; border: 1px solid #ddd; padding: 4px 8px;
  font-size: 0.92em; }
.event-log ul { margin: 0 0 4px 0; padding-left: 18px; }
.join-roles { display: flex; flex-wrap: wrap; gap: 3px; margin: 4px 0 8px 0; }
.join-roles .v-btn { text-transform: none; }
.roster { display: flex; flex-wrap: wrap; gap: 3px; font-size: 0.85em; }
.roster .seat { border: 1px solid #999; border-radius: 4px; padding: 0 4px; }
.roster .seat.decided { background: #d7f0d2; border-color: #4a8a3c; }
.roster .seat.locked { background: #eee; color: #777; }
.briefing { font-size: 0.92em; }
.briefing p { margin: 0 0 4px 0; }
.russia-own { background: #fbeaea; padding: 4px 6px; margin: 4px 0; }
.decide-row { margin-bottom: 2px; }
/* the inbox, newest at the bottom and scrolled there (a reversed column keeps its end in view) */
.messages-box { max-height: 260px; overflow-y: auto; display: flex; flex-direction: column-reverse;
  border: 1px solid #ddd; padding: 2px 6px; font-size: 0.9em; }
.messages-box ul { list-style: none; margin: 0 0 4px 0; padding-left: 2px; }
.messages-box .msg { margin-bottom: 3px; overflow-wrap: anywhere; }
.messages-box .msg-head { font-size: 0.85em; color: #555; }
.messages-box .msg.mine .msg-text { color: #1f3f6a; }
.messages-box .msg.public { background: #fbeaea; }
/* no transitions or animations: at a new year every page resets its form (sliders, toggles,
   the Submit box's alert), and Vuetify's 0.3 s transitions then drew ~20 frames on each of
   thirty pages on the same cores (style, layout, paint and commit each frame) */
.sem-wrap *, .sem-wrap *::before, .sem-wrap *::after {
  transition: none !important; animation: none !important; }
/* a block off the screen is not laid out or painted until scrolled to (its last size kept) */
.shared > div, .briefing { content-visibility: auto; contain-intrinsic-size: auto 300px; }
.shared > div { margin-bottom: 12px; }
"""


def _query(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in urllib.parse.parse_qs(search or "").items() if v}


@solara.component
def SharedViews(snap: Snapshot, insider: bool) -> None:
    """The year, its story, the charts, the map and the revealed decisions: one HTML block from
    the published snapshot, so a new year is one message to the page, not five (every message
    a render sends waits for the server's event loop, and each is a separate update in the
    browser); what is hidden only on an ``insider``'s page (Russia's seat, the instructor)
    until revealed (:func:`views.page_views`). The block is joined once per snapshot for the
    class (:func:`views.shared_html`), not once per page."""
    solara.HTML(tag="div", unsafe_innerHTML=shared_html(snap, insider), classes=["shared"])


@solara.component
def Page() -> None:
    solara.Title("natosim seminar")
    solara.Style(CSS)
    router = solara.use_router()
    q = _query(router.search)
    instructor = SESSION.is_instructor(q.get("instructor"))
    token = q.get("seat") if not instructor else None
    snap, set_snap = solara.use_state(SESSION.snapshot)
    seats, set_seats = solara.use_state(SESSION.seats_version)
    seat_v, set_seat_v = solara.use_state(SESSION.seat_versions.get(token or "", 0))
    # this page, as its seat form's Submits are recorded (``by``): the seat's version moved by
    # this page's own Submit alone does not draw the seat again here (its Submit box already
    # says it is in), while the seat's other pages (another device) draw it
    me = solara.use_memo(lambda: secrets.token_hex(6), dependencies=[])

    # the instructor's seat tools and a join page's free roles follow who holds which seat
    follows_seats = instructor or not token

    def watch(cancel: threading.Event) -> None:
        # each number is read once per look: read twice, a change between the reads is lost
        # (starting from what the page first drew, so a change before this thread runs counts)
        snap0, seats0, seat0 = snap, seats, seat_v

        def same() -> bool:
            return (
                SESSION.snapshot is snap0
                and (not follows_seats or SESSION.seats_version == seats0)
                and (not token or SESSION.seat_versions.get(token, 0) == seat0)
            )

        while not cancel.is_set():
            with SESSION.changed:  # checked and waited for under one lock: nothing missed
                if same():
                    SESSION.changed.wait(WAIT_SECONDS)
            now = SESSION.snapshot
            if now is not snap0:
                with RENDER_ONE_AT_A_TIME:
                    set_snap(now)  # renders this page, in this thread
            snap0 = now
            if follows_seats:
                version = SESSION.seats_version
                if version != seats0:
                    set_seats(version)
                seats0 = version
            if token:
                sv = SESSION.seat_versions.get(token, 0)
                # one change since the version drawn, made by this page's Submit: nothing to draw
                own = sv == seat0 + 1 and SESSION.submit_versions.get(token) == (sv, me)
                if sv != seat0 and not own:
                    set_seat_v(sv)
                seat0 = sv

    solara.use_thread(watch, dependencies=[instructor, token], intrusive_cancel=False)
    seat = SESSION.seat(token)
    # who may see what is hidden: the instructor and the seat holding Russia (read at every
    # render: a seat moved to or from Russia re-renders through its seat version)
    insider = instructor or (seat is not None and seat.role == RUSSIA)
    with solara.Div(classes=["sem-wrap"]):
        with solara.Div(classes=["sem-controls"]):
            if instructor:
                InstructorView(snap, seats)
            elif seat is not None or seat_v:
                SeatView(token or "", snap, seat_v, me)
            else:
                JoinView(q.get("code", ""), snap, seats)
                Countdown(snap)
        with solara.Div(classes=["sem-shared"]):
            SharedViews(snap, insider)

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
student's form and the roster block, nothing else on any page. At a new year the seat form
keeps its controls and resets their values, and the countdown ticks in the browser. Measured
under the load benchmark (py-spy), the costs removed were: a server-side countdown re-rendering
every page every second (39% of the server's samples), Solara's line tracing of the watcher
threads, which ran every render they triggered (about a quarter), and the form's rebuild.

The layout is one flexible row: the controls (join form, seat form or console) and the countdown
on the left, the shared views on the right; below 760 px wide they stack, controls first.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, cast

import ipyvue
import reacton.ipyvuetify as rv
import solara
import traitlets

from ..scenario import CATEGORIES, load_scenario
from ..ui.config import app_config
from .messages import GROUPS, INSTRUCTOR, TEXT_LIMIT, addresses, messages_html
from .messages import label as address_label
from .session import (
    DECISION_FIELDS,
    INJECTABLE,
    RUSSIA,
    US,
    ClassSession,
    SeminarError,
    Snapshot,
)
from .views import shared_html

log = logging.getLogger("natosim.seminar")
CONFIG = app_config()


def _session_from_environment() -> ClassSession:
    folder = os.environ.get("NATOSIM_SEMINAR_FOLDER") or None
    if folder and os.environ.get("NATOSIM_SEMINAR_RESUME"):
        return ClassSession.resume(Path(folder))
    scenario = load_scenario(os.environ.get("NATOSIM_SEMINAR_SCENARIO", "baseline"))
    session = ClassSession(
        scenario,
        seed=int(os.environ.get("NATOSIM_SEMINAR_SEED", "7")),
        code=os.environ.get("NATOSIM_SEMINAR_CODE") or None,
        instructor_token=os.environ.get("NATOSIM_SEMINAR_INSTRUCTOR") or None,
        seconds_per_year=int(os.environ.get("NATOSIM_SEMINAR_SECONDS", "180")),
        folder=Path(folder) if folder else None,
    )
    session.save()
    return session


SESSION = _session_from_environment()
WAIT_SECONDS = 0.5  # longest a page's watcher sleeps before it looks whether its page closed
# A new snapshot re-renders the pages one after another, not all at once: thirty renders
# interleaved under the GIL each finished near the end and trickled their messages out, so every
# browser drew several partial frames late; one at a time, each page's updates leave together and
# the first pages show the new year while the last are still being rendered.
RENDER_ONE_AT_A_TIME = threading.Lock()


def _clock() -> None:
    """Advance when the countdown ends, if the instructor chose automatic advance."""
    while True:
        threading.Event().wait(0.5)
        try:
            SESSION.tick()
        except Exception:
            log.exception("automatic advance failed")


threading.Thread(target=_clock, daemon=True, name="seminar-clock").start()

CSS = """
.sem-wrap { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
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


def _client() -> str:
    """The page's address (set by the server's guard) and its browser session."""
    try:
        headers = cast(Any, solara.lab).headers.value or {}
        where = (headers.get("x-natosim-client") or ["?"])[0]
    except Exception:
        where = "?"
    try:
        session = solara.get_session_id()
    except Exception:
        session = ""
    return f"{where}|{session}"


class CountdownWidget(ipyvue.VueTemplate):
    """The countdown, counted down by the browser: the server sends the seconds left when a
    state is published (``stamp`` is the snapshot's sequence), the page ticks by itself. A
    server-side tick would send a message to every page every second and re-render it."""

    template = traitlets.Unicode(
        """<template><span class="countdown">{{ text }}</span></template>
<script>
module.exports = {
  data() { return { now: Date.now(), base: Date.now() }; },
  watch: {
    left() { this.base = Date.now(); this.now = this.base; },
    stamp() { this.base = Date.now(); this.now = this.base; },
  },
  mounted() { this.timer = setInterval(() => { this.now = Date.now(); }, 1000); },
  destroyed() { clearInterval(this.timer); },
  computed: {
    text() {
      if (this.done) return "the run is over";
      if (this.left < 0) return "clock paused";
      const s = Math.max(0, Math.round(this.left - (this.now - this.base) / 1000));
      const mm = Math.floor(s / 60), ss = String(s % 60).padStart(2, "0");
      return mm + ":" + ss + " left for decisions on " + this.next
        + (this.auto ? ", then the year advances" : "");
    },
  },
};
</script>"""
    ).tag(sync=True)
    left = traitlets.Int(-1).tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    auto = traitlets.Bool(False).tag(sync=True)
    next = traitlets.Int(0).tag(sync=True)


@solara.component
def Countdown(snap: Snapshot) -> None:
    """Seconds left for this year's decisions (ticking in the browser, see CountdownWidget)."""
    CountdownWidget.element(
        left=-1 if snap.done else snap.seconds_left(),
        stamp=snap.seq,
        done=snap.done,
        auto=snap.auto,
        next=snap.year + 1,
    )


@solara.component
def JoinView(code0: str, snap: Snapshot) -> None:
    router = solara.use_router()
    code, set_code = solara.use_state(code0)
    name, set_name = solara.use_state("")
    role, set_role = solara.use_state("")
    error, set_error = solara.use_state("")
    taken = SESSION.taken()
    free = [r for r in SESSION.roles() if r not in taken and r not in SESSION.locked]

    # the newest values, whatever render bound the button's handler (a busy page may click
    # through a handler bound before the role was drawn)
    latest = solara.use_ref(cast(dict[str, str], {}))
    latest.current = {"code": code, "name": name, "role": role}

    def join() -> None:
        now = latest.current
        if not now["role"]:
            set_error("choose a role first")
            return
        try:
            token = SESSION.join(now["code"], now["name"], now["role"], client=_client())
        except SeminarError as exc:
            set_error(str(exc))
            return
        router.push(f"?seat={token}")

    solara.HTML(tag="h3", unsafe_innerHTML="Join the seminar")
    solara.HTML(
        tag="p",
        unsafe_innerHTML=f"<b>{html.escape(SESSION.scenario.name)}</b>: "
        f"{html.escape(SESSION.scenario.description)}",
    )
    with solara.Div(classes=["join-code"]):
        solara.InputText("Join code", value=code, on_value=set_code, continuous_update=True)
    with solara.Div(classes=["join-name"]):
        # every keystroke reaches the server (sent on blur only, a name typed just before a
        # tap on a role was sometimes lost)
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
    solara.Text("Your role (tap one; the agents play every role nobody takes):")
    with solara.Div(classes=["join-roles"]):
        for r in free:
            solara.Button(
                f"{r}: {SESSION.role_name(r)}",
                on_click=lambda r=r: set_role(r),
                classes=["role", f"role-{r}"],
                color="primary" if r == role else None,
                outlined=r != role,
                small=True,
            )
    if role:
        solara.HTML(tag="div", unsafe_innerHTML=snap.previews.get(role, ""))
    solara.Button("Join", on_click=join, classes=["join"], color="primary")
    if error:
        solara.Error(error)


AGENT = "my agent decides"
YES_NO: dict[bool | None, str] = {None: AGENT, True: "yes", False: "no"}
HELP: dict[str, float | None] = {
    AGENT: None,
    "no help": 0.0,
    "a quarter": 0.25,
    "half": 0.5,
    "all it can": 1.0,
}
US_SHARES: dict[str, float | None] = {
    AGENT: None,
    **{f"{k}%": k / 100 for k in (0, 25, 50, 75, 100)},
}
ANSWER_CHOICES = ("agent", "comply", "hedge", "resist")
SLIDERS = {
    "budget": (0.0, 10.0, 0.05),
    "demand": (0.0, 10.0, 0.05),
    "threat": (0.0, 1.0, 0.01),
    "drawdown": (0.0, 0.5, 0.01),
    "reassurance": (0.0, 1.0, 0.01),
    "greyzone": (0.0, 3.0, 0.05),
}


@solara.component
def SeatForm(token: str, role: str, snap: Snapshot) -> None:
    """This year's form: every control starts on 'my agent decides', sliders at this year's
    agent value; an untouched Submit leaves every decision to the agent."""
    kind = role if role in (US, RUSSIA) else "ally"
    defaults = snap.defaults.get(role, {})
    fresh = cast(dict[str, Any], {k: None for k, _ in DECISION_FIELDS[kind]})
    # the form's state belongs to one year and one role: a new year (or a move to another
    # role) starts again from 'my agent decides' with the same controls (kept, not rebuilt:
    # thirty pages rebuilding ~25 controls each at every Advance)
    state, set_state = solara.use_state((snap.year, role, fresh))
    values = state[2] if state[0] == snap.year and state[1] == role else fresh
    latest = solara.use_ref(values)
    latest.current = values
    # what ``put`` reads when it is called: the year and role of the newest render (``put`` is
    # made once, so a row whose value and default did not change is not rendered again)
    now = solara.use_ref(cast(dict[str, Any], {}))
    now.current = {"year": snap.year, "role": role, "set": set_state}

    def make_put() -> Callable[[str, Any], None]:
        def put(key: str, value: Any) -> None:
            values_now = {**latest.current, key: value}
            latest.current = values_now
            now.current["set"]((now.current["year"], now.current["role"], values_now))

        return put

    put = solara.use_memo(make_put, dependencies=[])
    solara.Text(f"Your decisions for {snap.year + 1}:")
    for key, label in DECISION_FIELDS[kind]:
        DecisionRow(key, label, values[key], defaults.get(key) if key in SLIDERS else None, put)
    SubmitBox(token, role, snap.year, latest)


@solara.component
def DecisionRow(key: str, label: str, value: Any, default: Any, put: Any) -> None:
    """One decision's control: its own component, so at a new year only the rows whose value or
    agent default changed are rendered again (on the server and in the browser), not all ~25
    controls of the form; ``put(key, value)`` records a change (made once per form)."""

    def pick(table: dict[str, Any], text: str) -> None:
        put(key, table[text])

    def slide(shown: float, new: float) -> None:
        # ``shown`` is where the slider was drawn (on its step): only a move (a step or more
        # away) is a decision, not an echo
        if value is not None or abs(float(new) - shown) > SLIDERS[key][2] * 0.6:
            put(key, round(float(new), 4))

    def agent_box(shown: float, on: bool) -> None:
        if bool(on) != (value is None):  # a change, not an echo
            put(key, None if on else shown)

    with solara.Div(classes=[f"decide-{key}", "decide-row"]):
        if key in SLIDERS:
            lo, hi, step = SLIDERS[key]
            agent = value is None
            shown = float(default or 0.0) if agent else float(value)
            # the slider on its step (its label says the value): off the step, the browser
            # snaps it and sends the snapped value back at every Advance
            on_step = round(round(shown / step) * step, 4)
            solara.Text(
                f"{label}: {shown:.2f}" + (" (agent)" if agent else ""),
                classes=["slider-label"],
            )
            solara.SliderFloat(
                "", value=on_step, min=lo, max=hi, step=step, on_value=partial(slide, on_step)
            )
            solara.Checkbox(label=AGENT, value=agent, on_value=partial(agent_box, shown))
        elif key == "answer":
            solara.Text(label)
            solara.ToggleButtonsSingle(
                value or "agent",
                list(ANSWER_CHOICES),
                on_value=lambda v: put("answer", None if v == "agent" else v),
            )
        elif key == "help":
            current = next(t for t, v in HELP.items() if v == value)
            solara.Select(
                label, value=current, values=list(HELP), on_value=lambda t: put("help", HELP[t])
            )
        elif key == "us_share":
            current = next(t for t, v in US_SHARES.items() if v == value)
            solara.Select(
                label,
                value=current,
                values=list(US_SHARES),
                on_value=lambda t: put("us_share", US_SHARES[t]),
            )
        elif key == "priority":
            solara.Select(
                label,
                value=value or AGENT,
                values=[AGENT, *CATEGORIES],
                on_value=lambda v: put("priority", None if v == AGENT else v),
            )
        elif key == "respond":
            back = {text: v for v, text in YES_NO.items()}
            solara.Select(
                label,
                value=YES_NO[value],
                values=list(YES_NO.values()),
                on_value=partial(pick, back),
            )
        elif key == "probe":
            names = {
                f"{SESSION.role_name(r)} ({r})": r for r in SESSION.roles() if r not in (US, RUSSIA)
            }
            options = {AGENT: None, "no probe": "", **names}
            current = next(t for t, v in options.items() if v == value)
            solara.Select(
                label, value=current, values=list(options), on_value=partial(pick, options)
            )


@solara.component
def SubmitBox(token: str, role: str, year: int, latest: Any) -> None:
    """The Submit button and what became of it: its own component, so a Submit re-renders
    this box only, not the form's controls (``latest`` is the form's ref to its values)."""
    state, set_state = solara.use_state((year, False, ""))  # (year, sent, error)
    sent, error = (state[1], state[2]) if state[0] == year else (False, "")

    def submit() -> None:
        try:
            SESSION.decide(token, **latest.current)
            set_state((year, True, ""))
        except SeminarError as exc:
            set_state((year, sent, str(exc)))

    solara.Button("Submit my decisions", on_click=submit, classes=["submit"], color="primary")
    # one alert whose type changes (solara.Success and solara.Warning are two components: the
    # swap at every Advance closed one widget and opened another on every page)
    done = sent and role in SESSION.decided()
    rv.Alert(
        type="success" if done else "warning",
        children=[
            f"Your decision for {year + 1} is in (you may still change it)."
            if done
            else "Not submitted yet: if the year advances, your agent decides."
        ],
    )
    if error:
        solara.Error(error)


@solara.component
def SeatView(token: str, snap: Snapshot, seat_version: int) -> None:
    # the briefing is open when the page first shows in the first year, then as the student
    # leaves it (a panel closing on thirty pages at the first Advance held up their new
    # charts); a hook, so before any early return
    first = solara.use_memo(lambda: snap.year == snap.start_year, dependencies=[])
    seat = SESSION.seat(token)
    if seat is None:
        solara.Warning(
            "This seat was released by the instructor. Join again from the join page "
            "(the link without ?seat=)."
        )
        return
    role = seat.role
    who = f"{html.escape(seat.name)}: you are {html.escape(SESSION.role_name(role))}"
    solara.HTML(tag="h3", unsafe_innerHTML=who)
    Countdown(snap)
    if snap.debrief_shown:
        DebriefView(snap, role)
    if role == RUSSIA:
        solara.HTML(tag="div", unsafe_innerHTML=snap.russia_own)
    if snap.done:
        solara.Info("The run is over: see the debrief.")
    elif role in SESSION.locked:
        solara.Info("The instructor has given your role to its agent for now.")
    else:
        SeatForm(token, role, snap)
    MessagesPanel(token, role)
    with solara.Details("Your briefing", expand=first):
        solara.HTML(tag="div", unsafe_innerHTML=snap.briefings.get(role, ""))


def _message_versions(viewer: str) -> tuple[int, int]:
    """What a messages panel watches: the messages its viewer reads, and who holds a seat (the
    seats it may write to)."""
    read = (
        SESSION.messages_version if viewer == INSTRUCTOR else SESSION.inbox_versions.get(viewer, 0)
    )
    return read, SESSION.seats_version


@solara.component
def MessagesPanel(token: str, viewer: str) -> None:
    """A seat's messages (``viewer``: its role) or all the class's (the instructor): the inbox
    by year, newest at the bottom, and a box to write one. Its own watcher, on the session's
    ``messages_changed``: a message re-renders the panels of the seats that read it (and the
    instructor's), nothing else on any page; who holds a seat is looked at when it wakes."""
    versions, set_versions = solara.use_state(_message_versions(viewer))

    def watch(cancel: threading.Event) -> None:
        seen = versions
        while not cancel.is_set():
            with SESSION.messages_changed:  # checked and waited for under one lock
                if _message_versions(viewer) == seen:
                    SESSION.messages_changed.wait(WAIT_SECONDS)
            now = _message_versions(viewer)
            if now != seen:
                set_versions(now)  # renders this panel, outside the lock
            seen = now

    solara.use_thread(watch, dependencies=[viewer], intrusive_cancel=False)
    roles = SESSION.roles()
    names = solara.use_memo(lambda: {r: SESSION.role_name(r) for r in roles}, dependencies=[])
    inbox = solara.use_memo(
        lambda: messages_html(SESSION.messages_for(viewer), names, viewer),
        dependencies=[viewer, versions[0]],
    )
    # the seats a student may write to are those held by students (an agent reads nothing);
    # the groups always
    held = set(SESSION.taken())
    options = {
        address_label(a, names): a for a in addresses(viewer, roles) if a not in roles or a in held
    }
    to, set_to = solara.use_state("")
    text, set_text = solara.use_state("")
    error, set_error = solara.use_state("")
    shown_to = to if to in options else next(iter(options), "")
    # the newest values, whatever render bound the Send button's handler
    latest = solara.use_ref(cast(dict[str, str], {}))
    latest.current = {"to": shown_to, "text": text}

    def put(key: str, value: str | None) -> None:
        latest.current = {**latest.current, key: value or ""}
        (set_to if key == "to" else set_text)(value or "")

    def send() -> None:
        now = latest.current
        # any address by its label: the session checks who may write to whom
        every = {address_label(a, names): a for a in (*GROUPS, *roles)}
        try:
            SESSION.send_message(token, every.get(now["to"], ""), now["text"])
        except SeminarError as exc:
            set_error(str(exc))
            return
        latest.current = {**now, "text": ""}
        set_text("")
        set_error("")

    with solara.Div(classes=["messages-panel"]):
        title = "Messages: all the class's" if viewer == INSTRUCTOR else "Messages"
        solara.HTML(tag="h4", unsafe_innerHTML=title)
        solara.HTML(tag="div", unsafe_innerHTML=f"<div>{inbox}</div>", classes=["messages-box"])
        if viewer == RUSSIA:
            solara.Text("Russia writes public statements: every seat reads them.")
        solara.Select(
            "To",
            value=shown_to,
            values=list(options),
            on_value=partial(put, "to"),
            classes=["msg-to"],
        )
        solara.InputText(
            f"Message (at most {TEXT_LIMIT} characters)",
            value=text,
            on_value=partial(put, "text"),
            classes=["msg-text-input"],
        )
        solara.Button("Send", on_click=send, classes=["msg-send"], small=True)
        if error:
            solara.Error(error)


@solara.component
def DebriefView(snap: Snapshot, role: str | None = None) -> None:
    d = SESSION.debrief()
    from .briefing import outcomes_table  # noqa: PLC0415

    solara.HTML(tag="h4", unsafe_innerHTML=f"Debrief ({d['year']})")
    solara.HTML(
        tag="p",
        unsafe_innerHTML="<b>Verdict if the run ended now</b>: the class: "
        f"{d['class_verdict'].replace('_', ' ')}; the agents alone: "
        f"{d['agents_verdict'].replace('_', ' ')}",
    )
    solara.HTML(tag="div", unsafe_innerHTML=outcomes_table(d), classes=["debrief-outcomes"])
    words = d["words"]
    chosen = [role] if role is not None and role in words else sorted(words)
    text = "".join(
        f"<p><b>{html.escape(SESSION.role_name(r))}</b>: {words[r]['text']}</p>" for r in chosen
    )
    solara.HTML(tag="div", unsafe_innerHTML=text, classes=["debrief-words"])
    if role is None and len(d["seats"]):
        with solara.Details("The seats year by year"):
            solara.HTML(
                tag="div", unsafe_innerHTML=d["seats"].to_html(index=False, classes="debrief-table")
            )


@solara.component
def Roster(snap: Snapshot) -> None:
    """Who holds which seat and who has decided: one HTML block with its own watcher, so a
    student's Submit re-renders this block only (not the console, not the shared views)."""
    version, set_version = solara.use_state(SESSION.roster_version)

    def watch(cancel: threading.Event) -> None:
        seen = version
        while not cancel.is_set():
            with SESSION.changed:  # checked and waited for under one lock: nothing missed
                if SESSION.roster_version == seen:
                    SESSION.changed.wait(WAIT_SECONDS)
            now = SESSION.roster_version
            if now != seen:
                set_version(now)  # renders, outside the lock
            seen = now

    # intrusive_cancel=False: Solara would otherwise trace every line this thread runs (the
    # renders it triggers included) to cancel it anywhere; the loop checks ``cancel`` itself
    solara.use_thread(watch, dependencies=[], intrusive_cancel=False)
    roster = SESSION.roster()
    pending_events = len(SESSION.injected)
    n_dec = sum(r["decided"] for r in roster)
    n_held = sum(bool(r["player"]) for r in roster)
    chips = "".join(
        f"<span class='seat{' decided' if r['decided'] else ''}"
        f"{' locked' if r['locked'] else ''}' title='{html.escape(r['name'])}'>"
        f"{html.escape(r['role'])} {html.escape(r['player'] or '(agent)')}"
        f"{' ✓' if r['decided'] else ''}</span>"
        for r in roster
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<div class='roster-count'>{n_dec} of {n_held} seats decided for {snap.year + 1}"
            f"{f'; {pending_events} event(s) injected' if pending_events else ''}</div>"
            f"<div class='roster'>{chips or 'nobody yet'}</div>"
        ),
    )


@solara.component
def InstructorView(snap: Snapshot, seats_version: int) -> None:
    kind, set_kind = solara.use_state(INJECTABLE[0])
    target, set_target = solara.use_state("EST")
    seat_role, set_seat_role = solara.use_state("")
    move_to, set_move_to = solara.use_state("")
    # the newest choices, whatever render bound a button's handler: a Release pressed right
    # after a seat was picked may arrive through a handler bound before the pick was drawn
    chosen = solara.use_ref(cast(dict[str, str], {}))
    chosen.current = {"seat": seat_role, "to": move_to, **chosen.current}

    def choose(what: str, value: str) -> None:
        chosen.current = {**chosen.current, what: value}
        (set_seat_role if what == "seat" else set_move_to)(value)

    def seat_now() -> str:
        return chosen.current.get("seat", "")

    message, set_message = solara.use_state("")

    def guarded(action):
        def run() -> None:
            set_message("")
            try:
                action()
            except (SeminarError, OSError) as exc:
                set_message(str(exc))
            except Exception as exc:  # a message on the page, never a traceback
                log.exception("instructor action failed")
                set_message(f"That did not work ({type(exc).__name__}); see the server's log.")

        return run

    def do_export() -> None:
        folder = SESSION.export(CONFIG.export_root)
        set_message(f"Exported to {folder.relative_to(CONFIG.export_root)} (in the export folder)")

    solara.HTML(
        tag="h3",
        unsafe_innerHTML=f"Instructor: {html.escape(SESSION.scenario.name)}, year {snap.year}",
    )
    solara.Text(f"Join code: {SESSION.code}", classes=["join-code-shown"])
    Countdown(snap)
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button(
            f"Advance to {snap.year + 1}",
            on_click=guarded(SESSION.advance),
            classes=["advance"],
            color="primary",
            disabled=snap.done,
        )
        solara.Button(
            "Resume clock" if snap.paused else "Pause",
            on_click=guarded(lambda: SESSION.set_paused(not snap.paused)),
            classes=["pause"],
        )
        solara.Button(
            "Reveal" if snap.fog else "Hide",
            on_click=guarded(lambda: SESSION.set_fog(not snap.fog)),
            classes=["fog"],
        )
        solara.Button(
            "Debrief: hide" if snap.debrief_shown else "Debrief",
            on_click=guarded(lambda: SESSION.show_debrief(not snap.debrief_shown)),
            classes=["debrief"],
        )
        if CONFIG.allow_export:
            solara.Button("Export", on_click=guarded(do_export), classes=["export"])
    solara.Checkbox(
        label="advance by itself when the countdown ends",
        value=snap.auto,
        on_value=SESSION.set_auto,
    )
    Roster(snap)
    roles = SESSION.roles()
    with solara.Details("Seats: release, move, lock"):
        # buttons, not a select list: a long list renders lazily and needs scrolling to reach
        # the allies late in the alphabet; held seats first, with their student's name
        held = SESSION.taken()
        solara.Text("Seat (tap one):")
        with solara.Div(classes=["join-roles", "seat-picks"]):
            for r in sorted(roles, key=lambda r: (r not in held, r not in SESSION.locked)):
                solara.Button(
                    f"{r} {held[r]}" if r in held else r,
                    on_click=partial(choose, "seat", r),
                    classes=["seat-pick", f"seat-pick-{r}"],
                    color="primary" if r == seat_role else None,
                    outlined=r != seat_role,
                    x_small=True,
                )
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button(
                "Release",
                classes=["release"],
                on_click=guarded(lambda: SESSION.release(seat_now())),
            )
            solara.Button(
                "Lock for its agent" if seat_role not in SESSION.locked else "Unlock",
                classes=["lock"],
                on_click=guarded(
                    lambda: SESSION.set_locked(seat_now(), seat_now() not in SESSION.locked)
                ),
            )
        free = [r for r in roles if r not in SESSION.taken()]
        solara.Select(
            "Move its student to", value=move_to, values=free, on_value=partial(choose, "to")
        )
        solara.Button(
            "Move",
            classes=["move"],
            on_click=guarded(lambda: SESSION.reassign(seat_now(), chosen.current.get("to", ""))),
        )
    with solara.Details("Inject an event for next year"):
        solara.Select("Event", value=kind, values=list(INJECTABLE), on_value=set_kind)
        solara.Select(
            "Target",
            value=target,
            values=[r for r in roles if r not in (US, RUSSIA)],
            on_value=set_target,
        )
        solara.Button(
            "Inject for next year",
            classes=["inject"],
            on_click=guarded(
                lambda: SESSION.inject(
                    kind,
                    target if kind in ("russia_probe", "greyzone_surge") else "",
                    3.5 if kind == "summit" else (0.1 if kind == "us_drawdown" else 1.0),
                )
            ),
        )
    with solara.Details("Messages between seats (all of them)"):
        MessagesPanel(SESSION.instructor_token, INSTRUCTOR)
    if message:
        solara.Info(message)
    if snap.debrief_shown:
        DebriefView(snap, None)


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

    def watch(cancel: threading.Event) -> None:
        # each number is read once per look: read twice, a change between the reads is lost
        # (starting from what the page first drew, so a change before this thread runs counts)
        snap0, seats0, seat0 = snap, seats, seat_v

        def same() -> bool:
            return (
                SESSION.snapshot is snap0
                and (not instructor or SESSION.seats_version == seats0)
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
            if instructor:
                version = SESSION.seats_version
                if version != seats0:
                    set_seats(version)
                seats0 = version
            if token:
                sv = SESSION.seat_versions.get(token, 0)
                if sv != seat0:
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
                SeatView(token or "", snap, seat_v)
            else:
                JoinView(q.get("code", ""), snap)
                Countdown(snap)
        with solara.Div(classes=["sem-shared"]):
            SharedViews(snap, insider)

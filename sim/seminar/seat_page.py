"""A student's seat: its decision form (one row per decision), the Submit box, the messages
panel and the briefing."""

from __future__ import annotations

import html
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any, cast

import reacton.ipyvuetify as rv
import solara

from ..scenario import CATEGORIES
from .countdown import Countdown
from .debrief_view import DebriefView
from .live import SESSION, use_handler
from .messages_panel import MessagesPanel
from .session import DECISION_FIELDS, RUSSIA, US, SeminarError, Snapshot

AGENT = "my agent decides"
JUST_ADVANCED = 3.0  # s: a Submit this soon after an Advance is asked again, once


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
def SeatForm(
    token: str,
    role: str,
    snap: Snapshot,
    submission: tuple[int, str] | None = None,
    page: str = "",
) -> None:
    """This year's form: every control starts on 'my agent decides', sliders at this year's
    agent value; an untouched Submit leaves every decision to the agent. ``submission``
    (:meth:`ClassSession.submission`) is the Submit that made the seat's pending decision: one
    made on another page (the same seat open on a phone and a laptop) is shown here, the form
    set to it and its Submit box saying it is in (a browser check: the other device still said
    "Not submitted yet" and showed the old choices, which its Submit would have put back)."""
    kind = role if role in (US, RUSSIA) else "ally"
    defaults = snap.defaults.get(role, {})
    # the page this form is on (its Submits are recorded as from it), else one of its own
    own = solara.use_memo(lambda: secrets.token_hex(6), dependencies=[])
    me = page or own
    fresh = cast(dict[str, Any], {k: None for k, _ in DECISION_FIELDS[kind]})
    # a page opened again this year (a reload, a restart with --resume) shows what the seat
    # submitted: an empty form's Submit replaced it with the agent's (a browser check)
    submitted = SESSION.submitted(role) or {}
    fresh.update({k: v for k, v in submitted.items() if k in fresh and _shown(k, v)})
    # the form belongs to one year and one role: a new year (or a move to another role) starts
    # again from 'my agent decides' with the same controls (kept, not rebuilt: thirty pages
    # rebuilding ~25 controls each at every Advance); a submission made on another page
    # replaces what this one shows (this page's own Submit changes nothing here). Kept in a ref
    # (year, role, the submission last seen, the values shown), read by ``put`` when called
    # (``put`` is made once, so a row whose value and default did not change is not rendered
    # again); the state only draws the form again at a change.
    form = solara.use_ref(cast(tuple | None, None))
    # a count, not the values: values equal to an earlier year's (the same choice made again,
    # not submitted) did not draw the form, so its controls' last drawn values stayed last
    # year's "my agent decides", and the next year's reset drew nothing: the control went on
    # showing the choice, the agent deciding, and choosing it again changed nothing
    _, redraw = solara.use_state(0)
    held = form.current
    elsewhere = (
        held is not None
        and submission is not None
        and submission != held[2]
        and submission[1] != me
    )
    mine = held is not None and held[:2] == (snap.year, role) and not elsewhere
    values = cast(tuple, held)[3] if mine else fresh
    form.current = (snap.year, role, submission, values)
    latest = solara.use_ref(values)  # what Submit sends
    latest.current = values

    def make_put() -> Callable[[str, Any], None]:
        def put(key: str, value: Any) -> None:
            year, role_, seen, values_now = cast(tuple, form.current)
            values_now = {**values_now, key: value}
            form.current = (year, role_, seen, values_now)
            latest.current = values_now
            redraw(lambda n: n + 1)

        return put

    put = solara.use_memo(make_put, dependencies=[])
    solara.Text(f"Your decisions for {snap.year + 1}:")
    for key, label in DECISION_FIELDS[kind]:
        DecisionRow(key, label, values[key], defaults.get(key) if key in SLIDERS else None, put)
    SubmitBox(token, role, snap.year, latest, submission, me)


def _shown(key: str, value: Any) -> bool:
    """Whether the form's control for ``key`` can show ``value`` (a submitted decision made
    through the session's API may hold a share the form's menus do not list)."""
    table = {"help": HELP, "us_share": US_SHARES}.get(key)
    return table is None or value in table.values()


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
        elif key in ("respond", "command"):
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
def SubmitBox(
    token: str, role: str, year: int, latest: Any, submission: Any = None, by: str = ""
) -> None:
    """The Submit button and what became of it: its own component, so a Submit re-renders
    this box only, not the form's controls (``latest`` is the form's ref to its values;
    ``submission``: the seat's decision in, from this page or another, which draws the box
    again when it changes; ``by``: this page's form, which its Submits are recorded as from)."""
    # (year, warned, error, submits): the count draws the box again at each Submit taken
    state, set_state = solara.use_state((year, False, "", 0))
    warned, error = (state[1], state[2]) if state[0] == year else (False, "")

    def submit() -> None:
        now = SESSION.year  # the class's year, which this page may not have drawn yet
        if not warned and SESSION.seconds_since_advance() < JUST_ADVANCED:
            # the page may still have shown last year's form when Submit was pressed, and a
            # change made on it lands in the new year's (a browser check, then a review): any
            # Submit this soon is asked again once
            ask = (
                f"The year had just advanced: your agent decided {now}. Check your decisions "
                f"for {now + 1}, then press Submit again."
            )
            set_state((now, True, ask, state[3]))  # kept for the year the page will draw
            return
        try:
            SESSION.decide(token, for_year=year, by=by, **latest.current)
            set_state((year, warned, "", state[3] + 1))
        except SeminarError as exc:
            set_state((SESSION.year, warned, str(exc), state[3]))

    solara.Button(
        "Submit my decisions", on_click=use_handler(submit), classes=["submit"], color="primary"
    )
    # one alert whose type changes (solara.Success and solara.Warning are two components: the
    # swap at every Advance closed one widget and opened another on every page)
    done = role in SESSION.decided()  # also on a page opened again (a reload, --resume)
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
def SeatView(token: str, snap: Snapshot, seat_version: int, page: str = "") -> None:
    """A seat's page: ``seat_version`` draws it again when the seat changes (a Submit made on
    another page, a lock, a move); ``page``: this page's id, which its Submits are recorded as
    from (the page's watcher leaves its own Submit undrawn)."""
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
        # the seat's decision in, and from which page (a Submit re-renders the seat's other
        # pages through its seat version)
        SeatForm(token, role, snap, SESSION.submission(role), page).key("seat-form")
    # keyed: a debrief shown or hidden above them moves them down or up the page, and an element
    # that moves is made anew (a half-written message and the form's choices were lost)
    MessagesPanel(token, role).key("messages")
    with solara.Details("Your briefing", expand=first):
        solara.HTML(tag="div", unsafe_innerHTML=snap.briefings.get(role, ""))

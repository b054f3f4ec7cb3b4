"""The seminar web app (Solara): one shared run for a class.

Three kinds of page, chosen by the address: ``?instructor=TOKEN`` (the console), ``?seat=TOKEN``
(a student's seat: its decision form; the token in the address means a reload keeps the seat),
and anything else (the join page: code, name, role). Every page shows the shared views: the
year, the charts and the map (SVG drawn by the browser, made once per year for everyone), the
event log in words and the decisions of the years already played.

Pages learn of a change (a decision, a new year) by watching the session's version number
(ten times a second, in a thread per page that Solara cancels when the page closes), and only
then re-render.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import urllib.parse
from typing import Any, cast

import solara

from ..decisions import ANSWERS
from ..scenario import CATEGORIES, load_scenario
from ..ui.config import app_config
from .session import DECISION_FIELDS, INJECTABLE, RUSSIA, US, ClassSession, SeminarError
from .views import alliance_map, charts

log = logging.getLogger("natosim.seminar")
CONFIG = app_config()


def _session_from_environment() -> ClassSession:
    scenario = load_scenario(os.environ.get("NATOSIM_SEMINAR_SCENARIO", "baseline"))
    return ClassSession(
        scenario,
        seed=int(os.environ.get("NATOSIM_SEMINAR_SEED", "7")),
        code=os.environ.get("NATOSIM_SEMINAR_CODE") or None,
        instructor_token=os.environ.get("NATOSIM_SEMINAR_INSTRUCTOR") or None,
        seconds_per_year=int(os.environ.get("NATOSIM_SEMINAR_SECONDS", "180")),
    )


SESSION = _session_from_environment()
WATCH_SECONDS = 0.1  # how often a page checks for a change (an integer compare)
_CACHE: dict[str, Any] = {"year": None}
_CACHE_LOCK = threading.Lock()


def shared_drawings() -> tuple[list[str], str]:
    """The charts and the map of the year reached, drawn once for every viewer."""
    with _CACHE_LOCK:
        if _CACHE["year"] != SESSION.year:
            m = SESSION.model
            _CACHE["charts"] = charts(SESSION.history_frame(), m.start_year, m.end_year)
            _CACHE["map"] = alliance_map(
                SESSION.allies_frame(), dict(SESSION.scenario.params["network"]), SESSION.year
            )
            _CACHE["year"] = SESSION.year
        return _CACHE["charts"], _CACHE["map"]


def _query(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in urllib.parse.parse_qs(search or "").items() if v}


@solara.component
def Countdown() -> None:
    now, set_now = solara.use_state(0)

    def tick(cancel: threading.Event) -> None:
        n = 0
        while not cancel.wait(1.0):
            n += 1
            set_now(n)

    solara.use_thread(tick, dependencies=[])
    _ = now
    left = SESSION.seconds_left()
    text = "paused" if left < 0 else f"{left // 60}:{left % 60:02d} left for decisions"
    solara.Text(text, classes=["countdown"], style={"font-size": "1.1em"})


@solara.component
def JoinView(code0: str) -> None:
    router = solara.use_router()
    code, set_code = solara.use_state(code0)
    name, set_name = solara.use_state("")
    free = [r for r in SESSION.roles() if r not in SESSION.taken()]
    role, set_role = solara.use_state(free[0] if free else "")
    error, set_error = solara.use_state("")

    def join() -> None:
        try:
            token = SESSION.join(code, name, role)
        except SeminarError as exc:
            set_error(str(exc))
            return
        router.push(f"?seat={token}")

    solara.HTML(
        tag="h3", unsafe_innerHTML=f"Join the seminar: {html.escape(SESSION.scenario.name)}"
    )
    with solara.Div(classes=["join-code"]):
        solara.InputText("Join code", value=code, on_value=set_code)
    with solara.Div(classes=["join-name"]):
        solara.InputText("Your name", value=name, on_value=set_name)
    labels = {r: f"{r}: {SESSION.role_name(r)}" for r in free}
    with solara.Div(classes=["join-role"]):
        solara.Select(
            "Role",
            value=labels.get(role, ""),
            values=list(labels.values()),
            on_value=lambda label: set_role(label.split(":")[0]),
        )
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


def _default(role: str, key: str) -> Any:
    m = SESSION.model
    if key == "budget":
        return round(float(m.ally_state.core_pct[m.ally_index[role]]), 2)
    if key == "answer":
        return "comply"
    if key == "threat":
        return round(float(m.united_states.threat_level), 2)
    if key == "demand":
        return round(float(m.now["us_demand_pct"]), 2)
    if key in ("drawdown", "reassurance"):
        return 0.0
    if key == "greyzone":
        return 1.0
    if key in ("help", "respond", "priority", "us_share"):
        return None  # the agent decides unless the player says otherwise
    return ""


@solara.component
def SeatView(token: str, version: int) -> None:
    seat = SESSION.seat(token)
    assert seat is not None
    role = seat.role
    kind = role if role in (US, RUSSIA) else "ally"
    values, set_values = solara.use_state({k: _default(role, k) for k, _ in DECISION_FIELDS[kind]})
    error, set_error = solara.use_state("")

    def submit() -> None:
        try:
            SESSION.decide(token, **values)
            set_error("")
        except SeminarError as exc:
            set_error(str(exc))

    def setter(key: str):
        return lambda v: set_values({**values, key: v})

    def help_setter(text: str) -> None:
        set_values({**values, "help": HELP[text]})

    def share_setter(text: str) -> None:
        set_values({**values, "us_share": US_SHARES[text]})

    def yes_no_setter(key: str):
        back = {text: value for value, text in YES_NO.items()}
        return lambda text: set_values({**values, key: back[text]})

    who = f"{html.escape(seat.name)}: you are {html.escape(SESSION.role_name(role))}"
    solara.HTML(tag="h3", unsafe_innerHTML=who)
    if SESSION.done:
        solara.Info("The run is over: see the debrief on the projector.")
        return
    solara.Text(f"Your decisions for {SESSION.year + 1}:")
    for key, label in DECISION_FIELDS[kind]:
        with solara.Div(classes=[f"decide-{key}"]):
            if key == "help":
                shown = next(t for t, v in HELP.items() if v == values[key])
                solara.Select(label, value=shown, values=list(HELP), on_value=help_setter)
            elif key == "respond":
                solara.Select(
                    label,
                    value=YES_NO[values[key]],
                    values=list(YES_NO.values()),
                    on_value=yes_no_setter(key),
                )
            elif key == "priority":
                options = [AGENT, *CATEGORIES]
                solara.Select(
                    label,
                    value=values[key] or AGENT,
                    values=options,
                    on_value=lambda v: set_values(
                        {**values, "priority": None if v == AGENT else v}
                    ),
                )
            elif key == "us_share":
                shown = next(t for t, v in US_SHARES.items() if v == values[key])
                solara.Select(label, value=shown, values=list(US_SHARES), on_value=share_setter)
            elif key == "answer":
                solara.ToggleButtonsSingle(values[key], list(ANSWERS), on_value=setter(key))
            elif key == "probe":
                options = ["no probe", *[r for r in SESSION.roles() if r not in (US, RUSSIA)]]
                solara.Select(
                    label,
                    value=values[key] or "no probe",
                    values=options,
                    on_value=lambda v: set_values(
                        {**values, "probe": "" if v == "no probe" else v}
                    ),
                )
            else:
                lo, hi = {
                    "budget": (0.0, 10.0),
                    "demand": (0.0, 10.0),
                    "drawdown": (0.0, 0.5),
                    "greyzone": (0.0, 3.0),
                }.get(key, (0.0, 1.0))
                solara.SliderFloat(
                    f"{label}: {values[key]:.2f}",
                    value=float(values[key]),
                    min=lo,
                    max=hi,
                    step=(hi - lo) / 100,
                    on_value=setter(key),
                    thumb_label=True,
                )
    solara.Button("Submit my decision", on_click=submit, classes=["submit"], color="primary")
    if role in SESSION.decided():
        solara.Success(f"Your decision for {SESSION.year + 1} is in (you may still change it).")
    else:
        solara.Warning("Not decided yet: if the year advances, your agent's rule decides.")
    if error:
        solara.Error(error)


@solara.component
def InstructorView(version: int) -> None:
    kind, set_kind = solara.use_state(INJECTABLE[0])
    target, set_target = solara.use_state("EST")
    message, set_message = solara.use_state("")
    debrief, set_debrief = solara.use_state(cast(dict[str, Any] | None, None))

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
        unsafe_innerHTML=f"Instructor: {html.escape(SESSION.scenario.name)}, year {SESSION.year}",
    )
    solara.Text(f"Join code: {SESSION.code}", classes=["join-code-shown"])
    Countdown()
    taken = SESSION.taken()
    decided = SESSION.decided()
    rows = "".join(
        f"<tr><td>{html.escape(r)}</td><td>{html.escape(p)}</td>"
        f"<td>{'decided' if r in decided else 'waiting'}</td></tr>"
        for r, p in sorted(taken.items())
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<table class='roster'><tr><th>role</th><th>player</th><th>{SESSION.year + 1}"
            f"</th></tr>{rows or '<tr><td colspan=3>nobody yet</td></tr>'}</table>"
        ),
    )
    with solara.Row():
        solara.Button(
            f"Advance to {SESSION.year + 1}",
            on_click=guarded(SESSION.advance),
            classes=["advance"],
            color="primary",
            disabled=SESSION.done,
        )
        solara.Button(
            "Resume" if SESSION.paused else "Pause",
            on_click=guarded(lambda: SESSION.set_paused(not SESSION.paused)),
            classes=["pause"],
        )
        solara.Button(
            "Reveal" if SESSION.fog else "Hide",
            on_click=guarded(lambda: SESSION.set_fog(not SESSION.fog)),
            classes=["fog"],
        )
    with solara.Row():
        solara.Select("Inject", value=kind, values=list(INJECTABLE), on_value=set_kind)
        solara.Select(
            "Target",
            value=target,
            values=[r for r in SESSION.roles() if r not in (US, RUSSIA)],
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
    with solara.Row():
        solara.Button(
            "Debrief", on_click=lambda: set_debrief(SESSION.debrief()), classes=["debrief"]
        )
        if CONFIG.allow_export:
            solara.Button("Export the class's run", on_click=guarded(do_export), classes=["export"])
    if message:
        solara.Info(message)
    if debrief is not None:
        solara.HTML(
            tag="p",
            unsafe_innerHTML="<b>Verdict if the run ended now</b>: the class: "
            f"{debrief['class_verdict'].replace('_', ' ')}; the agents alone: "
            f"{debrief['agents_verdict'].replace('_', ' ')}",
        )
        seats = debrief["seats"]
        if len(seats):
            solara.HTML(
                tag="div", unsafe_innerHTML=seats.to_html(index=False, classes="debrief-table")
            )


@solara.component
def SharedViews(version: int) -> None:
    """The year, the charts, the map, the log and the revealed decisions: a few HTML blocks
    (each a single widget), so that a new year costs each page little to re-render."""
    svgs, amap = shared_drawings()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(), classes=["status"])
    with solara.GridFixed(columns=2):
        for svg in svgs:
            solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["chart"])
    solara.HTML(tag="div", unsafe_innerHTML=amap, classes=["map"])
    lines = "".join(f"<div>{html.escape(e)}</div>" for e in reversed(SESSION.events(15)))
    solara.HTML(tag="div", unsafe_innerHTML=f"<h4>Event log</h4>{lines}", classes=["event-log"])
    revealed = SESSION.revealed()
    if len(revealed):
        table = revealed.tail(40).to_html(index=False, classes="decisions")
        solara.HTML(tag="div", unsafe_innerHTML=f"<h4>Decisions so far</h4>{table}")


def status_html() -> str:
    rows = SESSION.model.recorder.model_rows
    if SESSION.fog:
        hidden = "Russia's forces and US resolve: hidden"
    else:
        hidden = (
            f"Russia's free forces {rows['russia_free_bde'][-1]:.1f} bde-e; Russia's read of "
            f"US resolve {rows['russia_resolve_estimate'][-1]:.2f}"
        )
    return (
        f"<span class='year' style='font-size:1.6em;font-weight:bold'>Year {SESSION.year}"
        f"</span> &nbsp; European core spending {rows['eu_core_pct'][-1]:.2f}% of GDP; "
        f"trust {rows['mean_trust'][-1]:.2f}; <span class='fog-state'>{hidden}</span>"
    )


@solara.component
def Page() -> None:
    solara.Title("natosim seminar")
    router = solara.use_router()
    version, set_version = solara.use_state(SESSION.version)

    def watch(cancel: threading.Event) -> None:
        seen = SESSION.version
        while not cancel.wait(WATCH_SECONDS):
            if SESSION.version != seen:
                seen = SESSION.version
                set_version(seen)

    solara.use_thread(watch, dependencies=[])
    # the version is passed down: a component re-renders when its arguments change
    q = _query(router.search)
    with solara.Columns([1, 2]):
        with solara.Column():
            if SESSION.is_instructor(q.get("instructor")):
                InstructorView(version)
            elif SESSION.seat(q.get("seat")) is not None:
                SeatView(q["seat"], version)
            else:
                JoinView(q.get("code", ""))
        with solara.Column():
            SharedViews(version)

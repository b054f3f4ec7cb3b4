"""The seminar web app (Solara): pick a scenario, set the levers, step or play, watch the
alliance move, export the run.

Solara components directly rather than Mesa's SolaraViz: SolaraViz builds its controls from the
model constructor's keyword arguments and rebuilds the model from them, while this model is built
from a validated scenario (a file plus overrides); the controls here come from the scenario
schema (names, bounds, defaults and help in one place) and are grouped by actor.
"""

from __future__ import annotations

import hmac
import html
import itertools
import logging
import secrets
import threading
import time
import urllib.parse
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import reacton.ipywidgets as rw
import solara

from ..analysis.claims import CLAIMS, sentence
from ..report.figures_run import network_map
from ..scenario import Param
from .config import app_config
from .figures import charts_png, laid_out, map_png, shared_png
from .session import Session, View, lever_params, shipped_scenarios

log = logging.getLogger("natosim.ui")
CONFIG = app_config()

SCENARIOS = shipped_scenarios()
DEFAULT = "baseline" if "baseline" in SCENARIOS else next(iter(SCENARIOS))
scenario_name = solara.reactive(DEFAULT)
seed = solara.reactive(7)
overrides: solara.Reactive[dict[str, Any]] = solara.reactive({})
colour_by = solara.reactive("core_pct")
session: solara.Reactive[Session | None] = solara.reactive(None)
tick = solara.reactive(0)
playing = solara.reactive(False)
seconds_per_year = solara.reactive(0.8)  # play speed
lever_note = solara.reactive("")
exported = solara.reactive("")
export_label = solara.reactive("")


run_id = solara.reactive("")
# Runs by the id in their page's address (?run=...), so a reload finds its run and settings
# again. What is kept is the run's recipe (Session.recipe: settings, seed, levers moved, year),
# never the live session: a copied address gives a copy of the run, not a second page stepping
# the same model, and a closed tab leaves a few hundred bytes, not a model. Bounded: the oldest
# beyond RUNS_KEPT is dropped.
RUNS: OrderedDict[str, dict[str, Any]] = OrderedDict()
RUNS_KEPT = 500
_RUNS_LOCK = threading.Lock()
# every re-render asks for a new value (a counter shared by all pages, whose next() is atomic):
# `tick.value += 1` from a page's Play thread and its click at once could both write the same
# value, the second write then changing nothing and the page showing a year behind
_TICKS = itertools.count(1)


# Play (issue 28, "Play is not debounced"). A Play or Pause takes a new turn of the session's
# player, under the player's lock; a play loop steps a year only under that lock, and only while
# the turn it was started for is the latest. So at most one loop steps a session at any time,
# and once a Pause has returned no loop starts another year (one being stepped finishes first:
# the click waits for it, a few milliseconds). Before, a loop was stopped by Solara's cancel,
# set only after the Pause's render: in between it could start a year with the page paused, and
# a loop of a page drawn anew stepped beside its successor (Solara orders the threads of one
# component only)
@dataclass
class Player:
    """Who may step a session by Play: the turn of the latest Play or Pause, and the lock that
    Play's steps and the taking of a turn hold."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    turn: int = 0


_PLAYERS: dict[int, Player] = {}  # by id(session); dropped with the session
_PLAYERS_LOCK = threading.Lock()


def player(s: Session) -> Player:
    """The session's player (made at the first ask, forgotten when the session is)."""
    with _PLAYERS_LOCK:
        found = _PLAYERS.get(id(s))
        if found is None:
            found = _PLAYERS[id(s)] = Player()
            weakref.finalize(s, _PLAYERS.pop, id(s), None)
        return found


def set_playing(on: bool) -> None:
    """Play or Pause this page's run: a new turn first (stopping any loop of an earlier one, and
    waiting for a year it is stepping), then the page's state, whose render starts the loop of
    this turn (:func:`play_loop`)."""
    if session.value is not None:
        p = player(session.value)
        with p.lock:
            p.turn += 1
    playing.value = on


# Play keeps its pace by drawing fewer years, not by slowing down: a year's charts and map take
# about 0.6 s of the server's CPU (more with several pages playing), so at 0.2 s a year the loop
# that waited the whole period after each drawing played about one year a second alone and 0.5
# a year with others (a browser check). A year's wait now counts from when it was due, and a
# page behind its pace steps the years due (at most CATCH_UP) and draws once: the run is the
# same, year by year (the model steps every year); the charts grow a few years at a time.
CATCH_UP = 5


def years_due(late: float, period: float) -> int:
    """How many years a play loop steps when it wakes ``late`` seconds after its year was due
    (one, and one more for each further period missed, at most :data:`CATCH_UP`).

    >>> years_due(0.0, 0.2), years_due(0.55, 0.2), years_due(9.0, 0.2), years_due(0.7, 0.8)
    (1, 3, 5, 1)
    """
    return max(1, min(CATCH_UP, 1 + int(max(0.0, late) / max(period, 1e-3))))


def play_loop(s: Session, turn: int, stop: threading.Event) -> None:
    """Step ``s`` a year every ``seconds_per_year`` while ``turn`` is its player's latest and
    it is this page's run (a page whose drawing is slower than that steps the years due and
    draws once: :func:`years_due`); at the run's end, Pause. ``stop`` (the page closed, or drew
    the loop of another turn) ends it between years: never Solara's intrusive cancel, which
    raised inside whatever line ran and left a year half stepped (the recorder's columns of
    unequal lengths, a traceback on every later render)."""
    p = player(s)
    due = time.monotonic() + seconds_per_year.value
    while not s.done:
        if stop.wait(max(0.0, due - time.monotonic())):
            return
        with p.lock:
            if p.turn != turn or session.value is not s:
                return
            period, now = seconds_per_year.value, time.monotonic()
            years = years_due(now - due, period)
            s.step(years)
        # the next year due one period after this one's; a page further behind starts afresh
        due = max(due + years * period, now)
        # the year's charts and map drawn here, before the page's render, which then finds them
        # drawn: drawn in the render, they held the page's render for their ~0.6 s (several
        # seconds with other pages playing), and a lever moved meanwhile showed only after it
        if p.turn == turn:
            try:
                year_drawings(s, s.view(), colour_by.value)
            except Exception:  # the render draws it again and shows what went wrong there
                log.exception("drawing a played year failed; the page's render will retry")
        bump()
        remember()
    with p.lock:
        if p.turn != turn or stop.is_set():
            return
    playing.value = False


def bump() -> None:
    """Re-render this page's main panel (the run changed)."""
    tick.value = next(_TICKS)


def remember() -> None:
    """Keep this page's run under its id (most recent last)."""
    if not run_id.value or session.value is None:
        return
    kept = {
        "scenario": scenario_name.value,
        "seed": seed.value,
        "overrides": dict(overrides.value),
        "recipe": session.value.recipe(),
    }
    with _RUNS_LOCK:
        RUNS[run_id.value] = kept
        RUNS.move_to_end(run_id.value)
        while len(RUNS) > RUNS_KEPT:
            RUNS.popitem(last=False)


def restore(rid: str) -> bool:
    """Take up a copy of the run kept under ``rid`` (after a reload, or from a copied address)
    under a new id of this page's own; False if there is none."""
    with _RUNS_LOCK:
        kept = RUNS.get(rid)
    if kept is None:
        return False
    copy = Session.replay(kept["recipe"])
    scenario_name.value, seed.value = kept["scenario"], kept["seed"]
    overrides.value, session.value = dict(kept["overrides"]), copy
    run_id.value = secrets.token_urlsafe(8)
    remember()
    bump()
    return True


def new_session() -> None:
    """Build the model for the current scenario, settings and seed."""
    lever_note.value = ""  # "X from YEAR" was of the run this one replaces (a browser check)
    session.value = Session(SCENARIOS[scenario_name.value], dict(overrides.value), seed.value)
    bump()
    remember()


def set_seed(value: int) -> None:
    seed.value = max(0, value)
    new_session()


def set_lever(key: str, value: Any) -> None:
    """A lever moved: before the first step the run starts with it; during a run it takes effect
    from the next year (logged), never a silent restart."""
    try:  # validated like a scenario file (a page can send any value)
        SCENARIOS[scenario_name.value].with_params({**overrides.value, key: value})
        if session.value is not None:
            session.value.change(key, value)
    except ValueError as exc:
        lever_note.value = f"Not changed: {exc}"
        return
    overrides.value = {**overrides.value, key: value}
    if session.value is None:
        new_session()
        return
    s = session.value
    started = s.year > s.model.start_year
    if s.done:
        lever_note.value = f"{key} = {value}: the run has ended; Reset runs it with this setting"
    else:
        lever_note.value = f"{key} = {value} from {s.year + 1}" if started else ""
    if not playing.value:  # playing, the next year's render shows it: this one draws nothing
        bump()  # (a render of the main panel here drew the year Play had just stepped, and a
    remember()  # lever waited for that drawing: seconds with other pages playing)


def step(years: int) -> None:
    """Step this page's run ``years`` years. Not while it plays (the Step buttons are off then;
    a click that raced a Play is ignored): a Step beside Play added a year to the one Play was
    stepping. Under the session's player lock, so never at once with a year of a play loop."""
    if playing.value:
        return
    if session.value is None:
        new_session()
    s = session.value
    assert s is not None
    with player(s).lock:
        s.step(years)
    bump()
    remember()


# the budget rule's weights must leave room for threat and trust (a scenario's cross-field
# rule: pledge_weight + peer_weight below this); a slider ends where the rule does
WEIGHTS_BELOW = 0.95
PAIRED_WEIGHTS = {"allies.pledge_weight": "allies.peer_weight"}
PAIRED_WEIGHTS.update({v: k for k, v in PAIRED_WEIGHTS.items()})


def slider_max(p: Param, moved: dict[str, Any]) -> float:
    """A float lever's slider end: its bound, or for the budget rule's two weights what the
    other leaves below :data:`WEIGHTS_BELOW` (the slider went to 1.0 and the app refused the
    last third, found by a browser check)."""
    hi = float(p.high or 0.0)
    other = PAIRED_WEIGHTS.get(p.key)
    if other is None:
        return hi
    rest = float(moved.get(other, SCENARIOS[scenario_name.value].get(other)))
    step = (hi - float(p.low or 0.0)) / 100
    return max(float(p.low or 0.0), min(hi, WEIGHTS_BELOW - rest - step))


@solara.component
def Lever(p: Param) -> None:
    key = p.key
    value = overrides.value.get(key, SCENARIOS[scenario_name.value].get(key))
    shown = f"{value:.3g}" if isinstance(value, float) else str(value).lower()
    label = f"{p.name.replace('_', ' ')} ({p.unit}): {shown}"  # the value, not just a thumb
    css = [f"lever-{key.replace('.', '-')}"]
    with solara.Div(classes=css):
        if p.kind == "bool":
            solara.Checkbox(label=label, value=bool(value), on_value=lambda v: set_lever(key, v))
        elif p.kind == "choice":
            solara.Select(
                label=label,
                value=value,
                values=list(p.choices),
                on_value=lambda v: set_lever(key, v),
            )
        elif p.kind == "int":
            solara.SliderInt(
                label,
                value=int(value),
                min=int(p.low or 0),
                max=int(p.high or 0),
                on_value=lambda v: set_lever(key, v),
                thumb_label=True,
            )
        else:
            lo, hi = float(p.low or 0.0), slider_max(p, overrides.value)
            step = (float(p.high or 0.0) - lo) / 100
            # drawn on its step, and only a move of half a step or more is a change: a value
            # off the step (a calibrated 0.0930) was snapped by the browser and sent back as a
            # lever moved, so opening a group changed five settings (a browser check)
            on_step = min(hi, lo + round((float(value) - lo) / step) * step)

            def moved(v: float, on_step: float = on_step, step: float = step) -> None:
                if abs(float(v) - on_step) >= 0.5 * step:
                    set_lever(key, round(float(v), 6))

            solara.SliderFloat(
                label,
                value=on_step,
                min=lo,
                max=hi,
                step=step,
                on_value=moved,
                thumb_label=True,
            )
    solara.Text(p.description, style={"font-size": "0.75em", "color": "#666"})


@solara.component
def Controls() -> None:
    def pick(name: str) -> None:
        scenario_name.value = name
        overrides.value = {}
        new_session()

    with solara.Div(classes=["scenario-picker"]):
        solara.Select(
            label="Scenario", value=scenario_name.value, values=list(SCENARIOS), on_value=pick
        )
    sc = SCENARIOS[scenario_name.value]
    claims = "<br>".join(html.escape(sentence(c)) for c in sc.claims if c in CLAIMS)
    # scenario text is data (a user's file may hold HTML): escaped, never rendered as markup
    solara.HTML(  # not Markdown: it would ask a CDN for KaTeX on every page load
        tag="div",
        unsafe_innerHTML=(
            f"<b>Claims:</b> {html.escape(', '.join(sc.claims)) or '-'}<br>"
            f"{html.escape(sc.description)}<br><br>{claims}"
        ),
        style={"font-size": "0.85em"},
    )
    with solara.Div(classes=["seed"]):
        solara.InputInt("Seed", value=seed.value, on_value=set_seed)
    with solara.Row():
        # off while playing (Pause first): a Step beside Play added a year to Play's
        solara.Button("Step", on_click=lambda: step(1), classes=["step-1"], disabled=playing.value)
        solara.Button(
            "Step 5 years", on_click=lambda: step(5), classes=["step-5"], disabled=playing.value
        )
        solara.Button(
            "Pause" if playing.value else "Play",
            on_click=lambda: set_playing(not playing.value),
            classes=["play"],
        )
        solara.Button("Reset", on_click=reset, classes=["reset"])
    with solara.Div(classes=["speed"]):
        solara.Select(
            "Play speed (seconds per year)",
            value=seconds_per_year.value,
            values=[0.2, 0.5, 0.8, 1.5, 3.0],
            on_value=seconds_per_year.set,
        )
    if lever_note.value:
        solara.Text(lever_note.value, classes=["lever-note"])
    changed = ", ".join(f"{k.split('.')[-1]} = {v}" for k, v in sorted(overrides.value.items()))
    solara.Text(f"Settings changed: {changed or 'none'}", classes=["changed"])
    for group, params in lever_params().items():
        with solara.Details(group, expand=group == "United States"):
            for p in params:
                Lever(p)
    if CONFIG.allow_export:
        solara.InputText("Export name (letters, digits, - and _)", value=export_label)
        solara.Button("Export this run (20 replications)", on_click=export, classes=["export"])
    else:
        solara.Text("Export is off on a network address (natosim ui --allow-export).")
    if exported.value:
        solara.Text(exported.value, classes=["exported"])


def reset() -> None:
    set_playing(False)
    lever_note.value = ""  # the run it was about restarts (a browser check)
    session.value = session.value.reset() if session.value else None
    if session.value is None:
        new_session()
    bump()


def export() -> None:
    """Export under the export root chosen at start-up; a failure is a message on the page
    (never a traceback with the server's paths)."""
    if not CONFIG.allow_export:
        exported.value = "Export is off on this server."
        return
    if session.value is None:
        new_session()
    assert session.value is not None
    try:
        folder = session.value.export(CONFIG.export_root, label=export_label.value)
    except Exception as exc:
        log.warning("export failed: %s", exc)
        exported.value = f"Export failed ({type(exc).__name__}); ask whoever runs the server."
        return
    shown = folder.relative_to(CONFIG.export_root)
    if session.value.reused:  # the same settings: nothing new written
        exported.value = f"Exported: {shown} (in the export folder; already, with these settings)"
    else:
        exported.value = f"Exported: {shown} (in the export folder)"


def _network(view: View) -> str:
    return repr(sorted(view.configured.params["network"].items()))


def year_drawings(s: Session, view: View, colour: str) -> tuple[bytes, bytes]:
    """The charts and the map (coloured by ``colour``) of ``view``, a view of ``s``: shared
    between pages and kept (:func:`.figures.shared_png`), so a play loop that draws them before
    its page's render leaves the render nothing to draw."""
    charts = shared_png(("charts", view.key), lambda: charts_png(s, view))
    network = _network(view)
    fig = shared_png(
        ("map", view.key, colour, network),
        lambda: map_png(
            (view.key[:-1], colour, network),  # the run's map: its rest kept between years
            laid_out(
                network_map(
                    view.allies, view.configured, s.seed, view.year, colour, year_in_text=False
                ),
                ("map", view.configured.name, colour),
            ),
        ),
    )
    return charts, fig


@solara.component
def Main() -> None:
    """The main panel: year, verdict indicators, live charts, the network, the event log."""
    _ = tick.value  # re-render after every step
    if session.value is None:
        new_session()
    s = session.value
    assert s is not None
    view = s.view()  # read at one moment: a step in the page's Play thread never shows half done
    solara.Text(
        f"Year {view.year}", classes=["year"], style={"font-size": "1.6em", "font-weight": "bold"}
    )
    # wrapped: in one row the eight ran past the right edge, the verdict last and cut off on a
    # laptop (1366 px: six shown) and a projector (a browser check)
    with solara.Row(style={"flex-wrap": "wrap"}, classes=["indicators"]):
        for name, value in view.indicators.items():
            text = f"{value:.2f}" if isinstance(value, float) else str(value).replace("_", " ")
            solara.Info(f"{name}: {text}", dense=True)
    # drawn again only when what they show can have changed: the session's year for the charts,
    # and for the map its colouring and the network it is drawn on (a lever moved mid-run shows
    # from the next step); each laid out once, not measured again every year (.figures)
    # shared between pages whose runs are the same (.figures.shared_png: a class opening the
    # app, or stepping the default run, draws each year once for all)
    shown = [s.serial, view.year]
    colour = colour_by.value
    drawn = [*shown, colour, _network(view)]
    charts, fig = solara.use_memo(lambda: year_drawings(s, view, colour), dependencies=drawn)
    with solara.Div(classes=["charts"]):
        rw.Image(value=charts, format="png")
    solara.ToggleButtonsSingle(value=colour_by, values=["core_pct", "threat"])
    with solara.Div(classes=["network"]):
        rw.Image(value=fig, format="png")
    solara.HTML(tag="h3", unsafe_innerHTML="Event log")
    events = view.events
    with solara.Column(classes=["event-log"]):
        if events:
            for e in reversed(events[-30:]):
                solara.Text(e)
        else:
            solara.Text("No events yet.")


def authorised(search: str | None) -> bool:
    """Whether a page's query string carries the join token (always, on 127.0.0.1)."""
    if not CONFIG.token:
        return True
    given = (urllib.parse.parse_qs(search or "").get("token") or [""])[0]
    return hmac.compare_digest(given.encode(), CONFIG.token.encode())


# Solara's sidebar (a drawer over the page on a narrow screen) is at least 400 px wide: on a
# phone (375-390 px) its right edge was cut off, the scenario's menu arrow and the end of every
# line of its text with it (a browser check); on a narrow screen it is the screen's width
CSS = """
/* a lever's label on a line of its own, its slider below at the sidebar's full width: beside
   a long label ("refocus drift (fraction of posture per year per unit China pull)") the track
   was squeezed to 0 px, and a click anywhere on it set the lever to its minimum */
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
  flex: 1 0 100%; max-width: 100%; white-space: normal; height: auto; margin-bottom: 4px;
}
@media (max-width: 440px) {
  .v-navigation-drawer { min-width: 0 !important; width: 100vw !important; max-width: 100vw; }
}
"""


@solara.component
def Page() -> None:
    solara.Title("natosim seminar")
    solara.Style(CSS)
    router = solara.use_router()  # hooks first, on every render (rules of hooks)

    s = session.value
    turn = player(s).turn if s is not None else 0

    def play() -> Any:
        """While playing, one loop of this turn for this run (a thread of its own); stopped
        when the page closes or draws another."""
        if not playing.value or s is None:
            return None
        stop = threading.Event()
        threading.Thread(target=play_loop, args=(s, turn, stop), daemon=True, name="play").start()
        return stop.set

    solara.use_effect(play, [playing.value, turn, id(s)])
    query = dict(urllib.parse.parse_qsl(router.search or ""))

    def attach() -> None:
        """Once per page: take up the run named in the address, or name this one there."""
        rid = query.get("run", "")
        if rid and rid == run_id.value:
            return
        if rid and restore(rid):
            return
        run_id.value = secrets.token_urlsafe(8)
        remember()

    solara.use_effect(attach, [])
    if run_id.value and query.get("run") != run_id.value and (tick.value or playing.value):
        # once the page has acted (a step, a lever), its run's id goes into the address
        router.push("?" + urllib.parse.urlencode({**query, "run": run_id.value}))
    if not authorised(router.search):
        solara.Warning(
            "This seminar needs its join link: ask the instructor for the address with "
            "?token=... that natosim ui printed."
        )
        return
    with solara.Sidebar():
        Controls()
    Main()

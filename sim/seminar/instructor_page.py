"""The instructor's console: the clock, Advance, reveal, debrief, export, the roster, the seats,
injected events and all the class's messages."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from functools import partial
from typing import cast

import reacton.ipyvuetify as rv
import solara

from ..scenario.loader import TARGETED_KINDS
from .countdown import Countdown
from .debrief_view import DebriefView
from .live import CONFIG, SESSION, WAIT_SECONDS, log
from .messages import INSTRUCTOR
from .messages_panel import MessagesPanel
from .session import INJECTABLE, RUSSIA, US, SeminarError, Snapshot

ADVANCE_COOLDOWN = 1.0  # s: an Advance pressed this soon after the last is taken for a repeat


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
def SeatPicks(
    roles: tuple[str, ...],
    held: dict[str, str],
    locked: frozenset[str],
    picked: str,
    pick: Callable[[str], None],
) -> None:
    """The instructor's seat buttons, held seats first, with their student's name: their own
    component, drawn again only when who holds or locks a seat or the seat picked changes (not at
    every Advance or render of the console); ``pick(role)`` picks a seat (made once)."""
    with solara.Div(classes=["join-roles", "seat-picks"]):
        for r in sorted(roles, key=lambda r: (r not in held, r not in locked)):
            solara.Button(
                f"{r} {held[r]}" if r in held else r,
                on_click=partial(pick, r),
                classes=["seat-pick", f"seat-pick-{r}"],
                color="primary" if r == picked else None,
                outlined=r != picked,
                x_small=True,
            ).key(f"seat-pick-{r}")  # its role's, whatever the order (see the join page)


@solara.component
def AllMessages() -> None:
    """The class's messages in a panel of the console, drawn from the first time it is opened:
    closed (as it starts), it was still rendered at every message of the class, the whole
    traffic each time, and sent to the instructor's page, while the roster waited its turn."""
    expanded, set_expanded = solara.use_state(False)
    opened, set_opened = solara.use_state(False)

    def toggle(value: int | None) -> None:
        set_expanded(value == 0)
        if value == 0:
            set_opened(True)

    with (
        rv.ExpansionPanels(v_model=0 if expanded else None, on_v_model=toggle),
        rv.ExpansionPanel(),
    ):
        rv.ExpansionPanelHeader(children=["Messages between seats (all of them)"])
        with rv.ExpansionPanelContent(class_="all-messages"):
            if opened:  # kept once opened: a half-written message outlives a close
                MessagesPanel(SESSION.instructor_token, INSTRUCTOR)


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

    # the seat buttons' handler, made once: SeatPicks is not drawn again while the seats and
    # the seat picked stay as they were (at an Advance, a new handler re-ran all ~30 buttons)
    chooser = solara.use_ref(choose)
    chooser.current = choose
    pick = solara.use_memo(lambda: lambda r: chooser.current("seat", r), dependencies=[])

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

    # the year the console shows, read when Advance is pressed (a button may keep the handler
    # of an earlier render: a ref is the same object in every render)
    shown_year = solara.use_ref(snap.year)
    shown_year.current = snap.year

    def advance_once() -> None:
        """Advance from the year the console showed, once: a double click advanced two years
        (found by a browser check), the year between left to the agents."""
        if not SESSION.advance(from_year=shown_year.current, cooldown=ADVANCE_COOLDOWN):
            set_message(f"Advanced to {SESSION.year} a moment ago: press again to go on.")

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
            on_click=guarded(advance_once),
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
        solara.Text("Seat (tap one):")
        SeatPicks(tuple(roles), SESSION.taken(), frozenset(SESSION.locked), seat_role, pick)
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
        if kind in TARGETED_KINDS:  # shown for an alliance-wide event, it looked as if it acted
            # named, in the order of the names: a list of 30 bare codes was hard to search
            named = {f"{SESSION.role_name(r)} ({r})": r for r in roles if r not in (US, RUSSIA)}
            shown = next((k for k, r in named.items() if r == target), None)
            solara.Select(
                "Target",
                value=shown,
                values=sorted(named),
                on_value=lambda label: set_target(named.get(label, target)),
            )
        solara.Button(
            "Inject for next year",
            classes=["inject"],
            on_click=guarded(
                lambda: SESSION.inject(
                    kind,
                    target if kind in TARGETED_KINDS else "",
                    3.5 if kind == "summit" else (0.1 if kind == "us_drawdown" else 1.0),
                )
            ),
        )
    AllMessages()
    if message:
        solara.Info(message)
    if snap.debrief_shown:
        DebriefView(snap, None)

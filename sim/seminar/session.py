"""A class playing one run together: students hold allies, the US or Russia; the agents play
every role nobody holds; the instructor runs the clock.

One :class:`ClassSession` lives in the server process and is shared by every browser: the model
is stepped once per year for the whole class (never per viewer). A participant is known by a seat
token (in their page's address, so a reload keeps the seat); the instructor by the instructor
token printed at start-up. Decisions go through :class:`sim.model.decisions.Decisions`, validated
like
scenario parameters; a role that did not decide by the time the year advances falls back to its
agent's rule, and the log says so.

Concurrency: the model is stepped and read only under the session's lock. After every change
that everyone sees (a new year, a reveal, a pause) the session builds, under that lock and from
one consistent state, a :class:`Snapshot` (charts, map, status line, log, the decisions revealed,
this year's agent values for every form) and publishes it by replacing one attribute, so a page
reads either the old year or the new one, whole, never the model half-stepped. A decision changes
only the roster (``roster_version``, which the instructor's page watches) and the deciding seat's
own page; a change of seats (``seats_version``) the instructor's seat tools too; a seat's own
state (released, moved, locked) has its own counter. A message between seats
(:mod:`sim.seminar.messages`: who may write to whom, who reads what) changes only the message
panels of the seats that read it and the instructor's (``inbox_versions``, ``messages_version``,
on their own condition ``messages_changed``).

Doors: join attempts are limited per client and in total (:class:`JoinGate`), a browser holds one
seat, names are unique, and every value a page sends is checked for its type (a ``True`` is not a
number), finiteness, size and bounds before it reaches the model.

Persistence: with a ``folder`` the session is saved (``session.json``, atomically, readable by
its owner only: it holds the join code and the tokens) at every year, every change of seats,
every decision, every injection and every message;
:meth:`ClassSession.resume` rebuilds the run by replaying the recorded decisions and injections
from the same seed, so the year, the seats, every link and the decisions already sent for the
coming year come back.

Debrief: the same scenario and seed run by the agents alone with the instructor's injections
replayed (the counterfactual), per seat the class against the agents in words with a score for
the role's objective (:mod:`sim.seminar.briefing`), both verdicts, and an export of both runs as
results folders whose manifests and ``decisions.csv`` record every human decision, with
``seminar.json`` (decisions, fallbacks, injections, reveals, messages) and a printable
after-action report.

The class itself is here; its parts are in modules named for what they hold: :mod:`.seats`
(participants and the join gate), :mod:`.checks` (what a page sends, checked; the decision
fields), :mod:`.years` (stepping a year), :mod:`.persistence` (save and resume) and
:mod:`.debrief` (the counterfactual, the debrief, the export). Every public name is still
importable from here.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.alliance import AllianceModel
from ..runs.runner import replication_seeds
from ..scenario import Scenario
from ..scenario.loader import MAGNITUDE_KINDS, TARGETED_KINDS, magnitude_expected
from .checks import (
    DECISION_FIELDS,
    MAX_TEXT,
    _name,
    _number,
    _same,
    _text,
    clean_fields,
    decisions_for,
    priority_mix,
)
from .debrief import DebriefMixin
from .errors import SeminarError
from .messages import INSTRUCTOR, Message, MessageLog, clean_text, may_send, reaches
from .persistence import SAVE_NAME, PersistenceMixin
from .seats import JoinGate, Participant
from .years import play_year

__all__ = [
    "DECISION_FIELDS",
    "INJECTABLE",
    "MAX_PARTICIPANTS",
    "MAX_TEXT",
    "RUSSIA",
    "SAVE_NAME",
    "US",
    "ClassSession",
    "JoinGate",
    "Participant",
    "SeminarError",
    "Snapshot",
    "clean_fields",
    "decisions_for",
    "play_year",
    "priority_mix",
]

US, RUSSIA = "USA", "RUS"

INJECTABLE = (
    "russia_probe",
    "us_drawdown",
    "us_reassurance",
    "summit",
    "greyzone_surge",
    "european_command",
)

# injectable kinds that act once a year whatever the count (a probe, a summit, the command)
ACTS_ONCE = frozenset({"russia_probe", "summit", "european_command"})

MAX_PARTICIPANTS = 200

INJECT_MAGNITUDE = (0.0, 10.0)


@dataclass(frozen=True)
class Snapshot:
    """What every page shows for one state of the run, built once under the lock."""

    seq: int
    year: int
    start_year: int
    end_year: int
    done: bool
    charts: tuple[str, ...]  # every page's
    hidden_charts: tuple[str, ...]  # Russia's reading: see views.page_views for who sees them
    map: str
    status: str  # every page's status line
    status_insider: str  # Russia's seat's and the instructor's (hidden figures shown)
    log: str
    revealed: str
    fog: bool
    paused: bool
    auto: bool
    deadline: float
    defaults: dict[str, dict[str, Any]]  # role -> this year's agent values, for its form
    russia_own: str  # Russia's own forces (its seat sees them even while hidden to others)
    debrief_shown: bool
    briefings: dict[str, str]  # role -> its briefing for the year reached (its seat's page)
    previews: dict[str, str]  # role -> its briefing on the join page (no private figures)
    # insider or not -> the page's shared block, joined once (views.shared_html); not compared
    joined: dict[bool, str] = field(default_factory=dict, compare=False, repr=False)

    def seconds_left(self) -> int:
        return -1 if self.paused else max(0, round(self.deadline - time.time()))


class ClassSession(PersistenceMixin, DebriefMixin):
    """The shared run of a class (thread-safe: every browser's thread calls into it)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 7,
        code: str | None = None,
        instructor_token: str | None = None,
        seconds_per_year: int = 180,
        folder: Path | None = None,
        gate: JoinGate | None = None,
    ) -> None:
        self.scenario, self.seed = scenario, seed
        self.code = code or f"{secrets.randbelow(10**6):06d}"
        self.instructor_token = instructor_token or secrets.token_urlsafe(12)
        self.seconds_per_year = seconds_per_year
        self.folder = Path(folder) if folder else None
        self.gate = gate or JoinGate()
        self.model = AllianceModel(scenario, rng=replication_seeds(seed, 1)[0])
        self.participants: dict[str, Participant] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        # role -> (a serial number, the page it came from) of its pending decision: a seat open
        # on two devices tells the one that did not submit (:meth:`submission`)
        self.submits: dict[str, tuple[int, str]] = {}
        self._submit_serial = 0
        self.played: list[dict[str, Any]] = []  # one entry per year advanced: replayable
        self.history: list[dict[str, Any]] = []  # one row per human decision
        self.fallbacks: list[dict[str, Any]] = []  # held roles that did not decide
        self.injected: list[dict[str, Any]] = []  # for the coming year
        self.reveals: list[dict[str, Any]] = []  # the instructor's reveal / hide, by year
        self.locked: set[str] = set()
        self.paused = False
        self.auto = False
        self.fog = True
        self.debrief_shown = False
        self.deadline = time.time() + seconds_per_year
        self.left_when_paused: float | None = None  # seconds the countdown had when paused
        self.advanced_at = 0.0  # time.monotonic() of the last Advance (0: none yet)
        self.roster_version = 0  # the roster: decisions, injections, seats
        self.seats_version = 0  # who holds which seat (the instructor's seat tools)
        self.seat_versions: dict[str, int] = {}
        # token -> (the seat version, the page) of its last Submit: the page that submitted
        # need not draw the seat again for its own Submit (its Submit box says it is in)
        self.submit_versions: dict[str, tuple[int, str]] = {}
        self.messages = MessageLog()  # between seats: see sim.seminar.messages for who reads what
        self.messages_version = 0  # every message (the instructor's view of all traffic)
        self.inbox_versions: dict[str, int] = {}  # role -> messages it reads (its seat's panel)
        self.messages_changed = threading.Condition()  # messages only: no other page wakes
        self.lock = threading.RLock()
        self.changed = threading.Condition()  # notified after every change a page watches
        self._drawn: (
            tuple[int, tuple[str, ...], tuple[str, ...], str, dict[str, str], dict[str, str]] | None
        ) = None
        self._debrief: tuple[int, dict[str, Any]] | None = None
        self._seq = 0
        self.snapshot: Snapshot = self._build_snapshot()

    # -- publishing ------------------------------------------------------------------------
    def _build_snapshot(self) -> Snapshot:
        from . import views  # noqa: PLC0415
        from .briefing import briefing_html  # noqa: PLC0415

        m = self.model
        rows = pd.DataFrame(m.recorder.model_rows)
        if self._drawn is None or self._drawn[0] != m.year:
            allies = pd.DataFrame(m.recorder.ally_columns())
            drawn = views.charts(rows, m.start_year, m.end_year)
            hidden = views.charts(rows, m.start_year, m.end_year, views.HIDDEN_CHARTS)
            amap = views.alliance_map(allies, dict(self.scenario.params["network"]), m.year)
            briefs = {r: briefing_html(self, r) for r in self.roles()}
            # on the join page, before the seat is taken: no role's private figures
            previews = {**briefs, RUSSIA: briefing_html(self, RUSSIA, private=False)}
            self._drawn = (m.year, tuple(drawn), tuple(hidden), amap, briefs, previews)
        s = m.ally_state
        defaults: dict[str, dict[str, Any]] = {
            US: {
                "demand": round(float(m.now["us_demand_pct"]), 2),
                "threat": round(float(m.united_states.threat_level), 2),
                "drawdown": 0.0,
                "reassurance": 0.0,
                "respond": None,
                "command": None,
            },
            RUSSIA: {"probe": None, "greyzone": 1.0},
        }
        for iso3, i in m.ally_index.items():
            defaults[iso3] = {
                "budget": round(float(s.core_pct[i]), 2),
                "answer": None,
                "help": None,
                "priority": None,
                "us_share": None,
            }
        self._seq += 1
        return Snapshot(
            seq=self._seq,
            year=m.year,
            start_year=m.start_year,
            end_year=m.end_year,
            done=self.done,
            charts=self._drawn[1],
            hidden_charts=self._drawn[2],
            map=self._drawn[3],
            status=views.status_html(m.year, m.recorder.model_rows, self.fog),
            status_insider=views.status_html(m.year, m.recorder.model_rows, self.fog, True),
            log=views.log_html(m.recorder.events),
            revealed=views.revealed_html(self.revealed()),
            fog=self.fog,
            paused=self.paused,
            auto=self.auto,
            deadline=self.deadline,
            defaults=defaults,
            russia_own=views.russia_html(m.recorder.model_rows),
            debrief_shown=self.debrief_shown,
            briefings=self._drawn[4],
            previews=self._drawn[5],
        )

    def _publish(self) -> None:
        """Build the shared views from the state now (under the lock) and replace the published
        snapshot in one assignment."""
        with self.lock:
            self.snapshot = self._build_snapshot()
        self._notify()

    def _notify(self) -> None:
        """Wake every page's watcher (they wait on ``changed`` instead of polling)."""
        with self.changed:
            self.changed.notify_all()

    def wait_for_change(self, timeout: float) -> None:
        """Block a page's watcher until something is published (or ``timeout`` s); the caller
        compares the numbers it watches (a change just before the wait is seen at once: the
        numbers move before ``changed`` is notified, and the caller checks them first)."""
        with self.changed:
            self.changed.wait(timeout)

    def _roster_changed(self) -> None:
        """Someone decided (or an event was injected): the instructor's roster only."""
        self.roster_version += 1
        self._notify()

    def _seats_changed(self) -> None:
        """Who holds which seat changed: the roster and the instructor's seat tools."""
        self.seats_version += 1
        self.roster_version += 1
        self._notify()

    def _seat_changed(self, token: str) -> None:
        self.seat_versions[token] = self.seat_versions.get(token, 0) + 1
        self._notify()

    # -- roles -------------------------------------------------------------------------------
    def roles(self) -> list[str]:
        """Every role a student can take: the US, Russia and each member ally with forces."""
        with self.lock:
            s = self.model.ally_state
            allies = [
                a.record.iso3 for a in self.model.allies if s.member[a.index] and s.armed[a.index]
            ]
        return [US, RUSSIA, *sorted(allies)]

    def role_name(self, role: str) -> str:
        if role == US:
            return "the United States"
        if role == RUSSIA:
            return "Russia"
        return self.model.allies[self.model.ally_index[role]].record.country

    def taken(self) -> dict[str, str]:
        with self.lock:
            return {p.role: p.name for p in self.participants.values()}

    def join(self, code: Any, name: Any, role: Any, client: str = "") -> str:
        """Take ``role`` as ``name``; return the seat token. ``client`` (the browser's address
        and session) is what the join gate and the one-seat-per-browser rule count."""
        now = time.time()
        with self.lock:
            where = client.split("|", maxsplit=1)[0]
            self.gate.check(where, now)
            code = _text(code if code is not None else "", "join code", 32)
            if not _same(code.strip(), self.code):
                self.gate.failed(where, now)
                raise SeminarError("the join code is not this session's")
            self.gate.succeeded(where)
            role = _text(role, "role", 8)
            if role not in self.roles():
                raise SeminarError(f"{role!r} is not a role in this run")
            if role in self.locked:
                raise SeminarError(f"the instructor has kept {self.role_name(role)} for its agent")
            if role in self.taken():
                raise SeminarError(f"{self.role_name(role)} is taken by {self.taken()[role]}")
            name = _name(name)
            if name.casefold() in {p.name.casefold() for p in self.participants.values()}:
                raise SeminarError(f"someone is already called {name}: add an initial")
            if client and "|" in client:
                held = [p for p in self.participants.values() if p.client == client]
                if held:
                    raise SeminarError(f"this browser already holds {self.role_name(held[0].role)}")
            if len(self.participants) >= MAX_PARTICIPANTS:
                raise SeminarError("the session is full")
            token = secrets.token_urlsafe(12)
            self.participants[token] = Participant(token, name, role, client)
            self._seats_changed()
            self.save()
            return token

    def seat(self, token: str | None) -> Participant | None:
        if not isinstance(token, str):
            return None
        return self.participants.get(token)

    def is_instructor(self, token: str | None) -> bool:
        return isinstance(token, str) and bool(token) and _same(token, self.instructor_token)

    # -- seats (the instructor) ------------------------------------------------------------
    def _holder(self, role: str) -> Participant | None:
        return next((p for p in self.participants.values() if p.role == role), None)

    def release(self, role: str) -> None:
        """Free a seat: its student's link stops working, another student may take it."""
        with self.lock:
            seat = self._holder(role)
            if seat is None:
                raise SeminarError(f"nobody holds {role!r}")
            del self.participants[seat.token]
            self.pending.pop(role, None)
            self._seat_changed(seat.token)
            self._seats_changed()
            self.save()

    def reassign(self, role: str, new_role: str) -> None:
        """Move the student holding ``role`` to the free role ``new_role`` (same link)."""
        with self.lock:
            seat = self._holder(role)
            if seat is None:
                raise SeminarError(f"nobody holds {role!r}")
            if new_role not in self.roles() or new_role in self.taken():
                raise SeminarError(f"{new_role!r} is not a free role")
            self.pending.pop(role, None)
            seat.role = new_role
            self._seat_changed(seat.token)
            self._seats_changed()
            self.save()

    def set_locked(self, role: str, locked: bool) -> None:
        """A locked role is played by its agent: nobody can take it, its holder cannot decide."""
        with self.lock:
            if role not in self.roles():
                raise SeminarError(f"{role!r} is not a role in this run")
            if locked:
                self.locked.add(role)
                self.pending.pop(role, None)
            else:
                self.locked.discard(role)
            holder = self._holder(role)
            if holder is not None:
                self._seat_changed(holder.token)
            self._seats_changed()
            self.save()

    # -- decisions ---------------------------------------------------------------------------
    def decide(self, token: str, for_year: int | None = None, by: str = "", **fields: Any) -> None:
        """Record a participant's decision for the coming year (only for their own role).
        ``for_year``: the year of the form it was made on (its decisions are for the year
        after); refused if the class has moved on since, so a Submit that arrives after an
        Advance is not taken as a decision for the next year (found by a browser check).
        ``by``: the page it came from; the seat's pages are told (its seat version), and one
        open on another device shows the decision in (:meth:`submission`)."""
        with self.lock:
            seat = self.seat(token)
            if seat is None:
                raise SeminarError("not a seat of this session")
            if self.done:
                raise SeminarError("the run is over")
            if for_year is not None and for_year != self.model.year:
                raise SeminarError(
                    f"the year advanced before your Submit arrived: your agent decided "
                    f"{self.model.year}. Make your decisions for {self.model.year + 1} and "
                    "submit them"
                )
            if seat.role in self.locked:
                raise SeminarError("the instructor has given your role to its agent")
            clean = clean_fields(seat.role, fields, set(self.model.ally_index))
            try:
                decisions_for(seat.role, clean).check(set(self.model.ally_index))
            except ValueError as exc:
                raise SeminarError(str(exc)) from None
            self.pending[seat.role] = clean
            self._submit_serial += 1
            self.submits[seat.role] = (self._submit_serial, str(by))
            version = self.seat_versions.get(seat.token, 0) + 1
            # recorded before the version moves: a page's watcher that reads the new version
            # finds whose Submit made it
            self.submit_versions[seat.token] = (version, str(by))
            self.seat_versions[seat.token] = version
            self._roster_changed()
            self.save()  # a restart keeps this year's decisions

    # -- messages ----------------------------------------------------------------------------
    def send_message(self, token: str, to: Any, text: Any) -> Message:
        """A message from a seat (or the instructor, by the instructor's token) to ``to``: a
        role, or a group (``allies``, ``alliance``, ``everyone``), as
        :func:`sim.seminar.messages.may_send` permits; the text checked and the seat's rate
        limited (:class:`sim.seminar.messages.MessageLog`). Only the panels of the seats that
        read it and the instructor's are told: no shared view is drawn again."""
        with self.lock:
            seat = self.seat(token)
            if seat is None and not self.is_instructor(token):
                raise SeminarError("not a seat of this session")
            sender = seat.role if seat is not None else INSTRUCTOR
            to = _text(to, "to", 16)
            roles = self.roles()
            if not may_send(sender, to, roles):
                raise SeminarError(
                    f"{self.role_name(sender) if sender != INSTRUCTOR else 'the instructor'} "
                    f"may not write to {to!r}"
                )
            message = Message(
                year=self.model.year,
                sender=sender,
                player=seat.name if seat is not None else "instructor",
                to=to,
                text=clean_text(text),
                at=time.time(),
            )
            self.messages.add(message, key=token if seat is not None else None)
            self.messages_version += 1
            for role in roles:
                if role == sender or reaches(to, role):
                    self.inbox_versions[role] = self.inbox_versions.get(role, 0) + 1
            self.save()
        with self.messages_changed:
            self.messages_changed.notify_all()
        return message

    def messages_for(self, viewer: str) -> list[Message]:
        """The messages ``viewer`` (a role, or ``"instructor"`` for all) reads, oldest first."""
        with self.lock:
            return self.messages.visible_to(viewer)

    def decided(self) -> set[str]:
        with self.lock:
            return set(self.pending)

    def submission(self, role: str) -> tuple[int, str] | None:
        """Which Submit made ``role``'s pending decision (a serial number and the page it came
        from), or None if it has none: a seat's page whose form did not make it shows it."""
        with self.lock:
            if role not in self.pending:
                return None
            return self.submits.get(role, (0, ""))  # (0, ""): one read back by --resume

    def seat_of_client(self, client: str) -> Participant | None:
        """The seat this browser holds (the join page's client key: address and browser
        session), or None: a student who opens the join link again is offered the way back."""
        if not client or "|" not in client or client.endswith("|"):
            return None
        with self.lock:
            return next((p for p in self.participants.values() if p.client == client), None)

    def submitted(self, role: str) -> dict[str, Any] | None:
        """The decision ``role``'s seat has submitted for the coming year, or None: a page
        opened again (a reload, a restart with --resume) shows it instead of an empty form."""
        with self.lock:
            fields = self.pending.get(role)
            return dict(fields) if fields is not None else None

    def seconds_since_advance(self) -> float:
        """Seconds since the last Advance (infinite before the first)."""
        return time.monotonic() - self.advanced_at if self.advanced_at else float("inf")

    # -- the instructor ----------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.model.year >= self.model.end_year

    @property
    def year(self) -> int:
        return self.snapshot.year

    def seconds_left(self) -> int:
        return self.snapshot.seconds_left()

    def set_paused(self, paused: bool) -> None:
        """Pause the clock, or resume it with the time that was left when it was paused, none
        if it had run out (it restarted a whole year's time: a class paused with a minute left
        got four again); a year's whole time after an Advance made while paused, or a restart
        (``--resume``). Pausing a paused class or resuming a running one changes nothing."""
        with self.lock:
            now = time.time()
            if paused and not self.paused:
                self.left_when_paused = max(0.0, self.deadline - now)
            if not paused and self.paused:  # a second Resume (a double click, a second tab,
                # a page behind) changes nothing: it gave the whole year back (found by review)
                left = self.left_when_paused
                self.deadline = now + (self.seconds_per_year if left is None else left)
                self.left_when_paused = None
            self.paused = bool(paused)
            self._publish()

    def set_auto(self, auto: bool) -> None:
        """Advance by itself when the countdown ends (the instructor's choice)."""
        with self.lock:
            self.auto = bool(auto)
            self._publish()

    def set_fog(self, fog: bool) -> None:
        with self.lock:
            self.fog = bool(fog)
            self.reveals.append({"year": self.model.year, "fog": self.fog, "at": time.time()})
            self._publish()
            self.save()

    def show_debrief(self, shown: bool = True) -> None:
        """Show (or hide) the debrief on every page; saved, so a resumed class shows it too."""
        with self.lock:
            self.debrief_shown = bool(shown)
            self._publish()
            self.save()

    def inject(self, kind: Any, target: Any = "", magnitude: Any = 1.0) -> None:
        """An event for the coming year (a probe, a drawdown, a reassurance, a summit)."""
        kind = _text(kind, "kind", 32)
        target = _text(target if target is not None else "", "target", 8)
        if kind not in INJECTABLE:
            raise SeminarError(f"{kind!r}: expected one of {', '.join(INJECTABLE)}")
        if target and target not in self.model.ally_index:
            raise SeminarError(f"{target!r} is not an ally in this run")
        if kind == "russia_probe" and not target:
            raise SeminarError("a probe needs a target")
        value = _number("magnitude", magnitude, *INJECT_MAGNITUDE)
        value = 1.0 if value is None else value
        if target and kind not in TARGETED_KINDS:  # it would be ignored
            raise SeminarError(f"{kind} acts on the alliance: it takes no target")
        # a probe's or the command's magnitude would be ignored, a drawdown's over 1 cut more
        # than the posture, a summit's 0 asked nothing: the scenario files' rule
        if kind not in MAGNITUDE_KINDS and value != 1.0:
            raise SeminarError(f"{kind} takes no magnitude (given {value:g})")
        expected = magnitude_expected(kind, value)
        if expected:
            raise SeminarError(f"magnitude {value:g}: expected, {expected}")
        event = {"kind": kind, "target": target, "magnitude": value}
        with self.lock:
            # a repeat of an event that acts once would be logged and counted as often as it
            # was pressed (a browser check: ten identical probes, one probe in the debrief); a
            # drawdown, a reassurance or a grey-zone surge adds up, so it may be repeated
            if kind in ACTS_ONCE and any(e["kind"] == kind for e in self.injected):
                raise SeminarError(f"{kind} is injected for the coming year already")
            scripted = [
                e.target
                for e in self.scenario.events
                if e.kind == "russia_probe" and e.year == self.model.year + 1
            ]
            if kind == "russia_probe" and scripted:  # it would replace the scenario's own
                raise SeminarError(
                    f"the scenario has Russia probe {self.role_name(scripted[0])} in "
                    f"{self.model.year + 1} already (one probe a year)"
                )
            if len(self.injected) >= 10:
                raise SeminarError("at most 10 events a year")
            self.injected.append(event)
            self._roster_changed()
            self.save()

    def advance(self, from_year: int | None = None, cooldown: float = 0.0) -> bool:
        """The year ends: human decisions where given, the agents' rules everywhere else.
        ``from_year``: the year the instructor's console showed; ``cooldown``: seconds after the
        last Advance within which a press is taken for a repeat. Either makes a press that the
        class has moved past (a double click, a press as the clock advanced) advance nothing:
        returns False. Checked under the session's lock, so never beside another Advance (a
        review found the console's own check raced the clock's)."""
        with self.lock:
            if self.done:
                raise SeminarError("the run is over")
            if (from_year is not None and from_year != self.model.year) or (
                self.seconds_since_advance() < cooldown
            ):
                return False
            year = self.model.year + 1
            taken = self.taken()
            decisions = {r: f for r, f in self.pending.items() if r in taken}
            probe_injected = any(e["kind"] == "russia_probe" for e in self.injected)
            overridden = probe_injected and decisions.get(RUSSIA, {}).get("probe") is not None
            entry = {
                "year": year,
                "decisions": decisions,
                "players": {r: taken[r] for r in decisions},
                "injected": list(self.injected),
                "probe_overridden": overridden,
                "fallbacks": [
                    {"role": r, "player": p, "role_name": self.role_name(r)}
                    for r, p in sorted(taken.items())
                    if r not in decisions and r not in self.locked
                ],
            }
            play_year(self.model, entry)
            self.played.append(entry)
            self._record(entry)
            self.pending, self.injected = {}, []
            self.deadline = time.time() + self.seconds_per_year
            self.left_when_paused = None  # a new year: resumed, its countdown starts whole
            self.advanced_at = time.monotonic()
            self._debrief = None
            self._publish()
            self._roster_changed()
            self.save()
            return True

    def _record(self, entry: dict[str, Any]) -> None:
        year = entry["year"]
        for role, fields in entry["decisions"].items():
            who = entry["players"].get(role, "")
            self.history += [
                {"year": year, "role": role, "player": who, "decision": k, "value": v}
                for k, v in fields.items()
                if v is not None and v != ""
            ]
        for fb in entry["fallbacks"]:
            self.fallbacks.append({"year": year, "role": fb["role"], "player": fb["player"]})

    def tick(self) -> bool:
        """Advance if the countdown has ended and the instructor chose automatic advance;
        return whether it advanced (called every second by the server's clock thread)."""
        with self.lock:
            if self.auto and not self.paused and not self.done and time.time() >= self.deadline:
                self.advance()
                return True
        return False

    # -- what everyone sees (under the lock) ----------------------------------------------
    def history_frame(self) -> pd.DataFrame:
        with self.lock:
            return pd.DataFrame(self.model.recorder.model_rows)

    def allies_frame(self) -> pd.DataFrame:
        with self.lock:
            return pd.DataFrame(self.model.recorder.ally_columns())

    def events(self, last: int = 20) -> list[str]:
        with self.lock:
            return list(self.model.recorder.events["event"])[-last:]

    def revealed(self) -> pd.DataFrame:
        """Human decisions of the years already played (this year's stay private)."""
        with self.lock:
            return pd.DataFrame(
                list(self.history), columns=["year", "role", "player", "decision", "value"]
            )

    def roster(self) -> list[dict[str, Any]]:
        """Every role a student holds or the instructor locked: player, decided or not."""
        with self.lock:
            taken = self.taken()
            return [
                {
                    "role": r,
                    "name": self.role_name(r),
                    "player": taken.get(r, ""),
                    "decided": r in self.pending,
                    "locked": r in self.locked,
                }
                for r in sorted(set(taken) | self.locked)
            ]

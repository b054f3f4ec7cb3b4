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
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.alliance import AllianceModel
from ..model.decisions import ANSWERS, BUDGET_RANGE, DRAWDOWN_RANGE, GREYZONE_RANGE, Decisions
from ..model.outputs import verdict
from ..runs.runner import release_model, replication_seeds
from ..scenario import CATEGORIES, Scenario
from ..scenario.schema import Event
from .errors import SeminarError
from .messages import INSTRUCTOR, Message, MessageLog, clean_text, may_send, reaches

US, RUSSIA = "USA", "RUS"
INJECTABLE = ("russia_probe", "us_drawdown", "us_reassurance", "summit", "greyzone_surge")
MAX_PARTICIPANTS = 200
MAX_TEXT = 200  # characters: any text a page sends (a name, a code, a role)
INJECT_MAGNITUDE = (0.0, 10.0)
SAVE_NAME = "session.json"


@dataclass
class Participant:
    token: str
    name: str
    role: str
    client: str = ""
    joined: float = field(default_factory=time.time)


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

    def seconds_left(self) -> int:
        return -1 if self.paused else max(0, round(self.deadline - time.time()))


class JoinGate:
    """Join attempts with a wrong code, limited per client and in total.

    A client (a browser, known by the address it connects from) gets ``free`` wrong codes; after
    that each further attempt must wait twice as long as the last (1, 2, 4, ... s, at most
    ``max_wait``), and a refused attempt made too early counts too. In total, more than
    ``total_per_minute`` wrong codes in a minute close the door to every new join for the rest
    of that minute (seated students are unaffected). With a six-digit code that is at most
    ~43,000 guesses a day for the whole world: on average 11 days to find it.
    """

    def __init__(self, free: int = 5, max_wait: float = 300.0, total_per_minute: int = 30):
        self.free, self.max_wait, self.total_per_minute = free, max_wait, total_per_minute
        self.failures: dict[str, int] = {}
        self.next_try: dict[str, float] = {}
        self.recent: list[float] = []

    def check(self, client: str, now: float) -> None:
        self.recent = [t for t in self.recent if now - t < 60.0]
        if len(self.recent) >= self.total_per_minute:
            raise SeminarError("too many wrong join codes just now: ask your instructor")
        wait = self.next_try.get(client, 0.0) - now
        if wait > 0:
            raise SeminarError(f"too many wrong join codes: try again in {math.ceil(wait)} s")

    def failed(self, client: str, now: float) -> None:
        self.recent.append(now)
        n = self.failures.get(client, 0) + 1
        self.failures[client] = n
        if n >= self.free:
            self.next_try[client] = now + min(self.max_wait, 2.0 ** (n - self.free))
        if len(self.failures) > 10_000:  # a flood of made-up clients: forget the oldest
            for key in list(self.failures)[:5_000]:
                self.failures.pop(key, None)
                self.next_try.pop(key, None)

    def succeeded(self, client: str) -> None:
        self.failures.pop(client, None)
        self.next_try.pop(client, None)


def _text(value: Any, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise SeminarError(f"{what}: expected text")
    if len(value) > limit:
        raise SeminarError(f"{what}: at most {limit} characters")
    return value


def _name(text: Any) -> str:
    text = _text(text if text is not None else "", "name")
    cleaned = re.sub(r"[^\w .'-]+", "", text, flags=re.UNICODE).strip()[:40]
    if not cleaned:
        raise SeminarError("a name of letters, digits, spaces, '.', '-' or apostrophes")
    return cleaned


def _number(key: str, value: Any, low: float, high: float) -> float | None:
    """A number a page sent: ``None``/"" (the agent decides) or an int or float, finite, in
    [low, high]; a bool, a string, a huge integer or NaN is refused with a message."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SeminarError(f"{key}: expected a number in [{low:g}, {high:g}], got {value!r:.40}")
    if isinstance(value, int) and not -(10**9) < value < 10**9:
        raise SeminarError(f"{key}: expected a number in [{low:g}, {high:g}]")
    out = float(value)
    if not math.isfinite(out) or not low <= out <= high:
        raise SeminarError(f"{key}: expected a number in [{low:g}, {high:g}], got {out:g}")
    return out


def _choice(key: str, value: Any, options: tuple[str, ...] | list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in options:
        raise SeminarError(f"{key}: expected one of {', '.join(options)}")
    return value


def _yes_no(key: str, value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "false", "no"):
        return value.lower() in ("true", "yes")
    raise SeminarError(f"{key}: expected yes or no, got {value!r:.40}")


ALLOWED = {
    US: ("demand", "threat", "drawdown", "reassurance", "respond"),
    RUSSIA: ("probe", "greyzone"),
    "ally": ("budget", "answer", "help", "priority", "us_share"),
}


def clean_fields(role: str, fields: dict[str, Any], members: set[str]) -> dict[str, Any]:
    """A role's decision fields checked one by one; ``None`` means: the agent decides."""
    kind = role if role in (US, RUSSIA) else "ally"
    allowed = ALLOWED[kind]
    if not isinstance(fields, dict) or len(fields) > len(allowed):
        raise SeminarError("expected a few decision fields")
    for key in fields:
        if key not in allowed:
            raise SeminarError(f"{role} cannot decide {str(key)[:40]!r}")
    f = fields.get
    if kind == US:
        return {
            "demand": _number("demand", f("demand"), *BUDGET_RANGE),
            "threat": _number("threat", f("threat"), 0.0, 1.0),
            "drawdown": _number("drawdown", f("drawdown"), *DRAWDOWN_RANGE),
            "reassurance": _number("reassurance", f("reassurance"), 0.0, 1.0),
            "respond": _yes_no("respond", f("respond")),
        }
    if kind == RUSSIA:
        probe = f("probe")
        if probe is not None:
            _text(probe, "probe", 8)
            if probe != "" and probe not in members:
                raise SeminarError(f"probe: {probe!r} is not an ally in this run")
        return {"probe": probe, "greyzone": _number("greyzone", f("greyzone"), *GREYZONE_RANGE)}
    return {
        "budget": _number("budget", f("budget"), *BUDGET_RANGE),
        "answer": _choice("answer", f("answer"), ANSWERS),
        "help": _number("help", f("help"), 0.0, 1.0),
        "priority": _choice("priority", f("priority") or None, CATEGORIES),
        "us_share": _number("us_share", f("us_share"), 0.0, 1.0),
    }


def decisions_for(role: str, fields: dict[str, Any]) -> Decisions:
    """The model's decision record for one role's (clean) fields."""
    f = fields.get
    if role == US:
        return Decisions(
            us_demand_pct=f("demand"),
            us_threat=f("threat"),
            us_drawdown=f("drawdown"),
            us_reassurance=f("reassurance"),
            us_crisis_response=f("respond"),
        )
    if role == RUSSIA:
        return Decisions(russia_probe=f("probe"), russia_greyzone=f("greyzone"))
    out = Decisions()
    budget, answer, help_, priority, share = (
        fields.get(k) for k in ("budget", "answer", "help", "priority", "us_share")
    )
    if budget is not None:
        out.budget_pct = {role: float(budget)}
    if answer is not None:
        out.answer = {role: str(answer)}
    if help_ is not None:
        out.crisis_help = {role: float(help_)}
    if priority:
        out.equipment_mix = {role: priority_mix(str(priority))}
    if share is not None:
        out.us_buy_share = {role: float(share)}
    return out


def _event(e: dict[str, Any]) -> Event:
    return Event(0, e["kind"], target=e.get("target", ""), magnitude=float(e["magnitude"]))


def play_year(model: AllianceModel, entry: dict[str, Any], agents_only: bool = False) -> None:
    """Step ``model`` one year as recorded in ``entry`` (the class's decisions, the injections,
    the roles that did not decide); ``agents_only``: the injections alone (the counterfactual).
    The same function plays the live year, a resumed session and the counterfactual."""
    year = model.year + 1
    injected = tuple(_event(e) for e in entry.get("injected", ()))
    merged = Decisions(events=injected)
    if not agents_only:
        for role, fields in sorted(entry.get("decisions", {}).items()):
            merged = merged.merged_with(decisions_for(role, fields))
        if entry.get("probe_overridden"):
            merged.russia_probe = ""  # the instructor's probe replaces Russia's own this year
    model.decisions = merged
    model.step()
    if agents_only:
        return
    if entry.get("probe_overridden"):
        model.recorder.event(
            "human",
            "the instructor's probe replaces Russia's (human) choice of target this year",
            year,
        )
    for fb in entry.get("fallbacks", ()):
        model.recorder.event(
            "fallback",
            f"{fb['role_name']} ({fb['player']}) did not decide in time: its agent's rule decided",
            year,
        )


class ClassSession:
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
        self.roster_version = 0  # the roster: decisions, injections, seats
        self.seats_version = 0  # who holds which seat (the instructor's seat tools)
        self.seat_versions: dict[str, int] = {}
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
    def decide(self, token: str, **fields: Any) -> None:
        """Record a participant's decision for the coming year (only for their own role)."""
        with self.lock:
            seat = self.seat(token)
            if seat is None:
                raise SeminarError("not a seat of this session")
            if self.done:
                raise SeminarError("the run is over")
            if seat.role in self.locked:
                raise SeminarError("the instructor has given your role to its agent")
            clean = clean_fields(seat.role, fields, set(self.model.ally_index))
            try:
                decisions_for(seat.role, clean).check(set(self.model.ally_index))
            except ValueError as exc:
                raise SeminarError(str(exc)) from None
            self.pending[seat.role] = clean
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
        with self.lock:
            self.paused = bool(paused)
            if not paused:
                self.deadline = time.time() + self.seconds_per_year
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
        with self.lock:
            self.debrief_shown = bool(shown)
            self._publish()

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
        with self.lock:
            if len(self.injected) >= 10:
                raise SeminarError("at most 10 events a year")
            self.injected.append(
                {"kind": kind, "target": target, "magnitude": 1.0 if value is None else value}
            )
            self._roster_changed()
            self.save()

    def advance(self) -> None:
        """The year ends: human decisions where given, the agents' rules everywhere else."""
        with self.lock:
            if self.done:
                raise SeminarError("the run is over")
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
            self._debrief = None
            self._publish()
            self._roster_changed()
            self.save()

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

    # -- persistence -------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": 1,
                "scenario": str(self.scenario.source or self.scenario.name),
                "scenario_name": self.scenario.name,
                "seed": self.seed,
                "code": self.code,
                "instructor_token": self.instructor_token,
                "seconds_per_year": self.seconds_per_year,
                "year": self.model.year,
                "participants": [
                    {"token": p.token, "name": p.name, "role": p.role, "client": p.client}
                    for p in self.participants.values()
                ],
                "locked": sorted(self.locked),
                "fog": self.fog,
                "played": self.played,
                "pending": self.pending,  # this year's decisions so far (not yet played)
                "injected": self.injected,  # this year's injections so far
                "reveals": self.reveals,
                "messages": self.messages.to_json(),
                "saved": time.time(),
            }

    def save(self) -> None:
        """Write ``session.json`` in the session's folder (atomically; owner-only)."""
        if self.folder is None:
            return
        with self.lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{SAVE_NAME}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(self.state(), fh, default=str)
            os.replace(tmp, self.folder / SAVE_NAME)

    @classmethod
    def resume(cls, folder: Path, scenario: Scenario | None = None, **kw: Any) -> ClassSession:
        """The class saved in ``folder``, played again to the year it reached (the same seed,
        decisions and injections give the same run); seats, code and tokens as they were."""
        from ..scenario import load_scenario  # noqa: PLC0415
        from ..scenario.paths import resolve_scenario_path  # noqa: PLC0415

        path = Path(folder) / SAVE_NAME
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise SeminarError(f"{path}: not a saved seminar ({exc})") from None
        if scenario is None:
            scenario = load_scenario(resolve_scenario_path(data["scenario"]))
        session = cls(
            scenario,
            seed=int(data["seed"]),
            code=data["code"],
            instructor_token=data["instructor_token"],
            seconds_per_year=int(kw.pop("seconds_per_year", data["seconds_per_year"])),
            folder=Path(folder),
            **kw,
        )
        with session.lock:
            for entry in data["played"]:
                play_year(session.model, entry)
                session.played.append(entry)
                session._record(entry)
            for p in data["participants"]:
                session.participants[p["token"]] = Participant(
                    p["token"], p["name"], p["role"], p.get("client", "")
                )
            session.locked = set(data.get("locked", []))
            session.fog = bool(data.get("fog", True))
            session.reveals = list(data.get("reveals", []))
            session.messages = MessageLog.from_json(data.get("messages", []), session.roles())
            held = set(session.taken())
            members = set(session.model.ally_index)
            for role, fields in dict(data.get("pending", {})).items():
                if role in held and role not in session.locked:
                    # checked again as if sent now: a hand-edited file cannot pass what a page
                    # could not
                    session.pending[role] = clean_fields(role, fields, members)
            for e in list(data.get("injected", []))[:10]:
                session.inject(e.get("kind"), e.get("target", ""), e.get("magnitude", 1.0))
            session.paused = True  # the instructor resumes the clock when the class is back
            session._publish()
        return session

    # -- debrief -----------------------------------------------------------------------------
    def counterfactual(self) -> AllianceModel:
        """The same scenario and seed played by the agents alone, to the same year, with the
        instructor's injections of each year replayed."""
        with self.lock:
            played = list(self.played)
        other = AllianceModel(self.scenario, rng=replication_seeds(self.seed, 1)[0])
        for entry in played:
            play_year(other, entry, agents_only=True)
        return other

    def debrief(self) -> dict[str, Any]:
        """The class beside the agents: the verdict of both (if the run ended now), and for
        each human seat what the class decided against what the agents did, in words and as
        the score of the role's objective. Computed once a year (kept until the next)."""
        from .briefing import seat_debrief  # noqa: PLC0415

        with self.lock:
            if self._debrief is not None and self._debrief[0] == self.model.year:
                return self._debrief[1]
            agents = self.counterfactual()
            try:
                cls_allies = pd.DataFrame(self.model.recorder.ally_columns())
                ag_allies = pd.DataFrame(agents.recorder.ally_columns())
                cls_model = pd.DataFrame(self.model.recorder.model_rows)
                ag_model = pd.DataFrame(agents.recorder.model_rows)
                rows = []
                for role in sorted(self.taken()):
                    if role == US:
                        col, a, b = "us_threat_level", cls_model, ag_model
                    elif role == RUSSIA:
                        col, a, b = "probe_target", cls_model, ag_model
                    else:
                        col = "core_pct"
                        a = cls_allies[cls_allies["iso3"] == role]
                        b = ag_allies[ag_allies["iso3"] == role]
                    rows += [_pair(role, y, col, a, b) for y in a["year"][1:]]
                outcomes = [o for o in self.model.recorder.model_rows["probe_outcome"] if o]
                ag_outcomes = [o for o in agents.recorder.model_rows["probe_outcome"] if o]
                players = self.taken()
                words = {
                    role: seat_debrief(
                        role,
                        self.role_name(role),
                        players[role],
                        cls_model,
                        ag_model,
                        cls_allies,
                        ag_allies,
                        [h for h in self.history if h["role"] == role],
                        [f for f in self.fallbacks if f["role"] == role],
                    )
                    for role in sorted(players)
                }
                out = {
                    "year": self.model.year,
                    "class_verdict": verdict(self.model, outcomes),
                    "agents_verdict": verdict(agents, ag_outcomes),
                    "seats": pd.DataFrame(
                        rows, columns=["role", "year", "output", "class", "agents"]
                    ),
                    "words": words,
                    "class": cls_model,
                    "agents": ag_model,
                    "injections": [
                        {"year": e["year"], **i} for e in self.played for i in e["injected"]
                    ],
                    "reveals": list(self.reveals),
                }
                self._debrief = (self.model.year, out)
                return out
            finally:
                release_model(agents)

    def export(self, root: Path, label: str = "") -> Path:
        """Write ``root/<label>-class/<timestamp>/`` with ``class/`` and ``agents/`` results
        folders (readable by ``natosim report``), ``decisions.csv``, ``seminar.json``, a
        printable ``after_action.html`` (the class and every seat) and one per seat
        (``after_action_<ROLE>.html``); return the folder."""
        from ..runs.folders import claimed_folder  # noqa: PLC0415
        from ..runs.runner import RunResult, collect  # noqa: PLC0415
        from ..runs.store import write_results  # noqa: PLC0415
        from ..ui.config import safe_label  # noqa: PLC0415
        from .briefing import after_action_html  # noqa: PLC0415

        with self.lock:
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            folder = Path(root) / f"{safe_label(label or self.scenario.name)}-class" / stamp
            with claimed_folder(folder, "export", unique=True) as claimed:
                claimed.mkdir(parents=True, exist_ok=True)
                agents = self.counterfactual()
                seed = replication_seeds(self.seed, 1)[0]
                for name, model in (("class", self.model), ("agents", agents)):
                    rec = model.recorder
                    run = RunResult(
                        0, seed, rec.model_rows, rec.ally_columns(), rec.events, rec.summary()
                    )
                    command = (
                        f"natosim seminar {self.scenario.name} --seed {self.seed} ({name}: "
                        + (
                            "the class's run"
                            if name == "class"
                            else "the agents alone, the instructor's injections replayed"
                        )
                        + ")"
                    )
                    write_results(
                        collect(self.scenario, self.seed, [seed], [run]), claimed / name, command
                    )
                release_model(agents)
                self.revealed().to_csv(claimed / "decisions.csv", index=False)
                meta = {
                    "scenario": self.scenario.name,
                    "seed": self.seed,
                    "year_reached": self.model.year,
                    "participants": [
                        {"name": p.name, "role": p.role} for p in self.participants.values()
                    ],
                    "decisions": self.history,
                    "fallbacks": self.fallbacks,
                    "injections": [
                        {"year": e["year"], **i} for e in self.played for i in e["injected"]
                    ],
                    "probe_overrides": [e["year"] for e in self.played if e["probe_overridden"]],
                    "reveals": self.reveals,
                    "locked": sorted(self.locked),
                    "messages": self.messages.to_json(),
                }
                (claimed / "seminar.json").write_text(json.dumps(meta, indent=2, default=str))
                (claimed / "after_action.html").write_text(after_action_html(self))
                for role in sorted(self.taken()):  # each seat's own copy
                    (claimed / f"after_action_{role}.html").write_text(
                        after_action_html(self, role)
                    )
                return claimed


def priority_mix(priority: str) -> dict[str, float]:
    """A seat's equipment mix from one priority: half of new orders to it, the rest shared
    equally by the other categories."""
    if priority not in CATEGORIES:
        raise SeminarError(f"priority: expected one of {', '.join(CATEGORIES)}")
    rest = 0.5 / (len(CATEGORIES) - 1)
    return {c: 0.5 if c == priority else rest for c in CATEGORIES}


def _same(given: str, secret: str) -> bool:
    """A constant-time comparison that also takes what a browser may send (any characters:
    ``secrets.compare_digest`` refuses non-ASCII strings, so compare UTF-8 bytes)."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8"))


def _pair(role: str, year: int, col: str, a: pd.DataFrame, b: pd.DataFrame) -> dict[str, Any]:
    va = a.loc[a["year"] == year, col]
    vb = b.loc[b["year"] == year, col]
    return {
        "role": role,
        "year": int(year),
        "output": col,
        "class": va.iloc[0] if len(va) else None,
        "agents": vb.iloc[0] if len(vb) else None,
    }


DECISION_FIELDS = {
    "ally": (
        ("budget", f"core spending, % of GDP ({BUDGET_RANGE[0]:g}-{BUDGET_RANGE[1]:g})"),
        ("answer", "answer to the US demand: " + " | ".join(ANSWERS)),
        ("help", "if Russia probes an ally this year: how much help to send"),
        ("priority", "equipment: the category new orders favour"),
        ("us_share", "equipment: share bought from the US"),
    ),
    US: (
        ("demand", "core spending demanded of the allies, % of GDP"),
        ("threat", "abandonment threat level (0-1)"),
        ("drawdown", f"drawdown, fraction of 2025 posture ({DRAWDOWN_RANGE[1]:g} at most)"),
        ("reassurance", "reassurance (0-1)"),
        ("respond", "if Russia probes an ally this year, answer with force"),
    ),
    RUSSIA: (
        ("probe", "probe an ally, or none"),
        ("greyzone", f"grey-zone campaign, x the usual ({GREYZONE_RANGE[1]:g} at most)"),
    ),
}

"""A class playing one run together: students hold allies, the US or Russia; the agents play
every role nobody holds; the instructor runs the clock.

One :class:`ClassSession` lives in the server process and is shared by every browser: the model
is stepped once per year for the whole class (never per viewer), and every view reads the same
state, drawn once per year (:mod:`sim.seminar.views`). A participant is known by a seat token
(in their page's address, so a reload keeps the seat); the instructor by the instructor token
printed at start-up. Decisions go through :class:`sim.decisions.Decisions`, validated like
scenario parameters; a role that did not decide by the time the year advances falls back to its
agent's rule, and the log says so.

Debrief: the same scenario and seed run by the agents alone (the counterfactual), what the agents
decided in each human seat, both verdicts, and an export of both runs as results folders whose
manifests and ``decisions.csv`` record every human decision.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..decisions import ANSWERS, BUDGET_RANGE, DRAWDOWN_RANGE, GREYZONE_RANGE, Decisions
from ..model import AllianceModel
from ..outputs import verdict
from ..runner import release_model, replication_seeds
from ..scenario import CATEGORIES, Scenario
from ..scenario.schema import Event

US, RUSSIA = "USA", "RUS"
INJECTABLE = ("russia_probe", "us_drawdown", "us_reassurance", "summit", "greyzone_surge")
MAX_PARTICIPANTS = 200


class SeminarError(ValueError):
    """A request the session refuses (wrong code, taken role, a decision out of bounds, ...)."""


@dataclass
class Participant:
    token: str
    name: str
    role: str
    joined: float = field(default_factory=time.time)


def _name(text: str) -> str:
    cleaned = re.sub(r"[^\w .'-]+", "", text or "", flags=re.UNICODE).strip()[:40]
    if not cleaned:
        raise SeminarError("a name of letters, digits, spaces, '.', '-' or apostrophes")
    return cleaned


class ClassSession:
    """The shared run of a class (thread-safe: every browser's thread calls into it)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 7,
        code: str | None = None,
        instructor_token: str | None = None,
        seconds_per_year: int = 180,
    ) -> None:
        self.scenario, self.seed = scenario, seed
        self.code = code or f"{secrets.randbelow(10**6):06d}"
        self.instructor_token = instructor_token or secrets.token_urlsafe(12)
        self.seconds_per_year = seconds_per_year
        self.model = AllianceModel(scenario, rng=replication_seeds(seed, 1)[0])
        self.participants: dict[str, Participant] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self.history: list[dict[str, Any]] = []  # one row per human decision
        self.fallbacks: list[dict[str, Any]] = []  # held roles that did not decide
        self.injected: list[Event] = []
        self.paused = False
        self.fog = True
        self.deadline = time.time() + seconds_per_year
        self.version = 0
        self.lock = threading.RLock()

    # -- roles -------------------------------------------------------------------------------
    def roles(self) -> list[str]:
        """Every role a student can take: the US, Russia and each member ally with forces."""
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
        return {p.role: p.name for p in self.participants.values()}

    def join(self, code: str, name: str, role: str) -> str:
        """Take ``role`` as ``name``; return the seat token."""
        with self.lock:
            if not _same(str(code).strip(), self.code):
                raise SeminarError("the join code is not this session's")
            if role not in self.roles():
                raise SeminarError(f"{role!r} is not a role in this run")
            if role in self.taken():
                raise SeminarError(f"{self.role_name(role)} is taken by {self.taken()[role]}")
            if len(self.participants) >= MAX_PARTICIPANTS:
                raise SeminarError("the session is full")
            token = secrets.token_urlsafe(12)
            self.participants[token] = Participant(token, _name(name), role)
            self._changed()
            return token

    def seat(self, token: str | None) -> Participant | None:
        return self.participants.get(token or "")

    def is_instructor(self, token: str | None) -> bool:
        return bool(token) and _same(str(token), self.instructor_token)

    # -- decisions ---------------------------------------------------------------------------
    def decide(self, token: str, **fields: Any) -> None:
        """Record a participant's decision for the coming year (only for their own role)."""
        with self.lock:
            seat = self.seat(token)
            if seat is None:
                raise SeminarError("not a seat of this session")
            if self.done:
                raise SeminarError("the run is over")
            decision = self._decision_for(seat.role, fields)
            try:
                decision.check(set(self.model.ally_index))
            except ValueError as exc:
                raise SeminarError(str(exc)) from None
            self.pending[seat.role] = fields
            self._changed()

    def _decision_for(self, role: str, fields: dict[str, Any]) -> Decisions:
        allowed = {
            US: {"demand", "threat", "drawdown", "reassurance", "respond"},
            RUSSIA: {"probe", "greyzone"},
        }.get(role, {"budget", "answer", "help", "priority", "us_share"})
        unknown = set(fields) - allowed
        if unknown:
            raise SeminarError(f"{self.role_name(role)} cannot decide {sorted(unknown)[0]!r}")
        try:
            if role == US:
                return Decisions(
                    us_demand_pct=_opt_float(fields.get("demand")),
                    us_threat=_opt_float(fields.get("threat")),
                    us_drawdown=_opt_float(fields.get("drawdown")),
                    us_reassurance=_opt_float(fields.get("reassurance")),
                    us_crisis_response=_opt_bool(fields.get("respond")),
                )
            if role == RUSSIA:
                probe = fields.get("probe")
                return Decisions(
                    russia_probe=None if probe is None else str(probe),
                    russia_greyzone=_opt_float(fields.get("greyzone")),
                )
            out = Decisions()
            if fields.get("budget") is not None:
                out.budget_pct = {role: float(fields["budget"])}
            if fields.get("answer") is not None:
                out.answer = {role: str(fields["answer"])}
            if fields.get("help") is not None:
                amount = fields["help"]
                out.crisis_help = {
                    role: float(amount)
                    if not isinstance(amount, str)
                    else float(_opt_bool(amount) or 0.0)
                }
            if fields.get("priority"):
                out.equipment_mix = {role: priority_mix(str(fields["priority"]))}
            if fields.get("us_share") is not None and fields.get("us_share") != "":
                out.us_buy_share = {role: float(fields["us_share"])}
            return out
        except (TypeError, ValueError) as exc:
            raise SeminarError(str(exc)) from None

    def decided(self) -> set[str]:
        return set(self.pending)

    # -- the instructor ----------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.model.year >= self.model.end_year

    @property
    def year(self) -> int:
        return self.model.year

    def seconds_left(self) -> int:
        return max(0, round(self.deadline - time.time())) if not self.paused else -1

    def set_paused(self, paused: bool) -> None:
        with self.lock:
            self.paused = paused
            if not paused:
                self.deadline = time.time() + self.seconds_per_year
            self._changed()

    def set_fog(self, fog: bool) -> None:
        with self.lock:
            self.fog = fog
            self._changed()

    def inject(self, kind: str, target: str = "", magnitude: float = 1.0) -> None:
        """An event for the coming year (a probe, a drawdown, a reassurance, a summit)."""
        if kind not in INJECTABLE:
            raise SeminarError(f"{kind!r}: expected one of {', '.join(INJECTABLE)}")
        if target and target not in self.model.ally_index:
            raise SeminarError(f"{target!r} is not an ally in this run")
        if kind == "russia_probe" and not target:
            raise SeminarError("a probe needs a target")
        with self.lock:
            self.injected.append(Event(0, kind, target=target, magnitude=float(magnitude)))
            self._changed()

    def advance(self) -> None:
        """The year ends: human decisions where given, the agents' rules everywhere else."""
        with self.lock:
            if self.done:
                raise SeminarError("the run is over")
            year = self.model.year + 1
            merged = Decisions(events=tuple(self.injected))
            for role, fields in self.pending.items():
                merged = merged.merged_with(self._decision_for(role, fields))
                who = self.taken().get(role, "")
                self.history += [
                    {"year": year, "role": role, "player": who, "decision": k, "value": v}
                    for k, v in fields.items()
                    if v is not None and v != ""
                ]
            missed = [(r, p) for r, p in self.taken().items() if r not in self.pending]
            self.model.decisions = merged
            self.model.step()
            for role, player in missed:
                self.fallbacks.append({"year": year, "role": role, "player": player})
                self.model.recorder.event(
                    "fallback",
                    f"{self.role_name(role)} ({player}) did not decide in time: its agent's "
                    "rule decided",
                )
            self.pending, self.injected = {}, []
            self.deadline = time.time() + self.seconds_per_year
            self._changed()

    def _changed(self) -> None:
        self.version += 1

    # -- what everyone sees --------------------------------------------------------------------
    def history_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.model.recorder.model_rows)

    def allies_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.model.recorder.ally_columns())

    def events(self, last: int = 20) -> list[str]:
        return list(self.model.recorder.events["event"])[-last:]

    def revealed(self) -> pd.DataFrame:
        """Human decisions of the years already played (this year's stay private)."""
        return pd.DataFrame(self.history, columns=["year", "role", "player", "decision", "value"])

    # -- debrief -----------------------------------------------------------------------------
    def counterfactual(self) -> AllianceModel:
        """The same scenario and seed played by the agents alone, to the same year."""
        other = AllianceModel(self.scenario, rng=replication_seeds(self.seed, 1)[0])
        while other.year < self.model.year:
            other.step()
        return other

    def debrief(self) -> dict[str, Any]:
        """The class beside the agents: the verdict of both (if the run ended now), and for
        each human seat what the class decided against what the agents did."""
        with self.lock:
            agents = self.counterfactual()
            try:
                rows = []
                cls_allies = self.allies_frame()
                ag_allies = pd.DataFrame(agents.recorder.ally_columns())
                cls_model = self.history_frame()
                ag_model = pd.DataFrame(agents.recorder.model_rows)
                for role in sorted(self.taken()):
                    if role == US:
                        col, a, b = "us_threat_level", cls_model, ag_model
                        for y in cls_model["year"][1:]:
                            rows.append(_pair(role, y, col, a, b))
                    elif role == RUSSIA:
                        for y in cls_model["year"][1:]:
                            rows.append(_pair(role, y, "probe_target", cls_model, ag_model))
                    else:
                        ca = cls_allies[cls_allies["iso3"] == role]
                        aa = ag_allies[ag_allies["iso3"] == role]
                        for y in ca["year"][1:]:
                            rows.append(_pair(role, y, "core_pct", ca, aa))
                outcomes = [o for o in self.model.recorder.model_rows["probe_outcome"] if o]
                ag_outcomes = [o for o in agents.recorder.model_rows["probe_outcome"] if o]
                return {
                    "class_verdict": verdict(self.model, outcomes),
                    "agents_verdict": verdict(agents, ag_outcomes),
                    "seats": pd.DataFrame(
                        rows, columns=["role", "year", "output", "class", "agents"]
                    ),
                    "class": cls_model,
                    "agents": ag_model,
                }
            finally:
                release_model(agents)

    def export(self, root: Path, label: str = "") -> Path:
        """Write ``root/<label>-class/<timestamp>/`` with ``class/`` and ``agents/`` results
        folders (readable by ``natosim report``) and ``decisions.csv``; return the folder."""
        from ..folders import claimed_folder  # noqa: PLC0415
        from ..runner import RunResult, collect  # noqa: PLC0415
        from ..store import write_results  # noqa: PLC0415
        from ..ui.config import safe_label  # noqa: PLC0415

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
                        + ("the class's run" if name == "class" else "the agents alone")
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
                }
                (claimed / "seminar.json").write_text(json.dumps(meta, indent=2, default=str))
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


def _opt_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "yes", "1"):
        return True
    if str(value).lower() in ("false", "no", "0"):
        return False
    raise SeminarError(f"expected yes or no, got {value!r}")


def _opt_float(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


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
        ("probe", "probe an ally (ISO3), or empty for none"),
        ("greyzone", f"grey-zone campaign, x the usual ({GREYZONE_RANGE[1]:g} at most)"),
    ),
}

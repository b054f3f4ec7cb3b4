"""A class saved and resumed: :class:`ClassSession`'s ``state``, ``save`` (``session.json``,
atomically, owner-only) and ``resume`` (the run played again from the same seed with the recorded
decisions and injections)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import clean_fields
from .errors import SeminarError
from .messages import MessageLog
from .seats import Participant
from .years import play_year

if TYPE_CHECKING:
    from ..scenario import Scenario
    from .session import ClassSession

SAVE_NAME = "session.json"


# the mixin reads and sets ClassSession's attributes; typed as Any, as a mixin is
_Base: Any = object


class PersistenceMixin(_Base):
    """The saving and resuming part of :class:`sim.seminar.session.ClassSession`."""

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
                "debrief_shown": self.debrief_shown,
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
            session.debrief_shown = data.get("debrief_shown") is True
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

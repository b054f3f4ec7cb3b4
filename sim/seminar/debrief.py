"""The debrief and the export of a class: the same scenario and seed played by the agents alone
with the instructor's injections replayed (the counterfactual), the class against the agents per
seat, and the results folders, ``decisions.csv``, ``seminar.json`` and after-action reports."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.alliance import AllianceModel
from ..model.outputs import verdict
from ..runs.runner import release_model, replication_seeds
from .messages import RUSSIA, US
from .years import play_year

# the mixin reads and sets ClassSession's attributes; typed as Any, as a mixin is
_Base: Any = object


class DebriefMixin(_Base):
    """The debrief and export part of :class:`sim.seminar.session.ClassSession`."""

    _debrief: tuple[int, dict[str, Any]] | None  # the year's debrief, set by ClassSession
    # the latest export and what it held (a second Export of the same class gives its folder)
    _last_export: tuple[tuple[str, str, str], Path] | None = None

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
        (``after_action_<ROLE>.html``); return the folder. Asked again while nothing in the
        class changed (a double click), it returns the folder already written."""
        from ..runs.folders import claimed_folder  # noqa: PLC0415
        from ..runs.runner import RunResult, collect  # noqa: PLC0415
        from ..runs.store import write_results  # noqa: PLC0415
        from ..ui.config import safe_label  # noqa: PLC0415
        from .briefing import after_action_html  # noqa: PLC0415

        with self.lock:
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
            key = (str(root), label, json.dumps(meta, sort_keys=True, default=str))
            last = self._last_export
            if last is not None and last[0] == key and last[1].is_dir():  # a double click
                return last[1]
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            folder = Path(root) / f"{safe_label(label, fallback=self.scenario.name)}-class" / stamp
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
                (claimed / "seminar.json").write_text(json.dumps(meta, indent=2, default=str))
                (claimed / "after_action.html").write_text(after_action_html(self))
                for role in sorted(self.taken()):  # each seat's own copy
                    (claimed / f"after_action_{role}.html").write_text(
                        after_action_html(self, role)
                    )
            self._last_export = (key, claimed)
            return claimed


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

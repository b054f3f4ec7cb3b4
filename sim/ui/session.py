"""A seminar session: one model, stepped a year at a time, with the settings that made it.

Pure Python (no Solara), so the web app stays a thin layer and the logic is tested directly.
The levers shown in the app are chosen here; their names, bounds, defaults and help come from
the scenario schema, never re-typed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.alliance import AllianceModel
from ..model.outputs import verdict
from ..runs.runner import release_model, replication_seeds, run_replications
from ..runs.store import claimed_folder, write_results
from ..scenario import CATALOGUE, Param, Scenario, load_scenario
from ..scenario.paths import scenario_dirs

LEVERS: dict[str, tuple[str, ...]] = {
    "United States": (
        "united_states.threat_intensity",
        "united_states.execute_threats",
        "united_states.measurement",
        "united_states.exit_mechanisms",
        "united_states.accepts_european_command",
        "united_states.deadline_year",
        "united_states.congress_floor",
        "united_states.refocus_drift",
        "united_states.crisis_response_base",
    ),
    "Allies": (
        "allies.threat_gain",
        "allies.pledge_weight",
        "allies.self_help_gain",
        "allies.max_rise_pp",
        "allies.budget_noise_sd",
    ),
    "Russia": (
        "russia.reaction_coefficient",
        "russia.misperception_sd",
        "russia.probe_threshold",
        "russia.war_commitment",
    ),
    "Trust and credibility": (
        "perception.trust_threat_cost",
        "perception.trust_ambiguity_cost",
        "perception.credibility_decay",
    ),
}


def lever_params() -> dict[str, list[Param]]:
    """The schema entries of the levers, grouped by actor."""
    return {group: [CATALOGUE.by_key[k] for k in keys] for group, keys in LEVERS.items()}


def shipped_scenarios() -> dict[str, Scenario]:
    """Every shipped scenario by name (valid files only)."""
    out: dict[str, Scenario] = {}
    for d in scenario_dirs():
        for path in sorted(d.glob("*.toml")):
            sc = load_scenario(path)
            out.setdefault(sc.name, sc)
    return out


@dataclass(frozen=True)
class View:
    """What a page shows of a session, read at one moment (under the session's lock): a step
    running in another thread (Play, a second click) never shows half done."""

    year: int
    configured: Scenario
    history: pd.DataFrame
    allies: pd.DataFrame
    events: list[str]
    indicators: dict[str, Any]
    # what the run shown is a function of (:meth:`Session.shown_key`): two views with the same
    # key show the same thing, whichever session they come from
    key: tuple[Any, ...] = ()


_SERIALS = itertools.count(1)


@dataclass
class Session:
    """A model being stepped in the browser, with its scenario, overrides and seed.

    A page's threads (its clicks, its Play loop) may step, change and read it at once: every
    method holds the session's lock, so a year is stepped whole before the next step or a read.
    A session belongs to one page; :meth:`recipe` and :meth:`replay` make an independent copy
    (a reloaded or copied address), never a second page on the same model."""

    scenario: Scenario
    overrides: dict[str, Any] = field(default_factory=dict)
    seed: int = 7
    model: AllianceModel = field(init=False)

    def __post_init__(self) -> None:
        self.serial = next(_SERIALS)  # this session's own number, for what pages memoise
        self.lock = getattr(self, "lock", None) or threading.RLock()
        self.configured = self.scenario.with_params(self.overrides, source="the seminar app")
        # replication 0 of `natosim run --seed SEED`: the exported folder's run 0 is this run
        self.model = AllianceModel(self.configured, rng=replication_seeds(self.seed, 1)[0])
        self.started_with = dict(self.overrides)  # what the model was built with
        self.changes: list[tuple[int, str, Any]] = []  # levers moved mid-run: (year, key, value)
        self.exports: dict[tuple[Any, ...], Path] = {}  # what was exported with which settings
        self.reused = False  # whether the last export gave a folder written before

    @property
    def year(self) -> int:
        return self.model.year

    @property
    def done(self) -> bool:
        return self.model.year >= self.model.end_year

    def step(self, years: int = 1) -> None:
        """Advance up to ``years`` years (not past the scenario's end)."""
        with self.lock:
            for _ in range(years):
                if self.done:
                    break
                self.model.step()

    def change(self, key: str, value: Any) -> None:
        """A lever moved during the run: it takes effect from the next year, and the event log
        says so (before the first step, the run simply starts with it; after the last year, the
        ended run is left as it ran and the setting waits for a reset, checked all the same)."""
        with self.lock:
            if self.done:
                self.scenario.with_params({**self.overrides, key: value})  # may refuse
                self.overrides = {**self.overrides, key: value}
                return
            if self.model.year == self.model.start_year:
                self.overrides = {**self.overrides, key: value}
                release_model(self.model)
                self.__post_init__()
                return
            self.model.change_params({key: value}, source="the seminar app")  # may refuse
            self.overrides = {**self.overrides, key: value}
            self.configured = self.model.config
            self.changes.append((self.model.year, key, value))

    def reset(self) -> Session:
        """A fresh session with the same scenario, settings and seed."""
        with self.lock:
            release_model(self.model)
            return Session(self.scenario, dict(self.overrides), self.seed)

    def recipe(self) -> dict[str, Any]:
        """What rebuilds this run exactly (:meth:`replay`): a few hundred bytes, not a model."""
        with self.lock:
            return {
                "scenario": self.scenario,
                "overrides": dict(self.started_with),
                "seed": self.seed,
                "changes": list(self.changes),
                "year": self.model.year,
                "settings": dict(self.overrides),  # with a lever moved after the end
            }

    @classmethod
    def replay(cls, recipe: dict[str, Any]) -> Session:
        """A new session at the same year with the same history as the one ``recipe`` was taken
        of (the model is deterministic given its seed and the levers moved, year by year)."""
        s = cls(recipe["scenario"], dict(recipe["overrides"]), recipe["seed"])
        for year, key, value in recipe["changes"]:
            s.step(year - s.year)
            s.change(key, value)
        s.step(recipe["year"] - s.year)
        if "settings" in recipe:  # a lever moved after the end waits for a reset: kept too
            s.overrides = dict(recipe["settings"])
        return s

    def view(self) -> View:
        """Everything a page shows, read at one moment."""
        with self.lock:
            return View(
                self.year,
                self.configured,
                self.history(),
                self.allies(),
                self.events(),
                self.indicators(),
                self.shown_key(),
            )

    def shown_key(self) -> tuple[Any, ...]:
        """What this run's state is a function of, as a key: the scenario (its name and file),
        the settings it started with, the seed, the levers moved mid-run (year, key, value) and
        the year reached. The model is deterministic in these (:meth:`replay` rebuilds a run
        from them), so sessions with the same key show the same charts and map, and a page
        can use what another page drew (:func:`sim.ui.figures.shared_png`)."""
        with self.lock:
            return (
                self.scenario.name,
                str(self.scenario.source),
                repr(sorted(self.started_with.items())),
                self.seed,
                repr(self.changes),
                self.model.year,
            )

    def history(self) -> pd.DataFrame:
        with self.lock:
            return pd.DataFrame(self.model.recorder.model_rows).assign(run=0)

    def allies(self) -> pd.DataFrame:
        with self.lock:
            return pd.DataFrame(self.model.recorder.ally_columns()).assign(run=0)

    def events(self) -> list[str]:
        with self.lock:
            return list(self.model.recorder.events["event"])

    def indicators(self) -> dict[str, Any]:
        """The current state of the verdict's ingredients and the verdict if the run ended now."""
        with self.lock:
            return self._indicators()

    def _indicators(self) -> dict[str, Any]:
        rows = self.model.recorder.model_rows
        outcomes = [o for o in rows["probe_outcome"] if o]
        return {
            "European core spending, % GDP": rows["eu_core_pct"][-1],
            "European share of capability": rows["eu_capability_share"][-1],
            # what the verdict reads: the burden shifted at a gain of verdict.shift_coverage_gain,
            # Europe carries at verdict.carry_coverage
            "Europe's coverage of its requirement": rows["coverage_mean"][-1],
            "Mean trust in the US": rows["mean_trust"][-1],
            "US influence": rows["us_influence"][-1],
            "Russia's estimate of US resolve": rows["russia_resolve_estimate"][-1],
            "Article 5 failures so far": outcomes.count("article5_failure"),
            "verdict if it ended now": verdict(self.model, outcomes),
        }

    def export(self, root: Path, reps: int = 20, label: str = "") -> Path:
        """Write the same results folder as ``natosim run`` for the current settings, to
        ``root/<label or scenario>-seminar/<timestamp>`` (the label made safe; never outside
        ``root``). Asked again with the same settings, label and replications (a double click),
        it returns the folder already written instead of writing a second."""
        from .config import safe_label  # noqa: PLC0415

        with self.lock:  # the settings of this moment; the replications run without the lock
            configured = self.configured
            started = self.scenario.with_params(self.started_with, source="the seminar app")
            changes = tuple(self.changes)
            # what the export runs: the settings the run started with and the levers moved
            key = (repr(sorted(self.started_with.items())), changes, reps, label, str(root))
            before = self.exports.get(key)
        self.reused = before is not None and before.is_dir()
        if before is not None and self.reused:  # a double click: the same folder, not two
            return before
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        name = safe_label(label, fallback=configured.name)
        folder = Path(root) / f"{name}-seminar" / stamp
        root_resolved = Path(root).resolve()
        if root_resolved not in folder.resolve().parents:
            raise ValueError("the export must stay under the export folder")
        # the levers moved mid-run are moved in every replication in the same years, so the
        # exported run 0 is the run on screen
        results = run_replications(started, reps, self.seed, changes=changes)
        settings = " ".join(f"{k}={v}" for k, v in sorted(self.started_with.items()))
        moved = "; ".join(f"from {y + 1}: {k}={v}" for y, k, v in changes)
        command = (
            f"natosim ui (export): scenario {configured.name}, seed {self.seed}, "
            f"{reps} replications, settings: {settings or 'as in the scenario'}"
            + (f"; levers moved: {moved}" if moved else "")
        )
        with claimed_folder(folder, "export", unique=True) as claimed:
            written = write_results(results, claimed, command)
        with self.lock:
            self.exports[key] = written
        return written

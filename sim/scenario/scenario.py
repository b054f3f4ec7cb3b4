"""The validated, immutable scenario that a model is built from."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from .catalogue import CATALOGUE, ScenarioError, check_cross_fields, check_param
from .schema import Event


def _freeze(d: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class Scenario:
    """A fully resolved scenario: every parameter has a value, every series its points.

    Build one with :func:`sim.load_scenario` (from a TOML file) or :meth:`Scenario.default`;
    derive variants with :meth:`with_params`, which validates like the loader does.
    """

    name: str
    description: str = ""
    claims: tuple[str, ...] = ()
    hypothesis: str = ""
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    series: Mapping[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    source: str = ""
    # values derived from the (immutable) scenario, computed once: see :meth:`derived`
    _derived: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # (the scenario this one was made from by with_params, what changed: the sections, each
    # parameter changed as "section.name", "overrides" for per-ally values)
    _parent: tuple[Scenario, frozenset[str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def default(cls, name: str = "default") -> Scenario:
        """The schema's defaults, with no overrides and no events."""
        return cls.build(name=name, raw_params={}, overrides={}, series={}, events=())

    @classmethod
    def build(cls, *, name, raw_params, overrides, series, events, **meta) -> Scenario:
        """Fill defaults under already validated values and freeze the result."""
        params = CATALOGUE.defaults()
        for section, values in raw_params.items():
            params[section].update(values)
        full_series = {s.name: s.default for s in CATALOGUE.series}
        full_series.update(series)
        return cls(
            name=name,
            params=_freeze({k: _freeze(v) for k, v in params.items()}),
            overrides=_freeze({k: _freeze(v) for k, v in sorted(overrides.items())}),
            series=_freeze(full_series),
            events=tuple(sorted(events, key=lambda e: (e.year, e.kind, e.target))),
            **meta,
        )

    def get(self, key: str) -> Any:
        """The value of ``section.name``."""
        section, name = key.split(".", 1)
        return self.params[section][name]

    def ally_value(self, iso3: str, name: str) -> Any:
        """A per-ally parameter for one ally: its override, else the ``allies`` value."""
        over = self.overrides.get(iso3)
        if over is not None and name in over:
            return over[name]
        return self.params["allies"][name]

    def derived(self, key: Any, build: Callable[[], Any], depends: tuple[str, ...]) -> Any:
        """``build()``, computed once and kept under ``key``.

        ``depends`` names what the value is computed from: parameter sections, single
        parameters (``"section.name"``, for a value that reads only those of its section),
        ``"overrides"`` (per-ally values) or ``"series"``. The scenario is immutable, so the
        value stays valid. A scenario made by :meth:`with_params` asks the scenario it was made
        from when none of ``depends`` changed (a section changed when any of its parameters
        did), so every point of a sweep over US parameters shares the allies' start arrays.
        Callers must not modify what it returns.
        """
        try:
            return self._derived[key][1]
        except KeyError:
            pass
        deps = frozenset(depends)
        if self._parent is not None and not deps & self._parent[1]:
            value = self._parent[0].derived(key, build, depends)
        else:
            value = build()
        self._derived[key] = (deps, value)
        return value

    def series_year(self, year: int) -> Mapping[str, float]:
        """Every series at ``year`` (a read-only mapping, computed once per year)."""
        return self.derived(
            ("series_year", year),
            lambda: MappingProxyType({n: self.series_at(n, year) for n in self.series}),
            depends=("series",),
        )

    def series_at(self, name: str, year: float) -> float:
        """Series ``name`` at ``year``: linear between points, flat beyond the ends."""
        pts = self.series[name]
        years = [y for y, _ in pts]
        i = bisect.bisect_right(years, year)
        if i == 0:
            return pts[0][1]
        if i == len(pts):
            return pts[-1][1]
        (y0, v0), (y1, v1) = pts[i - 1], pts[i]
        return v0 + (v1 - v0) * (year - y0) / (y1 - y0)

    def with_params(self, values: Mapping[str, Any], source: str = "<override>") -> Scenario:
        """A copy with ``{"section.name": value}`` (or ``allies.overrides.ISO3.name``) changed.

        The scenario's events stay as they are: a later ``run.start_year`` that would leave an
        event before the run's start (where it could never happen; a scenario file with one is
        refused) is refused, naming the events. An earlier ``run.end_year`` cuts the events after
        it: the run stops before them (a calibration window ends so).

        Raises:
            ScenarioError: an unknown key, a value out of bounds, or run years that leave an
                event before the start (or an accession event for an ally already a member).
        """
        if not isinstance(values, Mapping):  # found by fuzzing: an AttributeError
            raise ScenarioError(
                source, "(values)", 'a mapping {"section.name": value}', type(values).__name__
            )
        params = {s: dict(v) for s, v in self.params.items()}
        overrides = {k: dict(v) for k, v in self.overrides.items()}
        changed = set()
        for key, value in values.items():
            if not isinstance(key, str):
                raise ScenarioError(source, repr(key), "a key of the form section.name")
            parts = key.split(".")
            if len(parts) == 4 and parts[:2] == ["allies", "overrides"]:
                iso3, name = parts[2], parts[3]
                p = check_param(source, "allies", name, value, iso3=iso3)
                overrides.setdefault(iso3, {})[name] = p
                changed.add("overrides")
            elif len(parts) == 2:
                params.setdefault(parts[0], {})
                params[parts[0]][parts[1]] = check_param(source, parts[0], parts[1], value)
                changed.update((parts[0], key))  # the section and the parameter (derived)
            else:
                raise ScenarioError(source, key, "a key of the form section.name")
        check_cross_fields(source, params)
        if "run" in changed and self.events:
            _check_events_after_start(source, params, self.events)
        new = replace(
            self,
            params=_freeze({k: _freeze(v) for k, v in params.items()}),
            overrides=_freeze({k: _freeze(v) for k, v in sorted(overrides.items())}),
        )
        object.__setattr__(new, "_parent", (self, frozenset(changed)))
        return new

    def __reduce__(self) -> tuple[Any, ...]:
        # MappingProxyType does not pickle; rebuild from plain dicts (runs go to worker processes)
        return (
            _rebuild,
            (
                self.name,
                self.description,
                self.claims,
                self.hypothesis,
                {s: dict(v) for s, v in self.params.items()},
                {k: dict(v) for k, v in self.overrides.items()},
                dict(self.series),
                self.events,
                self.source,
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready copy of the resolved scenario (for manifests)."""
        return {
            "name": self.name,
            "description": self.description,
            "claims": list(self.claims),
            "hypothesis": self.hypothesis,
            "source": self.source,
            "params": {s: dict(v) for s, v in self.params.items()},
            "overrides": {k: dict(v) for k, v in self.overrides.items()},
            "series": {k: [list(p) for p in v] for k, v in self.series.items()},
            "events": [e.__dict__ for e in self.events],
        }


def _check_events_after_start(
    source: str, params: Mapping[str, Mapping[str, Any]], events: tuple[Event, ...]
) -> None:
    """No event before ``run.start_year``, and no accession of an ally already a member then
    (found by fuzzing: ``with_params({"run.start_year": 2030})`` on the baseline kept its 2025
    summit, which never happened, without a word)."""
    from .loader import check_accessions  # noqa: PLC0415 (the loader imports this module)

    start = params["run"]["start_year"]
    early = [e for e in events if e.year < start]
    if early:
        shown = ", ".join(f"{e.kind} {e.target}".strip() + f" in {e.year}" for e in early[:5])
        more = f" and {len(early) - 5} more" if len(early) > 5 else ""
        raise ScenarioError(
            source,
            "run.start_year",
            f"a year no later than the scenario's events ({shown}{more}): an event before the "
            "run's start could never happen (load a scenario without them, or one with "
            "replace_events = true)",
            start,
        )
    check_accessions(source, {"params": params, "events": list(events)})


def _rebuild(name, description, claims, hypothesis, params, overrides, series, events, source):
    return Scenario(
        name=name,
        description=description,
        claims=claims,
        hypothesis=hypothesis,
        params=_freeze({k: _freeze(v) for k, v in params.items()}),
        overrides=_freeze({k: _freeze(v) for k, v in overrides.items()}),
        series=_freeze(series),
        events=events,
        source=source,
    )

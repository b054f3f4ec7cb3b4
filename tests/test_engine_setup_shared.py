"""The guard of what a variant of a scenario shares of its parent's start (issue 25).

A scenario made by :meth:`Scenario.with_params` reads a value its parent derived when none of
the parts the value declares it depends on changed (:meth:`Scenario.derived`); the model's
construction declares per shared build what it reads (:meth:`AllianceModel._init_shared`'s
``depends``, :data:`sim.model.alliance.START_DEPENDS`). Too narrow a declaration would hand a
variant its parent's value: here every parameter of the catalogue is moved in turn (and a
per-ally value, and each series), in a variant made after its parent built a model, and the
variant's construction (every shared build's value, deep, arrays bit-identical) and a few years
of its run must be those of the same scenario with nothing to share."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import sim
from sim.model.alliance import AllianceModel
from sim.runs.runner import release_model
from sim.scenario import CATALOGUE
from sim.scenario.catalogue import ScenarioError
from sim.scenario.schema import Event, Param

ROOT = Path(__file__).resolve().parent.parent
YEARS = 3  # the years of each run compared (the construction's comparison catches the most)


def _fresh(sc):
    """``sc`` as a new scenario object with no parent: nothing derived kept, nothing shared."""
    out = pickle.loads(pickle.dumps(sc))
    assert out._parent is None and not out._derived
    return out


def _equal(x: Any, y: Any, seen: set[int] | None = None) -> bool:
    """Deep equality: arrays bit-identical (dtype, shape, values, NaN where NaN), mappings,
    sequences and objects (their attributes or slots) item by item."""
    seen = set() if seen is None else seen
    if type(x) is not type(y):
        return False
    if isinstance(x, np.ndarray):
        if x.dtype != y.dtype or x.shape != y.shape:
            return False
        if x.dtype == object:
            return x.tolist() == y.tolist()
        return bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"))
    if isinstance(x, float):
        return x == y or (np.isnan(x) and np.isnan(y))
    if isinstance(x, (int, str, bytes, bool, type(None), np.generic, frozenset)):
        return bool(x == y)
    if id(x) in seen:  # a cycle (a pipeline's rows name their pipes): compared where first met
        return True
    seen.add(id(x))
    if isinstance(x, Mapping):
        return x.keys() == y.keys() and all(_equal(x[k], y[k], seen) for k in x)
    if isinstance(x, (tuple, list)):
        return len(x) == len(y) and all(_equal(a, b, seen) for a, b in zip(x, y, strict=True))
    if hasattr(x, "__dict__") and not _equal(vars(x), vars(y), seen):
        return False
    slots = [s for c in type(x).__mro__ for s in getattr(c, "__slots__", ())]
    return all(_equal(getattr(x, s, None), getattr(y, s, None), seen) for s in slots)


def _capture(sc) -> tuple[dict[str, list[Any]], AllianceModel]:
    """A model of ``sc`` at its start and every shared build's value it read, by key."""
    got: dict[str, list[Any]] = {}
    real = AllianceModel._init_shared

    def hook(self, key, build, *args, **kw):
        value = real(self, key, build, *args, **kw)
        got.setdefault(repr(key), []).append(value)
        return value

    AllianceModel._init_shared = hook  # type: ignore[method-assign]
    try:
        model = AllianceModel(sc, rng=11)
    finally:
        AllianceModel._init_shared = real  # type: ignore[method-assign]
    return got, model


def _tables(model: AllianceModel) -> tuple[Any, ...]:
    for _ in range(YEARS):
        if model.running:
            model.step()
    rec = model.recorder
    out = (rec.model_rows, rec.ally_columns(), rec.events)
    return pickle.loads(pickle.dumps(out))


def _check_shared_as_alone(child, what: str) -> None:
    shared, a = _capture(child)
    alone, b = _capture(_fresh(child))
    assert shared.keys() == alone.keys(), what
    bad = [k for k in shared if not _equal(shared[k], alone[k])]
    assert not bad, f"{what}: shared {bad} differ from the values computed alone"
    ta, tb = _tables(a), _tables(b)
    for name, x, y in zip(("model", "allies", "events"), ta, tb, strict=True):
        assert _equal(x, y), f"{what}: the run's {name} table differs"
    release_model(a)
    release_model(b)


def _other_values(p: Param, current: Any) -> list[Any]:
    """Valid values of ``p`` other than ``current``, the likeliest to be accepted first."""
    if p.kind == "bool":
        return [not current]
    if p.kind == "choice":
        return [c for c in p.choices if c != current]
    out = []
    for bound in (p.high, p.low, None if p.low is None else (p.low + p.high) / 2):
        if bound is None:
            continue
        v = round(bound) if p.kind == "int" else float(bound)
        if v != current and v not in out:
            out.append(v)
    return out


def _with_start_events(base):
    """``base`` with an event of every kind that can act in the start year's construction
    (before and after the US's first stance: :meth:`AllianceModel._apply_events`), and a
    probe the year after (the crisis game in the run)."""
    start = base.get("run.start_year")
    events = (
        *base.events,
        Event(start, "russian_aggression", magnitude=0.3),
        Event(start, "greyzone_surge", magnitude=4.0),
        Event(start, "us_reassurance", magnitude=0.5),
        Event(start, "us_drawdown", magnitude=0.1),
        Event(start, "us_pressure", magnitude=0.6),
        Event(start, "pledge", magnitude=2.5, deadline=start + 4),
        Event(start, "european_command"),
        Event(start + 1, "russia_probe", target="LTU"),
    )
    return dataclasses.replace(
        base, events=tuple(sorted(events, key=lambda e: (e.year, e.kind, e.target)))
    )


@pytest.fixture(scope="module", params=["baseline", "start-year events"])
def parent(request):
    """The baseline, a few years long (with events of every kind in its start year, for the
    second), having built a model: its start values are kept."""
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    start = base.get("run.start_year")
    base = base.with_params({"run.end_year": start + YEARS})
    sc = _fresh(base if request.param == "baseline" else _with_start_events(base))
    m = AllianceModel(sc, rng=1)
    release_model(m)
    assert any(k[0] == "start" for k in sc._derived if isinstance(k, tuple))
    return sc


def _variants(parent) -> list[tuple[str, Any]]:
    out = []
    for p in CATALOGUE.params:
        for v in _other_values(p, parent.get(p.key)):
            try:
                parent.with_params({p.key: v})
            except ScenarioError:
                continue
            out.append((p.key, v))
            break
        else:
            out.append((p.key, None))
    return out


def test_every_parameter_moved_in_a_variant_gives_what_it_computes_alone(parent):
    untried = []
    for key, value in _variants(parent):
        if value is None:
            untried.append(key)
            continue
        child = parent.with_params({key: value})
        assert child._parent is not None and child._parent[0] is parent
        assert child.events == parent.events and child.series is parent.series
        _check_shared_as_alone(child, f"{key} = {value!r}")
    # every section is moved, and all but a few parameters (none valid but the current)
    assert not untried, untried


def test_a_per_ally_value_moved_in_a_variant_gives_what_it_computes_alone(parent):
    per_ally = [p for p in CATALOGUE.by_section["allies"].values() if p.per_ally]
    assert per_ally
    for p in per_ally:
        for iso3 in ("POL", "DEU"):
            for v in _other_values(p, parent.ally_value(iso3, p.name)):
                try:
                    child = parent.with_params({f"allies.overrides.{iso3}.{p.name}": v})
                except ScenarioError:
                    continue
                assert child._parent is not None and child._parent[1] == {"overrides"}
                _check_shared_as_alone(child, f"{iso3}.{p.name} = {v!r}")
                break


def test_a_series_moved_in_a_variant_gives_what_it_computes_alone(parent):
    """:meth:`Scenario.with_params` changes no series (nor the events), but :meth:`derived`
    would read a parent's value for a child that names ``"series"`` among its changes and
    nothing else the value depends on: a child so made with each series moved."""
    for s in CATALOGUE.series:
        pts = parent.series[s.name]
        v = s.low + 0.37 * (s.high - s.low)
        series = {**parent.series, s.name: tuple((y, v) for y, _ in pts)}
        assert series[s.name] != pts
        child = dataclasses.replace(parent, series=series)
        object.__setattr__(child, "_parent", (parent, frozenset({"series"})))
        _check_shared_as_alone(child, f"series {s.name}")


def test_a_variant_shares_what_its_changes_leave_alone(parent):
    """The point of the declarations: a sweep's point over the US's threat intensity reads
    from its parent all of the start but what its first stance changes."""
    child = parent.with_params({"united_states.threat_intensity": 0.123})
    m = AllianceModel(child, rng=3)
    release_model(m)
    shared = ("allies", "pipeline", "capability", ("object", "theatre"), "readiness", "threat")
    for key in (*shared, "base_pct", "budget_start", "measures", ("assignments", "indices")):
        assert child._derived["start", key][1] is parent._derived["start", key][1], key
    for key in ("comply_each", "comply_start", "record"):  # they read the US's first stance
        assert child._derived["start", key][1] is not parent._derived["start", key][1], key
    # a value that reads one parameter of a section: shared unless that parameter moved
    other = parent.with_params({"united_states.european_command": True})
    release_model(AllianceModel(other, rng=3))
    indices = ("start", ("assignments", "indices"))
    assert other._derived[indices][1] is not parent._derived[indices][1]
    assert other._derived["start", "pipeline"][1] is parent._derived["start", "pipeline"][1]


@pytest.mark.parametrize("middle_built", [False, True])
def test_a_variant_of_a_variant_gives_what_it_computes_alone(parent, middle_built):
    """A chain of variants (a sweep's point over the US's parameters in a world with Russia's
    projection moved): each reads what it shares from the nearest scenario that has it, built
    there or not yet."""
    middle = parent.with_params({"russia.projection_elasticity": 2.5, "crisis.halt_ratio": 2.0})
    if middle_built:
        release_model(AllianceModel(middle, rng=2))
    child = middle.with_params({"united_states.threat_intensity": 0.2})
    _check_shared_as_alone(child, f"a variant of a variant (middle built: {middle_built})")
    theatre = ("start", ("object", "theatre"))
    assert child._derived[theatre][1] is middle._derived[theatre][1]
    assert middle._derived[theatre][1] is not parent._derived[theatre][1]
    allies = ("start", "allies")
    assert child._derived[allies][1] is parent._derived[allies][1]

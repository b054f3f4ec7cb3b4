"""Worlds: each replication's draw of every sampled assumption (:mod:`sim.scenario.uncertainty`).

A *world* is one value for every assumption the scenario leaves open. Replication ``i`` with
seed ``s`` draws its world from ``s`` alone, through a separate ``SeedSequence`` stream per
parameter (``spawn_key = (WORLD_STREAM, crc32(key))``): the model's own draws (``rng = s``) are
unchanged, and two scenarios run with the same root seed share their worlds replication by
replication (common random numbers), parameter by parameter, even when one of them fixes or
narrows some parameters. Each parameter's draw is a quantile ``u`` mapped through its
distribution, so a narrowed range keeps the world's quantile.

What is sampled: every parameter :func:`~sim.scenario.uncertainty.resolve` calls a sampled
assumption, except those the scenario itself sets (a value in its file or the files it extends,
or any value different from the schema's default, as an overlay or ``with_params`` makes): a
scenario's explicit setting fixes a parameter. A scenario's ``[uncertainty]`` table narrows a
range instead (:func:`scenario_ranges`).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import CATALOGUE, Scenario, ScenarioError
from ..scenario.catalogue import CROSS_FIELD_KEYS
from ..scenario.uncertainty import Dist, narrowed, resolve_all
from .seedseq import first_uint64

WORLD_STREAM = 0x776F726C64  # "world": the spawn key of world draws, apart from the model's
FITTED_KEY = "calibration.bootstrap"  # the stream that picks a world's bootstrap refit
_U53 = 2.0**-53


def _explicit_in_files(scenario: Scenario) -> tuple[set[str], dict[str, Any]]:
    """Keys set in the scenario's file chain, and its merged ``[uncertainty]`` table."""
    src = scenario.source
    if not src or not Path(src).is_file():
        return set(), {}
    from ..scenario.loader import _load_chain  # noqa: PLC0415 (re-read the chain's own keys)

    try:
        merged = _load_chain(Path(src), ())
    except ScenarioError:  # a manifest's scenario whose file changed since: values only
        return set(), {}
    keys = {f"{s}.{n}" for s, vals in merged["params"].items() for n in vals}
    return keys, dict(merged.get("uncertainty", {}))


def scenario_ranges(scenario: Scenario, fixed: bool = False) -> dict[str, Dist]:
    """The distribution of every parameter a world of ``scenario`` draws (empty if ``fixed``).

    Raises:
        ScenarioError: an ``[uncertainty]`` entry that is not a sampled assumption's range.
    """
    if fixed:
        return {}
    explicit, narrow = _explicit_in_files(scenario)
    defaults = CATALOGUE.defaults()
    out: dict[str, Dist] = {}
    for key, u in resolve_all().items():
        section, name = key.split(".", 1)
        value = scenario.params.get(section, {}).get(name)
        if not u.sampled or key in explicit or value != defaults[section][name]:
            continue
        out[key] = u.dist  # type: ignore[assignment]
    for key, spec in narrow.items():
        param = CATALOGUE.by_key.get(key)
        if param is None:
            raise ScenarioError(scenario.source, f"uncertainty.{key}", "a known parameter")
        try:
            out[key] = narrowed(key, spec, param)
        except ValueError as exc:
            raise ScenarioError(scenario.source, f"uncertainty.{key}", str(exc)) from None
    return out


@lru_cache(maxsize=4096)
def _key_word(key: str) -> int:
    return zlib.crc32(key.encode())


def quantiles(seed: int, keys: Sequence[str]) -> np.ndarray:
    """The world's quantile of each of ``keys`` for replication seed ``seed``, uniform on [0, 1):
    the first 53 bits of the first word of ``SeedSequence(seed, spawn_key=(WORLD_STREAM,
    crc32(key)))``, for all keys at once (:func:`sim.runs.seedseq.first_uint64`, bit for bit
    NumPy's)."""
    if not keys:
        return np.zeros(0)
    words = first_uint64(int(seed), (WORLD_STREAM,), np.array([_key_word(k) for k in keys]))
    return (words >> np.uint64(11)).astype(float) * _U53


def quantile(seed: int, key: str) -> float:
    """The world's quantile of ``key`` for replication seed ``seed``: uniform on [0, 1)."""
    return float(quantiles(seed, [key])[0])


def draw_world(ranges: Mapping[str, Dist], seed: int) -> dict[str, Any]:
    """One world: a value for each key of ``ranges``, from replication seed ``seed``."""
    world: dict[str, Any] = {}
    for (key, dist), u in zip(ranges.items(), quantiles(seed, list(ranges)), strict=True):
        value = dist.ppf(float(u))
        param = CATALOGUE.by_key[key]
        if param.kind == "int":
            # the nearest integer within the range (a range of 2.5-7.5 gives 3-7)
            value = int(min(max(round(value), math.ceil(dist.low)), math.floor(dist.high)))
        world[key] = value
    return world


def fitted_window(scenario: Scenario) -> tuple[int, int] | None:
    """The tracked calibration (``scenarios/calibration/fitted_<start>_<end>.json``) whose
    fitted values ``scenario`` holds (every one equal to the 4 decimals its TOML file writes),
    or None: a scenario that sets a fitted parameter itself, or extends no fit, keeps its
    values."""
    from ..calibration import read_fit_record  # noqa: PLC0415
    from ..scenario.paths import PACKAGE_SCENARIOS  # noqa: PLC0415

    for path in sorted(Path(PACKAGE_SCENARIOS, "calibration").glob("fitted_*.json")):
        try:
            record = read_fit_record(path)
            values = {k: float(v) for k, v in record["values"].items()}
            start, end = (int(y) for y in path.stem.split("_")[1:3])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if not record.get("bootstrap_draws"):
            continue
        try:
            held = all(abs(float(scenario.get(k)) - v) <= 6e-5 for k, v in values.items())
        except (KeyError, TypeError, ValueError):
            continue
        if held:
            return (start, end)
    return None


def draw_fitted_world(scenario: Scenario, seed: int) -> dict[str, float]:
    """A world's fitted parameters, drawn jointly: one of the bootstrap refits of the fit the
    scenario holds (:func:`sim.calibration.draw_fitted`), picked by the world's quantile of
    :data:`FITTED_KEY`; ``{}`` when the scenario holds no tracked fit with refits."""
    window = fitted_window(scenario)
    if window is None:
        return {}
    from ..calibration import draw_fitted  # noqa: PLC0415

    return draw_fitted(quantile(seed, FITTED_KEY), window)


def apply_world(scenario: Scenario, world: Mapping[str, Any]) -> tuple[Scenario, dict[str, Any]]:
    """``scenario`` in ``world``; a drawn value that breaks a cross-field rule with a value the
    scenario fixed (``pledge_weight + peer_weight``) is dropped, and the world returned says so
    (the value used)."""
    world = dict(world)
    for _ in range(len(world) + 1):
        try:
            return scenario.with_params(world, source="world"), world
        except ScenarioError as exc:
            # the rule names one key of a pair (pledge_weight for pledge + peer); reset the key
            # it names if it was drawn, else a drawn key of the cross-field rules
            drawn = [k for k in (exc.key, *CROSS_FIELD_KEYS) if k in world]
            drawn = [k for k in drawn if world[k] != scenario.get(k)]
            if not drawn:
                raise
            world[drawn[0]] = scenario.get(drawn[0])
    raise RuntimeError("unreachable")  # pragma: no cover


def worlds_table(
    runs: list[int], seeds: list[int], worlds: list[Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per run (``run``, ``seed``), one column per sampled parameter."""
    rows = [{"run": r, "seed": s, **w} for r, s, w in zip(runs, seeds, worlds, strict=True)]
    return pd.DataFrame(rows)


def world_plan(
    scenario: Scenario, exclude: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """What a sweep records to draw its worlds again on resume (JSON): the distribution of
    every parameter a world of ``scenario`` draws, less the keys in ``exclude`` (the sweep's
    factors, which each point sets), and the calibration window whose refits it draws."""
    ranges = {k: d for k, d in scenario_ranges(scenario).items() if k not in exclude}
    window = fitted_window(scenario)
    return {
        "ranges": {k: [d.shape, d.low, d.high, d.mode] for k, d in ranges.items()},
        "fitted_window": list(window) if window else None,
        "exclude": sorted(exclude),
    }


def world_from_plan(plan: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """The world of replication seed ``seed`` under a :func:`world_plan`: the fitted refit and
    every sampled assumption, the factors left out (each point sets them)."""
    ranges = {k: Dist(s, lo, hi, mode) for k, (s, lo, hi, mode) in plan["ranges"].items()}
    world: dict[str, Any] = {}
    if plan.get("fitted_window"):
        from ..calibration import draw_fitted  # noqa: PLC0415

        start, end = plan["fitted_window"]
        world.update(draw_fitted(quantile(seed, FITTED_KEY), (int(start), int(end))))
    world.update(draw_world(ranges, seed))
    exclude = set(plan.get("exclude", ()))
    return {k: v for k, v in world.items() if k not in exclude}

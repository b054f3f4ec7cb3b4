"""What a sweep is: a base scenario, named factors, a design, replications and a root seed.

A factor is a scenario parameter (``section.name`` or ``allies.overrides.ISO3.name``) with either
a range ``lo:hi`` (for grid, lhs, sobol and morris designs) or a list of values ``v1,v2,...`` (grid
and list designs; the only way to sweep a flag or a choice). Ranges are checked against the
schema's bounds before anything runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from itertools import product
from pathlib import Path
from typing import Any, Literal

from .. import data
from ..scenario import CATALOGUE, Param, Scenario, ScenarioError, load_scenario
from ..scenario.catalogue import CROSS_FIELD_KEYS, check_cross_fields
from ..scenario.loader import check_accessions, check_event_years, check_recorded, read_toml
from ..scenario.paths import did_you_mean, shipped_scenario
from ..scenario.schema import is_finite_number, is_whole_number

# The outputs `natosim sensitivity` analyses unless told (with each verdict's probability).
DEFAULT_OUTPUTS = (
    "eu_core_pct_end",
    "eu_capability_share_end",
    "mean_trust_end",
    "russia_resolve_estimate_end",
    "us_influence_end",
    "n_article5_failures",
)

Design = Literal["grid", "list", "lhs", "sobol", "morris"]
DESIGNS: tuple[str, ...] = ("grid", "list", "lhs", "sobol", "morris")


@dataclass(frozen=True)
class Factor:
    """One swept parameter: a numeric range, or explicit values."""

    key: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()

    @property
    def is_range(self) -> bool:
        return self.low is not None


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep (everything needed to rebuild the design and resume it)."""

    base: str
    factors: tuple[Factor, ...]
    design: str = "lhs"
    samples: int = 16
    reps: int = 1
    seed: int = 0
    points: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    # each replication draws its world (every sampled assumption the factors leave open) from
    # its seed, the same world at every point (common random numbers): sim.runs.worlds
    worlds: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "factors": [asdict(f) for f in self.factors],
            "points": [dict(p) for p in self.points],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SweepSpec:
        factors = tuple(
            Factor(f["key"], f["low"], f["high"], tuple(f["values"])) for f in d["factors"]
        )
        return cls(
            d["base"],
            factors,
            d["design"],
            d["samples"],
            d["reps"],
            d["seed"],
            tuple(d.get("points", ())),
            bool(d.get("worlds", False)),  # sweeps written before worlds: point values
        )


def param_for(key: str) -> Param:
    """The schema parameter a factor key names (per-ally keys map to the allies parameter)."""
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["allies", "overrides"]:
        section, name = "allies", parts[3]
    elif len(parts) == 2:
        section, name = parts
    else:
        raise ScenarioError("--param", key, "section.name or allies.overrides.ISO3.name")
    p = CATALOGUE.by_section.get(section, {}).get(name)
    if p is None:
        hint = did_you_mean(key, [q.key for q in CATALOGUE.params])
        raise ScenarioError("--param", key, "a parameter of the schema (natosim params)" + hint)
    if len(parts) == 4:
        if parts[2] not in data.ally_codes():
            raise ScenarioError("--param", key, "an ally's ISO3 code after allies.overrides.")
        if not p.per_ally:
            raise ScenarioError(
                "--param", key, "a per-ally parameter (this one applies to all allies)"
            )
    return p


MAX_POINTS = 1_000_000
MAX_RUNS = 2_000_000  # about eight hours on two cores; split a bigger study into sweeps


def _grid_levels(f: Factor, samples: int) -> int:
    """The number of levels a grid gives factor ``f`` (:func:`sim.sweeps.designs.grid_axis`:
    fewer than ``samples`` for an integer parameter whose rounded levels coincide)."""
    if not f.is_range:
        return len(f.values)
    if samples > MAX_POINTS or param_for(f.key).kind != "int":
        return samples
    from .designs import grid_axis  # noqa: PLC0415 (designs imports this module)

    return len(grid_axis(f, samples))


def count_points(spec: SweepSpec) -> int:
    """The number of design points ``spec`` makes, computed without building the design."""
    k = len(spec.factors)
    if spec.design == "grid":
        n = 1
        for f in spec.factors:
            n *= _grid_levels(f, spec.samples)
            if n > MAX_POINTS:
                break
        return n
    if spec.design == "list":
        if spec.points:
            return len(spec.points)
        return len(spec.factors[0].values) if spec.factors else 0
    if spec.design == "sobol":
        return spec.samples * (k + 2)
    if spec.design == "morris":
        return spec.samples * (k + 1)
    return spec.samples


def check_design(spec: SweepSpec, scenario: Scenario, where: str = "--param") -> None:
    """Checks of a whole sweep made once, before anything runs: its size, and every rule that
    involves more than one parameter at the corners of the factors' ranges (so that no point
    can fail a cross-field rule halfway through a sweep), and that the base scenario's record
    in ``sweep.json`` can be read back (a later ``--resume`` reads it)."""
    check_recorded(scenario, "sweep")
    points = count_points(spec)
    if points > MAX_POINTS or points * spec.reps > MAX_RUNS:
        raise ScenarioError(
            "--samples/--reps",
            f"{len(spec.factors)} factors, {spec.design} design",
            f"at most {MAX_POINTS:,} points and {MAX_RUNS:,} runs (this design: "
            f"{'over ' if points > MAX_POINTS else ''}{points:,} points x {spec.reps} reps)",
        )
    crossing = [f for f in spec.factors if f.key in CROSS_FIELD_KEYS]
    if not crossing:
        return
    levels = [(f.low, f.high) if f.is_range else f.values for f in crossing]
    base = {k: scenario.get(k) for k in CROSS_FIELD_KEYS}
    for combo in product(*levels):
        values = {**base, **{f.key: v for f, v in zip(crossing, combo, strict=True)}}
        params: dict[str, dict[str, Any]] = {}
        for key, v in values.items():
            section, name = key.split(".")
            params.setdefault(section, {})[name] = int(v) if key.startswith("run.") else v
        try:
            check_cross_fields(where, params)
            if any(f.key.startswith("run.") for f in crossing):  # the base's events in the run
                merged = {"params": params, "events": list(scenario.events)}
                check_event_years(where, merged)
                check_accessions(where, merged)
        except ScenarioError as exc:
            shown = ", ".join(f"{f.key}={v:g}" for f, v in zip(crossing, combo, strict=True))
            raise ScenarioError(
                where, exc.key, f"{exc.expected} at every point (fails at {shown})"
            ) from None


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ScenarioError("--param", where, "a number", text) from None


def _value(p: Param, text: str, where: str) -> Any:
    if p.kind == "bool":
        if text.lower() not in ("true", "false"):
            raise ScenarioError("--param", where, "true or false", text)
        return text.lower() == "true"
    if p.kind == "choice":
        return text
    return _number(text, where)


def parse_factor(text: str) -> Factor:
    """``key=lo:hi`` or ``key=v1,v2,...`` from the command line."""
    if "=" not in text:
        raise ScenarioError("--param", text, "key=lo:hi or key=v1,v2,...")
    key, rhs = (s.strip() for s in text.split("=", 1))
    p = param_for(key)
    if ":" in rhs:
        lo, hi = (_number(x, key) for x in rhs.split(":", 1))
        return check_factor(Factor(key, lo, hi))
    return check_factor(
        Factor(key, values=tuple(_value(p, v.strip(), key) for v in rhs.split(",")))
    )


def check_factor(f: Factor) -> Factor:
    """Bounds and types against the schema. A flag (a knock-out switch, say) may be a range
    ``0:1``: a range design then sets it on where its sample is at least one half."""
    p = param_for(f.key)
    if f.is_range:
        if p.kind == "bool":
            if (f.low, f.high) != (0.0, 1.0):
                raise ScenarioError(
                    "--param", f.key, "the range 0:1 for a flag", f"{f.low}:{f.high}"
                )
            return f
        if p.kind not in ("float", "int"):
            raise ScenarioError("--param", f.key, f"a list of values ({p.expectation()})")
        assert f.low is not None
        assert f.high is not None
        if not f.low < f.high:
            raise ScenarioError("--param", f.key, "a range lo:hi with lo < hi", f"{f.low}:{f.high}")
        for v in (f.low, f.high):
            try:
                p.check(int(v) if p.kind == "int" and float(v).is_integer() else v)
            except ValueError:
                raise ScenarioError("--param", f.key, p.expectation(), v) from None
        return f
    if not f.values:
        raise ScenarioError("--param", f.key, "at least one value")
    values = []
    for v in f.values:
        try:
            checked = p.check(v)
        except ValueError:
            raise ScenarioError("--param", f.key, p.expectation(), v) from None
        # a NumPy number (sim.sweep's values from np.arange) as the schema's type: sweep.json
        # wrote np.int64(1) as "1", which every later reading of the sweep refused
        values.append(v if type(v) in (bool, int, float, str) else checked)
    return Factor(f.key, f.low, f.high, tuple(values))


def check_points(where: str, points: Any) -> tuple[dict[str, Any], ...]:
    """A list design's points, each a table of parameter = value with the same parameters as the
    first, every value checked against its parameter and converted to its type (a NumPy number
    given to ``sim.sweep`` was saved as text, and every reading of the sweep then refused it)."""
    if not isinstance(points, (list, tuple)):
        raise ScenarioError(where, "points", "a list of tables of parameter = value", points)
    out: list[dict[str, Any]] = []
    for i, pt in enumerate(points):
        if not isinstance(pt, Mapping) or not pt:
            raise ScenarioError(where, f"points[{i}]", "a table of parameter = value", pt)
        if i and set(pt) != set(points[0]):
            differ = sorted(set(pt) ^ set(points[0]))[0]
            raise ScenarioError(
                where,
                f"points[{i}]",
                "the same parameters in every point, those of points[0] ("
                + ", ".join(points[0])
                + f"); {differ} is in one and not the other",
            )
        converted = {}
        for k, v in pt.items():
            try:
                converted[k] = check_factor(Factor(k, values=(v,))).values[0]
            except ScenarioError as exc:
                raise ScenarioError(where, f"points[{i}].{k}", exc.expected, exc.got) from None
        out.append(converted)
    return tuple(out)


def build_spec(
    base: str,
    factors: list[Factor],
    design: str,
    samples: int,
    reps: int,
    seed: int,
    points: tuple[dict[str, Any], ...] = (),
    worlds: bool = False,
) -> SweepSpec:
    """Validate the combination of design and factors; a list design's points name the
    factors when none are given (a sweep file without [factors], ``sim.sweep(base, {},
    points=...)``)."""
    if points and not factors:
        factors = [Factor(k, values=tuple(p[k] for p in points)) for k in points[0]]
    if design not in DESIGNS:
        raise ScenarioError("--design", design, "one of " + ", ".join(DESIGNS))
    keys = [f.key for f in factors]
    if len(set(keys)) != len(keys):
        raise ScenarioError("--param", ",".join(keys), "each parameter once")
    if design in ("lhs", "sobol", "morris"):
        bad = [f.key for f in factors if not f.is_range]
        if bad:
            raise ScenarioError("--param", bad[0], f"a range lo:hi for the {design} design")
        if not factors:
            raise ScenarioError("--param", "(none)", f"at least one factor for {design}")
    if design == "grid":  # found by fuzzing: x=0.5,0.5 ran every point twice, unremarked
        for f in factors:
            twice = [v for i, v in enumerate(f.values) if v in f.values[:i]]
            if twice:
                once = "each value once in a grid (this one is given twice)"
                raise ScenarioError("--param", f.key, once, twice[0])
    if design == "list" and not points:
        lengths = {len(f.values) for f in factors}
        if any(f.is_range for f in factors) or len(lengths) != 1:
            raise ScenarioError(  # no factor at all: "(none)", not an empty key ("--param: :")
                "--param",
                ",".join(keys) or "(none)",
                "lists of values of the same length for the list design",
            )
    for name, value in (("samples", samples), ("reps", reps), ("seed", seed)):
        # found by fuzzing sim.sweep: seed=1.5 raised NumPy's ValueError, samples="2" a TypeError
        if not is_whole_number(value):
            raise ScenarioError("sweep", name, "a whole number", value)
    samples, reps, seed = int(samples), int(reps), int(seed)  # np.int64 is not JSON
    if samples < 1 or reps < 1 or seed < 0:
        raise ScenarioError("sweep", "samples/reps/seed", "samples >= 1, reps >= 1, seed >= 0")
    return SweepSpec(base, tuple(factors), design, samples, reps, seed, tuple(points), worlds)


def _typed(path: Path, doc: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = doc.get(key, default)
    if isinstance(value, bool) is not (kind is bool) or not isinstance(value, kind):
        article = "an" if kind.__name__[0] in "aeiou" else "a"
        raise ScenarioError(str(path), key, f"{article} {kind.__name__}", value)
    return value


def _base_path(path: Path, ref: Any) -> Path:
    """``base``: a scenario file relative to the sweep file, or a shipped scenario's name."""
    if not isinstance(ref, str) or not ref or len(ref) > 255:
        raise ScenarioError(str(path), "base", "a scenario file or a shipped scenario's name", ref)
    candidate = path.parent / ref
    try:
        if candidate.is_file():
            return candidate.resolve()
    except OSError:
        pass
    shipped = shipped_scenario(ref)
    if shipped is None:
        raise ScenarioError(str(path), "base", "a scenario file or a shipped scenario's name", ref)
    return shipped.resolve()


def _file_factor(path: Path, key: Any, spec: Any) -> Factor:
    where = f"factors.{key}"
    if isinstance(spec, list) and len(spec) == 2 and all(is_finite_number(v) for v in spec):
        factor = Factor(key, float(spec[0]), float(spec[1]))
    elif isinstance(spec, dict) and set(spec) == {"values"} and isinstance(spec["values"], list):
        factor = Factor(key, values=tuple(spec["values"]))
    else:
        raise ScenarioError(str(path), where, "[lo, hi] (numbers) or {values = [...]}", spec)
    try:
        return check_factor(factor)
    except ScenarioError as exc:
        raise ScenarioError(str(path), where, exc.expected, exc.got) from None


def load_sweep_file(path: Path) -> tuple[SweepSpec, Scenario]:
    """A sweep file (``sweeps/*.toml``): ``base``, ``design``, ``samples``, ``reps``, ``seed``,
    ``worlds`` (true: each replication in its own sampled world), ``[factors]``
    (``"key" = [lo, hi]`` or ``"key" = {values = [...]}``) and, for the list design,
    ``[[points]]``. Every key is type-checked and every factor checked against the schema (and
    the cross-field rules at the corners of its ranges) before anything runs."""
    doc = read_toml(path, "sweep file")
    known = {
        "base",
        "design",
        "samples",
        "reps",
        "seed",
        "factors",
        "points",
        "description",
        "all_factors",
        "exclude",
        "worlds",
    }
    for k in doc:
        if k not in known:
            raise ScenarioError(str(path), k, "one of " + ", ".join(sorted(known)))
    if "base" not in doc:
        raise ScenarioError(str(path), "base", "the path of the base scenario")
    base_path = _base_path(path, doc["base"])
    scenario = load_scenario(base_path)
    _typed(path, doc, "description", str, "")  # never read, but a 3 there is a mistake
    table = _typed(path, doc, "factors", dict, {})
    factors = [_file_factor(path, key, spec) for key, spec in table.items()]
    if "exclude" in doc and "all_factors" not in doc:
        raise ScenarioError(str(path), "exclude", "all_factors beside it (it narrows all_factors)")
    if "all_factors" in doc:
        scale, exclude = doc["all_factors"], doc.get("exclude", [])
        if not is_finite_number(scale):
            raise ScenarioError(str(path), "all_factors", "a scale in (0, 1]", scale)
        if not isinstance(exclude, list) or not all(isinstance(x, str) for x in exclude):
            raise ScenarioError(str(path), "exclude", "a list of parameter key prefixes", exclude)
        bad = unknown_prefix(exclude)
        if bad is not None:
            raise ScenarioError(
                str(path), "exclude", "the start of a parameter's key (natosim params)", bad
            )
        given = {f.key for f in factors}
        factors += [
            f for f in all_factors(float(scale), tuple(exclude), scenario) if f.key not in given
        ]
    points = check_points(str(path), _typed(path, doc, "points", list, []))
    declared = {f.key for f in factors}
    design = _typed(path, doc, "design", str, "lhs")
    if points and design != "list":
        raise ScenarioError(str(path), "points", 'points only with design = "list"', design)
    if points and declared and declared != set(points[0]):
        raise ScenarioError(
            str(path),
            "points[0]",
            "the parameters of [factors] (" + ", ".join(sorted(declared)) + "), or no [factors]",
        )
    samples = _typed(path, doc, "samples", int, 16)
    reps = _typed(path, doc, "reps", int, 1)
    seed = _typed(path, doc, "seed", int, 0)
    worlds = _typed(path, doc, "worlds", bool, False)
    try:
        spec = build_spec(str(base_path), factors, design, samples, reps, seed, points, worlds)
    except ScenarioError as exc:
        raise ScenarioError(str(path), exc.key, exc.expected, exc.got) from None
    check_design(spec, scenario, str(path))
    return spec, scenario


# Not swept by all_factors: the run's years, the verdict's thresholds (they define the outcome
# being explained), what only a check reads, and per-ally roles that the scenario assigns to
# named allies (a holdout, its cap; set for every ally at once they describe another world).
ALL_FACTORS_EXCLUDED = (
    "run.",
    "verdict.",
    "russia.theatre_share",
    "allies.holdout",
    "allies.initial_reclassified_pct",
)


def unknown_prefix(exclude: tuple[str, ...] | list[str]) -> str | None:
    """The first ``exclude`` entry that starts no parameter's key (an empty one, a typo that
    would leave out nothing, or everything), or None."""
    for x in exclude:
        if not x.strip() or not any(p.key.startswith(x) for p in CATALOGUE.params):
            return x
    return None


def all_factors(
    scale: float = 0.5, exclude: tuple[str, ...] = (), centre: Scenario | None = None
) -> list[Factor]:
    """Every numeric parameter of the schema as a range of +-``scale`` of its value in
    ``centre`` (the base scenario; the schema's default without one), within its bounds
    (+-``scale`` x a tenth of its bounds' span for a value of 0), and every flag,
    knock-out switches included, as ``0:1``: the factors of a global sensitivity analysis over
    all the model's assumptions. Keys starting with an ``exclude`` entry (and
    :data:`ALL_FACTORS_EXCLUDED`) are left out. ``pledge_weight`` and ``peer_weight`` are kept
    within their joint rule (their sum below 0.95) so that every point is valid."""
    if not 0 < scale <= 1:
        raise ScenarioError("--all-factors", str(scale), "a scale in (0, 1]")
    out, collapsed = [], []
    skip = ALL_FACTORS_EXCLUDED + tuple(exclude)
    for p in CATALOGUE.params:
        if any(p.key.startswith(x) for x in skip) or p.kind == "choice":
            continue
        if p.kind == "bool":
            out.append(Factor(p.key, 0.0, 1.0))
            continue
        low, high = float(p.low or 0.0), float(p.high or 0.0)
        d = float(centre.get(p.key) if centre is not None else p.default)
        half = scale * abs(d) if d != 0 else scale * 0.1 * (high - low)
        lo, hi = max(low, d - half), min(high, d + half)
        if p.kind == "int":
            lo, hi = float(round(lo)), float(round(hi))
        if hi > lo:
            out.append(Factor(p.key, lo, hi))
        elif low < high:  # a range that rounds to one value at this scale (found by fuzzing)
            collapsed.append(p.key)
    if collapsed:
        warnings.warn(
            f"--all-factors {scale:g} leaves out {len(collapsed)} numeric parameters whose "
            f"range at this scale is a single value ({', '.join(collapsed[:5])}"
            + (f" and {len(collapsed) - 5} more" if len(collapsed) > 5 else "")
            + "); a larger scale sweeps them",
            UserWarning,
            stacklevel=2,
        )
    keys = {f.key: i for i, f in enumerate(out)}
    pw, peer = keys.get("allies.pledge_weight"), keys.get("allies.peer_weight")
    if pw is not None and peer is not None and (out[pw].high or 0) + (out[peer].high or 0) >= 0.95:
        room = 0.94 - (out[peer].high or 0.0)
        out[pw] = Factor(out[pw].key, out[pw].low, max((out[pw].low or 0.0) + 1e-3, room))
    return out

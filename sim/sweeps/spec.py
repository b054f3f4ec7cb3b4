"""What a sweep is: a base scenario, named factors, a design, replications and a root seed.

A factor is a scenario parameter (``section.name`` or ``allies.overrides.ISO3.name``) with either
a range ``lo:hi`` (for grid, lhs, sobol and morris designs) or a list of values ``v1,v2,...`` (grid
and list designs; the only way to sweep a flag or a choice). Ranges are checked against the
schema's bounds before anything runs.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..scenario import CATALOGUE, Param, Scenario, ScenarioError, load_scenario

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
        raise ScenarioError("--param", key, "a parameter of the schema (natosim params)")
    return p


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
    """Bounds and types against the schema."""
    p = param_for(f.key)
    if f.is_range:
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
    for v in f.values:
        try:
            p.check(v)
        except ValueError:
            raise ScenarioError("--param", f.key, p.expectation(), v) from None
    return f


def build_spec(
    base: str,
    factors: list[Factor],
    design: str,
    samples: int,
    reps: int,
    seed: int,
    points: tuple[dict[str, Any], ...] = (),
) -> SweepSpec:
    """Validate the combination of design and factors."""
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
    if design == "list" and not points:
        lengths = {len(f.values) for f in factors}
        if any(f.is_range for f in factors) or len(lengths) != 1:
            raise ScenarioError(
                "--param", ",".join(keys), "lists of values of the same length for the list design"
            )
    if samples < 1 or reps < 1 or seed < 0:
        raise ScenarioError("sweep", "samples/reps/seed", "samples >= 1, reps >= 1, seed >= 0")
    return SweepSpec(base, tuple(factors), design, samples, reps, seed, tuple(points))


def load_sweep_file(path: Path) -> tuple[SweepSpec, Scenario]:
    """A sweep file (``sweeps/*.toml``): ``base``, ``design``, ``samples``, ``reps``, ``seed``,
    ``[factors]`` (``"key" = [lo, hi]`` or ``"key" = {values = [...]}``) and, for the list
    design, ``[[points]]``."""
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(str(path), "(file)", f"a readable TOML sweep file ({exc})") from None
    known = {"base", "design", "samples", "reps", "seed", "factors", "points", "description"}
    for k in doc:
        if k not in known:
            raise ScenarioError(str(path), k, "one of " + ", ".join(sorted(known)))
    if "base" not in doc:
        raise ScenarioError(str(path), "base", "the path of the base scenario")
    base_path = (path.parent / doc["base"]).resolve()
    scenario = load_scenario(base_path)
    factors = []
    for key, spec in doc.get("factors", {}).items():
        if isinstance(spec, list) and len(spec) == 2:
            factors.append(check_factor(Factor(key, float(spec[0]), float(spec[1]))))
        elif isinstance(spec, dict) and "values" in spec:
            factors.append(check_factor(Factor(key, values=tuple(spec["values"]))))
        else:
            raise ScenarioError(str(path), f"factors.{key}", "[lo, hi] or {values = [...]}")
    points = tuple(doc.get("points", ()))
    for i, pt in enumerate(points):
        for k, v in pt.items():
            check_factor(Factor(k, values=(v,)))
        if i == 0 and not factors:
            factors = [Factor(k, values=tuple(p[k] for p in points)) for k in pt]
    spec = build_spec(
        str(base_path),
        factors,
        doc.get("design", "lhs"),
        doc.get("samples", 16),
        doc.get("reps", 1),
        doc.get("seed", 0),
        points,
    )
    return spec, scenario

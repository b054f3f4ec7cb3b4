"""The typed parameter schema: one place for every name, unit, bound, default and reason.

The model, the command line, the validator (and later the sweep ranges and the UI sliders) all read
this schema, so a default is written once. A parameter is addressed as ``section.name``
(``united_states.threat_intensity``); per-ally parameters may be overridden under
``[allies.overrides.ISO3]``.
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["float", "int", "bool", "choice"]


@dataclass(frozen=True)
class Param:
    """One scenario parameter.

    Attributes:
        section: Table of the scenario file the parameter lives in.
        name: Key within the section.
        kind: ``float``, ``int``, ``bool`` or ``choice``.
        default: Value used when no scenario sets it.
        unit: Unit of measure ("index 0-1", "% of GDP", "years", ...).
        description: What it controls, in a sentence.
        source: Where the default comes from: a data file, a claim, or "assumption: <reason>".
        low: Inclusive lower bound (numbers only).
        high: Inclusive upper bound (numbers only).
        choices: Allowed values (``choice`` only).
        per_ally: Whether ``[allies.overrides.ISO3]`` may set it.
        mechanism: The mechanism (M1-M9) or part of the model it belongs to.
        lever: A policy choice of the United States (what Washington decides), as opposed to
            an assumption about how the world works; exploratory modelling treats levers as
            decisions and everything else as uncertainties (:mod:`sim.analysis.ema`).
    """

    section: str
    name: str
    kind: Kind
    default: Any
    unit: str
    description: str
    source: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    per_ally: bool = False
    mechanism: str = ""
    lever: bool = False

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"

    def expectation(self) -> str:
        """A human phrase for what a valid value looks like, used in error messages."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        word = "an integer" if self.kind == "int" else "a number"
        return f"{word} in [{self.low:g}, {self.high:g}] ({self.unit})"

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to the parameter's type, or raise ``ValueError``."""
        if self.kind == "bool":
            np = sys.modules.get("numpy")  # a NumPy bool (from a table) only exists once loaded
            if np is not None and isinstance(value, np.bool_):
                return bool(value)
            if not isinstance(value, bool):
                raise ValueError(self.expectation())
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(self.expectation())
            return value
        if not is_finite_number(value):
            raise ValueError(self.expectation())
        if self.kind == "int" and not float(value).is_integer():
            raise ValueError(self.expectation())
        # converted before the bounds are checked: NumPy compares a float32 in float32, so
        # np.float32(0.3) passed a bound of 0.3 and was stored as 0.30000001192092896, refused
        # when read back (found by review). A float narrower than Python's is taken as the
        # shortest decimal that names it ("0.3"), the number its writer meant
        narrow = getattr(getattr(value, "dtype", None), "itemsize", 8) < 8
        converted = int(value) if self.kind == "int" else float(str(value) if narrow else value)
        low, high = float(self.low or 0.0), float(self.high or 0.0)  # numbers always have bounds
        if not (low <= converted <= high):
            raise ValueError(self.expectation())
        return converted


def is_whole_number(value: Any) -> bool:
    """True for an integer, Python's or NumPy's, that is not a bool: the one test of the Python
    API's counts and seeds (``reps``, ``seed``, ``workers``, ``samples``, ``max_depth``)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_finite_number(value: Any) -> bool:
    """True for a real number (an int or float, not a bool; NumPy's numbers too: a
    ``np.int64`` from a table's column was refused as "expected an integer") that is finite as a
    float: NaN, infinities and integers too big for a float (``10**400``, which would overflow)
    are not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


@dataclass(frozen=True)
class Series:
    """A time-varying input: values at given years, linear in between, flat beyond the ends."""

    name: str
    unit: str
    low: float
    high: float
    default: tuple[tuple[int, float], ...]
    description: str
    source: str
    mechanism: str = ""

    def expectation(self) -> str:
        return (
            f'a table of year = value, years as quoted integers ("2030" = 0.5), '
            f"values in [{self.low:g}, {self.high:g}] ({self.unit})"
        )


EVENT_KINDS: dict[str, str] = {
    "russian_aggression": "Russia uses force outside NATO (Crimea 2014, the 2022 invasion): threat "
    "rises with proximity by `magnitude` (index 0-1).",
    "greyzone_surge": "A wave of sabotage and cyber attacks on `target` (or all allies, by "
    "proximity): `magnitude` extra attacks.",
    "russia_probe": "Russia probes `target` this year regardless of its own decision rule (a "
    "`target` not yet a member that year: no Article 5 crisis, logged, and Russia decides by its "
    "rule; one probe event a year).",
    "us_reassurance": "Article 5 reaffirmed with contingency planning (C13): trust and Russia's "
    "estimate of US resolve rise by `magnitude` times the reassurance gain.",
    "us_drawdown": "The US cuts its posture in Europe by `magnitude` (fraction of 2025 posture).",
    "us_pressure": "A public US abandonment threat (C3): the threat signal for this year is raised "
    "to at least `magnitude`.",
    "accession": "`target` joins NATO this year (Finland 2023, Sweden 2024).",
    "european_command": "A European officer becomes Supreme Allied Commander Europe (C2).",
    "summit": "An alliance summit where the US proposes a core target of `magnitude` % of GDP by "
    "`deadline` (default: `coercion.summit_horizon_years` on); what is agreed and who opts out "
    "follow from the allies' positions and US pressure (C4, C5; The Hague 2025).",
    "pledge": "A pledge made outside the model (historic: Wales 2014; or a front-loaded path): "
    "core spending of `magnitude` % of GDP by `deadline` (default: "
    "`coercion.summit_horizon_years` on).",
}


@dataclass(frozen=True)
class Event:
    """A dated exogenous shock from the scenario file's ``[[events]]`` list."""

    year: int
    kind: str
    target: str = ""
    magnitude: float = 1.0
    note: str = ""
    deadline: int = 0  # summit and pledge only: the year the pledged level is due (0: default)


@dataclass(frozen=True)
class Catalogue:
    """Every parameter and series of the schema, indexed for lookups."""

    params: tuple[Param, ...]
    series: tuple[Series, ...]
    by_key: dict[str, Param] = field(init=False)
    by_section: dict[str, dict[str, Param]] = field(init=False)
    series_by_name: dict[str, Series] = field(init=False)

    def __post_init__(self) -> None:
        by_key = {p.key: p for p in self.params}
        if len(by_key) != len(self.params):
            raise RuntimeError("duplicate parameter key in the schema")
        by_section: dict[str, dict[str, Param]] = {}
        for p in self.params:
            by_section.setdefault(p.section, {})[p.name] = p
        object.__setattr__(self, "by_key", by_key)
        object.__setattr__(self, "by_section", by_section)
        object.__setattr__(self, "series_by_name", {s.name: s for s in self.series})

    def defaults(self) -> dict[str, dict[str, Any]]:
        """The default value of every parameter, nested by section (new dicts: the caller's)."""
        return {s: self.section_defaults(s) for s in self.by_section}

    def section_defaults(self, section: str) -> dict[str, Any]:
        """The default value of every parameter of ``section`` (a new dict: the caller's)."""
        return {n: p.default for n, p in self.by_section[section].items()}

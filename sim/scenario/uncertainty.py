"""What is known about each parameter: its kind, and for an assumption its plausible range.

Every schema parameter has a *kind*:

* ``data``: read from a published figure (its ``source`` names a file in ``sim/data``); held
  at its value;
* ``fitted``: estimated by ``natosim calibrate`` (``scenarios/calibration/*.json``). A world
  draws them jointly: one of the fit's bootstrap refits, each a whole parameter vector
  (:func:`sim.runs.worlds.draw_fitted_world`), never one by one from their marginal intervals, which
  would ignore how the fits trade off; a scenario that sets one itself holds them;
* ``assumption``: a modelling choice nobody can measure. Each numeric one has a plausible
  distribution, distinct from its hard bounds, with its source: a published range where the
  schema's own source gives one (:data:`TABLE`), otherwise the judgement rule
  :func:`judgement_range` says as such. A world (:mod:`sim.runs.worlds`) draws every sampled
  assumption. Some assumptions are held at their value with a stated reason (switches,
  discrete choices, the verdict's definitions, effects that are off by default);
* ``lever``: a policy choice of the United States (``Param.lever``), never sampled.

Parameters appear and disappear while the model changes, so nothing here fails on an unknown
name: :func:`resolve` infers the kind of a parameter not in :data:`TABLE` from its flags and
source, and :func:`stale_entries` lists table entries that no longer match a parameter (the test
suite reports them).

Per-ally parameters are sampled as one common factor: the ``[allies]`` value that every ally
without an override takes; an ally's own override (``[allies.overrides.ISO3]``) stays as the
scenario set it. Series (``[series]``) are scenario inputs and are not sampled.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .schema import Param

Kind = Literal["data", "fitted", "assumption", "lever"]
KINDS: tuple[Kind, ...] = ("data", "fitted", "assumption", "lever")
Shape = Literal["uniform", "triangular", "loguniform"]
SHAPES: tuple[Shape, ...] = ("uniform", "triangular", "loguniform")


@dataclass(frozen=True)
class Dist:
    """A plausible distribution: uniform, triangular (with ``mode``) or log-uniform."""

    shape: Shape
    low: float
    high: float
    mode: float | None = None

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            # "not", not "got": a scenario's error adds "got {the range}" (fuzzing: two "got"s)
            raise ValueError(f"a distribution shape ({', '.join(SHAPES)}; not {self.shape!r})")
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low <= self.high):
            raise ValueError(f"low <= high, got [{self.low}, {self.high}]")
        tri = self.shape == "triangular"
        if tri and (self.mode is None or not self.low <= self.mode <= self.high):
            raise ValueError(f"a triangular mode within [{self.low}, {self.high}]")
        if self.shape == "loguniform" and self.low <= 0:
            raise ValueError("a log-uniform range above 0")

    def ppf(self, u: float) -> float:
        """The value at quantile ``u`` in [0, 1) (inverse CDF): a world draws ``u`` once per
        parameter, so narrowing a range keeps a world's quantile (common random numbers)."""
        lo, hi = self.low, self.high
        if hi == lo:
            return lo
        if self.shape == "uniform":
            return lo + u * (hi - lo)
        if self.shape == "loguniform":
            return math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        c = (float(self.mode) - lo) / (hi - lo)  # type: ignore[arg-type]
        if u < c:
            return lo + math.sqrt(u * (hi - lo) * (float(self.mode) - lo))  # type: ignore[arg-type]
        return hi - math.sqrt((1 - u) * (hi - lo) * (hi - float(self.mode)))  # type: ignore[arg-type]

    def text(self) -> str:
        if self.shape == "triangular":
            return f"tri({self.low:.4g}, {self.mode:.4g}, {self.high:.4g})"
        name = "U" if self.shape == "uniform" else "logU"
        return f"{name}({self.low:.4g}, {self.high:.4g})"


@dataclass(frozen=True)
class Uncertainty:
    """The kind of one parameter, its plausible distribution (None: held at its value) and
    where that comes from."""

    key: str
    kind: Kind
    dist: Dist | None
    source: str

    @property
    def sampled(self) -> bool:
        """Drawn in every world: a numeric assumption with a range."""
        return self.kind == "assumption" and self.dist is not None


JUDGEMENT = (
    "judgement (no published range): the default is the schema's stated modelling choice, "
    "taken as the mode; half to one and a half times it is the plausible span (triangular), "
    "within the hard bounds"
)
JUDGEMENT_LOGIT = (
    "judgement (no published range): a log-odds term; the default +-1 (odds times or divided "
    "by e) is the plausible span (triangular), within the hard bounds"
)

# Parameters whose kind or range the rule below would get wrong, with their source. A key that
# is not (or no longer) a schema parameter is ignored here and reported by stale_entries().
TABLE: dict[str, tuple[Kind, Dist | None, str]] = {
    # published ranges, cited in the schema's own sources
    "crisis.troops_per_bde": (
        "assumption",
        Dist("uniform", 3000.0, 5000.0),
        "published: LSM (June 2022), NATO brigades of 3,000 to 5,000 troops",
    ),
    "russia.reaction_coefficient": (
        "assumption",
        Dist("uniform", 0.01, 0.05),
        "published: MODEL.md, Richardson reaction coefficients of 'a few hundredths per year'",
    ),
    "russia.war_ceiling_pct": (
        "assumption",
        Dist("triangular", 7.2, 15.0, 10.0),
        (
            "low end published (facts.csv: russia_milex_2025_sipri_planned, 7.2% of GDP in 2025, "
            "the ceiling cannot be below what is spent); the upper end 15% is a judgement"
        ),
    ),
    "united_states.command_term_years": (
        "data",
        None,
        (
            "data: SHAPE (4 July 2025): Gen. Grynkewich succeeded Gen. Cavoli, in post since "
            "2022, as the 21st SACEUR; held"
        ),
    ),
    "united_states.command_change_year": (
        "data",
        None,
        "data: SHAPE (4 July 2025): the last change of command, an American to an American; held",
    ),
    "united_states.command_handover_coverage": (
        "assumption",
        Dist("triangular", 0.5, 1.0, 0.75),
        (
            "judgement: from half of its requirement (seed 000's 'primary responsibility for "
            "defense of the continent') to all of it, three quarters ('most', seed 002) the mode"
        ),
    ),
    "united_states.posture_ceiling": (
        "assumption",
        Dist("triangular", 1.19, 1.8, 1.5),
        (
            "low end published (crisis_references.csv: 84,000 US service members in Europe early "
            "2025, over 100,000 after the 2022 surge: 1.19 times); the upper end is a judgement"
        ),
    ),
    # figures published as ranges, the default their midpoint: a world draws within them
    "capability.nato_target_growth": (
        "assumption",
        Dist("uniform", 0.3, 0.5),
        (
            "published range: crisis_references.csv, NATO's 2025 capability targets need a force "
            "30-50% larger than before 2022 (IISS, May 2025)"
        ),
    ),
    "capability.us_contribution_bn": (
        "assumption",
        Dist("uniform", 226.0, 344.0),
        (
            "published range: crisis_references.csv, USD 226-344 bn to replace the US conventional "
            "contribution like for like (IISS, May 2025)"
        ),
    ),
    # the cross-field rule: pledge_weight + peer_weight < 0.95 (the budget rule must respond)
    "allies.peer_weight": (
        "assumption",
        Dist("triangular", 0.1, 0.3, 0.2),
        JUDGEMENT,
    ),
    # held at their value, with the reason
    "run.start_year": ("data", None, "defence_pct_gdp.csv ends in 2025: the data's last year"),
    "run.end_year": ("assumption", None, "the question's horizon, not a property of the world"),
    "capability.coverage_goal": (
        "assumption",
        None,
        (
            "a definition of an output (a category 'taken over', and the run figure's line), "
            "not a property of the world: every world is counted by the same rule"
        ),
    ),
    "united_states.deadline_year": (
        "lever",
        None,
        "seed 002: the 2027 deadline is Washington's choice (a policy, not sampled)",
    ),
    "united_states.patience_years": (
        "assumption",
        Dist("triangular", 1.0, 4.0, 2.0),
        (
            "judgement (no published range): one to four years of threats before an execution "
            "(an integer; the rule's half-to-one-and-a-half span of 2 would allow only 1-3)"
        ),
    ),
}

# Whole sections held fixed, with the reason.
FIXED_SECTIONS: dict[str, tuple[Kind, str]] = {
    "mechanisms": (
        "assumption",
        (
            "a structural switch: on in every world; knocking it out is an experiment "
            "(sim/analysis/experiments.py), not an uncertainty"
        ),
    ),
    "verdict": (
        "assumption",
        (
            "a definition of the verdict, not a property of the world: every world is judged "
            "by the same rule"
        ),
    ),
}

_DATA_SOURCE = re.compile(r"^\s*[\w-]+\.csv\b")
CALIBRATION_FILE = "fitted_2014_2024.json"


@cache
def fitted_keys() -> frozenset[str]:
    """The parameters ``natosim calibrate`` fitted (its JSON record's ``values_used``): empty
    when no calibration record is shipped."""
    from .paths import PACKAGE_SCENARIOS  # noqa: PLC0415

    keys: set[str] = set()
    for path in sorted(Path(PACKAGE_SCENARIOS, "calibration").glob("*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        keys.update(k for k in record.get("values_used", []) if isinstance(k, str))
    return frozenset(keys)


def _clip(p: Param, low: float, high: float) -> tuple[float, float]:
    return max(low, float(p.low)), min(high, float(p.high))  # type: ignore[arg-type]


def judgement_range(p: Param) -> tuple[Dist | None, str]:
    """The judgement rule for a numeric assumption without a published range.

    A log-odds term: triangular over the default +-1; anything else: triangular over half to one
    and a half times the default, mode at the default; both clipped to the hard bounds. A default
    of 0 on a parameter that cannot go below 0 turns an effect off: held there, since no range
    follows from it.
    """
    d = float(p.default)
    if "log-odds" in p.unit or (p.low is not None and p.low < 0 and d == 0):
        lo, hi = _clip(p, d - 1.0, d + 1.0)
        return Dist("triangular", lo, hi, d), JUDGEMENT_LOGIT
    if d == 0:
        return None, "held at 0: the default switches the effect off; no range follows from it"
    lo, hi = _clip(p, min(0.5 * d, 1.5 * d), max(0.5 * d, 1.5 * d))
    return Dist("triangular", lo, hi, d), JUDGEMENT


THESES_DIR = "theses"
CONTESTED = (
    "contested: {values}; the judgement span {judged} widened to cover every value the theses "
    "assert (scenarios/theses/, each under its quoted sentence), uniform: no view is favoured. "
    "A thesis's own runs narrow it again"
)


@cache
def thesis_values() -> dict[str, dict[str, float]]:
    """``{"section.name": {thesis: value}}``: the numbers the thesis files
    (``scenarios/theses/*.toml``) set, each under the quoted sentence that asserts it. The three
    2025 articles disagree about these assumptions; the common range spans what they assert
    (:func:`contested_range`)."""
    import tomllib  # noqa: PLC0415

    from .paths import PACKAGE_SCENARIOS  # noqa: PLC0415

    out: dict[str, dict[str, float]] = {}
    for path in sorted(Path(PACKAGE_SCENARIOS, THESES_DIR).glob("*.toml")):
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for section, table in doc.items():
            if section in ("uncertainty", "series") or not isinstance(table, Mapping):
                continue
            for name, value in table.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    out.setdefault(f"{section}.{name}", {})[path.stem] = float(value)
    return out


_SEEDS = {"evolutionary": "seed 000", "reckoning": "seed 001", "deadline": "seed 002"}


def contested_range(p: Param, dist: Dist) -> tuple[Dist, str] | None:
    """The common range of an assumption the theses dispute: ``dist`` (the judgement span)
    widened to cover every value a thesis asserts, uniform over the whole span; None when no
    thesis sets ``p`` or the span already covers every value asserted."""
    asserted = thesis_values().get(p.key)
    if not asserted or all(dist.low <= v <= dist.high for v in asserted.values()):
        return None  # no thesis sets it, or the judgement span already covers what they assert
    lo = min(dist.low, float(p.default), *asserted.values())
    hi = max(dist.high, float(p.default), *asserted.values())
    lo, hi = _clip(p, lo, hi)
    said = ", ".join(
        f"{name} ({_SEEDS.get(name, 'thesis')}) {v:g}" for name, v in sorted(asserted.items())
    )
    values = f"the default {float(p.default):g}; the theses assert {said}"
    return Dist("uniform", lo, hi), CONTESTED.format(values=values, judged=dist.text())


def resolve(p: Param) -> Uncertainty:
    """The kind and plausible range of ``p``: its :data:`TABLE` entry, else inferred.

    Inference: a lever flag makes a lever; a fixed section (switches, verdict) holds it; a key the
    calibration fitted, or a source beginning "fitted", makes a fitted parameter (drawn jointly
    from the bootstrap refits by :mod:`sim.runs.worlds`, not here); a source beginning with a data
    file's name (and not saying "assumption", as "facts.csv: ...; assumption for the size" does)
    makes data; a bool
    or a choice is a discrete assumption held at its value; every other number is an assumption
    with :func:`judgement_range`, widened by :func:`contested_range` where the theses assert
    values outside it.
    """
    if p.key in TABLE:
        kind, dist, source = TABLE[p.key]
        return Uncertainty(p.key, kind, dist, source)
    if p.lever:
        return Uncertainty(p.key, "lever", None, "a US policy choice (Param.lever): not sampled")
    if p.section in FIXED_SECTIONS:
        kind, why = FIXED_SECTIONS[p.section]
        return Uncertainty(p.key, kind, None, why)
    if p.key in fitted_keys() or p.source.lower().startswith("fitted"):
        return Uncertainty(
            p.key,
            "fitted",
            None,
            "fitted by natosim calibrate; a world draws the fitted parameters jointly, one "
            "bootstrap refit of the fit the scenario extends (sim.runs.worlds.draw_fitted_world)",
        )
    if _DATA_SOURCE.match(p.source) and "assumption" not in p.source.lower():
        return Uncertainty(p.key, "data", None, f"data: {p.source}")
    if p.kind in ("bool", "choice"):
        return Uncertainty(
            p.key, "assumption", None, "a discrete modelling choice: held (a scenario sets it)"
        )
    dist, why = judgement_range(p)
    if dist is not None:
        wider = contested_range(p, dist)
        if wider is not None:
            dist, why = wider
    return Uncertainty(p.key, "assumption", dist, why)


def resolve_all(params: Iterable[Param] | None = None) -> dict[str, Uncertainty]:
    """:func:`resolve` for every parameter (default: the whole catalogue)."""
    if params is None:
        from .catalogue import CATALOGUE  # noqa: PLC0415

        params = CATALOGUE.params
    return {p.key: resolve(p) for p in params}


def stale_entries(params: Iterable[Param] | None = None) -> list[str]:
    """Keys of :data:`TABLE` that are not parameters of the schema (removed or renamed)."""
    if params is None:
        from .catalogue import CATALOGUE  # noqa: PLC0415

        params = CATALOGUE.params
    keys = {p.key for p in params}
    return sorted(k for k in TABLE if k not in keys)


def problems(params: Iterable[Param] | None = None) -> list[str]:
    """Everything wrong with the kinds and ranges, in words (empty when all is well): a range
    outside its hard bounds, a default outside its range, a sampled non-number, an unknown
    kind."""
    from .catalogue import CATALOGUE  # noqa: PLC0415

    params = list(CATALOGUE.params if params is None else params)
    out = []
    for p in params:
        u = resolve(p)
        if u.kind not in KINDS:
            out.append(f"{p.key}: unknown kind {u.kind!r}")
        if not u.source.strip():
            out.append(f"{p.key}: no source for its kind or range")
        if u.dist is None:
            continue
        if p.kind not in ("float", "int"):
            out.append(f"{p.key}: a range on a {p.kind} parameter")
            continue
        if u.kind != "assumption":
            out.append(f"{p.key}: a range on a {u.kind} parameter (only assumptions are sampled)")
        if not float(p.low) <= u.dist.low <= u.dist.high <= float(p.high):  # type: ignore[arg-type]
            out.append(f"{p.key}: range {u.dist.text()} outside its bounds [{p.low}, {p.high}]")
    return out


def narrowed(key: str, spec: Any, param: Param) -> Dist:
    """A scenario's ``[uncertainty]`` entry for ``key`` as a :class:`Dist`, or ``ValueError``.

    ``spec`` is a table ``{low = .., high = .., mode = ..}`` (triangular with a mode, uniform
    without; ``shape = "loguniform"`` for a log-uniform one) inside the parameter's hard bounds.
    """
    if not isinstance(spec, Mapping):
        raise ValueError("a table {low = .., high = ..[, mode = ..][, shape = ..]}")
    unknown = set(spec) - {"low", "high", "mode", "shape", "note"}
    if unknown:
        raise ValueError(f"keys low, high, mode, shape, note (not {sorted(unknown)[0]})")
    if not isinstance(spec.get("note", ""), str):
        raise ValueError("note: a text (why the range is narrowed)")
    if param.kind not in ("float", "int"):
        raise ValueError(f"a numeric parameter ({key} is {param.kind})")
    u = resolve(param)
    if u.kind != "assumption":
        raise ValueError(f"an assumption ({key} is {u.kind}: not sampled)")
    if u.dist is None:  # held in every world, with its reason: a range would sample it
        raise ValueError(f"a sampled assumption ({key} is held: {u.source})")
    vals = {}
    for k in ("low", "high", "mode"):
        v = spec.get(k)
        if v is None and k == "mode":
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"{k}: a number")
        vals[k] = float(v)
    shape = spec.get("shape", "triangular" if "mode" in vals else "uniform")
    if not float(param.low) <= vals["low"] <= vals["high"] <= float(param.high):  # type: ignore[arg-type]
        raise ValueError(f"low <= high within the bounds [{param.low:g}, {param.high:g}]")
    if param.kind == "int" and math.ceil(vals["low"]) > math.floor(vals["high"]):
        raise ValueError(f"a range that holds a whole number ({key} is an integer)")
    try:
        return Dist(shape, vals["low"], vals["high"], vals.get("mode"))
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def range_source(u: Uncertainty) -> str:
    """Where ``u``'s range (or its holding) comes from, in a word or two: ``published``, ``published
    end`` (one end published, the other a judgement), ``theses`` (widened to span what the
    theses assert), ``judgement`` (the rule), and for the others ``data``, ``calibration``,
    ``policy`` or ``held``."""
    if u.kind == "data":
        return "data"
    if u.kind == "fitted":
        return "calibration"
    if u.kind == "lever":
        return "policy"
    if not u.sampled:
        return "held"
    text = u.source.lower()
    if text.startswith("judgement"):
        return "judgement"
    if text.startswith("published"):
        return "published"
    if "published" in text:
        return "published end"
    if text.startswith("contested"):
        return "theses"
    return "judgement"


def describe(u: Uncertainty) -> str:
    """A short cell for ``natosim params``: the kind, for a sampled one its range, and where
    that comes from (:func:`range_source`; ``-v`` gives the whole source)."""
    if u.sampled:
        return f"{u.kind} {u.dist.text()} [{range_source(u)}]"  # type: ignore[union-attr]
    return u.kind if u.kind in ("lever", "data", "fitted") else f"{u.kind} (held)"


def check_uncertainty(file: str, raw: Any) -> dict[str, dict[str, Any]]:
    """A scenario file's ``[uncertainty]`` table, validated: each key a sampled assumption's
    ``"section.name"``, each value a range for :func:`narrowed`. Raises ``ScenarioError``.

    ``[uncertainty]`` narrows a range (a thesis does, under the sentence that justifies it)::

        [uncertainty]
        "russia.probe_us_weight" = { low = 0.8, high = 1.0 }            # uniform
        "coercion.comply_credibility" = { low = 2, mode = 4, high = 5 }  # triangular
    """
    from .catalogue import CATALOGUE, ScenarioError  # noqa: PLC0415

    if not isinstance(raw, Mapping):
        raise ScenarioError(file, "uncertainty", 'a table of "section.name" = {low, high}', raw)
    out = {}
    for key, spec in raw.items():
        param = CATALOGUE.by_key.get(key)
        if param is None and key in CATALOGUE.by_section and isinstance(spec, Mapping):
            # found by fuzzing: russia.fatigue = {...} unquoted is a table [uncertainty.russia]
            name = next(iter(spec), "NAME")
            raise ScenarioError(
                file,
                f"uncertainty.{key}",
                f'a parameter as "section.name" in quotes ("{key}.{name}" = {{ low = .., high = '
                f".. }}; unquoted, TOML reads {key}.{name} as a table within a table)",
            )
        if param is None:
            from .paths import did_you_mean  # noqa: PLC0415

            hint = did_you_mean(key, CATALOGUE.by_key)  # as for every other misspelt key
            raise ScenarioError(file, f"uncertainty.{key}", 'a parameter as "section.name"' + hint)
        try:
            narrowed(key, spec, param)
        except ValueError as exc:
            raise ScenarioError(file, f"uncertainty.{key}", str(exc), spec) from None
        out[key] = dict(spec)
    return out

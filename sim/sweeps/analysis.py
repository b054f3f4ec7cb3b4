"""Analysis of a sweep: global sensitivity (SALib) and scenario discovery (a decision tree).

Sensitivity reads the design SALib generated and the outputs averaged over replications per
point: first-order and total Sobol indices with 95% bootstrap confidence intervals for a Sobol
design, mu* (with its confidence interval) and sigma for a Morris design, and for a Latin
hypercube the given-data indices: PAWN (Pianosi and Wagener 2015: the median Kolmogorov-Smirnov
distance between the output's distribution and its distribution conditional on a factor's
value, 0 to 1) with a noise floor from a dummy factor the model never reads, and, for up to
:data:`DELTA_MAX_FACTORS` factors or on request, Borgonovo's moment-independent delta with its
interval. An output is a summary column, ``col@YEAR`` from the model table, or ``p:CONDITION``:
the share of a point's replications where a condition on the summary table holds (a verdict's
probability: ``p:verdict == 'deterrence_failed'``).

Scenario discovery finds the regions of parameter space where an outcome occurs. We use a
classification tree (scikit-learn, CART) rather than PRIM: the standalone PRIM package is GPL
(this project is MIT) and the EMA Workbench brings a large stack with it, while a shallow tree
gives the same kind of answer, boxes of parameter ranges with their coverage (share of all cases
of the outcome that fall in the box) and density (share of runs in the box with the outcome),
from a library every scientific Python installation has (installed with the ``ema`` extra).
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from ..extras import require
from ..model.outputs import VERDICTS
from ..scenario.schema import is_whole_number
from .designs import salib_problem
from .spec import DEFAULT_OUTPUTS, SweepSpec
from .store import SweepStore

if TYPE_CHECKING:
    from sklearn.tree import DecisionTreeClassifier

VERDICT_OUTPUTS = (
    "p:n_article5_failures > 0",
    *(f"p:verdict == '{v}'" for v in VERDICTS),
)
DELTA_MAX_FACTORS = 40  # delta costs about a tenth of a second per factor and output


def outputs_per_point(store: SweepStore, outputs: tuple[str, ...]) -> pd.DataFrame:
    """Mean over replications of each output, one row per point (``col`` from the summary table,
    ``col@YEAR`` from the model table)."""
    design = store.design()[["point"]]
    summary_cols = [o for o in outputs if "@" not in o and not o.startswith("p:")]
    frames = [design.set_index("point")]
    if summary_cols:
        s = store.read("summary", columns=["point", *summary_cols])
        frames.append(s.groupby("point")[summary_cols].mean())
    shares = [o for o in outputs if o.startswith("p:")]
    if shares:
        s = store.read("summary")
        for o in shares:
            try:
                hit = pd.Series(s.eval(o[2:]), index=s.index)
            except Exception as exc:
                raise OutcomeError(f"cannot evaluate it: {exc}", o) from None
            if not pd.api.types.is_bool_dtype(hit):  # found by fuzzing: p:verdict, a text
                # column, was read as true in every run (non-empty text), share 1.0 unremarked
                raise OutcomeError(f"this one gives {hit.dtype} values, not true or false", o)
            frames.append(hit.astype(bool).groupby(s["point"]).mean().rename(o).to_frame())
    for o in (o for o in outputs if "@" in o):
        col, year = o.split("@")
        m = store.read("model", columns=["point", "year", col])
        frames.append(
            m[m["year"] == int(year)].groupby("point")[[col]].mean().rename(columns={col: o})
        )
    return pd.concat(frames, axis=1)


def _complete_outputs(
    store: SweepStore, outputs: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outputs per point and the design, or a clear error: while the sweep is unfinished, or
    for an output some points have no value of (a year outside their runs, found by fuzzing:
    it was reported as an unfinished sweep)."""
    y = outputs_per_point(store, outputs)
    design = store.design().set_index("point")
    ran = set(store.read("summary", columns=["point"]).get("point", ()))
    without = len(set(design.index) - ran)
    if without:
        raise ValueError(
            f"{without} of {len(design)} points have no finished run (the sweep is unfinished, "
            "or every run of a point failed: failures.json); finish it with natosim sweep "
            "--resume"
        )
    for o in outputs:
        gaps = int(y[o].isna().sum())
        if not gaps:
            continue
        where = f"{o}: no value at {gaps} of {len(design)} points"
        if "@" in o:
            years = store.read("model", columns=["year"])["year"]
            lo, hi, year = int(years.min()), int(years.max()), int(o.split("@")[1])
            if not lo <= year <= hi:
                raise ValueError(
                    f"{where}: {year} is outside the years their runs cover ({lo}-{hi})"
                )
        raise ValueError(
            f"{where} (a year their runs do not reach, or an event that never came: choose "
            "an output every run has)"
        )
    return y, design


def _check_whole(name: str, value: Any, low: int, high: int) -> None:
    """Refuse ``value`` unless it is a whole number (not a bool) in [low, high]."""
    if not is_whole_number(value) or not low <= value <= high:
        raise ValueError(f"{name}: expected a whole number from {low} to {high:,}, got {value!r}")


def sensitivity(
    folder: str | Path,
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS,
    seed: int = 0,
    method: str = "auto",
) -> pd.DataFrame:
    """Sobol (S1, ST), Morris (mu*, sigma) or, for a Latin hypercube, PAWN and delta indices
    per output and factor (module docstring). ``method`` (LHS only): ``pawn``, ``delta``, or
    ``auto`` (PAWN, and delta too up to :data:`DELTA_MAX_FACTORS` factors).

    Found by fuzzing: ``seed=-1``, ``1.5`` or ``2**40`` raised NumPy's or SALib's own errors,
    and ``outputs="mean_trust_end"`` was read letter by letter ("no column 'm'"); each is one
    ValueError naming the argument, before the sweep is read."""
    if isinstance(outputs, str) or not all(isinstance(o, str) for o in outputs):
        raise ValueError(f"outputs: expected a tuple of column names, got {outputs!r}")
    if not outputs:  # found by fuzzing: an empty table, without a word
        raise ValueError("outputs: expected at least one column name, got ()")
    twice = [o for i, o in enumerate(outputs) if o in outputs[:i]]
    if twice:  # pyarrow said 'Field "x" exists 2 times in schema'
        raise ValueError(f"outputs: expected each output once, got {twice[0]!r} twice")
    _check_whole("seed", seed, 0, 2**32 - 1)  # SALib's generator takes 32 bits
    store = SweepStore(Path(folder))
    spec = SweepSpec.from_dict(store.meta()["spec"])
    if spec.design not in ("sobol", "morris", "lhs"):
        raise ValueError(
            f"sensitivity needs a sobol, morris or lhs design, not {spec.design!r} "
            "(grid and list designs are for comparisons: natosim report)"
        )
    if spec.design == "lhs":
        return given_data(store, spec, outputs, seed, method)
    problem = salib_problem(spec)
    y, design = _complete_outputs(store, outputs)
    rows = []
    for out in outputs:
        values = y[out].to_numpy(dtype=float)
        if np.allclose(values, values[0]):
            for name in problem["names"]:
                rows.append({"output": out, "factor": name, "note": "output does not vary"})
            continue
        if spec.design == "sobol":
            res = sobol_analyze.analyze(
                problem, values, calc_second_order=False, conf_level=0.95, seed=seed
            )
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "output": out,
                        "factor": name,
                        "S1": res["S1"][i],
                        "S1_conf": res["S1_conf"][i],
                        "ST": res["ST"][i],
                        "ST_conf": res["ST_conf"][i],
                    }
                )
        else:
            x = design[problem["names"]].to_numpy(dtype=float)
            res = morris_analyze.analyze(
                problem, x, values, conf_level=0.95, num_levels=4, seed=seed
            )
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "output": out,
                        "factor": name,
                        "mu_star": res["mu_star"][i],
                        "mu_star_conf": res["mu_star_conf"][i],
                        "sigma": res["sigma"][i],
                    }
                )
    return pd.DataFrame(rows)


def _numeric_design(spec: SweepSpec, design: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    names = [f.key for f in spec.factors]
    return names, design[names].astype(float).to_numpy()


def given_data(
    store: SweepStore,
    spec: SweepSpec,
    outputs: tuple[str, ...],
    seed: int = 0,
    method: str = "auto",
) -> pd.DataFrame:
    """PAWN (and delta) indices of a Latin hypercube sweep (module docstring)."""
    from SALib.analyze import delta as delta_analyze  # noqa: PLC0415
    from SALib.analyze import pawn as pawn_analyze  # noqa: PLC0415

    if method not in ("auto", "pawn", "delta"):
        raise ValueError(f"method must be auto, pawn or delta, not {method!r}")
    y, design = _complete_outputs(store, outputs)
    names, x = _numeric_design(spec, design)
    rng = np.random.default_rng(seed)
    dummy = "(dummy: read by nothing)"
    x = np.column_stack([x, rng.random(len(x))])
    labels = [*names, dummy]
    problem: dict[str, Any] = {
        "num_vars": len(labels),
        # SALib's delta refuses names ending in _step, _raw, _balanced or _conf (a lever is
        # called drawdown_step): it sees positions, the rows get the parameters' names
        "names": [f"x{i}" for i in range(len(labels))],
        "bounds": [[float(f.low or 0.0), float(f.high or 1.0)] for f in spec.factors]
        + [[0.0, 1.0]],
    }
    use_delta = method == "delta" or (method == "auto" and len(names) <= DELTA_MAX_FACTORS)
    use_pawn = method in ("auto", "pawn")
    slices = max(3, min(10, len(x) // 30))
    rows: list[dict[str, Any]] = []
    for out in outputs:
        values = y[out].to_numpy(dtype=float)
        if np.allclose(values, values[0]):
            for name in names:
                rows.append({"output": out, "factor": name, "note": "output does not vary"})
            continue
        res: dict[str, dict[str, float]] = {n: {} for n in labels}
        if use_pawn:
            pw = pawn_analyze.analyze(problem, x, values, S=slices, seed=seed)
            for i, n in enumerate(labels):
                res[n]["pawn_median"] = float(pw["median"][i])
                res[n]["pawn_max"] = float(pw["maximum"][i])
        if use_delta:
            import warnings  # noqa: PLC0415

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                de = delta_analyze.analyze(
                    problem, x, values, num_resamples=20, seed=seed, print_to_console=False
                )
            for i, n in enumerate(labels):
                res[n]["delta"] = float(de["delta_raw"][i])
                res[n]["delta_conf"] = float(de["delta_raw_conf"][i])
                res[n]["S1"] = float(de["S1"][i])
                res[n]["S1_conf"] = float(de["S1_conf"][i])
        floor = res[dummy]
        for n in names:
            row = {"output": out, "factor": n, **res[n]}
            row.update({f"{k}_noise": v for k, v in floor.items() if not k.endswith("_conf")})
            rows.append(row)
    return pd.DataFrame(rows)


def top_factors(df: pd.DataFrame, output: str, n: int = 10) -> pd.DataFrame:
    """The ``n`` factors with the largest index for ``output`` (PAWN median, else delta, else
    ST, else mu*), above the dummy factor's noise floor where there is one."""
    g = df[df["output"] == output].copy()
    for col in ("pawn_median", "delta", "ST", "mu_star"):
        if col in g.columns and g[col].notna().any():
            g = g.sort_values(col, ascending=False)
            if f"{col}_noise" in g.columns:
                g["above_noise"] = g[col] > g[f"{col}_noise"]
            return g.head(n)
    return g.head(0)


def format_sensitivity(df: pd.DataFrame, top: int = 15) -> str:
    """The indices in words: every factor for Sobol and Morris; for a Latin hypercube the
    ``top`` factors by PAWN (or delta) with the dummy factor's noise floor. An index whose 95%
    interval is wider than the index itself is flagged: the sample is too small to tell it from
    zero."""
    lines = []
    for key, g in df.groupby("output", sort=False):
        out = str(key)
        lines.append(out)
        if "note" in g.columns and g["note"].notna().all():
            lines.append(f"  {g['note'].iloc[0]}")
            continue
        if "pawn_median" in g.columns or "delta" in g.columns:
            ranked = top_factors(df, out, top)
            col = "pawn_median" if "pawn_median" in ranked.columns else "delta"
            records: list[dict[Any, Any]] = ranked.to_dict("records")
            floor = records[0].get(f"{col}_noise") if records else None
            for rec in records:
                value = rec[col]
                text = f"  {rec['factor']:<52} {col} {value:6.3f}"
                if pd.notna(rec.get("delta")):
                    d, dc = rec["delta"], rec["delta_conf"]
                    text += f"   delta {d:6.3f} +/- {dc:.3f}" + (" (wide)" if dc > d else "")
                if floor is not None and value <= floor:
                    text += "  (below the noise floor)"
                lines.append(text)
            if floor is not None:
                lines.append(f"  noise floor (a dummy factor the model never reads): {floor:.3f}")
            continue
        rows: list[dict[Any, Any]] = g.to_dict("records")
        for r in rows:
            if "S1" in g.columns:
                wide = (
                    " (wide: interval wider than the index)" if r["ST_conf"] > abs(r["ST"]) else ""
                )
                lines.append(
                    f"  {r['factor']:<45} S1 {r['S1']:6.3f} +/- {r['S1_conf']:.3f}   "
                    f"ST {r['ST']:6.3f} +/- {r['ST_conf']:.3f}{wide}"
                )
            else:
                wide = " (wide)" if r["mu_star_conf"] > abs(r["mu_star"]) else ""
                lines.append(
                    f"  {r['factor']:<45} mu* {r['mu_star']:8.4f} +/- {r['mu_star_conf']:.4f}"
                    f"   sigma {r['sigma']:8.4f}{wide}"
                )
    return "\n".join(lines)


@dataclass(frozen=True)
class Box:
    """A region of parameter space: ranges per restricted factor, and how well it finds cases."""

    limits: dict[str, tuple[float, float]]
    runs: int
    cases: int
    coverage: float
    density: float


class OutcomeError(ValueError):
    """An outcome that cannot be evaluated on the summary table, or is not true or false;
    ``output`` is the ``p:CONDITION`` of :func:`sensitivity` it comes from (else "")."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message if not output else f"{output!r}: {message}")
        self.reason, self.output = message, output


def discover(
    folder: str | Path, outcome: str, max_depth: int = 3, min_leaf: float = 0.02
) -> tuple[list[Box], int, int]:
    """Boxes where ``outcome`` (a pandas query on the summary table, per run) holds.

    Returns the boxes (leaves of a classification tree predicting the outcome, densest
    first), the number of runs and the number of cases. ``max_depth`` and ``min_leaf`` have the
    command line's bounds (1-12; a share of runs in (0, 0.5]): found by fuzzing, 0 raised
    scikit-learn's error, NaN "cannot convert float NaN to integer", and 5 or -1 were ignored.
    """
    if not isinstance(outcome, str):
        raise OutcomeError(f"expected a condition as text, got {outcome!r}")
    _check_whole("max_depth", max_depth, 1, 12)
    if (
        isinstance(min_leaf, bool)
        or not isinstance(min_leaf, numbers.Real)
        or not math.isfinite(min_leaf)
        or not 0 < min_leaf <= 0.5
    ):
        raise ValueError(f"min_leaf: expected a share of runs in (0, 0.5], got {min_leaf!r}")
    store = SweepStore(Path(folder))
    spec = SweepSpec.from_dict(store.meta()["spec"])
    design = store.design()
    summary = store.read("summary")
    if summary.empty:
        raise ValueError("the sweep has no finished runs")
    try:
        hit = pd.Series(summary.eval(outcome), index=summary.index)
    except Exception as exc:
        raise OutcomeError(f"cannot evaluate it: {exc}") from None
    if hit.dtype != bool:
        raise OutcomeError(f"this one gives {hit.dtype} values, not true or false")
    numeric = [
        f.key
        for f in spec.factors
        if f.is_range or all(isinstance(v, (int, float)) for v in f.values)
    ]
    x = summary[["point"]].merge(design, on="point", how="left")[numeric].astype(float)
    y = hit.to_numpy()
    n, cases = len(y), int(y.sum())
    if cases in (0, n):
        return [], n, cases
    tree = require("ema", "sklearn.tree", "natosim discover").DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(5, int(min_leaf * n)), random_state=0
    )
    tree.fit(x.to_numpy(), y)
    leaves = tree.apply(x.to_numpy())
    boxes = []
    for leaf in np.unique(leaves):
        in_box = leaves == leaf
        k = int(y[in_box].sum())
        if k == 0:
            continue
        limits = _leaf_limits(tree, leaf, numeric)
        boxes.append(Box(limits, int(in_box.sum()), k, k / cases, k / int(in_box.sum())))
    boxes.sort(key=lambda b: (-b.density, -b.coverage))
    return boxes, n, cases


def _leaf_limits(
    tree: DecisionTreeClassifier, leaf: int, names: list[str]
) -> dict[str, tuple[float, float]]:
    t = tree.tree_
    parent = {}
    for node in range(t.node_count):
        for child, side in ((t.children_left[node], "le"), (t.children_right[node], "gt")):
            if child != -1:
                parent[child] = (node, side)
    limits: dict[str, list[float]] = {}
    node = leaf
    while node in parent:
        p, side = parent[node]
        name, thr = names[t.feature[p]], float(t.threshold[p])
        lo, hi = limits.setdefault(name, [-np.inf, np.inf])
        limits[name] = [lo, min(hi, thr)] if side == "le" else [max(lo, thr), hi]
        node = p
    return {k: (v[0], v[1]) for k, v in limits.items()}


def format_boxes(boxes: list[Box], n: int, cases: int, outcome: str) -> str:
    lines = [f"outcome: {outcome}: {cases} of {n} runs ({cases / n:.1%})" if n else "no runs"]
    if not boxes:
        lines.append("no box: the outcome occurs in none or all of the runs")
    for i, b in enumerate(boxes, 1):
        lines.append(
            f"box {i}: coverage {b.coverage:.2f}, density {b.density:.2f} "
            f"({b.cases} of {b.runs} runs in the box)"
        )
        for name, (lo, hi) in sorted(b.limits.items()):
            lo_t = "-inf" if np.isinf(lo) else f"{lo:.4g}"
            hi_t = "inf" if np.isinf(hi) else f"{hi:.4g}"
            lines.append(f"    {lo_t} < {name} <= {hi_t}")
    return "\n".join(lines)


def paired_effect(
    folder: str | Path, factor: str, reference: object, output: str = "eu_core_pct_2030"
) -> pd.DataFrame:
    """The effect of ``factor`` on ``output``, paired by replication: for every point whose
    ``factor`` differs from ``reference``, the mean difference from the point with ``reference``
    and the same other factors (replication r of both shares its seed), with a 95% interval.

    One row per compared point: the other factors' values, ``value`` (the factor's),
    ``effect``, ``ci_low``, ``ci_high``, ``reps``. ``output`` is a summary column or
    ``col@YEAR`` from the model table.
    """
    store = SweepStore(Path(folder))
    design = store.design()
    # found by fuzzing: a factor not swept raised a KeyError, a reference the factor never
    # takes gave an empty table without a word, "col@20x0" int()'s "invalid literal"
    factors = [c for c in design.columns if c != "point"]
    if factor not in factors:
        raise ValueError(f"factor: expected one of the sweep's factors {factors}, got {factor!r}")
    if not (design[factor] == reference).any():
        taken = sorted(design[factor].unique().tolist(), key=str)
        raise ValueError(f"reference: expected a value {factor} takes {taken}, got {reference!r}")
    if "@" in output and not re.fullmatch(r"[^@]+@[0-9]{4}", output):
        raise ValueError(f"output: expected a summary column or column@YEAR, got {output!r}")
    others = [c for c in design.columns if c not in ("point", factor)]
    if "@" in output:
        col, year = output.split("@")
        m = store.read("model", columns=["point", "rep", "year", col])
        values = m[m["year"] == int(year)].rename(columns={col: output})
    else:
        values = store.read("summary", columns=["point", "rep", output])
    rows = values.merge(design, on="point")
    ref = rows[rows[factor] == reference]
    rest = rows[rows[factor] != reference]
    keys = [*others, "rep"]
    paired = rest.merge(ref[[*keys, output]], on=keys, suffixes=("", "_reference"))
    paired["diff"] = paired[output] - paired[f"{output}_reference"]
    out = []
    for key, g in paired.groupby([*others, factor], dropna=False):
        d = g["diff"].to_numpy(dtype=float)
        half = 1.96 * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
        labels = dict(
            zip([*others, factor], key if isinstance(key, tuple) else (key,), strict=True)
        )
        value = labels.pop(factor)
        mean = float(d.mean())
        out.append(
            {
                **labels,
                "value": value,
                "effect": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "reps": len(d),
            }
        )
    return pd.DataFrame(out)

"""What decides an answer: a given-data sensitivity index of each headline outcome to each sampled
assumption, over the worlds already run (no extra runs).

For every headline outcome of a set of runs (each verdict as 0/1, an Article 5 failure, the
deadline met, the coverage gain, European core spending in 2035) the sampled parameters of the
``worlds`` table are ranked by the PAWN index (Pianosi and Wagener 2015; SALib's given-data
definition: the mean, over ``S`` quantile slices of a parameter, of the Kolmogorov-Smirnov
distance between the outcome's distribution in the slice and overall). Dummy columns, drawn from
the root seed and read by nothing, give the noise floor: a parameter whose index is not above the
largest dummy's is not distinguishable from noise with this many worlds. There are twenty of
them for every sampled parameter, so that with N parameters none of which matters, the chance
that one of them clears the floor by luck is about N / (20 N + 1), some 5%: with a couple of
hundred assumptions and few worlds, a floor of twenty dummies would name a spurious crux in
most outcomes. Ties of the
index (frequent with few worlds) are broken by how far the parameter's best split separates the
outcome.

For each parameter ranked, a one-split box says where the outcome holds: the threshold on the
parameter that separates the worlds most (at least a fifth of them on each side), ``low`` and
``high`` the side where the outcome is likelier (or larger), and a sentence in words ("the
verdict turns mainly on X: above 1.1, Europe carries in 80% of worlds; below, 20%").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..model.outputs import VERDICTS

if TYPE_CHECKING:
    from ..runs.runner import Results

DUMMIES = 20  # dummy columns per sampled parameter: the floor's family-wise error about 5%
TOP = 5  # parameters listed per outcome
MIN_MINORITY = 5  # a 0/1 outcome needs this many worlds each way before a crux is named
COLUMNS = [
    "outcome",
    "parameter",
    "index",
    "low",
    "high",
    "rank",
    "noise_floor",
    "above_noise",
    "threshold",
    "inside",
    "outside",
    "n_inside",
    "n_outside",
    "worlds",
    "sentence",
]

LABELS: dict[str, str] = {
    "article5_failure": "an Article 5 failure",
    "deadline_met": "meeting the deadline",
    "coverage_gain": "the coverage gain",
    "eu_core_pct_2035": "European core spending in 2035 (% of GDP)",
    **{f"verdict:{v}": f"the verdict '{v.replace('_', ' ')}'" for v in VERDICTS},
}


def label(outcome: str) -> str:
    """An outcome's name in words."""
    if outcome.startswith("prediction:"):
        return f"the {outcome.split(':', 1)[1]} prediction"
    return LABELS.get(outcome, outcome)


def headline_outcomes(summary: pd.DataFrame, model: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per run (index ``run``): each verdict as 0/1, ``article5_failure``,
    ``deadline_met`` (NaN where no deadline applies), ``coverage_gain`` and
    ``eu_core_pct_2035`` (NaN if the run does not reach 2035)."""
    if summary.empty:
        return pd.DataFrame()
    s = summary.set_index("run")
    out = pd.DataFrame(index=s.index)
    for v in VERDICTS:
        out[f"verdict:{v}"] = (s["verdict"] == v).astype(float)
    out["article5_failure"] = (s["n_article5_failures"] > 0).astype(float)
    met = s["deadline_met"]
    out["deadline_met"] = [
        float(bool(m)) if isinstance(m, (bool, np.bool_)) else np.nan for m in met
    ]
    out["coverage_gain"] = s["coverage_gain"].astype(float)
    if model is not None and not model.empty and "eu_core_pct" in model:
        at = model[model["year"] == 2035].set_index("run")["eu_core_pct"]
        out["eu_core_pct_2035"] = at.reindex(out.index).astype(float)
    return out


def _ks(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov distance (largest gap between the empirical CDFs)."""
    grid = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    fb = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))


def pawn_index(x: np.ndarray, y: np.ndarray, slices: int) -> np.ndarray:
    """The PAWN index of each column of ``x`` for ``y`` from given data: the mean over
    ``slices`` quantile slices of the column of the KS distance between ``y`` in the slice and
    ``y`` overall (as SALib's ``pawn.analyze``, whose slice edges can overflow [0, 1] for some
    slice counts, and with the last slice closed so the largest value counts).

    Vectorised over the columns: with the runs in the order of ``y``, a slice's empirical CDF
    at each distinct value of ``y`` is the running count of its members, so every column's KS
    distances come from one cumulative sum (thousands of dummy columns cost well under a
    second)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, m = x.shape
    order = np.argsort(y, kind="stable")
    ys = y[order]
    last = np.r_[ys[1:] != ys[:-1], True]  # the CDF is read after the last of equal values
    f_all = (np.arange(1, n + 1) / n)[last]
    xs = x[order]
    edges = np.quantile(x, np.linspace(0.0, 1.0, slices + 1), axis=0)  # (slices + 1, m)
    total = np.zeros(m)
    count = np.zeros(m)
    for s in range(slices):
        upper = xs <= edges[s + 1] if s == slices - 1 else xs < edges[s + 1]
        member = (xs >= edges[s]) & upper
        size = member.sum(axis=0)
        cdf = np.cumsum(member, axis=0)[last] / np.maximum(size, 1)
        ks = np.abs(cdf - f_all[:, None]).max(axis=0)
        total += np.where(size > 0, ks, 0.0)
        count += size > 0
    with np.errstate(invalid="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


@dataclass
class _Split:
    threshold: float
    above: float
    below: float
    n_above: int
    n_below: int


def _best_split(x: np.ndarray, y: np.ndarray) -> _Split | None:
    """The threshold on ``x`` that most separates the mean of ``y`` on its two sides, with at
    least a fifth of the worlds (and 3) on each side; None if ``x`` has no such threshold."""
    n = len(x)
    least = max(3, n // 5)
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    cut = np.arange(least, n - least + 1)  # split before position i
    if not len(cut):
        return None
    cut = cut[xs[cut - 1] != xs[np.minimum(cut, n - 1)]]
    if not len(cut):
        return None
    csum = np.concatenate([[0.0], np.cumsum(ys)])
    below = csum[cut] / cut
    above = (csum[n] - csum[cut]) / (n - cut)
    k = int(np.argmax(np.abs(above - below)))
    i = int(cut[k])
    return _Split(float((xs[i - 1] + xs[i]) / 2), float(above[k]), float(below[k]), n - i, i)


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _sentence(outcome: str, param: str, split: _Split, binary: bool) -> str:
    name = label(outcome)
    if binary:
        return (
            f"{name} turns on {param}: above {_fmt(split.threshold)}, in "
            f"{split.above:.0%} of worlds ({split.n_above}); below, {split.below:.0%} "
            f"({split.n_below})"
        )
    return (
        f"{name} turns on {param}: above {_fmt(split.threshold)}, {split.above:.3g} on average "
        f"({split.n_above} worlds); below, {split.below:.3g} ({split.n_below})"
    )


def cruxes(
    worlds: pd.DataFrame,
    outcomes: pd.DataFrame,
    seed: int = 0,
    top: int = TOP,
    pooled: bool = False,
) -> pd.DataFrame:
    """The cruxes table (:data:`COLUMNS`) of ``outcomes`` (one row per run, index ``run``) over
    ``worlds`` (``run``, ``seed`` and one column per sampled parameter); empty without worlds.

    An outcome that is the same in every world has no crux, nor has a 0/1 outcome with fewer
    than :data:`MIN_MINORITY` worlds either way: one row says so (no parameter); one that
    happens in no world has no row.

    ``pooled``: the runs come from several cells that share their worlds (the same ``seed``
    column, common random numbers); the dummies are then drawn once per seed and repeated as
    the parameters are, so the repetition does not lower the noise floor.
    """
    if worlds.empty or outcomes.empty:
        return pd.DataFrame(columns=COLUMNS)
    w = worlds.set_index("run")
    params = [c for c in w.columns if c != "seed" and w[c].nunique() > 1]
    rows: list[dict[str, object]] = []
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0x63727578,)))
    # the same dummies for every outcome, so complementary outcomes share a noise floor; pooled
    # runs: one draw per world seed
    keys = w["seed"].to_numpy() if pooled and "seed" in w.columns else w.index.to_numpy()
    distinct, where = np.unique(keys, return_index=True)
    first = distinct[np.argsort(where)]  # in order of first appearance
    draws = rng.random((len(first), DUMMIES * max(1, len(params))))
    row_of = pd.Series(np.arange(len(first)), index=first)
    dummy = pd.DataFrame(draws[row_of.loc[keys].to_numpy()], index=w.index)
    for outcome in outcomes.columns:
        y_all = outcomes[outcome].dropna()
        runs = [r for r in y_all.index if r in w.index]
        if len(runs) < 10 or not params:
            continue
        y = y_all.loc[runs].to_numpy(dtype=float)
        binary = set(np.unique(y)) <= {0.0, 1.0}
        if np.all(y == y[0]):
            if binary and y[0] == 0.0 and not outcome.startswith("prediction:"):
                continue  # never happens in any world: nothing to explain
            if binary:
                how = "in every one" if y[0] == 1.0 else "in none"
                text = f"{label(outcome)}: {how} of the {len(y)} worlds; no assumption within its"
                text += " range changes it" if y[0] == 1.0 else " range makes it hold"
            else:
                text = f"{label(outcome)}: the same in all {len(y)} worlds"
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": "",
                    "worlds": len(y),
                    "inside": float(y[0]),
                    "sentence": text,
                }
            )
            continue
        minority = int(min((y == 1.0).sum(), (y == 0.0).sum())) if binary else len(y)
        if minority < MIN_MINORITY:
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": "",
                    "worlds": len(y),
                    "inside": float(y.mean()),
                    "sentence": f"{label(outcome)}: in {int(y.sum())} of {len(y)} "
                    f"worlds; too few either way to say what decides it",
                }
            )
            continue
        x = w.loc[runs, params].to_numpy(dtype=float)
        dummies = dummy.loc[runs].to_numpy()
        slices = int(min(10, max(3, len(runs) // 10)))
        index = pawn_index(np.hstack([x, dummies]), y, slices)
        floor = float(np.nanmax(index[len(params) :]))
        splits = [_best_split(x[:, j], y) for j in range(len(params))]
        gaps = [abs(sp.above - sp.below) if sp else 0.0 for sp in splits]
        # by index, ties (frequent with few worlds) by how far the best split separates them
        ranked = sorted(
            range(len(params)), key=lambda j: (-np.nan_to_num(index[j], nan=-1.0), -gaps[j])
        )
        for rank, j in enumerate(ranked[:top], start=1):
            split = splits[j]
            if split is None:
                continue
            hi_side = split.above >= split.below
            col = x[:, j]
            low, high = (split.threshold, col.max()) if hi_side else (col.min(), split.threshold)
            rows.append(
                {
                    "outcome": outcome,
                    "parameter": params[j],
                    "index": float(index[j]),
                    "low": float(low),
                    "high": float(high),
                    "rank": rank,
                    "noise_floor": floor,
                    "above_noise": bool(index[j] > floor),
                    "threshold": split.threshold,
                    "inside": split.above if hi_side else split.below,
                    "outside": split.below if hi_side else split.above,
                    "n_inside": split.n_above if hi_side else split.n_below,
                    "n_outside": split.n_below if hi_side else split.n_above,
                    "worlds": len(y),
                    "sentence": _sentence(outcome, params[j], split, binary),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def results_cruxes(res: Results, seed: int | None = None) -> pd.DataFrame:
    """:func:`cruxes` of one set of runs (a :class:`sim.runs.runner.Results`)."""
    outcomes = headline_outcomes(res.summary, res.model)
    return cruxes(res.worlds, outcomes, seed=res.root_seed if seed is None else seed)


def write_cruxes(results: Results, folder: Path) -> None:
    """Write ``cruxes.csv`` and ``cruxes.txt`` (what each headline outcome turns on, over the
    worlds just run) into a results folder being written (:func:`sim.runs.store.write_results`'s
    ``extra``); nothing for runs at fixed parameters."""
    if results.worlds.empty:
        return
    table = results_cruxes(results)
    table.to_csv(Path(folder) / "cruxes.csv", index=False)
    none = (
        f"{len(results.worlds)} worlds: too few, or no headline outcome varies, to say what "
        "decides it (a crux needs 10 worlds and 5 each way for a yes/no outcome)"
    )
    words = in_words(table) or [none]
    (Path(folder) / "cruxes.txt").write_text("\n".join(words) + "\n")


def in_words(table: pd.DataFrame, limit: int = 3) -> list[str]:
    """The cruxes in sentences: for each outcome the leading parameter (and the next ones above
    the noise floor, up to ``limit``), or that none stands out."""
    lines: list[str] = []
    if table.empty:
        return lines
    group_cols = [c for c in ("scenario", "cell") if c in table.columns]
    for key, g in table.groupby([*group_cols, "outcome"], sort=False):
        keys = key if isinstance(key, tuple) else (key,)
        prefix = f"[{', '.join(str(k) for k in keys[:-1])}] " if group_cols else ""
        if (g["parameter"] == "").all():
            lines.append(prefix + str(g["sentence"].iloc[0]))
            continue
        strong = g[g["above_noise"] == True]  # noqa: E712 (a column of bools)
        if strong.empty:
            first = g.iloc[0]
            lines.append(
                prefix + f"{label(str(first['outcome']))}: no assumption "
                f"stands out above the noise floor (PAWN {first['noise_floor']:.2f}, "
                f"{int(first['worlds'])} worlds); the strongest, {first['parameter']} "
                f"({first['index']:.2f}): {first['sentence']}"
            )
            continue
        for i, r in enumerate(strong.head(limit).itertuples()):
            word = "mainly" if i == 0 else "also"
            text = str(r.sentence).replace(" turns on ", f" turns {word} on ", 1)
            lines.append(prefix + f"{text} (PAWN {r.index:.2f}, noise {r.noise_floor:.2f})")
    return lines


def cruxes_html(table: pd.DataFrame, limit: int = 3) -> str:
    """An HTML fragment for a report: the cruxes in sentences (:func:`in_words`), then the
    table; empty without cruxes (fixed-parameter runs)."""
    from html import escape  # noqa: PLC0415

    if table.empty:
        return ""
    items = "".join(f"<li>{escape(t)}</li>" for t in in_words(table, limit))
    shown = table[table["parameter"] != ""].drop(columns=["sentence"])
    return (
        "<h2>What decides it</h2><p>PAWN sensitivity of each headline outcome to each sampled "
        "assumption over the worlds run; a parameter counts above the largest of "
        f"{DUMMIES} dummy columns' index (the noise floor).</p>"
        f"<ul>{items}</ul>" + shown.to_html(index=False, float_format=lambda v: f"{v:.3g}")
    )


def label_frames(frames: Mapping[str, pd.DataFrame], column: str) -> pd.DataFrame:
    """Tables of several scenarios or cells stacked, with ``column`` naming each."""
    parts = [f.assign(**{column: k}) for k, f in frames.items() if not f.empty]
    if not parts:
        return pd.DataFrame(columns=[column, *COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    return out[[column, *COLUMNS]]

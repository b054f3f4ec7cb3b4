"""Experimental designs: the points of a sweep, as a table (one row per point).

Grid and list are built here; Latin hypercube, Sobol (Saltelli's scheme, first and total order)
and Morris (elementary effects) come from SALib, so that the sensitivity analysis reads the very
matrix SALib expects.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import latin, morris

from .spec import Factor, SweepSpec, param_for


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem definition of a sweep's range factors."""
    return {
        "num_vars": len(spec.factors),
        "names": [f.key for f in spec.factors],
        "bounds": [[f.low, f.high] for f in spec.factors],
    }


def grid_axis(f: Factor, samples: int) -> list[Any]:
    """The levels a grid gives factor ``f``: its values, or ``samples`` levels of its range
    (an integer parameter's rounded levels, each once)."""
    if not f.is_range:
        return list(f.values)
    vals = list(np.linspace(float(f.low or 0.0), float(f.high or 0.0), samples))
    if param_for(f.key).kind == "int":
        vals = sorted({round(v) for v in vals})
    return vals


def _grid(spec: SweepSpec) -> list[dict[str, Any]]:
    axes = [grid_axis(f, spec.samples) for f in spec.factors]
    keys = [f.key for f in spec.factors]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*axes)]


def _list(spec: SweepSpec) -> list[dict[str, Any]]:
    if spec.points:
        return [dict(p) for p in spec.points]
    keys = [f.key for f in spec.factors]
    return [
        dict(zip(keys, vals, strict=True))
        for vals in zip(*(f.values for f in spec.factors), strict=True)
    ]


def _matrix(spec: SweepSpec) -> np.ndarray:
    problem = salib_problem(spec)
    if spec.design == "lhs":
        return latin.sample(problem, spec.samples, seed=spec.seed)
    if spec.design == "sobol":
        from SALib.sample import sobol  # noqa: PLC0415 (imports scipy.stats: 0.4 s, only when asked)

        return sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.seed)
    return morris.sample(problem, spec.samples, num_levels=4, seed=spec.seed)


def build_design(spec: SweepSpec) -> pd.DataFrame:
    """One row per point: ``point`` and one column per factor (the value applied to the
    scenario; integer parameters are rounded)."""
    if spec.design == "grid":
        rows = _grid(spec)
    elif spec.design == "list":
        rows = _list(spec)
    else:
        x = _matrix(spec)
        keys = [f.key for f in spec.factors]
        rows = [dict(zip(keys, r, strict=True)) for r in x.tolist()]
    ints = {f.key for f in spec.factors if param_for(f.key).kind == "int"}
    flags = {f.key for f in spec.factors if f.is_range and param_for(f.key).kind == "bool"}
    for r in rows:
        for k in ints:
            r[k] = round(r[k])
        for k in flags:
            r[k] = bool(r[k] >= 0.5)
    df = pd.DataFrame(rows)
    df.insert(0, "point", np.arange(len(df)))
    return df

"""Shared machinery of the claim tests: cached seeded runs and paired effect sizes."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import pandas as pd

import sim

from ..conftest import ROOT

REPS = 30
SEED = 2025


def scenario(name: str, params: tuple = (), series: tuple = ()) -> sim.Scenario:
    """A shipped scenario with ``params`` ((key, value), ...) and constant ``series`` changed."""
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    if params:
        sc = sc.with_params(dict(params))
    if series:
        merged = dict(sc.series)
        merged.update(dict(series))
        sc = replace(sc, series=merged)
    return sc


@cache
def runs(name: str, params: tuple = (), series: tuple = (), reps: int = REPS) -> sim.Results:
    """Seeded replications, cached across tests (same seed: common random numbers)."""
    res = sim.run_replications(scenario(name, params, series), reps, SEED)
    assert not res.failures, res.failures[0].error
    return res


def ci(x) -> tuple[float, float, float]:
    """Mean and normal-approximation 95% confidence interval."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0
    return m, m - 1.96 * se, m + 1.96 * se


def effect(label: str, a, b) -> tuple[float, float, float, str]:
    """Paired difference a - b (by replication) with its CI and a message for the assertion."""
    m, lo, hi = ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))
    msg = (
        f"{label}: difference {m:+.4f} (95% CI {lo:+.4f} to {hi:+.4f}); means "
        f"{np.mean(a):.4f} vs {np.mean(b):.4f}; {len(a)} paired replications, seed {SEED}"
    )
    print(msg)
    return m, lo, hi, msg


def at_year(res: sim.Results, col: str, year: int) -> pd.Series:
    m = res.model
    return m[m["year"] == year].set_index("run")[col].sort_index()


def summary(res: sim.Results, col: str) -> pd.Series:
    return res.summary.set_index("run")[col].sort_index()

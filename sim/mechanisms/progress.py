"""M5: Europe's progress as the US measures it (C19), for one year or for many at once.

Both functions take arrays whose last axis is the allies (or the categories): one year's state
while the US decides, or the years x allies tables of a run when its columns are written.
"""

from __future__ import annotations

import numpy as np


def headline_progress(
    gdp: np.ndarray, judged: np.ndarray, reported: np.ndarray, demand: float | np.ndarray
) -> np.ndarray:
    """GDP-weighted share of the judged allies (European, with armed forces, members) whose
    reported core spending reaches the US demand (less a 0.05 pp rounding margin).

    ``demand`` is a number, or one per year (then shaped to broadcast over the allies).
    """
    weights = np.where(judged, gdp, 0.0)
    met = np.where(reported >= np.asarray(demand) - 0.05, weights, 0.0)
    return np.asarray(met.sum(axis=-1) / weights.sum(axis=-1))


def capability_progress(coverage: np.ndarray, goal: float) -> np.ndarray:
    """Share of capability categories whose European coverage reaches ``coverage_goal``."""
    return np.asarray((coverage >= goal).sum(axis=-1) / coverage.shape[-1])

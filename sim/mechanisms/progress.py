"""M5: Europe's progress as the US measures it (C19), for one year or for many at once.

Both functions take arrays whose last axis is the allies (or the categories): one year's state
while the US decides, or the years x allies tables of a run when its columns are written.
"""

from __future__ import annotations

import numpy as np

from ..scenario.params_world import CATEGORIES

ISR = CATEGORIES.index("isr")


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


def replaced(
    europe: np.ndarray,
    europe_start: np.ndarray,
    us_base: np.ndarray,
    isr_replaceable: float | np.ndarray,
) -> np.ndarray:
    """Per category, the share of the US contribution at the start that European capability
    delivered since replaces, in [0, 1]; ISR at most ``isr_replaceable`` (C17: part of it
    cannot be bought). Continuous: every delivery counts."""
    share = (europe - europe_start) / np.where(us_base > 0, us_base, np.inf)
    share = np.minimum(1.0, np.maximum(0.0, share))  # np.clip's values, at less cost
    share[..., ISR] = np.minimum(share[..., ISR], isr_replaceable)
    return share


def capability_progress(
    europe: np.ndarray,
    europe_start: np.ndarray,
    us_base: np.ndarray,
    isr_replaceable: float | np.ndarray,
) -> np.ndarray:
    """Capability progress as the US can measure it (C16, C17, C19): :func:`replaced`
    averaged over categories."""
    share = replaced(europe, europe_start, us_base, isr_replaceable)
    return np.asarray(np.add.reduce(share, axis=-1) / share.shape[-1])  # .mean()'s values

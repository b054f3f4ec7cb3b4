"""The numbers of a group of runs (some models of a batch) as a batched rule reads them.

A rule written for one run reads Python numbers from its parameter tables; over a group of G
runs it reads :func:`numbers`: the first run's own value where every run has the same (so the
rule computes exactly what it computes for one run, and a batch of one is that run), else a
float column of shape (G, 1, ...) that broadcasts over the group's arrays (elementwise, the
same value per run). :func:`power` raises to such an exponent one value at a time, as NumPy's
power may take another path for a scalar exponent than for an array of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np


def numbers(
    tables: Sequence[Mapping[str, Any]], keys: Iterable[str], ndim: int = 2
) -> dict[str, Any]:
    """The values of ``keys`` in ``tables`` (one per run): the shared value where they agree,
    else a float column of shape (G, 1, ...) with ``ndim`` axes."""
    first = tables[0]
    if all(t is first for t in tables):  # a batch of one, or runs that read one table
        return {key: first[key] for key in keys}
    out: dict[str, Any] = {}
    shape = (len(tables),) + (1,) * (ndim - 1)
    for key in keys:
        v = first[key]
        if all(t[key] == v for t in tables):
            out[key] = v
        else:
            out[key] = np.array([t[key] for t in tables], dtype=float).reshape(shape)
    return out


def power(x: np.ndarray, exponent: Any) -> np.ndarray:
    """``x ** exponent`` with ``exponent`` a number or a column of :func:`numbers` (first axis
    the runs'): each run's rows raised to its own number, as that run alone would."""
    if not isinstance(exponent, np.ndarray):
        return x**exponent
    e = exponent.reshape(len(exponent))
    out = np.empty(np.broadcast_shapes(x.shape, exponent.shape))
    for value in np.unique(e):
        rows = e == value
        out[rows] = x[rows] ** float(value)
    return out

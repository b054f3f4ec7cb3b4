"""Python's ``max``, ``min``, ``math.exp`` and ``a if c else b``, elementwise over arrays.

A rule written once for one run's Python numbers and for a batch's arrays over runs (the US's
year, Russia's spending and forces) takes numbers or arrays and gets, per run, exactly what
Python's own operations give: ``max(a, b)`` is ``a`` unless ``b`` is larger (so a tie of 0.0
and -0.0, or a NaN, comes out as Python has it, where ``np.maximum`` may differ), and ``exp``
is ``math.exp`` of each entry (NumPy's ``exp`` may round differently). Given numbers, each is
Python's own operation: a run alone pays no arrays.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def pmax(a: Any, b: Any) -> Any:
    """Python's ``max(a, b)``: ``b`` where it is larger, else ``a``."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.where(b > a, b, a)
    return max(a, b)


def pmin(a: Any, b: Any) -> Any:
    """Python's ``min(a, b)``: ``b`` where it is smaller, else ``a``."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.where(b < a, b, a)
    return min(a, b)


def where(cond: Any, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` else ``b``: ``np.where`` over arrays, Python's choice for a bool."""
    if isinstance(cond, np.ndarray):
        return np.where(cond, a, b)
    return a if cond else b


def negate(x: Any) -> Any:
    """Logical not of a bool or of a bool array."""
    return ~x if isinstance(x, np.ndarray) else not x


def exp(x: Any) -> Any:
    """``math.exp`` of a number, or of each entry of an array."""
    if isinstance(x, np.ndarray):
        return np.array([math.exp(v) for v in x.tolist()], dtype=float).reshape(x.shape)
    return math.exp(x)

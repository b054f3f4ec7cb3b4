"""Calibration (``natosim calibrate``) and the hindcast (``natosim hindcast``).

:func:`bootstrap_draws` gives the fitted parameters' joint uncertainty: the bootstrap refits of a
tracked fit, each a full parameter vector, for drawing worlds (:mod:`sim.runs.worlds`) in which the
fitted parameters move together as the data allow, not one by one from their marginal
intervals.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_WINDOW = (2014, 2024)  # the fit scenarios/baseline.toml extends


def fit_record_path(window: tuple[int, int] = DEFAULT_WINDOW) -> Path:
    """The JSON record of the tracked fit of ``window`` (scenarios/calibration/)."""
    from ..scenario.paths import PACKAGE_SCENARIOS  # noqa: PLC0415

    start, end = window
    return Path(PACKAGE_SCENARIOS, "calibration", f"fitted_{start}_{end}.json")


def read_fit_record(path: Path) -> dict[str, Any]:
    """A fit's JSON record, read once while the file is unchanged (the same inode, size,
    modification and change times; a fit is written to a new file and renamed): a sampled
    world reads the tracked fits for its fitted parameters, which took a fifth of drawing the
    world. Callers must not modify what it returns.

    Raises:
        OSError: the file cannot be read; ValueError: it is not JSON.
    """
    st = os.stat(path)
    return _read_json(str(path), (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))


@lru_cache(maxsize=32)
def _read_json(path: str, version: tuple[int, int, int, int]) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def bootstrap_draws(window: tuple[int, int] = DEFAULT_WINDOW) -> list[dict[str, float]]:
    """The bootstrap refits of the tracked fit of ``window``, one ``{"section.name": value}``
    per refit (allies resampled with replacement, a local refit from the estimate; every
    fitted parameter in each). Drawing a world's fitted values = choosing one refit uniformly,
    e.g. ``draws[int(u * len(draws))]`` for a world's uniform ``u``, and applying all of its
    values together (``Scenario.with_params``). Empty when the record holds no draws (a fit
    written before issue 26, or ``--bootstrap 0``).

    Raises:
        FileNotFoundError: no tracked fit for ``window``.
    """
    record = read_fit_record(fit_record_path(window))
    return [
        {str(k): float(v) for k, v in draw.items()} for draw in record.get("bootstrap_draws", [])
    ]


def draw_fitted(u: float, window: tuple[int, int] = DEFAULT_WINDOW) -> dict[str, float]:
    """One world's fitted values: the refit at quantile ``u`` (0 <= u < 1) of
    :func:`bootstrap_draws`, or ``{}`` when there are none (the fitted values are then held)."""
    draws = bootstrap_draws(window)
    if not draws:
        return {}
    return draws[min(len(draws) - 1, max(0, int(u * len(draws))))]

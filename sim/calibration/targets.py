"""What the model is measured against: NATO's defence shares per ally and year, and the two naive
forecasts any model must beat (persistence of the start value, the training-window trend)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data


def observed() -> pd.DataFrame:
    """NATO's defence expenditure, % of GDP, long format: iso3, year, observed."""
    rows = [
        (iso3, year, v)
        for iso3, series in data.defence_history().items()
        for year, v in series.items()
        if iso3 != "USA"
    ]
    return pd.DataFrame(rows, columns=["iso3", "year", "observed"])


def naive_baselines(start: int, train_end: int, years: list[int]) -> pd.DataFrame:
    """Persistence (the start year's value), trend (a least-squares line through the
    training window start..train_end, extended) and the last value (the ``train_end`` value,
    for the years after it: the random walk from the forecast's origin) per ally and year.
    Allies with fewer than three observed training years get no trend (NaN): the six gap
    allies have only the start."""
    obs = observed()
    out = []
    for iso3, g in obs.groupby("iso3"):
        series = dict(zip(g["year"], g["observed"], strict=True))
        if start not in series:
            continue
        train = g[(g["year"] >= start) & (g["year"] <= train_end)]
        slope = intercept = np.nan
        if len(train) >= 3:
            slope, intercept = np.polyfit(train["year"], train["observed"], 1)
        for y in years:
            out.append(
                {
                    "iso3": iso3,
                    "year": y,
                    "persistence": series[start],
                    "trend": intercept + slope * y,
                    "last": series.get(train_end, np.nan) if y > train_end else np.nan,
                }
            )
    return pd.DataFrame(out)

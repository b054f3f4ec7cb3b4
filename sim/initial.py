"""Initial conditions from the packaged data, using nothing later than the start year.

* Defence % of GDP at the start year: NATO's figure for that year; for an ally whose series has a
  gap there (six allies have only 2014 and 2025), linear interpolation between the nearest known
  years (for starts between 2015 and 2024 that reads the 2025 value; no shipped scenario starts
  there).
* GDP at the start year: NATO's series (2014-2024); from 2025 on, the World Bank 2024 figure of
  ``allies.csv`` (the latest in the data) held for 2025, then grown at ``gdp_growth_pct``.
* Equipment stocks: equipment spending (defence % x GDP x ``equipment_share``) accumulated over
  2014..start with depreciation, plus a steady-state tail for the years before 2014.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import data
from .data import AllyRecord

FIRST_DATA_YEAR = 2014
LAST_GDP_YEAR = 2024


def defence_pct(iso3: str, year: int) -> float:
    """Defence % of GDP of ``iso3`` in ``year``, interpolated within gaps; 0 if never reported."""
    series = data.defence_history().get(iso3)
    if not series:
        return 0.0
    if year in series:
        return series[year]
    before = [y for y in series if y < year]
    after = [y for y in series if y > year]
    if not before:
        return series[min(after)]
    if not after:
        return series[max(before)]
    y0, y1 = max(before), min(after)
    return series[y0] + (series[y1] - series[y0]) * (year - y0) / (y1 - y0)


def gdp_bn(record: AllyRecord, year: int) -> float | None:
    """GDP in bn US$ for ``year`` from the data, or None after the data end (2025 holds 2024)."""
    if year <= LAST_GDP_YEAR:
        series = data.gdp_history().get(record.iso3, {})
        if year in series:
            return series[year]
        return record.gdp_usd_2024 / 1e9 if year == LAST_GDP_YEAR else None
    if year == LAST_GDP_YEAR + 1:
        return record.gdp_usd_2024 / 1e9
    return None


@lru_cache(maxsize=64)
def gdp_vector(year: int) -> np.ndarray:
    """:func:`gdp_bn` of every ally (in the order of ``data.allies()``), NaN where the data have
    none; read-only and cached (a hindcast reads it every year of every run)."""
    values = [gdp_bn(r, year) for r in data.allies()]
    out = np.array([np.nan if v is None else v for v in values], dtype=float)
    out.flags.writeable = False
    return out


def equipment_history(record: AllyRecord, start: int, equipment_share: float) -> dict[int, float]:
    """Equipment spending (bn US$) per year from 2014 to ``start``, from data only."""
    out = {}
    for year in range(min(FIRST_DATA_YEAR, start), start + 1):
        gdp = gdp_bn(record, year)
        if gdp is None:
            continue
        out[year] = gdp * defence_pct(record.iso3, year) / 100.0 * equipment_share
    return out

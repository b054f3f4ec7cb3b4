"""Initial conditions from the packaged data, using nothing later than the start year.

* Defence % of GDP at the start year: NATO's figure for that year; for an ally whose series has a
  gap there (six allies have only 2014 and 2025), linear interpolation between the nearest known
  years (for starts between 2015 and 2024 that reads the 2025 value; no shipped scenario starts
  there).
* GDP at the start year: NATO's series (2014-2024); from 2025 on, the World Bank 2024 figure of
  ``allies.csv`` (the latest in the data) held for 2025, then grown at ``gdp_growth_pct``.
* Equipment stocks: equipment spending (defence % x GDP x ``equipment_share``) by year from 2014
  to the start, with a steady-state tail for the years before 2014, split over categories by
  ``stock_mix_<c>`` and suppliers by ``us_buy_share``: what was ordered at least a lead time
  before the start is in service, the rest in transit (:func:`capability_start`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import data
from ..data import AllyRecord
from ..mechanisms.capability import (
    accumulated_stock,
    spend_record,
    start_position,
    vintage_values,
)
from ..mechanisms.forces import RussianForces, reconstituted_total
from ..scenario.params_world import CATEGORIES

if TYPE_CHECKING:
    from ..scenario import Scenario

FIRST_DATA_YEAR = 2014
LAST_GDP_YEAR = 2024
# the last year before Russia's 2022 invasion: NATO's capability targets of 2025 ask for a total
# force 30-50% larger than then (``crisis_references.csv``, nato_force_requirement_vs_pre2022)
PRE_WAR_YEAR = 2021


def members(accession_year: np.ndarray, year: int) -> np.ndarray:
    """Who is a NATO member in ``year`` on the record: every ally whose ``allies.csv``
    ``accession_year`` is ``year`` or earlier. The one rule for membership at the start
    (:class:`sim.agents.ally.AllyState`) and for the joins of later years
    (:meth:`sim.model.alliance.AllianceModel._join_on_record`); an ``accession`` event can only
    bring a join forward."""
    return np.asarray(accession_year) <= year


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


def _normalised(weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))


def stock_mix(p: Mapping[str, Any]) -> np.ndarray:
    """Category split of the equipment bought before the start (``stock_mix_<c>``,
    normalised)."""
    return _normalised([p[f"stock_mix_{c}"] for c in CATEGORIES])


def allocation(p: Mapping[str, Any]) -> np.ndarray:
    """Category weights of orders from the start on (``allocation_<c>``, normalised)."""
    return _normalised([p[f"allocation_{c}"] for c in CATEGORIES])


def capability_start(
    sc: Scenario, start: int, p: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The allies' equipment at ``start`` from the spending record (M1), with the ``[capability]``
    parameters ``p`` the model runs with, computed once per scenario: ``(in service, in transit,
    paid for)``.

    ``in service`` and ``paid for`` are (allies x categories) stocks at vintage value; ``paid
    for`` counts everything bought up to the start as if delivered (the base of the capability
    requirement), ``in service`` only what a lead time (plus ``us_backlog_years`` for the
    ``us_buy_share`` bought from US industry) has brought; ``in transit`` holds the rest as the
    pipeline's dues, shaped (horizon, supplier, category, ally).
    """
    return sc.derived(
        ("capability_start", start),
        lambda: _capability_start(sc, start, p),
        depends=("capability", "allies", "overrides", "mechanisms"),
    )


_RECORDS: dict[tuple[str, int], tuple[tuple[object, ...], np.ndarray | None]] = {}


def _record_per_share(iso3: str, start: int) -> np.ndarray | None:
    """The spending record (:func:`~sim.mechanisms.capability.spend_record`) of an equipment
    share of 1 for ``iso3`` (its defence spending, bn US$, by year back from ``start``), or None
    when the data give it none. :func:`equipment_history` at a share is this record times the
    share, element by element, bit for bit (``gdp x pct / 100``, then ``x share``, as there).

    Kept per ally and start year while the data it is read from are the same objects (the
    loaders of :mod:`sim.data` are cached for the process; a test that swaps a table in gets a
    record of its own, and the table kept here is held, so it cannot be mistaken for another);
    a sampled world changes the share and the rates, not the record. Read-only."""
    sources = (data.allies(), data.defence_history(), data.gdp_history())
    kept = _RECORDS.get((iso3, start))
    if kept is not None and all(a is b for a, b in zip(kept[0], sources, strict=True)):
        return kept[1]
    record = next(r for r in sources[0] if r.iso3 == iso3)
    hist = equipment_history(record, start, 1.0)
    out = spend_record(hist, start) if hist else None
    if out is not None:
        out.flags.writeable = False
    if len(_RECORDS) >= 1024:  # a few starts x the allies; bounded all the same
        _RECORDS.clear()
    _RECORDS[(iso3, start)] = (sources, out)
    return out


def _start_terms(p: Mapping[str, Any]) -> tuple[np.ndarray, list[int], int, float]:
    """The ``[capability]`` terms of the start stocks: the categories' mix, their lead times
    (years), the US backlog (years) and the share bought from US industry."""
    leads = [int(p[f"lead_time_{k}"]) for k in CATEGORIES]
    return stock_mix(p), leads, int(p["us_backlog_years"]), p["us_buy_share"]


def _start_arrays(n: int, leads: list[int], extra: int) -> tuple[np.ndarray, ...]:
    """Zeroed ``(in service, in transit, paid for)`` for ``n`` allies (:func:`capability_start`)."""
    c = len(CATEGORIES)
    return np.zeros((n, c)), np.zeros((max(leads) + extra + 1, 2, c, n)), np.zeros((n, c))


def _capability_start(
    sc: Scenario, start: int, p: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`capability_start`, every ally at once: the rule of
    :func:`~sim.mechanisms.capability.start_position` and
    :func:`~sim.mechanisms.capability.accumulated_stock` over an (allies x years) record,
    computed with the same operations in the same order, so the stocks are those of the rule
    applied ally by ally, bit for bit (``tests/test_fast_paths.py``). A sampled world rebuilds
    them (its rates and shares differ): this took a quarter of such a run's set-up."""
    records = data.allies()
    mix, leads, extra, buy = _start_terms(p)
    stock, transit, paid = _start_arrays(len(records), leads, extra)
    rows: dict[int, list[tuple[int, np.ndarray]]] = {}  # by record length: one array each
    for i, r in enumerate(records):
        base = _record_per_share(r.iso3, start) if r.armed_forces else None
        if base is not None:
            share = sc.ally_value(r.iso3, "equipment_share")
            rows.setdefault(len(base), []).append((i, base * share))
    for length, group in rows.items():
        idx = np.array([i for i, _ in group])
        record = np.stack([rec for _, rec in group])
        first = record[:, -1]  # the oldest year given, the rate of the steady-state tail
        for k, name in enumerate(CATEGORIES):
            dep = p[f"depreciation_{name}"]
            values = record * (1.0 - dep) ** np.arange(length)
            tail = first * (1 - dep) ** length / dep if dep > 0 else np.zeros(len(idx))
            paid[idx, k] = mix[k] * (values.sum(axis=1) + tail)
            for supplier, (lead, frac) in enumerate(
                ((leads[k], 1.0 - buy), (leads[k] + extra, buy))
            ):
                in_service = values[:, lead:].sum(axis=1) + tail
                stock[idx, k] += frac * mix[k] * in_service
                transit[:lead, supplier, k, idx] = frac * mix[k] * values[:, :lead][:, ::-1].T
    for arr in (stock, transit, paid):
        arr.flags.writeable = False
    return stock, transit, paid


def _capability_start_per_ally(
    sc: Scenario, start: int, p: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`capability_start` ally by ally, through the rule's own functions: the reference
    :func:`_capability_start` is tested against."""
    records = data.allies()
    mix, leads, extra, buy = _start_terms(p)
    stock, transit, paid = _start_arrays(len(records), leads, extra)
    for i, r in enumerate(records):
        hist = equipment_history(r, start, sc.ally_value(r.iso3, "equipment_share"))
        if not r.armed_forces or not hist:
            continue
        record = spend_record(hist, start)  # one record, valued at each category's rate
        for k, name in enumerate(CATEGORIES):
            dep = p[f"depreciation_{name}"]
            values = vintage_values(hist, start, dep, record)
            paid[i, k] = mix[k] * accumulated_stock(hist, start, dep, values)
            for supplier, (lead, frac) in enumerate(
                ((leads[k], 1.0 - buy), (leads[k] + extra, buy))
            ):
                in_service, in_transit = start_position(hist, start, dep, lead, values)
                stock[i, k] += frac * mix[k] * in_service
                transit[:lead, supplier, k, i] = frac * mix[k] * in_transit
    return stock, transit, paid


def pre_war_year(start: int) -> int:
    """The year of NATO's pre-2022 force for a run starting in ``start``: 2021, or the start
    itself for an earlier start (nothing later than the start is read)."""
    return min(start, PRE_WAR_YEAR)


def russia_reconstituted(
    sc: Scenario, start: int, params: Mapping[str, Mapping[str, Any]]
) -> float:
    """Russia's ground forces (bde-e) five years after a ceasefire in ``start`` (the Danish
    intelligence service's horizon to a large war, ``crisis_references.csv``), from its start
    forces as :class:`~sim.agents.Russia` builds them (``russia.csv`` spending of the latest
    year not after the start, the war's intensity then) with spending held: the reconstituted
    Russia NATO's planning target is set against (:func:`sim.mechanisms.capability.requirement`).
    """
    hist = data.russia_history()
    milex = hist[max(y for y in hist if y <= start)]["milex_bn"]
    war = sc.series_at("ukraine_war", start)
    forces = RussianForces(params["russia"], params["crisis"]["bde_cost_bn"], milex, war)
    years = float(data.crisis_references()["ddis_russia_large_scale_war_europe"])
    return reconstituted_total(forces, milex, years)

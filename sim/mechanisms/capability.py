"""M1, the capability pipeline (C16, C17, C18).

Capability is measured in equipment-stock units: billions of US$ of delivered equipment net of
depreciation, per ally and category (manoeuvre, air and missile defence, ISR, enablers,
munitions). The rules:

1. **Orders.** Each year an ally's equipment spending is split over categories (its allocation
   weights, partly steered to the categories where Europe's coverage is lowest) and over two
   suppliers: European industry and US industry (``us_buy_share``).
2. **Lead times.** An order placed in year t falls due in t + ``lead_time_<c>`` (European) or
   t + ``lead_time_<c>`` + ``us_backlog_years`` (US). C16: capabilities take time. Capability
   is valued by vintage: an order loses ``depreciation_<c>`` a year from the year it is placed
   (obsolescence), in transit as in service, so a later delivery is never worth more and longer
   lead times never raise capability.
3. **Industrial capacity.** Each supplier delivers at most its capacity per category per year;
   what is due beyond it waits in a backlog, shared pro rata among the allies. Capacity starts at
   the start year's deliveries times (1 + ``industry_headroom``) and grows by at most
   ``capacity_growth`` a year when orders exceed it.
4. **Depreciation.** Stocks lose ``depreciation_<c>`` a year.
5. **The start.** Stocks and the orders in the pipeline at the start come from the spending
   record (:func:`start_position`): what was ordered at least a lead time before the start is in
   service, what was ordered since is in transit, both at its vintage value.
6. **The US contribution** (:func:`us_contribution`): valued at IISS's cost of replacing it,
   ``us_contribution_bn`` over the categories IISS costs, split by ``us_share_<c>``.
7. **Coverage.** Europe's coverage of a category is its capability in Europe over NATO's
   requirement (:func:`requirement`): NATO's planning target (the pre-2022 force, European plus
   US, times 1 + ``nato_target_growth``), raised to the power ``requirement_russia_elasticity``
   of Russia's forces over the reconstituted Russia the target is set against, once they exceed
   it: an absolute scale that US withdrawal does not move. ISR coverage cannot exceed 1 -
   ``isr_irreplaceable_share`` + the sovereign ISR Europe has built at ``isr_sovereign_rate`` a
   year (C17: some US ISR cannot be bought).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..scenario.params_world import CATEGORIES

ISR = CATEGORIES.index("isr")
ENABLERS = CATEGORIES.index("enablers")
EU, US = 0, 1


TAIL_YEARS = 40  # the steady-state tail of a stock that does not depreciate


def spend_record(spend_by_year: Mapping[int, float], start: int) -> np.ndarray:
    """Each year's orders back from ``start`` (index ``k``: orders of year ``start - k``),
    ``TAIL_YEARS`` + the years given: years before the first one given are taken at the first
    year's rate (a steady-state tail). The same for every depreciation rate, so a caller that
    values one record at several rates builds it once (:func:`vintage_values`)."""
    first = min(spend_by_year)
    n = start - min(first, start) + TAIL_YEARS + 1
    rate = spend_by_year[first]
    return np.array([spend_by_year.get(start - k, rate) for k in range(n)], dtype=float)


def vintage_values(
    spend_by_year: Mapping[int, float], start: int, dep: float, record: np.ndarray | None = None
) -> np.ndarray:
    """Value at ``start`` of each year's orders (:func:`spend_record`, or ``record`` if it is
    given, built from the same ``spend_by_year`` and ``start``): a vintage loses ``dep`` a year
    from its order year."""
    spend = spend_record(spend_by_year, start) if record is None else record
    return spend * (1.0 - dep) ** np.arange(len(spend))


def _tail(spend_by_year: Mapping[int, float], values: np.ndarray, dep: float) -> float:
    """The geometric tail of a stock beyond the vintages of ``values``: the first year's rate,
    depreciated since, summed to infinity (0 if nothing depreciates)."""
    first = spend_by_year[min(spend_by_year)]
    return first * (1 - dep) ** len(values) / dep if dep > 0 else 0.0


def accumulated_stock(
    spend_by_year: Mapping[int, float], start: int, dep: float, values: np.ndarray | None = None
) -> float:
    """Stock at ``start`` from equipment spending per year with geometric depreciation, all of
    it delivered (zero lead times): the sum of :func:`vintage_values` (``values``, if the
    caller has them), with a geometric tail."""
    if values is None:
        values = vintage_values(spend_by_year, start, dep)
    return float(values.sum() + _tail(spend_by_year, values, dep))


def start_position(
    spend_by_year: Mapping[int, float],
    start: int,
    dep: float,
    lead: int,
    values: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """What the spending record puts in service and in transit at ``start`` for one lead time:
    ``(in service, in transit)`` where ``in_transit[h]`` falls due ``h + 1`` years after the
    start (orders of year ``start - lead + 1 + h``), all at vintage value (``values``: the
    record's :func:`vintage_values` at ``dep``, if the caller has them)."""
    if values is None:
        values = vintage_values(spend_by_year, start, dep)
    in_service = float(values[lead:].sum() + _tail(spend_by_year, values, dep))
    in_transit = values[:lead][::-1].copy()
    return in_service, in_transit


class CapabilityPipeline:
    """Orders, backlogs, deliveries and stocks for all allies.

    ``stock`` and the orders and deliveries exchanged with the model are (ally x category)
    arrays; inside, what is owed is kept supplier x category x ally, so that one year's dues are
    one contiguous block of a ring buffer.

    Args:
        p: The ``[capability]`` parameters.
        initial_stock: Start stocks, shape (n_allies, n_categories).
        initial_orders: The start year's equipment orders, same shape: they set the starting
            industrial capacity and, unless ``in_transit`` is given, fill the pipeline as if
            orders had run at that rate for each lead time.
        in_transit: Orders in transit at the start, shape (horizon, 2, n_categories, n_allies)
            (what falls due h + 1 years on, per supplier), as :func:`start_position` gives them.
        limited: Whether industrial capacity binds (the ``industrial_capacity`` switch); if not,
            whatever is due is delivered.
    """

    def __init__(
        self,
        p: Mapping[str, Any],
        initial_stock: np.ndarray,
        initial_orders: np.ndarray,
        in_transit: np.ndarray | None = None,
        limited: bool = True,
    ) -> None:
        self.p = p
        n, c = initial_stock.shape
        self.lead = np.array([p[f"lead_time_{k}"] for k in CATEGORIES], dtype=int)
        self.dep = np.array([p[f"depreciation_{k}"] for k in CATEGORIES])
        self.us_buy = p["us_buy_share"]
        self.extra = int(p["us_backlog_years"])
        self.horizon = int(self.lead.max()) + self.extra + 1
        self.stock = initial_stock.astype(float).copy()
        # due[h, s, k, i]: owed by supplier s to ally i in category k, in ring slot h; the slot
        # of the current year is ``head``, h years ahead is (head + h) % horizon
        lead = np.stack([self.lead, self.lead + self.extra])  # (supplier, category)
        split = np.stack([(1 - self.us_buy) * initial_orders.T, self.us_buy * initial_orders.T])
        filled = np.arange(self.horizon)[:, None, None] < lead[None]  # (h, supplier, category)
        self._flat = np.zeros(self.horizon * 2 * c * n)  # order() scatters into it
        self.due = self._flat.reshape(self.horizon, 2, c, n)  # a view of the same memory
        if in_transit is None:
            self.due[...] = filled[..., None] * split[None]
        else:
            self.due[...] = in_transit
        self.backlog = np.zeros((2, c, n))
        self.capacity = split.sum(axis=2) * (1 + p["industry_headroom"])  # (supplier, category)
        if not limited:
            self.capacity[:] = np.inf
        self.delivered = initial_orders.copy()
        self.head = 0
        self.growth = 1 + p["capacity_growth"]
        self._keep = 1.0 - self.dep
        # order(): one scatter into the flat ring buffer. Lead time per (supplier, category),
        # the supplier shares of an order, and each (supplier, category, ally) cell's offset
        # within a slot
        self._lead = lead
        self._share = np.array([1 - self.us_buy, self.us_buy])[:, None, None]
        self._cell = np.arange(2 * c * n).reshape(2, c, n)
        self._keep_due = self._keep[None, None, :, None]
        self._keep_backlog = self._keep[None, :, None]

    def order(self, orders: np.ndarray, us_share: np.ndarray | None = None) -> None:
        """Book this year's orders (ally x category, bn US$) with each supplier's lead time;
        ``us_share`` (per ally) overrides ``us_buy_share`` (allies that hedge buy European)."""
        slot = (self.head + self._lead) % self.horizon  # (supplier, category)
        cells = slot[:, :, None] * self._cell.size + self._cell
        if us_share is None:
            share = self._share
        else:
            share = np.stack([1.0 - us_share, us_share])[:, None, :]
        self._flat[cells] += share * orders.T  # cells are distinct: += is safe

    def deliver(self) -> np.ndarray:
        """Deliver what is due within capacity, depreciate, advance a year; return deliveries
        (ally x category)."""
        owed = self.due[self.head] + self.backlog  # (s, c, n)
        total = owed.sum(axis=2)  # (s, c)
        # the share of what is owed that capacity allows, min(capacity / total, 1) (0 where
        # nothing is owed)
        frac = np.minimum(self.capacity, total) / np.where(total > 0, total, 1.0)
        delivered_s = owed * frac[:, :, None]
        self.backlog = owed - delivered_s
        self.capacity = np.where(
            total > self.capacity, np.minimum(self.capacity * self.growth, total), self.capacity
        )
        self.due[self.head] = 0.0
        self.due *= self._keep_due  # vintages in transit age as those in service
        self.backlog *= self._keep_backlog
        self.head = (self.head + 1) % self.horizon
        self.delivered = (delivered_s[EU] + delivered_s[US]).T
        self.stock = self.stock * self._keep + self.delivered
        return self.delivered

    def backlog_years(self) -> float:
        """Backlog over yearly capacity, summed over suppliers and categories (years of work)."""
        cap = self.capacity.sum()
        return float(self.backlog.sum() / cap) if cap > 0 else 0.0


def coverage(europe: np.ndarray, requirement: np.ndarray, isr_cap: float) -> np.ndarray:
    """Europe's coverage per category, with ISR capped at ``isr_cap`` (C17)."""
    cov = europe / np.where(requirement > 0, requirement, np.inf)  # 0 where nothing is required
    cov[ISR] = min(cov[ISR], isr_cap)
    return cov


def allocation_weights(
    base: Sequence[float] | np.ndarray, cov: np.ndarray, gap_priority: float
) -> np.ndarray:
    """Category weights of new orders: base weights, partly steered to the lowest coverage."""
    w = np.asarray(base, dtype=float)
    total = float(w.sum())
    w = w / total if total > 0 else np.full(len(w), 1.0 / len(w))
    gap = np.maximum(1.0 - cov, 0.0)
    gaps = float(gap.sum())
    if gaps <= 0:
        return w
    return (1 - gap_priority) * w + (gap_priority / gaps) * gap


def us_contribution(
    europe_paid: np.ndarray, us_shares: np.ndarray, value_bn: float, costed: np.ndarray
) -> np.ndarray:
    """The US contribution to NATO's capability in Europe per category, bn US$ of equipment
    (the US capability Europe must replace, C15, C16).

    Rule: each category's weight is Europe's own paid-for capability there times the odds of
    its US share, ``us_share_<c> / (1 - us_share_<c>)`` (where Europe depends most, the US
    supplies most relative to Europe); the weights are scaled so that the categories IISS costs
    (``costed``: all but ISR) sum to ``value_bn`` = ``us_contribution_bn``, and ISR takes the
    same scale. Source: IISS, "Defending Europe Without the United States" (May 2025): USD
    226-344 bn of one-off procurement to replace the US conventional contribution like for like,
    command and control, space and ISR not costed (``crisis_references.csv``).
    """
    odds = np.asarray(us_shares, dtype=float) / (1.0 - np.asarray(us_shares, dtype=float))
    weight = np.asarray(europe_paid, dtype=float) * odds
    total = float(weight[costed].sum())
    return weight * (value_bn / total) if total > 0 else np.zeros_like(weight)


def requirement(
    target: np.ndarray, russia_forces: float, russia_reference: float, elasticity: float
) -> np.ndarray:
    """The capability NATO needs in Europe per category (the denominator of coverage, M1).

    Rule: NATO's own planning target (``target``: its pre-2022 force in Europe times 1 +
    ``nato_target_growth``, see :func:`planning_target`), which was set against a Russia that
    has reconstituted its forces; it grows only when Russia's ground forces exceed that
    reconstituted level (``russia_reference``: the forces Russia has when, on the Danish
    intelligence service's timeline, it could fight a large war in Europe, five years after a
    ceasefire, :func:`sim.mechanisms.forces.reconstituted_total`), as ``(forces / reference) ^
    elasticity``. A Russia depleted by its war does not lower NATO's target (NATO plans for
    what Russia rebuilds). Sources: NATO's capability targets of June 2025, a total force
    30-50% larger than before 2022 (IISS, May 2025, ``crisis_references.csv``); DDIS, February
    2025.
    """
    ratio = max(1.0, russia_forces / max(russia_reference, 1e-9))
    return np.asarray(target) * ratio**elasticity


def planning_target(
    europe_pre_war: np.ndarray, us_contribution_bn: np.ndarray, growth: float
) -> np.ndarray:
    """NATO's capability target in Europe per category: (Europe's paid-for capability before
    2022 + the US contribution) x (1 + ``growth``), ``growth`` = ``nato_target_growth`` (IISS,
    May 2025: NATO's new capability targets need a total force 30-50% larger than before
    2022)."""
    return (np.asarray(europe_pre_war) + np.asarray(us_contribution_bn)) * (1.0 + growth)

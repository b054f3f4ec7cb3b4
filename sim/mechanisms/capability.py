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

import operator
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

    The state lives in rows of arrays shared by the pipelines of a batch of runs
    (:class:`PipelineRows`, first axis: the run), so :func:`order` and :func:`deliver` book and
    deliver for every run of a batch at once (:mod:`sim.engine`); a pipeline's ``stock``,
    ``due``, ``backlog``, ``capacity`` and ``delivered`` are its own row, and its methods
    :meth:`order` and :meth:`deliver` are those functions for itself alone.

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
        stock = initial_stock.astype(float).copy()
        # due[h, s, k, i]: owed by supplier s to ally i in category k, in ring slot h; the slot
        # of the current year is ``head``, h years ahead is (head + h) % horizon
        lead = np.stack([self.lead, self.lead + self.extra])  # (supplier, category)
        split = np.stack([(1 - self.us_buy) * initial_orders.T, self.us_buy * initial_orders.T])
        filled = np.arange(self.horizon)[:, None, None] < lead[None]  # (h, supplier, category)
        due = np.zeros((self.horizon, 2, c, n))
        if in_transit is None:
            due[...] = filled[..., None] * split[None]
        else:
            due[...] = in_transit
        capacity = split.sum(axis=2) * (1 + p["industry_headroom"])  # (supplier, category)
        if not limited:
            capacity[:] = np.inf
        self.growth = 1 + p["capacity_growth"]
        self._keep = 1.0 - self.dep
        # order(): one scatter into the ring buffer. Lead time per (supplier, category) and the
        # supplier shares of an order
        self._lead = lead
        self._share = np.array([1 - self.us_buy, self.us_buy])[:, None, None]
        self._rows = PipelineRows(
            [self],
            stock[None],
            due[None],
            np.zeros((1, 2, c, n)),
            capacity[None],
            initial_orders.copy()[None],
            0,
        )
        self._r = 0

    def retune(self, p: Mapping[str, Any]) -> None:
        """Read ``p``, a table bound mid-run (a lever moved: :meth:`AllianceModel.change_params`),
        from the next year: the depreciation of stocks and orders, the growth of industrial
        capacity and the US's share of purchases (when no share is given to :meth:`order`).
        The lead times and the US backlog set the ring's shape and the headroom the start's
        capacity: a running model refuses them (``FIXED_ONCE_STARTED``)."""
        self.p = p
        self.dep = np.array([p[f"depreciation_{k}"] for k in CATEGORIES])
        self._keep = 1.0 - self.dep
        self.us_buy = p["us_buy_share"]
        self.growth = 1 + p["capacity_growth"]
        self._share = np.array([1 - self.us_buy, self.us_buy])[:, None, None]
        self._rows.retune(self._r, self)

    def _shape(self) -> tuple[Any, ...]:
        """What the pipelines whose state is stacked in one :class:`PipelineRows` share: the
        ring's length and position, the lead times, the allies and categories."""
        n, c = self.stock.shape
        return (self.horizon, self._rows.head, self._lead.tobytes(), n, c)

    stock = property(
        lambda self: self._rows.stock[self._r],
        lambda self, v: self._rows.stock.__setitem__(self._r, v),
        doc="Stocks in service (ally x category, equipment-stock units).",
    )
    due = property(
        lambda self: self._rows.due[self._r],
        lambda self, v: self._rows.due.__setitem__(self._r, v),
        doc="What is owed, ring slot x supplier x category x ally.",
    )
    backlog = property(
        lambda self: self._rows.backlog[self._r],
        lambda self, v: self._rows.backlog.__setitem__(self._r, v),
        doc="What was due beyond capacity, supplier x category x ally.",
    )
    capacity = property(
        lambda self: self._rows.capacity[self._r],
        lambda self, v: self._rows.capacity.__setitem__(self._r, v),
        doc="Each supplier's yearly capacity per category.",
    )
    delivered = property(
        lambda self: self._rows.delivered[self._r],
        lambda self, v: self._rows.delivered.__setitem__(self._r, v),
        doc="The last year's deliveries (ally x category).",
    )

    @property
    def head(self) -> int:
        """The ring slot of the current year."""
        return self._rows.head

    def order(self, orders: np.ndarray, us_share: np.ndarray | None = None) -> None:
        """Book this year's orders for this pipeline alone (:func:`order`)."""
        order([self], orders[None], None if us_share is None else np.asarray(us_share)[None])

    def deliver(self) -> np.ndarray:
        """Deliver this pipeline's year alone (:func:`deliver`); return its deliveries."""
        return deliver([self])[0]

    def backlog_years(self) -> float:
        """This pipeline's backlog in years of work (:func:`backlog_years`)."""
        return float(backlog_years(self.backlog[None], self.capacity[None])[0])


class PipelineRows:
    """The state of R pipelines of one shape (:meth:`CapabilityPipeline._shape`) stacked on a
    first axis (the run), and what their rules read, stacked the same way: each pipeline's
    state is its row (a pipeline belongs to one ``PipelineRows`` at a time)."""

    __slots__ = (
        "backlog", "capacity", "category", "delivered", "due", "growth", "head", "horizon",
        "keep", "keep_cells", "lead", "pipes", "share", "stock", "supplier",
    )  # fmt: skip

    def __init__(
        self,
        pipes: Sequence[CapabilityPipeline],
        stock: np.ndarray,
        due: np.ndarray,
        backlog: np.ndarray,
        capacity: np.ndarray,
        delivered: np.ndarray,
        head: int,
    ) -> None:
        self.pipes = list(pipes)
        self.stock, self.due, self.backlog = stock, due, backlog  # (R, n, c), (R, h, s, c, n), ..
        self.capacity, self.delivered, self.head = capacity, delivered, head
        first = self.pipes[0]
        self.horizon = first.horizon
        self.keep = np.stack([p._keep for p in self.pipes])  # (R, c)
        r, _, s, c, n = due.shape
        # the same, for each (supplier, category, ally) cell of a ring slot: (R, 1, s x c x n)
        self.keep_cells = np.ascontiguousarray(
            np.broadcast_to(self.keep[:, None, :, None], (r, s, c, n))
        ).reshape(r, 1, -1)
        self.growth = np.array([p.growth for p in self.pipes], dtype=float)[:, None, None]
        self.share = np.stack([p._share for p in self.pipes])  # (R, 2, 1, 1)
        # order(): lead time per (supplier, category), and the index of each
        self.lead = first._lead
        self.supplier, self.category = np.arange(s)[:, None], np.arange(c)[None, :]
        for r, p in enumerate(self.pipes):
            p._rows, p._r = self, r

    def retune(self, r: int, pipe: CapabilityPipeline) -> None:
        """Row ``r``'s rates from ``pipe`` (:meth:`CapabilityPipeline.retune`). Each array is
        copied before its row is written: the rows of a scenario's start are shared read-only
        by its runs (:meth:`AllianceModel._init_pipeline`)."""
        _, _, s, c, n = self.due.shape
        self.keep = self.keep.copy()
        self.keep[r] = pipe._keep
        self.keep_cells = self.keep_cells.copy()
        self.keep_cells[r] = np.broadcast_to(pipe._keep[None, :, None], (s, c, n)).reshape(1, -1)
        self.growth = self.growth.copy()
        self.growth[r] = pipe.growth
        self.share = self.share.copy()
        self.share[r] = pipe._share

    @classmethod
    def of(cls, pipes: Sequence[CapabilityPipeline]) -> PipelineRows:
        """The rows of ``pipes`` (of one shape), in their order: their states stacked anew."""
        return cls(
            pipes,
            np.stack([p.stock for p in pipes]),
            np.stack([p.due for p in pipes]),
            np.stack([p.backlog for p in pipes]),
            np.stack([p.capacity for p in pipes]),
            np.stack([p.delivered for p in pipes]),
            pipes[0].head,
        )


def _groups(pipes: Sequence[CapabilityPipeline]) -> list[tuple[Any, PipelineRows]]:
    """``pipes`` grouped by shape (one group in a batch of one world's runs): (the group's
    positions in ``pipes``, a slice when it is all of them; its rows). Pipelines whose rows
    are already those of ``pipes``, in their order, keep them (a batch after its first year)."""
    rows = pipes[0]._rows
    if len(rows.pipes) == len(pipes) and all(map(operator.is_, rows.pipes, pipes)):
        return [(slice(None), rows)]
    shapes: dict[tuple[Any, ...], list[int]] = {}
    for i, p in enumerate(pipes):
        shapes.setdefault(p._shape(), []).append(i)
    if len(shapes) == 1:
        return [(slice(None), PipelineRows.of(pipes))]
    return [(idx, PipelineRows.of([pipes[i] for i in idx])) for idx in shapes.values()]


# From this many pipelines on, :func:`order` books cell by cell (fewer NumPy calls than runs).
_ORDER_BY_CELL = 8


def order(
    pipes: Sequence[CapabilityPipeline], orders: np.ndarray, us_share: np.ndarray | None = None
) -> None:
    """Book this year's orders (run x ally x category, bn US$) in each of ``pipes`` with each
    supplier's lead time; ``us_share`` (run x ally) overrides ``us_buy_share`` (allies that
    hedge buy European)."""
    for at, rows in _groups(pipes):
        slot = (rows.head + rows.lead) % rows.horizon  # (supplier, category)
        if us_share is not None and len(rows.pipes) >= _ORDER_BY_CELL:
            # cell by cell (supplier, category), each a slice of every run's ring: the same
            # sums, one each, as the scatter below, which costs more over many runs
            u = us_share[at]
            per_category = orders[at].transpose(0, 2, 1)  # (R, category, ally)
            for s, part in enumerate((1.0 - u, u)):
                for k in range(per_category.shape[1]):
                    rows.due[:, slot[s, k], s, k] += part * per_category[:, k]
            continue
        if us_share is None:
            share = rows.share
        else:
            u = us_share[at]
            share = np.array([1.0 - u, u]).swapaxes(0, 1)[:, :, None, :]  # np.stack's values
        # each run's (supplier, category) cells are distinct: += is safe
        rows.due[:, slot, rows.supplier, rows.category] += (
            share * orders[at].transpose(0, 2, 1)[:, None]
        )


def deliver(pipes: Sequence[CapabilityPipeline]) -> np.ndarray:
    """Deliver what is due within capacity, depreciate, advance a year, in each of ``pipes``;
    return deliveries (run x ally x category)."""
    out = None
    for at, rows in _groups(pipes):
        owed = rows.due[:, rows.head] + rows.backlog  # (R, s, c, n)
        total = owed.sum(axis=-1)  # (R, s, c)
        capacity = rows.capacity
        # the share of what is owed that capacity allows, min(capacity / total, 1) (0 where
        # nothing is owed)
        frac = np.minimum(capacity, total) / np.where(total > 0, total, 1.0)
        delivered_s = owed * frac[..., None]
        backlog = owed - delivered_s
        rows.capacity = np.where(
            total > capacity, np.minimum(capacity * rows.growth, total), capacity
        )
        rows.due[:, rows.head] = 0.0
        ring = rows.due.reshape(*rows.due.shape[:2], -1)  # a view: (R, slot, cell)
        ring *= rows.keep_cells  # vintages in transit age as those in service
        backlog.reshape(len(backlog), 1, -1)[...] *= rows.keep_cells
        rows.backlog = backlog
        rows.head = (rows.head + 1) % rows.horizon
        rows.delivered = (delivered_s[:, EU] + delivered_s[:, US]).transpose(0, 2, 1)
        rows.stock = rows.stock * rows.keep[:, None, :] + rows.delivered
        if isinstance(at, slice):
            out = rows.delivered
        else:
            if out is None:
                out = np.empty((len(pipes), *rows.delivered.shape[1:]))
            out[at] = rows.delivered
    assert out is not None  # a slice gives the batch's rows, else each row was put in place
    return out


def backlog_years(backlog: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Backlog over yearly capacity, summed over suppliers and categories (years of work; 0
    without capacity), for pipelines stacked on a first axis (a batch's rows)."""
    r = len(backlog)
    cap = capacity.reshape(r, -1).sum(axis=1)
    owed = backlog.reshape(r, -1).sum(axis=1)
    return np.where(cap > 0, owed / np.where(cap > 0, cap, 1.0), 0.0)


def stocks(pipes: Sequence[CapabilityPipeline]) -> np.ndarray:
    """The stocks of ``pipes`` (run x ally x category): the array of their rows when the rows
    are theirs, in their order (a batch after its first year, a pipeline alone: no copy; read
    it, do not write into it), those rows taken out of it when the pipes are some of one
    array's (a block of a batch's runs), else the pipelines' stocks stacked."""
    rows = pipes[0]._rows
    if len(rows.pipes) == len(pipes) and all(map(operator.is_, rows.pipes, pipes)):
        return rows.stock
    if all(p._rows is rows for p in pipes):
        return rows.stock[[p._r for p in pipes]]
    return np.array([p.stock for p in pipes])


def coverage(europe: np.ndarray, requirement: np.ndarray, isr_cap: Any) -> np.ndarray:
    """Europe's coverage per category (the last axis: a run's, or (R, categories) for a batch
    of runs with ``isr_cap`` a column), with ISR capped at ``isr_cap`` (C17)."""
    cov = europe / np.where(requirement > 0, requirement, np.inf)  # 0 where nothing is required
    cov[..., ISR] = np.minimum(cov[..., ISR], isr_cap)
    return cov


def in_europe(weights: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """Capability in Europe per category: ``weights`` (per ally: 1 for a European ally, Canada's
    share in Europe) times the stocks (ally x category); for a batch of runs, (R, allies) and
    (R, allies, categories)."""
    return (weights[..., None, :] @ stock)[..., 0, :]


def allocation_weights(base: Any, cov: np.ndarray, gap_priority: Any) -> np.ndarray:
    """Category weights of new orders: base weights, partly steered to the lowest coverage
    (along the last axis: a run's categories, or (R, categories) with ``gap_priority`` a
    column for a batch of runs)."""
    w = np.asarray(base, dtype=float)
    total = w.sum(axis=-1, keepdims=True)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / w.shape[-1])
    gap = np.maximum(1.0 - cov, 0.0)
    gaps = gap.sum(axis=-1, keepdims=True)
    steered = (1 - gap_priority) * w + (gap_priority / np.where(gaps > 0, gaps, 1.0)) * gap
    return np.where(gaps <= 0, w, steered)


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
    return np.asarray(target) * requirement_growth(russia_forces, russia_reference, elasticity)


def requirement_growth(russia_forces: float, russia_reference: float, elasticity: float) -> Any:
    """The factor :func:`requirement` applies to NATO's planning target: ``max(1, forces /
    reference) ^ elasticity`` (a run's number; a batch multiplies each run's target by its own,
    :mod:`sim.engine.deliveries`)."""
    ratio = max(1.0, russia_forces / max(russia_reference, 1e-9))
    return ratio**elasticity


def us_in_europe(us_base: np.ndarray, posture: Any, exited: Any, loss: Any) -> np.ndarray:
    """US capability in Europe per category: its start level ``us_base`` x ``posture``, ISR and
    enablers cut by ``loss`` (``exit_capability_loss``) where the US has left the coordination
    mechanisms (``exited``) (C15, C17). One run's (categories,) with numbers, or (runs,
    categories) with ``posture`` a column and ``exited``, ``loss`` of one entry per run."""
    us = us_base * posture
    if exited.any() if isinstance(exited, np.ndarray) else exited:
        cut = us.copy()
        for k in (ISR, ENABLERS):
            cut[..., k] = np.where(exited, us[..., k] * (1.0 - loss), us[..., k])
        return cut
    return us


def us_in_europe_of(us_base: np.ndarray, us_states: Sequence[Any]) -> np.ndarray:
    """:func:`us_in_europe` of each run (runs x categories), read from its US agent: its
    posture, whether it has left the coordination mechanisms and its ``exit_capability_loss``
    (each run's ``AllianceModel.us_capability_in_europe()``)."""
    return us_in_europe(
        us_base,
        np.array([u.posture for u in us_states], dtype=float)[:, None],
        np.array([u.exited_mechanisms for u in us_states], dtype=bool),
        np.array([u.p["exit_capability_loss"] for u in us_states], dtype=float),
    )


def planning_target(
    europe_pre_war: np.ndarray, us_contribution_bn: np.ndarray, growth: float
) -> np.ndarray:
    """NATO's capability target in Europe per category: (Europe's paid-for capability before
    2022 + the US contribution) x (1 + ``growth``), ``growth`` = ``nato_target_growth`` (IISS,
    May 2025: NATO's new capability targets need a total force 30-50% larger than before
    2022)."""
    return (np.asarray(europe_pre_war) + np.asarray(us_contribution_bn)) * (1.0 + growth)

"""M8: Russia's ground forces as a budget of deployable brigade-equivalents (C8, C10, C11).

Unit: the brigade-equivalent (bde-e), the equipment of one NATO armoured brigade at replacement
cost, ``crisis.bde_cost_bn`` bn US$ of equipment stock at NATO prices. Russia's forces are
counted in the same unit after ``russia.cost_factor`` (what a dollar buys in Russia, C10), so
the two sides of a local balance (:mod:`sim.mechanisms.local_balance`) compare.

State: ``total`` (bde-e), ``committed`` (tied down in Ukraine), ``reconstituting`` (released
from Ukraine, being refitted), the production orders not yet delivered, and the production
capacity. ``free = total - committed - reconstituting`` is what Russia can use elsewhere.

The rules, for a time step of ``dt`` years (the model steps a year; :func:`readiness_timeline`
integrates the same rules a month at a time):

1. **Production** (the same kind of pipeline as M1): ``milex x equipment_share x cost_factor x
   ground_share / bde_cost_bn`` bde-e a year are ordered and delivered
   ``production_lead_years`` later, within a capacity that starts at the start year's output x
   (1 + ``production_headroom``) and grows by ``production_growth`` a year while orders exceed
   it (the war economy's factories, C10).
2. **Losses**: ``depreciation`` x total (equipment wears out) and ``war_attrition`` x war
   intensity x committed (destroyed in Ukraine).
3. **Commitment**: at war intensity ``w > 0``, ``committed = war_commitment x w x total`` (units
   being refitted go back to the front); after a ceasefire, committed units are released at the
   continuous rate ``release_rate`` a year into reconstitution, and refitted units become free at
   ``refit_rate`` a year. The two rates put the dates at which Russia could fight a local,
   a regional and a large war (:func:`readiness_timeline`), which the tests compare with the
   Danish Defence Intelligence Service's 2025 assessment (``crisis_references.csv``).
4. **Formation**: out of war, new equipment is not a ready unit: deliveries join the units
   being formed and refitted and become free at ``refit_rate`` like them (crews, training; the
   DDIS timelines are about rebuilding units, not only output). At war, deliveries go to the
   front with the rest (rule 3). The start year's steady state includes the units in formation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.elementwise import exp, pmax, pmin, where

LEVELS = ("local", "regional", "large")


def production_bde(p: Mapping[str, Any], bde_cost: float, milex_bn: float) -> float:
    """Brigade-equivalents of ground equipment a year of ``milex_bn`` buys (rule 1)."""
    return milex_bn * p["equipment_share"] * p["cost_factor"] * p["ground_share"] / bde_cost


@dataclass
class RussianForces:
    """Russia's ground forces (rules in the module docstring).

    Args:
        p: The ``[russia]`` parameters.
        bde_cost: ``crisis.bde_cost_bn``.
        milex_bn: Military spending in the start year (bn US$).
        war: War intensity in the start year (0-1).

    The start year is a steady state of the rules at its spending and war intensity, with the
    pipeline full of orders at the start year's rate.
    """

    p: Mapping[str, Any]
    bde_cost: float
    milex_bn: float
    war: float
    total: float = field(init=False)
    committed: float = field(init=False)
    reconstituting: float = 0.0
    orders: list[float] = field(init=False)
    capacity: float = field(init=False)

    def __post_init__(self) -> None:
        p = self.p
        made = production_bde(p, self.bde_cost, self.milex_bn)
        share = p["war_commitment"] * self.war
        loss = p["depreciation"] + p["war_attrition"] * self.war * share
        # a steady state; with no losses at all (both rates 0), the start year's output
        # accumulated over a decade stands for the stock
        self.total = made / loss if loss > 1e-9 else 10.0 * made
        self.committed = share * self.total
        if self.war <= 0:  # rule 4's steady state: a year's output joins, a refit share leaves
            self.reconstituting = min(
                self.total - self.committed, made / max(1.0 - math.exp(-p["refit_rate"]), 1e-9)
            )
        self.orders = [made] * int(p["production_lead_years"])
        self.capacity = made * (1.0 + p["production_headroom"])

    @property
    def free(self) -> float:
        """Forces not tied down in Ukraine nor being refitted (bde-e)."""
        return max(0.0, self.total - self.committed - self.reconstituting)

    def advance(self, milex_bn: float, war: float, dt: float = 1.0) -> float:
        """Apply rules 1-4 for ``dt`` years (:func:`advance_forces`); return this step's
        deliveries (bde-e)."""
        made = production_bde(self.p, self.bde_cost, milex_bn) * dt
        (
            delivered,
            over,
            backlog,
            self.capacity,
            self.total,
            self.committed,
            self.reconstituting,
        ) = advance_forces(
            self.p,
            dt,
            war,
            self.queue(made),
            self.capacity,
            self.total,
            self.committed,
            self.reconstituting,
        )
        if over and self.orders:  # what the factories could not make waits for next year
            self.orders[0] += backlog
        return delivered

    def queue(self, made: float) -> float:
        """Rule 1's pipeline: ``made`` is ordered; return what falls due now (without a lead
        time, ``made`` itself)."""
        if self.orders:
            self.orders.append(made)
            return self.orders.pop(0)
        return made

    def copy(self) -> RussianForces:
        new = RussianForces.__new__(RussianForces)
        new.__dict__.update(self.__dict__)
        new.orders = list(self.orders)
        return new


def advance_forces(
    p: Mapping[str, Any],
    dt: float,
    war: Any,
    due: Any,
    capacity: Any,
    total: Any,
    committed: Any,
    reconstituting: Any,
) -> tuple[Any, Any, Any, Any, Any, Any, Any]:
    """Rules 1-4 for ``dt`` years given the orders that fall ``due`` (rule 1's pipeline:
    :meth:`RussianForces.queue`): numbers of one Russia, or arrays over runs (``p`` numbers
    or a column per run). Returns (delivered, whether orders exceeded the capacity, what waits
    for next year, capacity, total, committed, reconstituting)."""
    cap = capacity * dt
    delivered = pmin(due, cap)
    over = due > cap
    capacity = where(over, capacity * (1.0 + p["production_growth"] * dt), capacity)
    lost = (p["depreciation"] * total + p["war_attrition"] * war * committed) * dt
    total = pmax(0.0, total - lost + delivered)
    at_war = war > 0
    released = committed * (1.0 - exp(-p["release_rate"] * dt))
    refitted = reconstituting * (1.0 - exp(-p["refit_rate"] * dt))
    committed = where(at_war, p["war_commitment"] * war * total, committed - released)
    reconstituting = where(at_war, 0.0, reconstituting + (released - refitted + delivered))
    scale = total / pmax(pmax(total, committed + reconstituting), 1e-12)
    return delivered, over, due - cap, capacity, total, committed * scale, reconstituting * scale


def reconstituted_total(forces: RussianForces, milex_bn: float, years: float) -> float:
    """Russia's ground forces ``years`` after a ceasefire (bde-e), the rules integrated a month
    at a time with spending held at ``milex_bn``: the reconstituted Russia NATO's planning is
    set against (:func:`sim.mechanisms.capability.requirement`; ``years`` is the Danish
    intelligence service's five years to a large war, ``crisis_references.csv``)."""
    dt = 1.0 / 12.0
    f = forces.copy()
    f.orders = [o * dt for o in f.orders for _ in range(round(1.0 / dt))]  # monthly pipeline
    for _ in range(round(years / dt)):
        f.advance(milex_bn, 0.0, dt)
    return f.total


def readiness_level(free: float, thresholds: Sequence[float]) -> int:
    """How large a war Russia's free forces would allow: 0 none, 1 local, 2 regional, 3 large
    (the count of ``thresholds``, in :data:`LEVELS` order, that ``free`` reaches)."""
    return sum(free >= t for t in thresholds)


def readiness_timeline(
    forces: RussianForces,
    milex_bn: float,
    thresholds: Sequence[float],
    years: float = 12.0,
    dt: float = 1.0 / 12.0,
) -> dict[str, float]:
    """Years after a ceasefire until Russia's free forces reach each threshold (local, regional,
    large war), integrating the rules at ``dt`` with spending held at ``milex_bn`` and the
    opposing forces (hence the thresholds) held where they are, as the Danish intelligence
    service's 2025 assessment assumes ("NATO does not rearm"). ``inf`` if not within ``years``;
    0 if already reached at the ceasefire."""
    f = forces.copy()
    f.orders = [o * dt for o in f.orders for _ in range(round(1.0 / dt))]  # monthly pipeline
    out = dict.fromkeys(LEVELS, math.inf)
    t = 0.0
    while True:
        for level, need in zip(LEVELS, thresholds, strict=True):
            if out[level] == math.inf and f.free >= need:
                out[level] = t
        if t >= years or all(v < math.inf for v in out.values()):
            return out
        f.advance(milex_bn, 0.0, dt)
        t += dt

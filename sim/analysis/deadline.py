"""Why Europe misses the 2027 deadline (C15, C16, C17): the money it takes and the reasons, each
switched off in turn.

The US contribution Europe must replace (``Model.us_base``, valued at IISS's replacement cost:
:func:`sim.mechanisms.capability.us_contribution`) is bought through the model's own capability
pipeline (M1). Four reasons stand between Europe and the US goal at the deadline (capability
progress as the US can measure it, :meth:`AllianceModel.progress_measures`, against
``united_states.deadline_goal``):

* **money**: the allies do not order the replacement. Off: in the first simulated year European
  industry is ordered, on top of what the allies buy, each category's US contribution at the
  value it must still have at the deadline (:func:`replacement_orders`), shared among the
  European allies by GDP;
* **lead times**: orders take ``lead_time_<c>`` (+ ``us_backlog_years``) to arrive. Off: all 0;
* **capacity**: industry delivers at most its capacity and the rest waits in a backlog. Off: the
  ``industrial_capacity`` switch;
* **ISR**: part of the US ISR contribution cannot be bought (``isr_irreplaceable_share``). Off: 0.

:func:`decompose` runs every combination (16) and splits the miss (goal - progress, at least 0)
among the four by Shapley values: each reason's average drop in the miss when it is switched off,
over every order of switching; what is left with all four off is ``residual``.
:func:`replacement_money` measures, with zero lead times and unlimited capacity, the money that
buys the US contribution by the deadline, to set beside IISS's USD 226-344 bn
(:func:`sim.analysis.checks.run_checks`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..mechanisms import capability as cap
from ..model.alliance import AllianceModel
from ..scenario import Scenario, load_scenario
from ..scenario.paths import resolve_scenario_path

REASONS = ("money", "lead_times", "capacity", "isr")
COSTED = np.array([c != "isr" for c in cap.CATEGORIES])  # what IISS costs


def switched_off(scenario: Scenario, reasons: Iterable[str]) -> Scenario:
    """``scenario`` with the parameter-borne reasons in ``reasons`` switched off (money is
    switched off by :func:`run_to_deadline`, not by a parameter)."""
    values: dict[str, object] = {}
    reasons = set(reasons)
    unknown = reasons - set(REASONS)
    if unknown:
        raise ValueError(f"unknown reason(s) {sorted(unknown)}; expected some of {REASONS}")
    if "lead_times" in reasons:
        values.update({f"capability.lead_time_{c}": 0 for c in cap.CATEGORIES})
        values["capability.us_backlog_years"] = 0
    if "capacity" in reasons:
        values["mechanisms.industrial_capacity"] = False
    if "isr" in reasons:
        values["capability.isr_irreplaceable_share"] = 0.0
    return scenario.with_params(values, source="deadline decomposition") if values else scenario


def replacement_orders(model: AllianceModel, deadline: int) -> np.ndarray:
    """Per category, the order (bn US$) that, placed in the year after ``model.year``, is worth
    the US contribution at the end of ``deadline`` (a vintage loses ``depreciation_<c>`` a year
    from its order year, M1 rule 2)."""
    p = model.p_capability
    dep = np.array([p[f"depreciation_{c}"] for c in cap.CATEGORIES])
    years = max(deadline - (model.year + 1), 0)
    return model.us_base / (1.0 - dep) ** years


def _european_split(model: AllianceModel) -> np.ndarray:
    s = model.ally_state
    gdp = np.where(model.european, s.gdp_bn, 0.0)
    return gdp / gdp.sum()


@dataclass(frozen=True)
class DeadlineRun:
    """One run to the deadline: capability progress there, the extra orders placed (bn US$ per
    category), the European capability gained per category and the backlog (years of work)."""

    progress: float
    extra_orders: np.ndarray
    gained: np.ndarray
    backlog_years: float


def run_to_deadline(
    scenario: Scenario, money: bool = False, seed: int = 1, extra: np.ndarray | None = None
) -> DeadlineRun:
    """Run ``scenario`` to the end of the US deadline year; with ``money`` the replacement is
    ordered in the first year (:func:`replacement_orders`, or ``extra`` per category)."""
    model = AllianceModel(scenario, rng=seed)
    deadline = int(model.params["united_states"]["deadline_year"])
    orders = np.zeros(len(cap.CATEGORIES))
    if money:
        orders = replacement_orders(model, deadline) if extra is None else np.asarray(extra)
        split = _european_split(model)
        model.pipeline.order(split[:, None] * orders[None, :], np.zeros(len(model.codes)))
    while model.year < deadline:
        model.step()
    return DeadlineRun(
        progress=model.progress_measures()[1],
        extra_orders=orders,
        gained=model.europe_capability() - model.europe_start,
        backlog_years=model.pipeline.backlog_years(),
    )


def _base(scenario: Scenario | None) -> Scenario:
    return scenario or load_scenario(resolve_scenario_path("baseline"))


def replacement_money(scenario: Scenario | None = None, seed: int = 1) -> dict[str, float]:
    """The money that buys the US contribution by the deadline with zero lead times and
    unlimited industrial capacity, measured through the pipeline: the first year's extra orders
    in the categories IISS costs (``costed_bn``, beside IISS's USD 226-344 bn one-off), all
    categories (``all_bn``), the part of it the model delivers (``delivered_share``: the extra
    capability at the deadline over the US contribution, costed categories), and, with
    industrial capacity as shipped (still zero lead times), the share delivered by the deadline
    and the backlog left (``capacity_delivered_share``, ``capacity_backlog_years``: IISS and
    Reuters, industry cannot deliver it at once)."""
    sc = _base(scenario)
    free = switched_off(sc, ("lead_times", "capacity"))
    without = run_to_deadline(free, seed=seed)
    with_money = run_to_deadline(free, money=True, seed=seed)
    model = AllianceModel(sc, rng=seed)
    us = model.us_base
    delivered = (with_money.gained - without.gained)[COSTED].sum() / us[COSTED].sum()
    bound = switched_off(sc, ("lead_times",))
    b0 = run_to_deadline(bound, seed=seed)
    b1 = run_to_deadline(bound, money=True, seed=seed, extra=with_money.extra_orders)
    bound_share = (b1.gained - b0.gained)[COSTED].sum() / us[COSTED].sum()
    return {
        "costed_bn": float(with_money.extra_orders[COSTED].sum()),
        "all_bn": float(with_money.extra_orders.sum()),
        "us_contribution_bn": float(us.sum()),
        "delivered_share": float(delivered),
        "capacity_delivered_share": float(bound_share),
        "capacity_backlog_years": float(b1.backlog_years),
    }


@dataclass(frozen=True)
class Decomposition:
    """The miss at the deadline and its shares: ``miss`` with every reason on, ``shares`` per
    reason (Shapley value over ``miss``), ``residual`` (the share left with all four off) and
    ``misses`` per combination of reasons switched off (a sorted tuple)."""

    goal: float
    progress: float
    miss: float
    shares: dict[str, float]
    residual: float
    misses: dict[tuple[str, ...], float]


def decompose(
    scenario: Scenario | None = None, reps: int = 3, seed: int = 1, goal: float | None = None
) -> Decomposition:
    """Split the miss at the deadline among money, lead times, capacity and ISR (module
    docstring): 16 combinations x ``reps`` replications (seeds ``seed`` ..), misses averaged;
    ``goal`` replaces ``united_states.deadline_goal`` (1: all of the US contribution)."""
    sc = _base(scenario)
    goal = float(sc.params["united_states"]["deadline_goal"] if goal is None else goal)
    misses: dict[tuple[str, ...], float] = {}
    progress0 = 0.0
    for k in range(len(REASONS) + 1):
        for off in itertools.combinations(REASONS, k):
            variant = switched_off(sc, [r for r in off if r != "money"])
            got = [
                run_to_deadline(variant, money="money" in off, seed=seed + i).progress
                for i in range(reps)
            ]
            misses[tuple(sorted(off))] = float(np.mean([max(0.0, goal - g) for g in got]))
            if not off:
                progress0 = float(np.mean(got))
    n = len(REASONS)
    total = misses[()]
    shapley = dict.fromkeys(REASONS, 0.0)
    for r in REASONS:
        others = [x for x in REASONS if x != r]
        for k in range(n):
            weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for s in itertools.combinations(others, k):
                before = misses[tuple(sorted(s))]
                after = misses[tuple(sorted((*s, r)))]
                shapley[r] += weight * (before - after)
    scale = total if total > 0 else 1.0
    return Decomposition(
        goal=goal,
        progress=progress0,
        miss=total,
        shares={r: v / scale for r, v in shapley.items()},
        residual=misses[tuple(sorted(REASONS))] / scale,
        misses=misses,
    )


__all__ = [
    "REASONS",
    "DeadlineRun",
    "Decomposition",
    "decompose",
    "replacement_money",
    "replacement_orders",
    "run_to_deadline",
    "switched_off",
]

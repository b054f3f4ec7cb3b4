"""M9: the local balance of a crisis, from forces that are there and reinforcements in time.

A Russian incursion is a race (C11, and RAND's Baltic wargames): Russia's attacking force
advances on an objective ``depth_km`` inside the target while the defenders build up. All forces
are in brigade-equivalents (bde-e, :mod:`sim.mechanisms.forces`).

Defenders in place at the onset:

* the target's own forces: its manoeuvre equipment stock x (reference GDP per head / its GDP
  per head) ^ ``ppp_elasticity`` / ``bde_cost_bn`` (a dollar buys more soldiers where wages are
  lower, as Russia's ``cost_factor`` says for Russia), of which ``own_readiness`` is ready at
  once and the rest mobilises within ``mobilisation_hours``;
* NATO's forward presence in the target, by lead nation and year (``forward_presence.csv``),
  counted when that nation answers;
* US ground forces in the target (``us_forces.csv``, times US posture), when the US answers.

Reinforcements: each ally that answers sends ``reinforce_share`` of its own forces, arriving
after (``staging_hours`` + capital-to-capital distance / ``move_kmh``) / enabler factor ^
``enabler_elasticity``, spread over ``arrival_spread_hours``; the enabler factor is the airlift,
refuelling and command capability available (Europe's, plus the US's when it answers) over the
start year's (C13: Europe's enablers decide how fast help comes without the US). The US, when it
answers, sends ``us_reinforce_share`` of its other forces in Europe (from Germany) and
``us_conus_bde`` from the United States after ``us_conus_hours``.

The advance: at force ratio ``rho = attacker / defenders`` the attacker moves at
``advance_km_per_day x s / (s + rout_ratio - halt_ratio)`` with ``s = max(rho - halt_ratio,
0)``: at or below ``halt_ratio`` it is stopped; its surplus over the halt ratio buys speed with
diminishing returns, half the unopposed rate at ``rout_ratio``, approaching the unopposed rate
(``advance_km_per_day``, a column's road march) only as the defence vanishes. The time the
defenders impose per km falls as ``1 + (rout_ratio - halt_ratio) / s``: a larger attacker gets
there sooner at every ratio (RAND's hours depend on the force Russia masses, the check in
:func:`sim.analysis.checks.rand_baltic`); near the halt ratio the pace is as the linear rule it
replaces (slope ``advance_km_per_day / (rout_ratio - halt_ratio)``). As defenders only grow, a
halted advance stays halted. The objective is seized (a fait accompli)
if the advance covers ``depth_km`` within ``horizon_days``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Race:
    """The outcome of one or more races (arrays of one entry per target)."""

    reach_km: np.ndarray  # distance covered before being halted (or by the horizon)
    hours: np.ndarray  # hours to the objective (inf if not reached)
    in_place: np.ndarray  # defenders at the onset, bde-e
    first_help_hours: np.ndarray  # first reinforcements arrive (inf if none)
    defenders_end: np.ndarray  # defenders at the horizon, bde-e


def race(
    c: Mapping[str, Any],
    attacker: np.ndarray,
    in_place: np.ndarray,
    amounts: np.ndarray,
    delays: np.ndarray,
    depth_km: float,
    timing: bool = True,
) -> Race:
    """Run the advance for each target (row).

    Args:
        c: The ``[crisis]`` parameters.
        attacker: Attacking force per target, bde-e.
        in_place: Defenders at the onset per target, bde-e.
        amounts: Reinforcements per target and source (rows x sources), bde-e.
        delays: Their arrival delays in hours (same shape; ``inf`` for none).
        depth_km: Depth of the objective.
        timing: Whether to time the race: False for a reckoning that reads only the reach and
            the defenders at the end (Russia's, :func:`~sim.mechanisms.crisis.
            perceived_successes`: issue 25, no work for nothing), whose ``hours`` and
            ``first_help_hours`` are then NaN.

    The rule in the module docstring, step by step, on arrays of steps x rows reused in place;
    of many rows, only those that can advance (issue 25: no work for nothing). As a row's
    defenders never fall below their fewest, an attacker (none or more) at or below the halt
    ratio against those fewest is stopped at every step: its speed is 0 throughout, so it
    covers 0 km and reaches the objective at once only if that is at 0 km, as the steps would
    give.
    """
    dt = c["race_step_hours"]
    steps = math.ceil(c["horizon_days"] * 24.0 / dt)
    spread = max(c["arrival_spread_hours"], 1e-9)
    n = len(attacker)
    keep = n >= _FEW  # many rows: the steps' arrays in this thread's scratch (:func:`_scratch`)
    defenders = _arrivals(amounts, delays, spread, dt, steps, keep)  # steps + 1 x rows
    defenders += in_place
    halt, rout = c["halt_ratio"], max(c["rout_ratio"], c["halt_ratio"] + 1e-9)
    pace = c["advance_km_per_day"] / 24.0
    end = defenders[-1].copy()
    moving = None  # every row takes the steps
    if n >= _FEW and halt > 0.0 and 0.0 < pace < math.inf and 0.0 < dt < math.inf and rout > halt:
        # stopped at every step: speed +0.0 throughout (for parameters within their bounds;
        # among a model's own few targets picking rows would cost more than it saves)
        fewest = np.maximum(defenders.min(axis=0), 1e-9)
        stopped = (attacker >= 0.0) & (attacker / fewest - halt <= 0.0)
        if stopped.any():
            moving = np.flatnonzero(~stopped)
    if moving is None:
        speed, pressing = defenders, attacker  # (reused: the defenders' end is kept)
    else:  # (the moving rows' columns, as ``defenders[:, moving]`` gives them)
        shape = (len(defenders), len(moving))
        speed = np.take(defenders, moving, axis=1, out=_scratch("speed", shape, keep), mode="clip")
        pressing = attacker[moving]
    np.maximum(speed, 1e-9, out=speed)
    np.divide(pressing, speed, out=speed)  # rho
    speed -= halt
    surplus = np.maximum(speed, 0.0, out=speed)
    covered = np.add(surplus, rout - halt, out=_scratch("covered", speed.shape, keep))
    np.divide(surplus, covered, out=speed)
    speed *= pace
    # the km covered by each step's start (``covered`` reused)
    covered[0] = 0.0
    _running_sum(np.multiply(speed[:-1], dt, out=covered[1:]), covered[1:])
    reach = covered[-1].copy()  # (``covered`` may be the scratch's: a row of its own)
    if not timing:
        if moving is not None:  # a stopped row covers 0 km
            moved, reach = reach, np.zeros(n)
            reach[moving] = moved
        unknown = np.full(n, np.nan)
        return Race(reach, unknown, in_place, unknown, end)
    reached = covered >= depth_km
    first = np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
    # hours to the objective, interpolated within the step that crosses it
    cols, prev = np.arange(len(first)), np.maximum(first - 1, 0)
    before = covered[prev, cols]
    step_speed = speed[prev, cols]
    inside = (depth_km - before) / np.maximum(step_speed, 1e-12)
    hours = np.where(
        first > 0,
        prev * dt + np.minimum(inside, dt),  # the step's start time, as np.arange(n) * dt
        np.where(first == 0, 0.0, np.inf),
    )
    if moving is not None:  # a stopped row covers 0 km, and reaches 0 km at once
        moved, moved_hours = reach, hours
        reach, hours = np.zeros(n), np.full(n, 0.0 if depth_km <= 0.0 else np.inf)
        reach[moving], hours[moving] = moved, moved_hours
    arriving = np.where(amounts > 0, delays, np.inf)
    return Race(
        reach_km=reach,
        hours=hours,
        in_place=in_place,
        first_help_hours=arriving.min(axis=1) if arriving.size else np.full(n, np.inf),
        defenders_end=end,
    )


# below this many rows every row takes the steps (:func:`race`), as many as :func:`_running_sum`
# needs to add a step of all rows at once
_FEW = 192


def _arrivals(
    amounts: np.ndarray,
    delays: np.ndarray,
    spread: float,
    dt: float,
    steps: int,
    keep: bool = False,
) -> np.ndarray:
    """Reinforcements arrived by each time step (steps + 1 x rows): each source arrives
    linearly over ``spread`` hours from its delay, its start and end rounded to the time grid.
    The arrival rate of a row is a sum of steps (a slope of amount / spread switched on at the
    delay and off after the spread), so two running sums of a few slope changes replace a
    rows x sources x times array (in two buffers, reused in place: the result is a view of
    one; with ``keep``, of this thread's scratch, :func:`_scratch`: read it before the next
    race of the thread).

    Each step x row's change is its sources' slopes added in their order onto 0.0 (``np.add.
    at``, unbuffered in index order: what ``np.bincount`` with weights adds, into an array
    that is not new)."""
    rows = amounts.shape[0]
    n = steps + 1
    slope = np.divide(amounts, spread, out=_scratch("slope", amounts.shape, keep)).reshape(-1)
    # the steps at which each source starts and stops arriving, both in one array
    at = _scratch("at", (2, *delays.shape), keep)
    np.minimum(delays, 1e9, out=at[0])
    np.add(at[0], spread, out=at[1])
    at /= dt
    np.round(at, out=at)
    np.minimum(at, n, out=at)
    index = _scratch("index", at.shape, keep, np.intp)
    np.copyto(index, at, casting="unsafe")  # (as ``at.astype(np.intp)``: truncated)
    index *= rows
    index += np.arange(rows)[:, None]  # bins of step x row
    on, off = index
    size = rows * (n + 1)
    if on.size and on.min() < 0:  # (a delay before the onset: not counted from the end)
        raise ValueError("arrivals before the onset")
    # the changes of each step x row, the sources added in their order
    both = _scratch("changes", (2, size), keep)
    both.fill(0.0)
    change, rate = both
    np.add.at(change, on.reshape(-1), slope)
    np.add.at(rate, off.reshape(-1), slope)
    np.subtract(change, rate, out=change)
    change, rate = change.reshape(n + 1, rows), rate.reshape(n + 1, rows)
    _running_sum(change[:n], rate[:n])
    rate *= dt
    out = change[:n]
    out[0] = 0.0
    _running_sum(rate[: n - 1], out[1:])
    return out


# each thread's scratch arrays (:func:`_scratch`)
_SCRATCH = threading.local()


def _scratch(name: str, shape: tuple[int, ...], keep: bool, dtype: Any = float) -> np.ndarray:
    """An array of ``shape`` (values undefined) for one step of a race of many rows: with
    ``keep``, the first entries of an array kept for this thread under ``name`` (made anew,
    larger, when too small), else a new one. Issue 25: a race of many rows (a block of Russia's
    reckoning, :func:`~sim.mechanisms.crisis.perceived_successes`) made arrays of a few hundred
    kB that the allocator handed back to the system when freed and had to page in anew, zeroed,
    the next time: a third of the race's time. Keyed on the name and the thread: safe as a race
    reads and writes its scratch only while it runs (a thread runs one race at a time) and
    returns none of it (what it returns is copied out of it), and each thread has its own."""
    if not keep:
        return np.empty(shape, dtype)
    size = math.prod(shape)
    kept = getattr(_SCRATCH, name, None)
    if kept is None or kept.size < size:
        kept = np.empty(size, dtype)
        setattr(_SCRATCH, name, kept)
    return kept[:size].reshape(shape)


def _running_sum(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``np.cumsum(x, axis=0, out=out)`` (``out`` may be ``x``): the same additions in the same
    order; for many rows a loop over the steps, each adding a whole row of the runs at once
    (NumPy's cumulative sum adds one number at a time)."""
    if x.shape[1] < _FEW:
        return np.cumsum(x, axis=0, out=out)
    add = np.add
    if out is not x:
        out[0] = x[0]
    prev = out[0]
    for a, b in zip(x[1:], out[1:], strict=True):
        prev = add(prev, a, out=b)
    return out


def success_chance(
    c: Mapping[str, Any], reach_km: np.ndarray, depth_km: float | np.ndarray
) -> np.ndarray:
    """The chance of a fait accompli a race's reach implies, in [0, 1]:
    ``logistic(balance_sharpness x ln(reach / depth))`` (even odds when the advance would just
    reach the objective; the outcome noise of the actual crisis is what this smooths). Of
    ``reach_km``'s shape, in one array (issue 25: no temporaries), the operations in the
    formula's order (np.clip's values from np.maximum, then np.minimum)."""
    x = np.maximum(reach_km, 1e-3)
    np.divide(x, np.maximum(depth_km, 1e-3), out=x)
    np.log(x, out=x)
    np.multiply(c["balance_sharpness"], x, out=x)
    np.maximum(x, -50.0, out=x)
    np.minimum(x, 50.0, out=x)
    np.negative(x, out=x)
    np.exp(x, out=x)
    np.add(1.0, x, out=x)
    return np.divide(1.0, x, out=x)


def ppp_factor(gdp_per_head: np.ndarray, reference: float, elasticity: float) -> np.ndarray:
    """Combat power a dollar buys relative to the reference: ``(reference / GDP per head) ^
    elasticity`` (personnel costs follow wages)."""
    return (reference / np.maximum(gdp_per_head, 1.0)) ** elasticity

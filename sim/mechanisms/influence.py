"""M6: US influence over the alliance, read from what the allies do (C2, C6, C7).

Influence is not a transform of the capability share. It is an index of five behaviours the
model already plays out, each measured against the start year (1 = as much as then, 0 = none):

* ``compliance``: the GDP-weighted share of European allies that answer a US demand by complying
  (M4's comply share), over the start year's share. Europe's dependence on US capability,
  coercion credibility, threat and trust move it (:mod:`sim.mechanisms.coercion`);
* ``procurement``: the share of European equipment orders bought from the US (M1), over the
  share at the start (``capability.us_buy_share``); allies that hedge buy European (C6);
* ``command``: 1 while an American is Supreme Allied Commander Europe, 0 once a European is (C2);
* ``crisis``: whether the allies followed the US line in the crises so far (an ally follows when
  it sends help if and only if the US answers), remembered with ``influence_memory``; 1 before any
  crisis. Allies that fight without the US, or stay home while it fights, show it lost the lead;
* ``basing``: US conventional posture in Europe, fraction of the start year's (bases and access
  are leverage; capped at 1).

The index is their weighted mean (``alliance.influence_weight_<channel>``, equal by default: no
published weighting exists, and equal weights are the convention of composite indicators when
none is known: OECD/JRC, *Handbook on Constructing Composite Indicators*, 2008). The verdict's
"US lost control" is a threshold on this behaviour (:data:`LOST_CONTROL_BELOW`), so it follows
what the allies do, and a posture cut alone moves a fifth of the index.
"""

from __future__ import annotations

from typing import Any

import numpy as np

CHANNELS = ("compliance", "procurement", "command", "crisis", "basing")

# "The US lost control": fewer than half of the channels of influence it had at the start remain
# (a definition of the verdict's words, not an assumption about the world: the index itself is
# in the model table as ``us_influence`` with each channel beside it).
LOST_CONTROL_BELOW = 0.5


def gdp_weighted(values: np.ndarray, weights: np.ndarray) -> Any:
    """``values`` averaged with ``weights`` (0 when the weights sum to 0), along the last axis:
    a number, or one per run for (R, allies) arrays (a batch of runs)."""
    total = weights.sum(axis=-1)
    share = np.where(total > 0, np.vecdot(weights, values) / np.where(total > 0, total, 1.0), 0.0)
    return float(share) if share.ndim == 0 else share


def compliance(share: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The comply share of the allies (:func:`gdp_weighted` by European members' GDP) over
    ``start``, at most 1 (1 where ``start`` is 0); per run, for a batch of runs."""
    return np.where(start > 0, np.minimum(1.0, share / np.where(start > 0, start, 1.0)), 1.0)


def procurement(share: np.ndarray, spent: np.ndarray, start_share: float) -> np.ndarray:
    """The share of European equipment spending placed with US industry (:func:`gdp_weighted`
    by each ally's, of which ``spent`` is the total) over ``start_share``, at most 1 (1 where
    nothing is spent); per run, for a batch of runs."""
    if start_share <= 0:
        return np.ones_like(share)
    return np.where(spent <= 0, 1.0, np.minimum(1.0, share / start_share))


def followed_us(us_responds: bool, aiders: np.ndarray, gdp: np.ndarray) -> float:
    """The GDP-weighted share of allies (``gdp`` zero for those not counted) whose answer in a
    crisis matched the US's: they helped if it answered, stayed out if it did not."""
    matched = aiders if us_responds else ~aiders
    return gdp_weighted(matched.astype(float), gdp)


def remember(previous: float, observed: float, memory: float) -> float:
    """Crisis alignment after a new crisis: ``previous + memory x (observed - previous)``."""
    return previous + memory * (observed - previous)


WEIGHTS = tuple(f"influence_weight_{c}" for c in CHANNELS)  # their weights' parameters


def index(weights: np.ndarray, channels: Any) -> np.ndarray:
    """The weighted mean of the channels (module docstring), in [0, 1]; 1 if no weight is set.

    For a batch of runs (:mod:`sim.engine`): ``channels`` holds each run's values in the order
    of :data:`CHANNELS` (a sequence of tuples, or a (runs, channels) array), ``weights`` each
    run's :data:`WEIGHTS` (``[alliance]``), a C-contiguous (runs, channels) array
    (:meth:`sim.engine.batch.Batch.table`); returns each run's index."""
    values = np.minimum(1.0, np.maximum(0.0, np.array(channels, dtype=float)))
    total = np.add.reduce(weights, axis=1)
    return np.where(total > 0, np.vecdot(weights, values) / np.where(total > 0, total, 1.0), 1.0)

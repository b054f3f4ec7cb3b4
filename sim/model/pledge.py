"""The alliance's spending pledge: a path with a deadline (M4; C4, C5).

Until a ``summit`` or ``pledge`` event sets one, the pledged core level each year is the
scenario's ``pledge_core_pct`` series. A pledge set in year ``y0`` with target ``T`` and deadline
``y1`` sets a path the US checks (and allies reclassify toward): linear from the level it starts
from (the members' median core spending, never below the pledge it replaces) to ``T`` at ``y1``,
flat after. Budgets are pulled toward ``T`` itself with a weight that grows as the deadline
nears (the Wales pledge, "within a decade"; The Hague, by 2035) and with the ally's threat:
``pledge_weight x (1 + pledge_deadline_gain x elapsed share of the pledge period) x (1 +
pledge_threat_gain x threat)``, at most 0.95 - ``peer_weight`` (the budget rule must still answer
threat and trust). From the deadline on, allies below the target decide each year whether to meet
it, genuinely and by one-off measures (:func:`sim.agents.ally_rules.compliance_chance`,
:func:`sim.agents.ally_rules.meet_deadline`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scenario import Scenario


@dataclass
class Pledge:
    """The pledge in force: ``target`` None means the scenario's series."""

    target: float | None
    set_year: int
    deadline: int
    start_level: float = 0.0
    opted_out: tuple[str, ...] = ()

    @classmethod
    def from_series(cls, scenario: Scenario, start: int) -> Pledge:
        return cls(target=None, set_year=start, deadline=start)

    def level(self, year: int, series_value: float) -> float:
        """The pledged core spending in ``year`` (% of GDP)."""
        if self.target is None:
            return series_value
        span = max(1, self.deadline - self.set_year)
        share = min(1.0, max(0.0, (year - self.set_year) / span))
        return self.start_level + (self.target - self.start_level) * share

    def elapsed(self, year: int) -> float:
        """Share of the pledge period gone by in ``year`` (0 for a series pledge)."""
        if self.target is None:
            return 0.0
        span = max(1, self.deadline - self.set_year)
        return min(1.0, max(0.0, (year - self.set_year) / span))

    def due(self, year: int) -> bool:
        """Whether the pledge has fallen due in ``year`` (its deadline year or later, while it
        stands): from then on allies below its target decide whether to meet it
        (:func:`sim.agents.ally_rules.meet_deadline`; issue 26). A series pledge never falls
        due."""
        return self.target is not None and year >= self.deadline

    def goal(self, year: int, series_value: float) -> float:
        """What was pledged, which budgets are pulled toward: the target of a pledge event (the
        path is what the US checks on the way), else the series' value this year."""
        return series_value if self.target is None else self.target

    def weight(self, a: Mapping[str, Any], year: int, threat: Any = 0.0) -> Any:
        """The pledge's pull on budgets this year (module docstring), per ally: larger for an
        ally under threat (``pledge_threat_gain``: the front line went straight to the Wales 2%
        while others crept), at most 0.95 - ``peer_weight``."""
        w = (
            a["pledge_weight"]
            * (1.0 + a["pledge_deadline_gain"] * self.elapsed(year))
            * (1.0 + a["pledge_threat_gain"] * threat)
        )
        return np.minimum(w, 0.95 - a["peer_weight"])

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

A pledge that raises the target keeps the old target as a floor (:meth:`Pledge.raised`; C4, C5,
C19): budgets are pulled toward the new target along the new path, while the old target stays
due at its own deadline (:meth:`Pledge.due_bar`). Vilnius (2023) made 2% "a floor, not a
ceiling"; The Hague (2025) raised the target to 3.5% core by 2035 without lifting that floor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..scenario import Scenario


@dataclass
class Pledge:
    """The pledge in force: ``target`` None means the scenario's series. ``floors`` are the
    targets of earlier pledges it raised, each ``(target, deadline)``, still due at their own
    deadlines (:meth:`raised`)."""

    target: float | None
    set_year: int
    deadline: int
    start_level: float = 0.0
    opted_out: tuple[str, ...] = ()
    floors: tuple[tuple[float, int], ...] = ()

    def __post_init__(self) -> None:
        # :meth:`year` memoised for a pledge with a target, keyed on the year (see there why):
        # an attribute, not a field (not in the pledge's repr, equality or ``asdict``)
        self._years: dict[int, tuple[float, float, float, float | None]] = {}

    @classmethod
    def from_series(cls, scenario: Scenario, start: int) -> Pledge:
        return cls(target=None, set_year=start, deadline=start)

    def raised(
        self,
        target: float,
        set_year: int,
        deadline: int,
        start_level: float,
        opted_out: tuple[str, ...] = (),
    ) -> Pledge:
        """M4: the pledge in force once a ``pledge`` or ``summit`` event sets ``target`` (% of
        GDP) by ``deadline`` (C4, C5, C19; issue 26).

        Rule: a target above the one in force raises it. Budgets are then pulled toward the new
        target along the new path (:meth:`level`, :meth:`goal`, :meth:`weight` read the new
        pledge), while the old target stays as a floor that remains due at its own deadline:
        an ally below it still decides each year whether to meet it
        (:func:`sim.agents.ally_rules.compliance_chance`,
        :func:`sim.agents.ally_rules.meet_deadline`) until the new target falls due
        (:meth:`due_bar`). The floors of the old pledge are kept too. Sources: the Vilnius
        summit (2023; the hindcast's pledge event) made 2% of GDP a minimum, an "enduring
        commitment to invest at least 2% of GDP annually on defence" (Vilnius Summit
        Communiqué, 11 July 2023);
        The Hague Summit Declaration (25 June 2025) raised the target to at least 3.5% core
        defence spending by 2035 (``sim/data/facts.csv``: ``hague_core_defence_target``) and
        did not lift that floor.

        A target not above the one in force (a pledge lowered, or the same target restated,
        as Vilnius restated the Wales 2% with its 2024 deadline) simply replaces it, floors
        and all; so does any target set while the scenario's series is in force (no target to
        keep). Allies that opted out of an earlier pledge stay out of the new one (they remain
        holdouts: :func:`sim.model.events.summit`); ``opted_out`` adds this pledge's own.

        >>> hague = Pledge(2.0, 2023, 2024).raised(3.5, 2025, 2035, 2.0, opted_out=("ESP",))
        >>> hague.raised(4.0, 2030, 2035, 3.0).opted_out
        ('ESP',)
        """
        kept = tuple(dict.fromkeys((*self.opted_out, *opted_out)))  # opt-outs stand
        new = Pledge(target, set_year, deadline, start_level, kept)
        if self.target is None or target <= self.target:
            return new
        return replace(new, floors=(*self.floors, (self.target, self.deadline)))

    def due_bar(self, year: int) -> float | None:
        """M4: the bar an ally below it must decide whether to meet in ``year`` (% of GDP), or
        None when nothing is due (C4, C5, C19; issue 26).

        Rule: the highest of the target, once it has fallen due (:meth:`due`), and the floors
        kept from pledges it raised whose deadlines have come (:meth:`raised`): the floor while
        the new target is not yet due (2% in 2025 under The Hague's 3.5% by 2035), the target
        once it is. A series pledge, with no floors, is never due.

        >>> vilnius = Pledge(target=2.0, set_year=2023, deadline=2024, start_level=1.9)
        >>> hague = vilnius.raised(3.5, 2025, 2035, start_level=2.0)
        >>> hague.due_bar(2025), hague.due_bar(2034), hague.due_bar(2035)
        (2.0, 2.0, 3.5)
        """
        bars = [bar for bar, deadline in self.floors if year >= deadline]
        if self.target is not None and self.due(year):
            bars.append(self.target)
        return max(bars) if bars else None

    def level(self, year: int, series_value: float) -> float:
        """The pledged core spending in ``year`` (% of GDP)."""
        if self.target is None:
            return series_value
        span = max(1, self.deadline - self.set_year)
        share = min(1.0, max(0.0, (year - self.set_year) / span))
        return self.start_level + (self.target - self.start_level) * share

    def year(self, year: int, series_value: float) -> tuple[float, float, float, float | None]:
        """The pledge as it stands in ``year`` with the scenario's series at ``series_value``:
        (:meth:`level`, :meth:`goal`, :meth:`elapsed`, :meth:`due_bar`), each computed by its
        method, the four read together by the allies' year (:func:`sim.engine.allies.act`) and
        the level by the US and the record (:meth:`AllianceModel.pledge_level`).

        A pledge with a target is memoised, keyed on ``year``: its four are then functions of
        its fields and the year alone (not of the series), and a pledge is never written into
        (an event binds a new one: :meth:`raised`, :func:`sim.model.events.summit`), so the memo
        it keeps stays right; a pledge shared by the runs of a scenario (a summit event's)
        computes a year once for them all. The series' pledge (no target) reads the series'
        value, which a lever moved mid-run may change: computed each time (cheap)."""
        if self.target is None:
            return (
                self.level(year, series_value),
                self.goal(year, series_value),
                self.elapsed(year),
                self.due_bar(year),
            )
        out = self._years.get(year)
        if out is None:
            out = self._years[year] = (
                self.level(year, series_value),
                self.goal(year, series_value),
                self.elapsed(year),
                self.due_bar(year),
            )
        return out

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
        return weight(a, self.elapsed(year), threat)


def weight(a: Mapping[str, Any], elapsed: Any, threat: Any = 0.0) -> Any:
    """The pledge's pull on budgets (module docstring) with ``elapsed`` the share of the pledge
    period gone by (:meth:`Pledge.elapsed`; a run's number or a column of a batch's runs):
    ``pledge_weight x (1 + pledge_deadline_gain x elapsed) x (1 + pledge_threat_gain x threat)``,
    at most 0.95 - ``peer_weight``."""
    w = (
        a["pledge_weight"]
        * (1.0 + a["pledge_deadline_gain"] * elapsed)
        * (1.0 + a["pledge_threat_gain"] * threat)
    )
    return np.minimum(w, 0.95 - a["peer_weight"])


def member_weights(a: Mapping[str, Any], elapsed: Any, threat: Any, member: Any) -> Any:
    """M4: the pledge's pull on each ally's budget (:func:`weight`), members only (C4, C5;
    issue 26).

    Rule: an alliance pledge binds the allies that made it. A country that is not yet a
    member (``allies.csv``: ``accession_year``; an ``accession`` event makes it one) feels
    no pull toward it, is asked nothing by the US, meets no deadline and reclassifies
    nothing to reach the bar: Finland and Sweden were partners, not signatories, of the
    Wales pledge (Wales Summit Declaration, 5 September 2014, para. 14, "Allies ...") and
    joined in 2023 and 2024. Their budgets before then answer their own threat, trust and
    neighbours."""
    return np.where(member, weight(a, elapsed, threat), 0.0)

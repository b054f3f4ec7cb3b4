"""Decisions made by people for the coming year: the model's public decision points.

A seminar (``sim.seminar``) lets students play allies, the United States and Russia against the
agents. Before :meth:`AllianceModel.step` the caller may set ``model.decisions``; for that one
year the model uses each decision given in place of the agent's own rule, and every field left
``None`` (or an ally not listed) is decided by the agents as always. The event log names each
human decision ("human: ..."), so a results folder shows who decided what.

The decision points, each where the agent's rule would decide:

* an ally's **equipment mix** (weights over the capability categories) and the **share it buys
  from the US** (0-1), in place of the common allocation and ``us_buy_share`` (M1);
* an ally's **core budget** (% of GDP) in place of the budget rule (M4), its **answer** to
  US coercion (comply, hedge or resist) in place of the logit shares (M3), and **how much it
  helps** an ally Russia probes this year (0: not at all, 1: all it would send; ``True`` is 1),
  in place of its solidarity draw (M9);
* the US **demand** (core spending it asks of the allies, % of GDP) in place of the
  ``us_demand_pct`` series, its **threat level** (0-1) in place of its escalation rule (M5), a
  **drawdown** (fraction of
  the 2025 posture) in place of the chance of executing a threat, a **reassurance**
  (0-1, as the ``us_reassurance`` event), whether it **answers** a probe this year, in place
  of its crisis-response draw (M9), and whether it hands **NATO's command** to a European (yes:
  now, whatever the year, for good; no: an American stays, for the term in a change-of-command
  year), in place of its change-of-command rule (M6, C2);
* Russia's **probe** (an ally's ISO3, or "" for none) in place of its logit choice (M8), and its
  **grey-zone campaign** (a multiplier on this year's attacks);
* **events** injected by an instructor (any scenario event kind), applied this year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from ..scenario.params_world import CATEGORIES
from ..scenario.schema import EVENT_KINDS, Event

ANSWERS = ("comply", "hedge", "resist")
BUDGET_RANGE = (0.0, 10.0)  # % of GDP: the schema's widest core-spending bound
DRAWDOWN_RANGE = (0.0, 0.5)  # fraction of the 2025 posture in one year
GREYZONE_RANGE = (0.0, 3.0)  # multiplier on the attacks Russia's rule would make


def _number(name: str, value: float, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name}: expected a number in [{low:g}, {high:g}], got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{name}: expected a number in [{low:g}, {high:g}], got {value!r}")


@dataclass
class Decisions:
    """One year's human decisions; ``None`` (or a missing ally) means: the agents decide."""

    budget_pct: dict[str, float] = field(default_factory=dict)
    answer: dict[str, str] = field(default_factory=dict)
    crisis_help: dict[str, float] = field(default_factory=dict)
    equipment_mix: dict[str, dict[str, float]] = field(default_factory=dict)
    us_buy_share: dict[str, float] = field(default_factory=dict)
    us_demand_pct: float | None = None
    us_threat: float | None = None
    us_drawdown: float | None = None
    us_reassurance: float | None = None
    us_crisis_response: bool | None = None
    us_command: bool | None = None
    russia_probe: str | None = None
    russia_greyzone: float | None = None
    events: tuple[Event, ...] = ()

    def check(self, members: set[str]) -> None:
        """Raise ``ValueError`` naming the first decision out of bounds or naming no ally of
        ``members`` (the allies in the run)."""
        for iso3, pct in self.budget_pct.items():
            if iso3 not in members:
                raise ValueError(f"budget_pct: {iso3!r} is not an ally in this run")
            _number(f"budget_pct.{iso3}", pct, *BUDGET_RANGE)
        for iso3, ans in self.answer.items():
            if iso3 not in members:
                raise ValueError(f"answer: {iso3!r} is not an ally in this run")
            if ans not in ANSWERS:
                raise ValueError(f"answer.{iso3}: expected one of {', '.join(ANSWERS)}")
        for iso3, amount in self.crisis_help.items():
            if iso3 not in members:
                raise ValueError(f"crisis_help: {iso3!r} is not an ally in this run")
            if not isinstance(amount, bool):
                _number(f"crisis_help.{iso3}", amount, 0.0, 1.0)
        if self.us_demand_pct is not None:
            _number("us_demand_pct", self.us_demand_pct, *BUDGET_RANGE)
        for iso3, mix in self.equipment_mix.items():
            if iso3 not in members:
                raise ValueError(f"equipment_mix: {iso3!r} is not an ally in this run")
            if not isinstance(mix, dict) or not mix or set(mix) - set(CATEGORIES):
                raise ValueError(
                    f"equipment_mix.{iso3}: expected weights for {', '.join(CATEGORIES)}"
                )
            for cat, w in mix.items():
                _number(f"equipment_mix.{iso3}.{cat}", w, 0.0, 1.0)
            if sum(mix.values()) <= 0:
                raise ValueError(f"equipment_mix.{iso3}: expected weights adding up to more than 0")
        for iso3, share in self.us_buy_share.items():
            if iso3 not in members:
                raise ValueError(f"us_buy_share: {iso3!r} is not an ally in this run")
            _number(f"us_buy_share.{iso3}", share, 0.0, 1.0)
        if self.us_crisis_response is not None and not isinstance(self.us_crisis_response, bool):
            raise ValueError("us_crisis_response: expected true or false")
        if self.us_command is not None and not isinstance(self.us_command, bool):
            raise ValueError("us_command: expected true or false")
        if self.us_threat is not None:
            _number("us_threat", self.us_threat, 0.0, 1.0)
        if self.us_drawdown is not None:
            _number("us_drawdown", self.us_drawdown, *DRAWDOWN_RANGE)
        if self.us_reassurance is not None:
            _number("us_reassurance", self.us_reassurance, 0.0, 1.0)
        if self.russia_probe not in (None, "") and self.russia_probe not in members:
            raise ValueError(f"russia_probe: {self.russia_probe!r} is not an ally in this run")
        if self.russia_greyzone is not None:
            _number("russia_greyzone", self.russia_greyzone, *GREYZONE_RANGE)
        for ev in self.events:
            if ev.kind not in EVENT_KINDS:
                raise ValueError(f"events: unknown kind {ev.kind!r}")

    def merged_with(self, other: Decisions) -> Decisions:
        """These decisions with ``other``'s added (several players' parts of one year): tables
        are merged, a field ``other`` sets replaces this one's, events add up."""
        out = Decisions()
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                value: object = {**mine, **theirs}
            elif isinstance(mine, tuple):
                value = mine + theirs
            else:
                value = mine if theirs is None else theirs
            setattr(out, f.name, value)
        return out

    def is_empty(self) -> bool:
        return self == Decisions()

"""Stepping the run one year as the class decided it (:func:`play_year`): the live year, a
resumed session's replay and the agents-alone counterfactual go through the same function."""

from __future__ import annotations

from typing import Any

from ..model.alliance import AllianceModel
from ..model.decisions import Decisions
from ..scenario.schema import Event
from .checks import decisions_for


def _event(e: dict[str, Any]) -> Event:
    return Event(0, e["kind"], target=e.get("target", ""), magnitude=float(e["magnitude"]))


def play_year(model: AllianceModel, entry: dict[str, Any], agents_only: bool = False) -> None:
    """Step ``model`` one year as recorded in ``entry`` (the class's decisions, the injections,
    the roles that did not decide); ``agents_only``: the injections alone (the counterfactual).
    The same function plays the live year, a resumed session and the counterfactual."""
    year = model.year + 1
    injected = tuple(_event(e) for e in entry.get("injected", ()))
    merged = Decisions(events=injected)
    if not agents_only:
        for role, fields in sorted(entry.get("decisions", {}).items()):
            merged = merged.merged_with(decisions_for(role, fields))
        if entry.get("probe_overridden"):
            merged.russia_probe = ""  # the instructor's probe replaces Russia's own this year
    model.decisions = merged
    model.step()
    if agents_only:
        return
    if entry.get("probe_overridden"):
        model.recorder.event(  # the instructor's act, with the injection it follows: not
            "injected",  # a student's decision (the log counted it as one, found by review)
            "the instructor's probe replaces Russia's (human) choice of target this year",
            year,
        )
    for fb in entry.get("fallbacks", ()):
        model.recorder.event(
            "fallback",
            f"{fb['role_name']} ({fb['player']}) did not decide in time: its agent's rule decided",
            year,
        )

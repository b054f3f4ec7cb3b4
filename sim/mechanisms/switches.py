"""Knock-out switches applied: the parameters a model runs with.

A scenario's ``[mechanisms]`` table switches mechanisms and sub-rules off (all on by default; the
catalogue with each switch's neutral form is :mod:`sim.scenario.params_switches`, listed by
``natosim params mechanisms``). :func:`effective` returns the scenario's parameters with the
neutral values of every switch that is off; the model and its agents read those. A rule whose
switch has no neutral value reads the switch itself (``model.on(name)``).

Each switch names the mechanism (M1-M9) and the claims whose tests knock it out
(``tests/claims``): a claim test shows its effect with the switch on and its disappearance or
reversal with it off.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..scenario.params_switches import BY_NAME, SWITCHES

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["BY_NAME", "SWITCHES", "effective"]


def effective(scenario: Scenario) -> Mapping[str, Mapping[str, Any]]:
    """The parameters a model of ``scenario`` runs with: the scenario's, with the neutral values
    of every switch that is off (computed once per scenario)."""
    return scenario.derived(
        ("effective_params",), lambda: _effective(scenario), depends=tuple(scenario.params)
    )


def _effective(scenario: Scenario) -> Mapping[str, Mapping[str, Any]]:
    sw = scenario.params["mechanisms"]
    off = [s for s in SWITCHES if not sw[s.name]]
    if not off:
        return scenario.params
    params = {k: dict(v) for k, v in scenario.params.items()}
    for s in off:
        for key, value in s.neutral.items():
            section, name = key.split(".")
            params[section][name] = value
    return MappingProxyType({k: MappingProxyType(v) for k, v in params.items()})

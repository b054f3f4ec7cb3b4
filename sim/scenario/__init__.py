"""Scenarios: the typed parameter schema, the TOML loader and the resolved ``Scenario``."""

from .catalogue import CATALOGUE, ScenarioError
from .loader import load_scenario, scenario_from_dict
from .params_world import CATEGORIES
from .scenario import Scenario
from .schema import EVENT_KINDS, Event, Param, Series

__all__ = [
    "CATALOGUE",
    "CATEGORIES",
    "EVENT_KINDS",
    "Event",
    "Param",
    "Scenario",
    "ScenarioError",
    "Series",
    "load_scenario",
    "scenario_from_dict",
]

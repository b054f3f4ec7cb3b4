"""The Mesa agents: one module per actor."""

from .ally import Ally
from .russia import Russia
from .united_states import UnitedStates

__all__ = ["Ally", "Russia", "UnitedStates"]

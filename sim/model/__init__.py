"""The model's core: the Mesa model (:mod:`.alliance`), its initial state from data
(:mod:`.initial`),
the alliance graph (:mod:`.network`), the pledge path (:mod:`.pledge`), dated events
(:mod:`.events`),
people's decision points (:mod:`.decisions`) and what a run records (:mod:`.outputs`).

The layer below everything else with :mod:`sim.agents`, :mod:`sim.mechanisms`, :mod:`sim.scenario`
and :mod:`sim.data`: nothing here imports running, storing, analysis, reports or the interfaces.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .alliance import AllianceModel


def __getattr__(name: str):
    """``sim.model.AllianceModel`` (imported on first use: the agents import this package's
    modules)."""
    if name == "AllianceModel":
        from .alliance import AllianceModel  # noqa: PLC0415

        return AllianceModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AllianceModel"]

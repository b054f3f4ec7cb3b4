"""natosim: an agent-based model of NATO burden-sharing under US coercion.

The public API:

>>> import sim
>>> scenario = sim.Scenario.default()
>>> result = sim.run_one(scenario, seed=7)
>>> result.model["year"][0], result.model["year"][-1]
(2025, 2040)
>>> result.summary["verdict"] in sim.VERDICTS
True
"""

__version__ = "0.1.0"

from .model import AllianceModel
from .outputs import VERDICTS
from .runner import Results, RunResult, replication_seeds, run_one, run_replications
from .scenario import Scenario, ScenarioError, load_scenario

_LAZY = {
    "sweep": "sweeps",
    "resume": "sweeps",
    "load_results": "sweeps",
    "sensitivity": "sweeps.analysis",
    "discover": "sweeps.analysis",
    "paired_effect": "sweeps.analysis",
}


def __getattr__(name: str):
    """Import the sweep API on first use: worker processes that only run models stay light."""
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "VERDICTS",
    "AllianceModel",
    "Results",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "discover",
    "load_results",
    "load_scenario",
    "paired_effect",
    "replication_seeds",
    "resume",
    "run_one",
    "run_replications",
    "sensitivity",
    "sweep",
]

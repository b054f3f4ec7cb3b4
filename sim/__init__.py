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

from typing import TYPE_CHECKING

# Every public name is imported on first use (PEP 562), so that `natosim --version`, `natosim
# list` and worker processes that only run models do not pay for Mesa, pandas, SciPy and SALib
# before they need them.
_LAZY = {
    "AllianceModel": "model",
    "VERDICTS": "outputs",
    "Results": "runner",
    "RunResult": "runner",
    "replication_seeds": "runner",
    "run_one": "runner",
    "run_replications": "runner",
    "Scenario": "scenario",
    "ScenarioError": "scenario",
    "load_scenario": "scenario",
    "sweep": "sweeps",
    "resume": "sweeps",
    "load_results": "sweeps",
    "sensitivity": "sweeps.analysis",
    "discover": "sweeps.analysis",
    "paired_effect": "sweeps.analysis",
}

if TYPE_CHECKING:
    from .model import AllianceModel
    from .outputs import VERDICTS
    from .runner import Results, RunResult, replication_seeds, run_one, run_replications
    from .scenario import Scenario, ScenarioError, load_scenario
    from .sweeps import load_results, resume, sweep
    from .sweeps.analysis import discover, paired_effect, sensitivity


def __getattr__(name: str):
    """Import a public name's module on first use."""
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
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

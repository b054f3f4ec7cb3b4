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
from .sweeps import load_results, resume, sweep
from .sweeps.analysis import discover, sensitivity

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
    "replication_seeds",
    "resume",
    "run_one",
    "run_replications",
    "sensitivity",
    "sweep",
]

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

import importlib.abc
import importlib.util
import os
import sys
import warnings
from typing import TYPE_CHECKING

# pyarrow's default allocator (jemalloc) reserves large stretches of address space up front;
# under an address-space limit (`ulimit -v`, as batch schedulers set) the reader's threads then
# fail to start and a Parquet read waits for them forever: `natosim report` on a run folder hung
# at `ulimit -v 760000` and ignored SIGTERM. The system allocator reserves nothing ahead (the same
# report: 5 s). Set before pyarrow is first used; a value the user set is kept.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

# One BLAS thread. NumPy's and SciPy's OpenBLAS each start a thread per core when loaded and
# allocate a buffer for each; under a tighter address-space limit (`ulimit -v 500000`) SciPy's
# OpenBLAS, loaded after NumPy's and pyarrow's threads had taken their share, retried an
# allocation it could not get for ever (its main thread failing ~36,000 mmap calls a second):
# `natosim report` hung at the import of scipy, before any of this project's code ran. This
# project parallelises with processes (one model per worker) and its matrices are tiny (31
# allies), so a second BLAS thread only costs address space and oversubscribes the workers'
# cores. Set before NumPy is first imported (here, when `sim` is imported first, as the command
# and its worker processes do); a value the user set is kept. (MKL, in a NumPy built with it,
# reads its own variable.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

# Every public name is imported on first use (PEP 562), so that `natosim --version`, `natosim
# list` and worker processes that only run models do not pay for Mesa, pandas, SciPy and SALib
# before they need them.
_LAZY = {
    "AllianceModel": "model.alliance",
    "VERDICTS": "model.outputs",
    "Results": "runs.runner",
    "RunResult": "runs.runner",
    "replication_seeds": "runs.runner",
    "run_one": "runs.runner",
    "run_replications": "runs.runner",
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
    from .model.alliance import AllianceModel
    from .model.outputs import VERDICTS
    from .runs.runner import Results, RunResult, replication_seeds, run_one, run_replications
    from .scenario import Scenario, ScenarioError, load_scenario
    from .sweeps import load_results, resume, sweep
    from .sweeps.analysis import discover, paired_effect, sensitivity


# Where modules lived before the package was arranged in layers (model, runs, analysis, cli): an
# old import path still works, with a DeprecationWarning naming the new one.
_MOVED = {
    "sim.outputs": "sim.model.outputs",
    "sim.events": "sim.model.events",
    "sim.pledge": "sim.model.pledge",
    "sim.decisions": "sim.model.decisions",
    "sim.initial": "sim.model.initial",
    "sim.network": "sim.model.network",
    "sim.runner": "sim.runs.runner",
    "sim.store": "sim.runs.store",
    "sim.folders": "sim.runs.folders",
    "sim.provenance": "sim.runs.provenance",
    "sim.worlds": "sim.runs.worlds",
    "sim.paths": "sim.scenario.paths",
    "sim.claims": "sim.analysis.claims",
    "sim.experiments": "sim.analysis.experiments",
    "sim.checks": "sim.analysis.checks",
    "sim.deadline": "sim.analysis.deadline",
    "sim.cruxes": "sim.analysis.cruxes",
    "sim.explain": "sim.analysis.explain",
    "sim.compare": "sim.analysis.compare",
    "sim.debate": "sim.analysis.debate",
    "sim.debate_axes": "sim.analysis.debate_axes",
    "sim.ema": "sim.analysis.ema",
    "sim.cli_args": "sim.cli.args",
    "sim.debate_cli": "sim.cli.debate",
    "sim.checks_cli": "sim.cli.checks",
    "sim.explain_cli": "sim.cli.explain",
}


_OWN_SPECS: dict = {}  # old name -> the spec of the module at its new name, while it is imported


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds a moved module under its old name and hands back the module at its new one."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        new = _MOVED[spec.name]
        warnings.warn(f"{spec.name} is now {new}", DeprecationWarning, stacklevel=2)
        module = importlib.import_module(new)
        _OWN_SPECS[spec.name] = module.__spec__  # overwritten by the import: exec_module restores
        return module

    def exec_module(self, module) -> None:
        """Nothing to run: the module at its new name is already executed. The import system
        has just set its ``__spec__`` to the old name's; it gets its own back (with the old
        name's parent, its relative imports warned "__package__ != __spec__.parent")."""
        module.__spec__ = _OWN_SPECS.pop(module.__spec__.name)


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModules())


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

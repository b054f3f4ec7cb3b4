"""Parameter sweeps: designs, execution over executors, a streaming resumable store, analysis.

From Python (a notebook):

>>> import sim, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "sweep"
>>> outcome = sim.sweep("scenarios/cajole.toml",
...                     {"united_states.threat_intensity": (0.0, 1.0)},
...                     design="lhs", samples=4, reps=2, seed=1, out=folder, workers=1,
...                     progress=False)
>>> outcome.runs, outcome.failed
(8, 0)
>>> tables = sim.load_results(folder)
>>> sorted(tables)
['allies', 'design', 'events', 'failures', 'model', 'summary']
>>> len(tables["summary"]), tables["summary"]["point"].nunique()
(8, 4)
"""

from typing import TYPE_CHECKING

_LAZY = {
    "SweepOutcome": "api",
    "check_resumable": "api",
    "load_results": "api",
    "resume": "api",
    "run_sweep": "api",
    "start": "api",
    "sweep": "api",
}

if TYPE_CHECKING:
    from .api import SweepOutcome, check_resumable, load_results, resume, run_sweep, sweep


def __getattr__(name: str):
    """Import the sweep API on first use (the command line registers its parsers without pandas,
    SALib or Mesa)."""
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SweepOutcome", "check_resumable", "load_results", "resume", "run_sweep", "sweep"]

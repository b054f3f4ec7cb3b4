"""Running the model: one pure run, replication seeds, and replications over an executor.

``run_one`` has no I/O and returns plain columns, so it can be sent to any
``concurrent.futures.Executor``. Seeds for replications are spawned from one root with
``numpy.random.SeedSequence``; the same root gives the same tables whatever the executor or the
number of workers.

With ``worlds=True`` each replication also draws its world (every sampled assumption,
:mod:`sim.runs.worlds`) from its own seed, through a stream apart from the model's draws; the worlds
are the ``worlds`` table of the results. The default here is the point values (``worlds=False``:
experiments, calibration and sweeps keep them); the command line samples unless ``--fixed``.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np
import pandas as pd

from ..model.alliance import FIXED_ONCE_STARTED, AllianceModel
from ..scenario import Scenario
from ..scenario.loader import check_recorded
from ..scenario.schema import is_whole_number


@dataclass
class RunResult:
    """The outputs of one run, as columns; ``error`` holds a traceback if the run raised."""

    run: int
    seed: int
    model: dict[str, list[Any]] = field(default_factory=dict)
    allies: dict[str, Any] = field(default_factory=dict)  # column -> numpy array
    events: dict[str, list[Any]] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    probe_options: dict[str, Any] = field(default_factory=dict)  # column -> array (or [] if none)
    error: str = ""
    world: dict[str, Any] = field(default_factory=dict)  # the sampled values this run used


def replication_seeds(root: int, n: int) -> list[int]:
    """``n`` independent 63-bit seeds spawned from ``root`` with ``SeedSequence``; ``n`` from 0
    to :data:`MAX_REPLICATIONS` and ``root`` a whole number from 0, else a
    :class:`~sim.scenario.ScenarioError` naming them (found by fuzzing: ``n = 10**12`` filled
    the machine's memory before it could be stopped)."""
    _check_whole("replication_seeds", (("n", n, MAX_REPLICATIONS), ("root", root, None)))
    children = np.random.SeedSequence(root).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def release_model(model: mesa.Model) -> None:
    """Drop what Mesa keeps of a finished model (Mesa 3.3.1 holds every model in
    ``Agent._ids``; later versions do not), so long sweeps do not leak. The model and its
    agents then form a reference cycle that the garbage collector frees (checked: no object
    count growth over 2,000 runs)."""
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


Change = tuple[int, str, Any]  # a lever moved mid-run: (year, "section.name", value)


def run_one(
    scenario: Scenario,
    seed: int,
    run: int = 0,
    world: dict[str, Any] | None = None,
    changes: Sequence[Change] = (),
) -> RunResult:
    """Run one replication of ``scenario`` with ``seed`` to its end year; no I/O.

    ``world`` (``{"section.name": value}``, :func:`sim.runs.worlds.draw_world`) sets the sampled
    parameters first. ``changes`` are levers moved mid-run, in the order they were moved: each
    ``(year, key, value)`` is applied once the run has reached ``year``, from the next year on
    (:meth:`AllianceModel.change_params`), so a run of the ``ui`` app with its levers moved is
    replicated exactly. A run that raises returns a :class:`RunResult` with ``error`` set
    instead of raising; arguments it cannot run (a scenario that is not a :class:`Scenario`, a
    seed that is not a whole number from 0) are refused first, as :func:`run_replications`
    refuses them.
    """
    check_replications(scenario, 1, seed, "run_one")
    check_changes(scenario, changes, "run_one")
    return _run(scenario, seed, run, world, changes)


def _run(
    scenario: Scenario,
    seed: int,
    run: int,
    world: dict[str, Any] | None,
    changes: Sequence[Change],
) -> RunResult:
    """:func:`run_one` on arguments already checked (:func:`run_replications` checks them once
    for every replication)."""
    model = None
    used: dict[str, Any] = {}
    try:
        model, used = start_model(scenario, seed, world)
        for year, key, value in changes:
            while model.year < min(year, model.end_year):
                model.step()
            model.change_params({key: value}, source="a lever moved mid-run")
        model.run()
        return model_result(model, run, seed, used)
    except Exception:  # a failed run is data, not a crash
        return RunResult(run, seed, error=traceback.format_exc(), world=used or dict(world or {}))
    finally:
        if model is not None:
            release_model(model)


def start_model(
    scenario: Scenario, seed: int, world: dict[str, Any] | None
) -> tuple[AllianceModel, dict[str, Any]]:
    """A replication's model at its start year, in its sampled ``world`` if given; and the
    sampled values it uses."""
    used: dict[str, Any] = {}
    if world:
        from .worlds import apply_world  # noqa: PLC0415

        scenario, used = apply_world(scenario, world)
    return AllianceModel(scenario, rng=seed), used


def model_result(model: AllianceModel, run: int, seed: int, used: dict[str, Any]) -> RunResult:
    """The outputs of a finished ``model`` as a :class:`RunResult` holding only its own data: the
    ally table's columns are copied out of the arrays its batch recorded together (a result
    kept after its batch does not keep the batch's)."""
    rec = model.recorder
    return RunResult(
        run,
        seed,
        rec.model_rows,
        {k: v.copy() for k, v in rec.ally_columns().items()},
        rec.events,
        rec.summary(),
        probe_options=rec.options,
        world=used,
    )


def _run_batch(
    scenario: Scenario,
    jobs: Sequence[tuple[int, int, dict[str, Any] | None]],
    changes: Sequence[Change] = (),
) -> list[RunResult]:
    """The replications ``jobs`` ((run, seed, world)), advanced together
    (:func:`sim.engine.lockstep.run_jobs`); each one's tables are those of :func:`_run`."""
    from ..engine.lockstep import run_jobs  # noqa: PLC0415 (the engine imports this module)

    return run_jobs(scenario, jobs, changes)


@dataclass
class Results:
    """The tables of a set of replications (pandas frames) and their seeds."""

    scenario: Scenario
    root_seed: int
    seeds: list[int]
    model: pd.DataFrame
    allies: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame
    failures: list[RunResult]
    worlds: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, seed, sampled parameters
    probe_options: pd.DataFrame = field(default_factory=pd.DataFrame)  # Russia's reasoning

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables to write: ``worlds`` only when the runs sampled worlds."""
        out = {
            "model": self.model,
            "allies": self.allies,
            "events": self.events,
            "summary": self.summary,
        }
        if not self.worlds.empty:
            out["worlds"] = self.worlds
        if not self.probe_options.empty:
            out["probe_options"] = self.probe_options
        return out


def _frame_per_run(results: Sequence[RunResult], part: str) -> pd.DataFrame:
    """One table from the runs' ``part`` columns: a frame per run, concatenated (the
    reference :func:`_frame` must equal, dtypes included)."""
    frames = []
    for r in results:
        cols = getattr(r, part)
        n = len(next(iter(cols.values()))) if cols else 0
        frames.append(pd.DataFrame({"run": [r.run] * n, "seed": [r.seed] * n, **cols}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


_INT64 = (-(2**63), 2**63 - 1)


def _one_kind(items: list[Any]) -> bool:
    """Whether ``items`` are all of one plain Python type (int within int64, float, str or
    bool): then one inference over all of them gives the dtype each run's would."""
    kinds = set(map(type, items))
    if len(kinds) != 1 or not kinds <= {int, float, str, bool}:
        return False
    return kinds != {int} or (_INT64[0] <= min(items) and max(items) <= _INT64[1])


def _column(values: list[Any]) -> Any:
    """The runs' pieces of one column joined, as one frame per run then concatenated would
    give it: NumPy arrays of one non-object dtype are concatenated; lists (or object arrays)
    whose items are all of one plain Python type are chained (:func:`_one_kind`; numbers and
    flags from lists then made one array, the dtype pandas infers from them); anything else
    goes through a one-column frame per run and ``pd.concat``, pandas' own rules, returned as
    the Series it gives (its dtype kept, extension dtypes included)."""
    if all(isinstance(v, np.ndarray) for v in values):
        dtypes = {v.dtype for v in values}
        if len(dtypes) == 1 and dtypes != {np.dtype(object)}:
            return np.concatenate(values)
    if all(isinstance(v, (list, np.ndarray)) for v in values):
        chained = list(itertools.chain.from_iterable(values))
        if chained and _one_kind(chained) and all(isinstance(v, list) for v in values):
            # numbers and flags as the array pandas would infer from the list (it converts a
            # list to objects first, the most of this table's cost); text stays a list
            return chained if type(chained[0]) is str else np.asarray(chained)
        if chained and _one_kind(chained) and all(v.dtype == object for v in values):
            return np.concatenate(values)
    frames = [pd.DataFrame({"c": v}) for v in values]
    return pd.concat(frames, ignore_index=True)["c"]


def _frame(results: Sequence[RunResult], part: str) -> pd.DataFrame:
    """One table from the runs' ``part`` columns, with ``run`` and ``seed`` first: built column
    by column (a frame per run cost about a fifth of a sampled run); the same table as
    :func:`_frame_per_run`, to which go runs with differing columns, no rows, columns of
    unequal length or seeds outside int64. pandas copies the columns into one block per dtype
    (a third of collecting's cost, kept: a frame left with a block per column, ``copy=False``,
    made later work on it 3-11 times slower, ``groupby`` and ``to_numpy`` on 384,000 rows,
    found by review)."""
    parts = [getattr(r, part) for r in results]
    if not parts or not parts[0]:
        return _frame_per_run(results, part)
    keys = list(parts[0])
    sizes = [len(next(iter(p.values()))) if p else 0 for p in parts]
    if (
        any(list(p) != keys for p in parts)
        or min(sizes) == 0
        or any(len(col) != n for p, n in zip(parts, sizes, strict=True) for col in p.values())
        or not all(_INT64[0] <= r.seed <= _INT64[1] for r in results)
    ):
        return _frame_per_run(results, part)
    data: dict[str, Any] = {
        "run": np.repeat(np.array([r.run for r in results], dtype=np.int64), sizes),
        "seed": np.repeat(np.array([r.seed for r in results], dtype=np.int64), sizes),
    }
    for k in keys:
        data[k] = _column([p[k] for p in parts])  # a Series has the index 0..n-1 of the rest
    return pd.DataFrame(data)


def collect(
    scenario: Scenario, root: int, seeds: list[int], results: Sequence[RunResult]
) -> Results:
    """Assemble run results (in run order) into tables."""
    ok = sorted((r for r in results if not r.error), key=lambda r: r.run)
    failed = sorted((r for r in results if r.error), key=lambda r: r.run)
    summary = pd.DataFrame([{"run": r.run, "seed": r.seed, **r.summary} for r in ok])
    every = sorted(results, key=lambda r: r.run)
    worlds = pd.DataFrame([{"run": r.run, "seed": r.seed, **r.world} for r in every if r.world])
    return Results(
        scenario,
        root,
        seeds,
        _frame(ok, "model"),
        _frame(ok, "allies"),
        _frame(ok, "events"),
        summary,
        failed,
        worlds,
        _frame(ok, "probe_options"),
    )


# the most replications one call runs: a sweep's largest number of runs (sim.sweeps.spec.MAX_RUNS);
# the command line allows fewer (--reps at most sim.cli.args.MAX_REPS)
MAX_REPLICATIONS = 2_000_000


def check_replications(
    scenario: Any, reps: Any, seed: Any, where: str = "run_replications"
) -> None:
    """Refuse, with one :class:`~sim.scenario.ScenarioError` naming the argument, what
    :func:`run_replications` (or ``where``) cannot run: found by fuzzing the Python API,
    ``reps=-1`` raised NumPy's OverflowError, ``reps=10**12`` ran out of memory spawning seeds,
    ``seed=-1`` or ``seed=1.5`` NumPy's ValueError or TypeError, and a scenario's name an
    AttributeError (:func:`run_one` returned such errors as a failed run's traceback)."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    if not isinstance(scenario, Scenario):
        raise ScenarioError(
            where,
            "scenario",
            "a Scenario (sim.load_scenario(name or path))",
            type(scenario).__name__,
        )
    _check_whole(where, (("reps", reps, MAX_REPLICATIONS), ("seed", seed, None)))


def _check_whole(where: str, values: tuple[tuple[str, Any, int | None], ...]) -> None:
    """Each ``(name, value, high)`` a whole number from 0 (to ``high``), else one
    :class:`~sim.scenario.ScenarioError` naming ``where`` and the argument."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    for name, value, high in values:
        whole = is_whole_number(value)
        if not whole or value < 0 or (high is not None and value > high):
            limit = f"from 0 to {high:,}" if high is not None else "0 or more"
            shown = value if whole or isinstance(value, float | str) else type(value).__name__
            raise ScenarioError(where, name, f"a whole number {limit}", shown)


def check_worlds(worlds: Any, where: str) -> None:
    """``worlds`` True or False (found by fuzzing: ``worlds="no"`` is true, and sampled)."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    if not isinstance(worlds, bool | np.bool_):
        raise ScenarioError(where, "worlds", "True or False", worlds)


def check_changes(scenario: Scenario, changes: Any, where: str = "run_replications") -> None:
    """Refuse, naming ``changes``, levers moved mid-run that a run cannot replay: each must be
    a ``(year, "section.name", value)`` triple, the years within the run (from its start to
    the year before its end) and in order, each value one the scenario takes (checked as
    :meth:`Scenario.with_params` checks it; ``run.`` and ``network.`` parameters are fixed once a
    run has started)."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    if isinstance(changes, str | bytes) or not isinstance(changes, Sequence):
        raise ScenarioError(where, "changes", "a sequence of (year, key, value)", changes)
    start, end = scenario.get("run.start_year"), scenario.get("run.end_year")
    last, now = start, scenario
    for change in changes:
        if not isinstance(change, tuple | list) or len(change) != 3:
            raise ScenarioError(where, "changes", "(year, key, value) triples", change)
        year, key, value = change
        if not is_whole_number(year):
            raise ScenarioError(where, "changes", "years as whole numbers", year)
        if not last <= year < end:
            raise ScenarioError(where, "changes", f"years in order from {start} to {end - 1}", year)
        if not isinstance(key, str) or key.startswith(FIXED_ONCE_STARTED):
            raise ScenarioError(where, "changes", "a parameter a running model can change", key)
        try:  # after the changes before it: rules across parameters hold for them together
            now = now.with_params({key: value})
        except ValueError as exc:
            raise ScenarioError(where, "changes", f"a value {key} takes ({exc})", value) from None
        last = year


# the most runs advanced together: past about 64 the engine's cost per run stops falling
# (benchmarks/engine_batch.py), and each run in a batch holds about 0.3 MB until it ends
MAX_BATCH = 128


def batch_size(reps: int, executor: Executor | None = None) -> int:
    """How many replications to advance together (:mod:`sim.engine`): all of them up to
    :data:`MAX_BATCH` in this process; over an executor, about four batches per worker
    process (``processes`` or ``_max_workers``, else 2), so that every worker has work and
    the progress bar moves."""
    if executor is None:
        return max(1, min(reps, MAX_BATCH))
    workers = getattr(executor, "processes", None) or getattr(executor, "_max_workers", None) or 2
    return max(1, min(MAX_BATCH, -(-reps // (4 * int(workers)))))


def run_replications(
    scenario: Scenario,
    reps: int,
    seed: int,
    executor: Executor | None = None,
    batch: int | None = None,
    progress: bool = False,
    worlds: bool = False,
    changes: Sequence[Change] = (),
) -> Results:
    """Run ``reps`` replications seeded from ``seed``; serially, or over ``executor``.

    ``changes``: levers moved mid-run, applied in every replication (:func:`run_one`).

    ``worlds``: each replication draws its world from its seed (:mod:`sim.runs.worlds`); the same
    root seed gives two scenarios the same worlds, replication by replication.

    Batches of ``batch`` runs are advanced together (:mod:`sim.engine`: a run's tables are the
    same whatever its batch) and go to each task as one; by default (None) :func:`batch_size`.
    ``progress`` shows a progress bar on standard error when it is a terminal (tqdm).
    """
    from tqdm import tqdm  # noqa: PLC0415 (only the command line asks for a bar)

    check_replications(scenario, reps, seed)
    check_worlds(worlds, "run_replications")
    check_changes(scenario, changes)
    check_recorded(scenario, "run_replications")
    seeds = replication_seeds(seed, reps)
    jobs: list[tuple[int, int, dict[str, Any] | None]] = [(i, s, None) for i, s in enumerate(seeds)]
    if worlds:
        from .worlds import draw_fitted_world, draw_world, scenario_ranges  # noqa: PLC0415

        ranges = scenario_ranges(scenario)
        drawn = [{**draw_fitted_world(scenario, s), **draw_world(ranges, s)} for s in seeds]
        jobs = [(i, s, w or None) for (i, s, _), w in zip(jobs, drawn, strict=True)]
    size = batch_size(reps, executor) if batch is None else batch
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    results: list[RunResult] = []
    with tqdm(
        total=reps, desc=scenario.name, unit="run", disable=None if progress else True, leave=False
    ) as bar:
        if executor is None:
            for c in chunks:
                results += _run_batch(scenario, c, changes)
                bar.update(len(c))
        else:
            futures = [executor.submit(_run_batch, scenario, c, changes) for c in chunks]
            for f in futures:
                results += f.result()
                bar.update(len(results) - bar.n)
    return collect(scenario, seed, seeds, results)

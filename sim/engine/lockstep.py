"""Replications advanced together to their end (:mod:`sim.engine`).

:func:`run_jobs` is what a replication batch runs (:func:`sim.runs.runner.run_replications`
sends it batches of jobs): it builds every job's model, groups the models by
:func:`~sim.engine.batch.structure`, and steps each group a year at a time with
:func:`sim.engine.year.step`, applying the levers moved mid-run (``changes``) in their years as
:func:`sim.runs.runner.run_one` does. Each run's tables are those it has alone (tested).

A failed run is data, not a crash, as it is alone: a model that cannot be built is recorded as
failed at once; if a year raises in a group, the group's runs are run again one at a time
(:func:`sim.runs.runner._run`), so the runs that do not fail keep their tables and the one that
fails is recorded with its own traceback.

In a process that does nothing but runs (a worker of :func:`sim.runs.pool.process_executor`:
:data:`sim.runs.pool.DEDICATED`), :func:`run_many` also sets the garbage collector to the runs
(:func:`_collecting`); anywhere else (a command's own process, the ui, the seminar) it leaves the
collector as it is.
"""

from __future__ import annotations

import gc
import os
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ..model.alliance import AllianceModel
from ..runs import pool
from ..runs.runner import (
    MAX_BATCH,
    Change,
    RunResult,
    _run,
    model_result,
    release_model,
    start_model,
)
from ..scenario import Scenario
from .batch import Batch, structure
from .year import step

# Raise instead of running a failed batch again one run at a time: for checks that a batched
# phase does not fail where its runs alone would not (benchmarks/golden.py, tests/test_engine.py);
# running them again keeps the tables right but hides the failure and the speed lost.
STRICT = os.environ.get("NATOSIM_ENGINE_STRICT", "") == "1"

Job = tuple[int, int, dict[str, Any] | None]  # (run, seed, world)
Item = tuple[Scenario, int, int, dict[str, Any] | None]  # (scenario, run, seed, world)


def run_jobs(
    scenario: Scenario, jobs: Sequence[Job], changes: Sequence[Change] = ()
) -> list[RunResult]:
    """Run ``jobs`` of ``scenario`` together; their results in the jobs' order."""
    return run_many([(scenario, *job) for job in jobs], changes)


def run_many(items: Sequence[Item], changes: Sequence[Change] = ()) -> list[RunResult]:
    """Run ``items`` ((scenario, run, seed, world): a sweep's task holds several points)
    together where their structure allows, at most :data:`MAX_BATCH` models alive at once;
    their results in the items' order."""
    results: dict[int, RunResult] = {}
    for start in range(0, len(items), MAX_BATCH):
        with _collecting():
            _run_chunk(items, range(start, min(start + MAX_BATCH, len(items))), changes, results)
    return [results[k] for k in range(len(items))]


def _run_chunk(
    items: Sequence[Item], ks: range, changes: Sequence[Change], results: dict[int, RunResult]
) -> None:
    """Build the models of ``items[k]`` for ``k`` in ``ks``, group them by structure and run
    each group to its end, putting each run's result in ``results[k]``. Its models are gone
    when it returns (nothing else holds them), for :func:`_collecting` to free."""
    groups: dict[tuple[Any, ...], list[tuple[int, AllianceModel, dict[str, Any]]]] = {}
    for k in ks:
        _, run, seed, world = items[k]
        try:
            model, used = start_model(items[k][0], seed, world)
        except Exception:  # a failed run is data, not a crash
            results[k] = RunResult(run, seed, error=traceback.format_exc(), world=dict(world or {}))
            continue
        groups.setdefault(structure(model), []).append((k, model, used))
    for group in groups.values():
        _run_group(items, group, changes, results)


_frozen = False  # whether this process has frozen what it held at its first runs (_collecting)


@contextmanager
def _collecting() -> Iterator[None]:
    """The garbage collector around a chunk of runs (at most :data:`MAX_BATCH` models), in a
    process that does nothing but runs (:data:`sim.runs.pool.DEDICATED`; anywhere else
    nothing is changed: the setting is process-wide, and the ui and seminar servers run batches
    too). There, at its first chunk, everything the process holds (about 100,000 objects:
    Python, NumPy, pandas, Mesa, the task that was sent) is collected once and frozen
    (:func:`gc.freeze`: never scanned again); during a chunk the automatic collections are off;
    after it, one collection frees its models (a model and its agents form reference cycles).
    Measured: the collections during a chunk free nothing (a run's cyclic garbage is its model,
    garbage only once the chunk is over), and without the freeze each full collection scans
    the imports' objects again (25-35 ms). Memory stays bounded by one chunk's models, as the
    collection after each chunk frees them. Cannot change a number: the collector only frees
    what nothing reaches."""
    global _frozen  # noqa: PLW0603 (once per process)
    if not pool.DEDICATED or not gc.isenabled():
        yield
        return
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def _run_group(
    items: Sequence[Item],
    group: list[tuple[int, AllianceModel, dict[str, Any]]],
    changes: Sequence[Change],
    results: dict[int, RunResult],
) -> None:
    """Advance ``group`` (models of one structure) to its end and put each run's result in
    ``results``."""
    try:
        _advance(Batch([m for _, m, _ in group]), changes)
    except Exception:  # find the run that fails: each again, alone
        if STRICT:
            raise
        for k, model, _ in group:
            release_model(model)
            scenario, run, seed, world = items[k]
            results[k] = _run(scenario, seed, run, world, changes)
        return
    for k, model, used in group:
        results[k] = model_result(model, items[k][1], items[k][2], used)
        release_model(model)


def _advance(batch: Batch, changes: Sequence[Change]) -> None:
    """Step ``batch`` to its end year, moving the levers ``changes`` in their years."""
    first = batch.models[0]
    for year, key, value in changes:
        while first.year < min(year, first.end_year):
            step(batch)
        for m in batch.models:
            m.change_params({key: value}, source="a lever moved mid-run")
    while first.year < first.end_year:
        step(batch)

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
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Sequence
from typing import Any

from ..model.alliance import AllianceModel
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
        groups: dict[tuple[Any, ...], list[tuple[int, AllianceModel, dict[str, Any]]]] = {}
        for k in range(start, min(start + MAX_BATCH, len(items))):
            _, run, seed, world = items[k]
            try:
                model, used = start_model(items[k][0], seed, world)
            except Exception:  # a failed run is data, not a crash
                results[k] = RunResult(
                    run, seed, error=traceback.format_exc(), world=dict(world or {})
                )
                continue
            groups.setdefault(structure(model), []).append((k, model, used))
        for group in groups.values():
            _run_group(items, group, changes, results)
    return [results[k] for k in range(len(items))]


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

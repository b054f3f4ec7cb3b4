"""Running a sweep's tasks over a ``concurrent.futures.Executor``.

A task is a fixed list of (point, replication) runs. Workers run it with :func:`run_task`, which
returns each table already encoded as Parquet bytes, so the main process only writes files and
its memory stays flat however large the sweep. Workers: this process alone (one worker), this
process with a local process pool (``spawn`` context), or a Dask cluster's
``client.get_executor(pure=False)`` (``pure=False``: Dask must not merge tasks that look
identical).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine.lockstep import run_many
from ..runs.pool import process_executor
from ..runs.runner import RunResult, _one_kind
from ..runs.store import with_units
from ..scenario import Scenario
from .store import TABLES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its point, replication, global run id, seed and factor values."""

    point: int
    rep: int
    run: int
    seed: int
    params: tuple[tuple[str, Any], ...]
    # the sampled values of this run's world (empty: point values), shared by every point
    world: tuple[tuple[str, Any], ...] = ()


# the columns that say which run a row is of, first in every table of a task
KEYS = ("point", "rep", "run", "seed")


def _encode(columns: dict[str, Any]) -> bytes:
    """One table of a task as Parquet bytes (with its columns' units, ``with_units``)."""
    table = with_units(pa.table(columns))
    # dictionary encoding only where it pays (text: ISO3 codes, kinds, verdicts); on numbers it
    # costs a third of the encoding time and makes the files larger
    text = [f.name for f in table.schema if pa.types.is_string(f.type)]
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", use_dictionary=text or False)
    return sink.getvalue().to_pybytes()


def _joined(pieces: list[Any]) -> Any:
    """The runs' pieces of one column (lists or arrays) as one array, as each piece made an
    array and the arrays concatenated give it (NumPy's promotion across the runs):

    * arrays are concatenated;
    * lists whose items are all of one plain Python type (``runner._one_kind``: then NumPy
      infers the same dtype from the whole as from each piece) are chained and made one array
      at once; text goes straight to an Arrow array (a NumPy text array is four bytes a
      character, and Arrow converts it again), unless a text holds a NUL character (NumPy drops
      trailing NULs: the table keeps what it had);
    * anything else, or a list that is empty (``np.asarray([])`` is float64, which promotes the
      others: a run without events made a task's event years floats, and still does), piece by
      piece.
    """
    if all(type(p) is np.ndarray for p in pieces):
        return np.concatenate(pieces)
    if all(type(p) is list and p for p in pieces):
        chained = list(itertools.chain.from_iterable(pieces))
        if _one_kind(chained):
            if type(chained[0]) is str and "\x00" not in "".join(chained):
                return pa.array(chained, type=pa.string())
            return np.asarray(chained)
    return np.concatenate([np.asarray(p) for p in pieces])


def _columns(runs: Sequence[Run], parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One table of a task, built once from its runs' columns (``parts[i]``: run ``runs[i]``'s
    columns, lists or arrays of equal length): :data:`KEYS` repeated over each run's rows, then
    each column (in the order the runs first name them) joined over the runs that have it
    (:func:`_joined`). The table a frame per run concatenated would give."""
    sizes = [len(next(iter(p.values()))) if p else 0 for p in parts]
    cols: dict[str, Any] = {
        key: np.repeat(np.array([getattr(r, key) for r in runs], dtype=np.int64), sizes)
        for key in KEYS
    }
    for name in dict.fromkeys(k for p in parts for k in p):
        cols[name] = _joined([p[name] for p in parts if name in p])
    return cols


def run_task(base: Scenario, runs: Sequence[Run]) -> tuple[dict[str, bytes], dict[str, int]]:
    """Run every run of a task; return the tables as Parquet bytes and the counts.

    A run whose parameters are rejected or whose model raises becomes a row of the
    ``failures`` table with its traceback; the others go on. A run in a sampled world adds its
    row to the ``worlds`` table (one column per sampled parameter, the values the run used),
    failed or not. Each table is built once from the runs' columns (:func:`_columns`) and
    written once; a table no run adds to is not written.
    """
    scenarios: dict[int, Scenario | str] = {}
    for run in runs:
        if run.point not in scenarios:
            try:
                scenarios[run.point] = base.with_params(
                    dict(run.params), source=f"point {run.point}"
                )
            except Exception as exc:  # bad factor values are data, not a crash
                scenarios[run.point] = f"{type(exc).__name__}: {exc}"
    # the task's runs advance together (sim.engine): each run's tables are those it has alone
    built = {k: sc for k, sc in scenarios.items() if isinstance(sc, Scenario)}
    runnable = [r for r in runs if r.point in built]
    done = dict(
        zip(
            (r.run for r in runnable),
            run_many([(built[r.point], r.run, r.seed, dict(r.world) or None) for r in runnable]),
            strict=True,
        )
    )
    return _task_tables(runs, scenarios, done)


def _task_tables(
    runs: Sequence[Run], scenarios: dict[int, Scenario | str], done: dict[int, RunResult]
) -> tuple[dict[str, bytes], dict[str, int]]:
    """The tables of a task's finished ``runs`` (``done``: their results by run id; a run of
    a point whose ``scenarios`` entry is an error's text failed before it started) as Parquet
    bytes, and the counts."""
    rows: dict[str, list[tuple[Run, dict[str, Any]]]] = {t: [] for t in TABLES}
    failed = 0
    for run in runs:
        sc = scenarios[run.point]
        world = dict(run.world)
        result = (
            RunResult(run.run, run.seed, error=sc, world=world)
            if isinstance(sc, str)
            else done[run.run]
        )
        if world:
            rows["worlds"].append((run, {k: [v] for k, v in (result.world or world).items()}))
        if result.error:
            failed += 1
            rows["failures"].append((run, {"error": [result.error]}))
            continue
        rows["model"].append((run, result.model))
        rows["allies"].append((run, result.allies))
        rows["events"].append((run, result.events))
        rows["summary"].append((run, {k: [v] for k, v in result.summary.items()}))
    parts = {
        name: _encode(_columns([r for r, _ in got], [p for _, p in got]))
        for name, got in rows.items()
        if got
    }
    return parts, {"runs": len(runs), "failed": failed}


@dataclass(frozen=True)
class Workers:
    """Where a sweep's tasks run: on ``executor`` (None: no other process) and, if ``inline``,
    in this process too; ``width`` tasks run at once."""

    executor: Executor | None
    inline: bool
    width: int
    # a Dask cluster: how many worker threads it has now (a sweep waiting on an empty cluster
    # says so instead of waiting in silence)
    threads: Callable[[], int] | None = None


GUARD_HINT = (
    "the sweep's worker processes stopped at start-up. Worker processes are started fresh and "
    "import the calling script again: a script that calls sim.sweep() must do so under "
    '`if __name__ == "__main__":`, or pass workers=1 (natosim sweep needs neither).'
)


def refuse_in_worker_start_up() -> None:
    """Raise :data:`GUARD_HINT` when called while a spawned worker imports the user's script
    (a script without a ``__main__`` guard would otherwise start sweeps inside its workers)."""
    if (
        multiprocessing.parent_process() is not None
        and multiprocessing.current_process().name.startswith(("SpawnProcess", "ForkServerProcess"))
    ):
        import __main__  # noqa: PLC0415

        if getattr(__main__, "__name__", "") == "__mp_main__":
            raise RuntimeError(GUARD_HINT)


class SchedulerError(RuntimeError):
    """The Dask scheduler cannot be reached, has no workers, or was lost during the sweep."""


# how long a sweep waits for a cluster to get a worker before giving up, and how often it says
# that it is waiting
NO_WORKER_WAIT_S = 120.0
NOTICE_EVERY_S = 15.0


# the loggers of Dask's client and the event loop under it: while a sweep uses a cluster, every
# failure they log (with a traceback) is one this module turns into a SchedulerError whose
# message says it in the project's words, with the resume command
CLUSTER_LOGGERS = ("distributed", "tornado", "asyncio")


def _cluster_record(record: logging.LogRecord) -> bool:
    """False for a record of :data:`CLUSTER_LOGGERS` (a logging filter)."""
    return not record.name.startswith(CLUSTER_LOGGERS)


@contextmanager
def quiet_cluster_logs() -> Iterator[None]:
    """Silence :data:`CLUSTER_LOGGERS`: every logger of theirs is raised to CRITICAL for the
    duration (Dask's configuration sets a level on each, such as ``distributed.client``), and
    the root logger's handlers drop their records from then on (the client's event-loop thread
    still logs the lost connection's traceback as the command ends)."""
    from ..extras import require  # noqa: PLC0415

    # its configuration sets its loggers' levels
    require("dask", "distributed", "natosim sweep --scheduler")

    names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in CLUSTER_LOGGERS]
    loggers = [logging.getLogger(n) for n in {*CLUSTER_LOGGERS, *names}]
    levels = [lg.level for lg in loggers]
    handlers = list(logging.root.handlers)
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    for h in handlers:
        h.addFilter(_cluster_record)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextmanager
def make_workers(workers: int | None, scheduler: str | None) -> Iterator[Workers]:
    """The workers of a sweep.

    * ``scheduler`` given: the Dask cluster's executor (``pure=False``), as many tasks at once
      as the cluster has threads; this process only writes.
    * Otherwise ``workers`` local workers (all cores when None): this process and a ``spawn``
      pool of ``workers - 1`` processes. The main process is one of the workers because it
      would otherwise sit idle on a core while the others compute (and one process fewer to
      spawn: each spends about a second importing before its first run).
    """
    if scheduler:
        with quiet_cluster_logs():
            yield from _cluster_workers(scheduler)
        return
    n = workers or os.cpu_count() or 1
    if n <= 1:
        yield Workers(None, inline=True, width=1)
        return
    pool = process_executor(n - 1)  # a worker ends on Ctrl-C without a traceback
    try:
        # the width the sweep plans for (task size, tasks in flight): the processes memory holds
        yield Workers(pool, inline=True, width=1 + pool.processes)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> int:
    return os.getpid()


def warm_up(workers: Workers) -> None:
    """Have a local pool start every process now (spawning and importing take about a second
    each), so that the start-up overlaps whatever the caller does next."""
    if isinstance(workers.executor, ProcessPoolExecutor):
        for _ in range(workers.width - 1):
            workers.executor.submit(_ready)


def _wait(in_flight: dict[Future[Any], int], workers: Workers) -> set[Future[Any]]:
    """Wait for a task to finish. On a Dask cluster that has lost every worker, say so every
    ``NOTICE_EVERY_S`` seconds and give up after ``NO_WORKER_WAIT_S`` (the sweep is resumable)."""
    waited = 0.0
    while True:
        finished, _ = wait(in_flight, timeout=NOTICE_EVERY_S, return_when=FIRST_COMPLETED)
        if finished or workers.threads is None:
            return finished
        if workers.threads() > 0:
            waited = 0.0
            continue
        waited += NOTICE_EVERY_S
        if waited >= NO_WORKER_WAIT_S:
            raise SchedulerError("the Dask cluster has had no workers for two minutes")
        log.warning("the Dask cluster has no workers: waiting (%.0f s so far)", waited)


def stream_tasks(
    base: Scenario, tasks: dict[int, list[Run]], workers: Workers
) -> Iterator[tuple[int, dict[str, bytes], dict[str, int]]]:
    """Yield ``(task_id, parts, counts)`` as tasks finish.

    Tasks go to the executor in order, a few per worker at a time (so that memory stays flat
    and little is left queued at the end); when nothing has come back and this process is a
    worker, it runs the last pending task itself.
    """
    pending = deque(tasks.items())
    executor = workers.executor
    if executor is None:
        for task_id, runs in pending:
            parts, counts = run_task(base, runs)
            yield task_id, parts, counts
        return
    window = 2 * (workers.width - 1) if workers.inline else 4 * workers.width
    in_flight: dict[Future[Any], int] = {}
    try:
        while pending or in_flight:
            while pending and len(in_flight) < window:
                task_id, runs = pending.popleft()
                in_flight[executor.submit(run_task, base, runs)] = task_id
            finished = {f for f in in_flight if f.done()}
            if not finished and workers.inline and pending:
                task_id, runs = pending.pop()
                parts, counts = run_task(base, runs)
                yield task_id, parts, counts
                continue
            if not finished:
                finished = _wait(in_flight, workers)
            for fut in finished:
                task_id = in_flight.pop(fut)
                try:
                    parts, counts = fut.result()
                except CancelledError:  # Dask cancels everything when the scheduler goes
                    raise SchedulerError("the Dask scheduler was lost during the sweep") from None
                except BrokenProcessPool:
                    raise RuntimeError(GUARD_HINT) from None
                yield task_id, parts, counts
    finally:
        for fut in in_flight:
            fut.cancel()


def _cluster_workers(scheduler: str) -> Iterator[Workers]:
    """The workers of a Dask cluster (see :func:`make_workers`)."""
    from ..extras import require  # noqa: PLC0415

    # a slow import, only when asked
    Client = require("dask", "distributed", "natosim sweep --scheduler").Client

    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"no Dask scheduler answers at {scheduler} ({exc})") from None

    def threads() -> int:
        try:
            return int(sum(client.nthreads().values()))
        except Exception:  # the scheduler is gone
            return 0

    try:
        if threads() == 0:
            log.warning("the Dask cluster at %s has no workers yet: waiting", scheduler)
            try:
                client.wait_for_workers(1, timeout=NO_WORKER_WAIT_S)
            except (TimeoutError, OSError):
                raise SchedulerError(
                    f"the Dask cluster at {scheduler} has no workers (start some with "
                    f"`dask worker {scheduler}`)"
                ) from None
        yield Workers(
            client.get_executor(pure=False),
            inline=False,
            width=max(1, threads()),
            threads=threads,
        )
    finally:
        client.close()

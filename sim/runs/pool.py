"""Worker processes for replications, sweeps and calibration: a ``spawn`` pool whose workers end
with the command that started them, and no more of them than the machine's memory holds.

Standard library only: a worker imports this module before anything else of natosim (its
initializer lives here), so it must not pull in NumPy, pandas or Mesa.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

MAX_WORKERS = 256
"""Most worker processes a command or a sweep may ask for (``--workers``, ``sim.sweep``): the
largest machines the project expects have 128 cores; more than that is a mistyped number."""

WORKER_MEMORY_MB = 250
"""Memory one worker process takes, MB: a worker running baseline replications holds about
200 MB resident (Python, NumPy, pandas, Mesa and a model; 6 workers of ``natosim run baseline
--reps 400 --workers 6`` measured 197-203 MB each), plus a margin for longer scenarios. Used only
to cap the number of workers to what the machine's free memory holds."""

DEDICATED = False
"""Whether this process does nothing but runs (:func:`dedicate`): a worker of
:func:`process_executor` (:func:`start_worker`), or the process of a ``natosim`` command that
runs models and writes their results (:func:`sim.cli.entry.main`); never the ui's or the
seminar's, nor a Python session that calls the package. Where it is set, the runs may tune the
process-wide garbage collector to themselves (:func:`sim.engine.lockstep.run_many`)."""


def dedicate() -> None:
    """Mark this process as one that does nothing but runs (:data:`DEDICATED`)."""
    global DEDICATED  # noqa: PLW0603 (the process's own mark, set once at its start)
    DEDICATED = True


PARENT_POLL_S = 1.0
"""How often a worker checks that the command that started it is still there, s: a worker left
behind by a killed command (SIGKILL, the kernel's out-of-memory killer) ends within a second or
two instead of holding its memory for ever."""


def available_memory_mb() -> float | None:
    """Memory a new process can take without swapping, MB: ``MemAvailable`` of ``/proc/meminfo``,
    lowered to the room left under this process's cgroup memory limits (:func:`cgroup_room_mb`:
    containers, batch schedulers); None where neither can be read (not Linux)."""
    found: list[float] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) / 1024)
                break
    except (OSError, ValueError, IndexError):
        pass
    room = cgroup_room_mb()
    if room is not None:
        found.append(room)
    return min(found) if found else None


def cgroup_room_mb(
    proc_cgroup: Path = Path("/proc/self/cgroup"), mount: Path = Path("/sys/fs/cgroup")
) -> float | None:
    """The least room, MB, under the memory limits of this process's cgroup and of those above
    it (a batch scheduler's job, a container): the limit less what is used, page cache that can
    be dropped (``inactive_file``) not counted as used. cgroup v2 (``memory.max``) and v1 (the
    ``memory`` controller's ``memory.limit_in_bytes``); None where no limit can be read."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    rooms = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # cgroup v2
            root, files = mount, ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):  # cgroup v1
            root, files = mount / "memory", ("memory.limit_in_bytes", "memory.usage_in_bytes")
        else:
            continue
        folder = root / path.strip("/")
        while True:
            room = _room(folder, *files)
            if room is not None:
                rooms.append(room)
            if folder == root or root not in folder.parents:
                break
            folder = folder.parent
    return min(rooms) if rooms else None


def _room(folder: Path, limit_file: str, usage_file: str) -> float | None:
    """The room under one cgroup's memory limit, MB (None: no limit, or none readable)."""
    try:
        limit = (folder / limit_file).read_text().strip()
        if limit == "max":
            return None
        used = int((folder / usage_file).read_text())
        stat = {}
        for line in (folder / "memory.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            stat[key] = value
        cache = int(stat.get("inactive_file") or stat.get("total_inactive_file") or 0)
        return max(0, int(limit) - max(0, used - cache)) / 2**20
    except (OSError, ValueError):
        return None


def within_memory(workers: int) -> int:
    """``workers``, or fewer when the machine's free memory does not hold that many worker
    processes (:data:`WORKER_MEMORY_MB` each), saying so; at least one. Found by fuzzing:
    ``sim.sweep(workers=10**6)`` on a 24 GB machine spawned processes until the kernel killed the
    command (``--workers 256``, which the command line allows, would need about 51 GB at the
    200 MB measured)."""
    free = available_memory_mb()
    if free is None:
        return workers
    fits = max(1, int(free // WORKER_MEMORY_MB))
    if workers <= fits:
        return workers
    log.warning(
        "%d worker processes would need about %.1f GB (%d MB each) and %.1f GB is free for "
        "new processes: using %d",
        workers,
        workers * WORKER_MEMORY_MB / 1024,
        WORKER_MEMORY_MB,
        free / 1024,
        fits,
    )
    return fits


def start_worker(parent: int) -> None:
    """A worker's initializer: SIGINT's default action (see :func:`process_executor`), a
    watch that ends the worker once ``parent``, the command's process, is gone, and the process
    marked as one that does nothing but runs (:data:`DEDICATED`). On Linux and macOS an orphan
    is given to another parent, so ``os.getppid`` changes; on Windows it keeps the dead
    parent's id and the watch never fires: not handled there."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    dedicate()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)  # the command is gone: nobody reads this worker's results

    threading.Thread(target=watch, name="natosim-parent-watch", daemon=True).start()


class _WorkerPool(ProcessPoolExecutor):
    """A spawn pool whose workers start with SIGINT ignored (see :func:`process_executor`);
    ``processes``: how many it may start, after :func:`within_memory`."""

    processes: int

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> Literal[False]:
        """Left by an exception (a stopped command: SIGTERM, Ctrl-C), the work not started is
        cancelled, not waited for (found by fuzzing: a stopped run waited 89 s for every
        replication submitted; ``calibrate --workers`` for every bootstrap refit)."""
        self.shutdown(wait=True, cancel_futures=exc_type is not None)
        return False

    def _spawn_process(self) -> None:
        # SIGINT ignored while a worker is started: an ignored signal stays ignored across
        # exec, so the new interpreter starts without a KeyboardInterrupt handler and a Ctrl-C
        # during its first tenth of a second (multiprocessing's bootstrap, before the
        # initializer) no longer prints a traceback; the initializer then restores SIGINT's
        # default action. Only the main thread may set handlers (it is the one that submits).
        if threading.current_thread() is not threading.main_thread():
            super()._spawn_process()  # type: ignore[misc]
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            super()._spawn_process()  # type: ignore[misc]
        finally:
            # None: a handler set outside Python; the default is the nearest Python can restore
            signal.signal(
                signal.SIGINT, signal.default_int_handler if previous is None else previous
            )


def process_executor(workers: int | None = None) -> _WorkerPool:
    """A process pool with an explicit start method (``import mesa`` in 3.3.1 forces spawn
    globally; choosing it here makes the behaviour the same on every Mesa version), of
    ``workers`` processes (all cores when None) or as many as free memory holds
    (:func:`within_memory`).

    Ctrl-C in a terminal signals every process of the foreground group, the workers too: a
    worker takes SIGINT's default action (it ends, as on SIGTERM) instead of raising
    KeyboardInterrupt, which printed a traceback of whatever it was importing or running
    (found by fuzzing); the command's own process says that it was interrupted and what is
    kept. A command killed outright (SIGKILL) cannot tell its workers; each ends by itself
    once its parent is gone (:func:`start_worker`). The initializer's module imports the
    standard library only, so the worker takes it before NumPy, pandas and Mesa."""
    processes = within_memory(workers or os.cpu_count() or 1)
    pool = _WorkerPool(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(),),
    )
    pool.processes = processes
    return pool

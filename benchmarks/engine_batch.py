"""Runs per second of the engine (issue 25) by batch size, and where a year's time goes.

Advances baseline replications (every output collected) through
:func:`sim.engine.lockstep.run_jobs` in batches of R runs, for each R given, and prints runs
per second of CPU time (one process) and, for the largest R, the CPU time of each phase of the
year (:data:`sim.engine.year.PHASES`) per run. Figures, not a test: compare ratios within one
invocation on this shared machine.

Usage: ``python benchmarks/engine_batch.py [RUNS] [R ...]`` (default 256 runs, R = 1 8 64 256).
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

import sim
from sim.engine import year
from sim.engine.lockstep import run_jobs

ROOT = Path(__file__).resolve().parent.parent


def main(runs: int, sizes: list[int]) -> None:
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    seeds = sim.replication_seeds(1, runs)
    jobs = [(i, s, None) for i, s in enumerate(seeds)]
    run_jobs(scenario, jobs[:2])  # warm caches (data files, imports)
    spent: collections.Counter[str] = collections.Counter()
    phases = year.PHASES

    def timed(phase):
        def run(batch):
            t0 = time.process_time()
            phase(batch)
            spent[phase.__name__] += time.process_time() - t0

        return run

    for r in sizes:
        last = r == max(sizes)
        if last:
            year.PHASES = tuple(timed(p) for p in phases)
        t0 = time.process_time()
        for i in range(0, runs, r):
            out = run_jobs(scenario, jobs[i : i + r])
            assert not any(x.error for x in out), next(x.error for x in out if x.error)
        cpu = time.process_time() - t0
        year.PHASES = phases
        print(f"R = {r:4d}: {runs / cpu:7.1f} runs/s of CPU ({cpu / runs * 1000:.2f} ms a run)")
    total = sum(spent.values())
    print(f"phases at R = {max(sizes)}, CPU ms per run (of {total / runs * 1000:.2f} in the year):")
    for name, t in spent.most_common():
        print(f"  {name:20s} {t / runs * 1000:6.2f}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if args else 256, args[1:] or [1, 8, 64, 256])

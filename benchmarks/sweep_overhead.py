"""What a sweep spends outside the model's years: CPU per run, at 1 worker.

Two figures:

1. A ``natosim sweep`` of the baseline (an LHS of ``united_states.threat_intensity``, ``N`` runs,
   1 worker, tasks of 50 runs): CPU per run in all, and outside ``lockstep.run_many`` (the
   points' scenarios, the tables built and encoded as Parquet, the store's writes, the
   garbage collector's share). The best of ``REPS`` sweeps after one to warm up.
2. One task's tables alone (``sim.sweeps.execute._task_tables`` on 50 finished runs, by
   table: building the columns and encoding them), the best of several: steadier than (1) on
   a shared machine.

Usage: ``PYTHONPATH=$PWD python benchmarks/sweep_overhead.py [N] [REPS]`` (default 400, 3).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sim
from sim.sweeps import execute
from sim.sweeps.execute import Run

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
TI = "united_states.threat_intensity"


def sweep_figures(n: int, reps: int) -> None:
    inside = [0.0]
    real = execute.run_many

    def timed(*args: Any, **kw: Any) -> Any:
        c0 = time.process_time()
        try:
            return real(*args, **kw)
        finally:
            inside[0] += time.process_time() - c0

    execute.run_many = timed
    tmp = Path(tempfile.mkdtemp())
    try:
        rows = []
        for rep in range(reps + 1):
            inside[0] = 0.0
            c0 = time.process_time()
            sim.sweep(
                BASELINE,
                {TI: (0.0, 1.0)},
                design="lhs",
                samples=n,
                reps=1,
                seed=1,
                out=tmp / f"s{rep}",
                workers=1,
                progress=False,
            )
            cpu = time.process_time() - c0
            if rep:  # the first one warms up
                rows.append((1000 * cpu / n, 1000 * (cpu - inside[0]) / n))
    finally:
        execute.run_many = real
        shutil.rmtree(tmp)
    total, outside = min(r[0] for r in rows), min(r[1] for r in rows)
    print(f"sweep of {n} runs, 1 worker: {total:.2f} ms CPU a run, {outside:.2f} outside run_many")


def task_figures(size: int = 50, repeat: int = 7) -> None:
    base = sim.load_scenario(BASELINE)
    seeds = sim.replication_seeds(1, size)
    runs = [Run(i, 0, i, s, ((TI, i / size),)) for i, s in enumerate(seeds)]
    scenarios: dict[int, sim.Scenario | str] = {
        r.point: base.with_params(dict(r.params)) for r in runs
    }
    results = execute.run_many([(scenarios[r.point], r.run, r.seed, None) for r in runs])
    done = {r.run: res for r, res in zip(runs, results, strict=True)}
    spent: dict[str, float] = {}
    columns, encode = execute._columns, execute._encode

    def timed(label: str, f: Any) -> Any:
        def g(*args: Any) -> Any:
            c0 = time.process_time()
            try:
                return f(*args)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - c0

        return g

    best = float("inf")
    try:
        execute._columns, execute._encode = timed("columns", columns), timed("encode", encode)
        for _ in range(repeat):
            before = dict(spent)
            c0 = time.process_time()
            execute._task_tables(runs, scenarios, done)
            took = time.process_time() - c0
            if took < best:
                best, parts = took, {k: spent[k] - before.get(k, 0.0) for k in spent}
    finally:
        execute._columns, execute._encode = columns, encode
    shown = ", ".join(f"{k} {1000 * v / size:.3f}" for k, v in parts.items())
    print(f"one task's tables ({size} runs): {1000 * best / size:.3f} ms CPU a run ({shown})")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    task_figures()
    sweep_figures(n, reps)

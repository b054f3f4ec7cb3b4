"""Median wall time of one baseline run (2025-2040, every output collected).

Target (issue 2): at most 20 ms per 16-year run on the project's 2-core machines. Prints figures;
it is not a test (shared machines are noisy). Usage: ``python benchmarks/run_baseline.py [N]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parent.parent


def main(n: int = 200) -> None:
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    seeds = sim.replication_seeds(1, n)
    sim.run_one(scenario, seeds[0])  # warm caches (data files, imports)
    times = []
    for i, seed in enumerate(seeds):
        t0 = time.perf_counter()
        result = sim.run_one(scenario, seed, run=i)
        times.append(time.perf_counter() - t0)
        assert not result.error, result.error
    years = len(result.model["year"])
    med = statistics.median(times) * 1000
    q = statistics.quantiles(times, n=10)
    print(
        f"baseline, {years} years, {n} runs: median {med:.1f} ms per run "
        f"(10th-90th percentile {q[0] * 1000:.1f}-{q[-1] * 1000:.1f} ms); target <= 20 ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

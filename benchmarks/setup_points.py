"""A model's construction at one point against a new point each time (issue 25).

A sweep makes every point a new scenario (``base.with_params(...)``); what a model's start
computes from its scenario alone is shared by the models of one scenario and, where the change
does not reach it, with the scenario it was made from (``AllianceModel._init_shared``'s
``depends``). This prints the CPU a model's construction costs at one point (everything
shared) and at a new point of the US's threat intensity each time, the garbage collector off
while timing (its share depends on what the process holds).

Usage: ``PYTHONPATH=$PWD python benchmarks/setup_points.py [N] [ROUNDS]`` (default 300, 2).
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import sim
from sim.model.alliance import AllianceModel
from sim.runs.runner import release_model

ROOT = Path(__file__).resolve().parent.parent
KEY = "united_states.threat_intensity"


def built(scenarios: list[sim.Scenario]) -> float:
    """CPU ms a model to build one model of each of ``scenarios``."""
    models = []
    gc.disable()
    try:
        t0 = time.process_time()
        for i, sc in enumerate(scenarios):
            models.append(AllianceModel(sc, rng=i))
        spent = time.process_time() - t0
    finally:
        gc.enable()
    for m in models:
        release_model(m)
    del models
    gc.collect()
    return 1000 * spent / len(scenarios)


def main(n: int, rounds: int) -> None:
    base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    AllianceModel(base, rng=0)  # the base's own start, as a sweep's base has built it
    for _ in range(rounds):
        one = base.with_params({KEY: 0.7})
        same = built([one] * n)
        distinct = built([base.with_params({KEY: (i + 0.5) / n}) for i in range(n)])
        print(f"one point {same:.3f} ms a model; a new point each time {distinct:.3f} ms a model")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 2
    )

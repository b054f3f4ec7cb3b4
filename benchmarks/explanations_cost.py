"""What the explanations cost a run (issue "Every decision explained": at most 10%).

Times baseline runs as shipped and with the explanation bookkeeping replaced by stubs (the
budget's terms, Russia's probe options, the events' ``why`` strings stay as cheap as a stub can
make them), alternating the two in one process so the machine's load hits both alike. Prints
figures; it is not a test. Usage: ``python benchmarks/explanations_cost.py [N]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

import sim
from sim.agents import budget_why
from sim.mechanisms import crisis
from sim.model import outputs

ROOT = Path(__file__).resolve().parent.parent


def _stubbed():
    """Patches that skip the explanations' work; returns a function restoring the originals."""
    saved = (
        budget_why.situation_terms,
        budget_why.budget_terms,
        outputs._record_options,
        crisis.why,
    )

    def situation(a, base, *args):
        return {k: np.zeros(np.shape(base)) for k in ("base", *budget_why.SITUATION)}

    def terms(now, start, rate, coercion, shock, before, rule):
        zero = np.zeros_like(before)
        return dict.fromkeys(budget_why.RULE_TERMS, zero)

    budget_why.situation_terms = situation
    budget_why.budget_terms = terms
    outputs._record_options = lambda models: None
    crisis.why = lambda model, c: ""

    def restore():
        (
            budget_why.situation_terms,
            budget_why.budget_terms,
            outputs._record_options,
            crisis.why,
        ) = saved

    return restore


def main(n: int = 200) -> None:
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    seeds = sim.replication_seeds(1, n)
    sim.run_one(scenario, seeds[0])
    full, bare = [], []
    for seed in seeds:
        t0 = time.perf_counter()
        sim.run_one(scenario, seed)
        full.append(time.perf_counter() - t0)
        restore = _stubbed()
        try:
            t0 = time.perf_counter()
            sim.run_one(scenario, seed)
            bare.append(time.perf_counter() - t0)
        finally:
            restore()
    f, b = statistics.median(full) * 1000, statistics.median(bare) * 1000
    print(f"baseline run, median of {n}: with explanations {f:.2f} ms, without {b:.2f} ms")
    print(f"the explanations cost {100 * (f / b - 1):+.1f}% of a run")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)

"""The project's sweep against ``mesa.batch_run``: throughput, peak memory, scaling.

One invocation measures, each in a fresh child process (so peak memory is its own):

1. ``mesa.batch_run`` over the baseline model, 1,000 runs (a Latin hypercube of
   ``united_states.threat_intensity``), one process, with a Mesa ``DataCollector`` that collects
   the same outputs as natosim's tables (every model column each year, every ally column each
   year);
2. ``natosim sweep`` of the same design, 1 worker, then 2 workers;
3. ``natosim sweep`` of 10,000 runs with 2 workers (skip with ``--quick``).

It prints runs per second, the ratio of the two throughputs, peak resident memory (the child
process and its workers), the speedup from 1 to 2 workers, and the 10,000 / 1,000 memory ratio.
Targets (issue 4): at least 3x the throughput of batch_run; 10,000 runs in under 60 s on two
cores; peak memory at 10,000 runs at most 1.2x that at 1,000. Figures, not a test: compare ratios
within one run on a shared machine.

Usage: ``python benchmarks/sweep_vs_batch_run.py [--quick] [--large] [--scale-only]``:
``--large`` adds 100,000 runs on 2 workers (issue 25: under 2 minutes, peak memory at most 1.2x
that at 10,000); ``--scale-only`` measures only the sweeps at scale (1,000, 10,000 and, with
``--large``, 100,000 runs), not ``batch_run``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import mesa

import sim
from sim.agents import Ally
from sim.agents.budget_why import TERMS as WHY_TERMS
from sim.model.alliance import AllianceModel
from sim.model.outputs import ALLY_COLUMNS, MODEL_COLUMNS
from sim.sweeps.designs import build_design
from sim.sweeps.spec import Factor, build_spec

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"


def _peak_mb() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (me + kids) / 1024.0  # kB on Linux; workers counted at their largest


@lru_cache(maxsize=1)
def _base() -> sim.Scenario:
    return sim.load_scenario(BASELINE)  # once per process, as the sweep does


class BatchModel(AllianceModel):
    """The baseline model with the swept factor as a keyword and a Mesa DataCollector that
    collects the outputs natosim's tables hold (every model column and every ally column, every
    year).

    Given its best chance: the base scenario is read once per process; the agent reporters
    read the allies' state arrays directly (``agent.arrays.threat[agent.index]``) rather than
    through the agents' attributes, which cost a Python call each; what several reporters share
    (the year's model row, from ``Recorder.latest_row``, and the allies' capability) is
    computed once a year. The DataCollector's tables hold the same values as natosim's
    (checked in ``tests/test_sweep.py``).
    """

    def __init__(self, threat_intensity: float = 0.7, rng: int | None = None) -> None:
        scenario = _base().with_params({"united_states.threat_intensity": threat_intensity})
        super().__init__(scenario, rng=rng)
        arrays = {
            "iso3": None,
            "genuine_core_pct": "core_pct",
            "reclassified_pct": "reclassified_pct",
            "related_pct": "related_pct",
            "gdp_bn": "gdp_bn",
            "threat": "threat",
            "trust": "trust",
            "member": "member",
            "greyzone_attacks": "greyzone_attacks",
        }

        def field(name: str) -> Callable[[mesa.Agent], Any]:
            return lambda a: getattr(a.arrays, name)[a.index] if isinstance(a, Ally) else None

        def ally(f: Callable[[Ally], Any]) -> Callable[[mesa.Agent], Any]:
            return lambda a: f(a) if isinstance(a, Ally) else None

        reporters = {f"ally_{k}": field(v) for k, v in arrays.items() if v}
        reporters["ally_iso3"] = ally(lambda a: a.iso3)
        s = self.ally_state
        reporters["ally_core_pct"] = ally(
            lambda a: s.core_pct[a.index] + s.reclassified_pct[a.index]
        )
        reporters["ally_headline_pct"] = ally(
            lambda a: s.core_pct[a.index] + s.reclassified_pct[a.index] + s.related_pct[a.index]
        )
        reporters["ally_spending_bn"] = ally(
            lambda a: s.gdp_bn[a.index] * s.core_pct[a.index] / 100
        )
        reporters["ally_capability"] = ally(lambda a: self.capability[a.index])
        for term in WHY_TERMS:  # the budget's reasons, as the model recorded them this year
            reporters[f"ally_why_budget_{term}"] = ally(
                lambda a, t=term: self.budget_why[t][a.index]
            )
        assert {k.removeprefix("ally_") for k in reporters} | {"year"} == set(ALLY_COLUMNS)
        self.datacollector = mesa.DataCollector(
            model_reporters={c: (lambda m, c=c: m.latest[c]) for c in MODEL_COLUMNS},
            agent_reporters=reporters,
        )
        self.collect()

    def step(self) -> None:
        super().step()
        self.collect()

    def collect(self) -> None:
        # what several reporters share is computed once a year: this year's model columns and
        # the allies' capability
        self.latest = self.recorder.latest_row()
        self.capability = self.ally_capability()
        self.datacollector.collect(self)


def child_batch_run(n: int, processes: int) -> dict:
    design = build_design(
        build_spec(
            str(BASELINE), [Factor("united_states.threat_intensity", 0.0, 1.0)], "lhs", n, 1, 1
        )
    )
    values = design["united_states.threat_intensity"].tolist()
    t0 = time.perf_counter()
    out = mesa.batch_run(
        BatchModel,
        parameters={"threat_intensity": values},
        iterations=1,
        max_steps=15,
        number_processes=processes,
        data_collection_period=1,
        display_progress=False,
    )
    seconds = time.perf_counter() - t0
    return {"runs": n, "seconds": seconds, "rows": len(out), "peak_mb": _peak_mb()}


def child_sweep(n: int, workers: int) -> dict:
    # the child is what `natosim sweep` is: a process that does nothing but the sweep, marked as
    # the command marks its own (sim.cli.entry), so its runs set the garbage collector to themselves
    from sim.runs.pool import dedicate  # noqa: PLC0415

    dedicate()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        outcome = sim.sweep(
            BASELINE,
            {"united_states.threat_intensity": (0.0, 1.0)},
            design="lhs",
            samples=n,
            reps=1,
            seed=1,
            out=Path(tmp) / "s",
            workers=workers,
            progress=False,
        )
        seconds = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in (Path(tmp) / "s").rglob("*") if p.is_file())
    assert outcome.runs == n
    assert outcome.failed == 0
    return {"runs": n, "seconds": seconds, "peak_mb": _peak_mb(), "folder_mb": size / 2**20}


def measure(*args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def scale(n: int, large: bool) -> None:
    """Peak memory as a sweep grows: 10 x ``n`` runs against ``n`` (and 100 x ``n`` against 10 x
    ``n`` with ``large``), 2 workers; the store streams parts, so memory should not grow."""
    small = measure("sweep", str(n), "2")
    big = measure("sweep", str(10 * n), "2")
    print(
        f"  sweep, {10 * n:,} runs, 2 workers: {big['seconds']:.1f} s, "
        f"peak {big['peak_mb']:.0f} MB, {big['folder_mb']:.0f} MB written"
    )
    ratio = big["peak_mb"] / small["peak_mb"]
    print(f"  peak memory {10 * n:,} / {n:,} runs (2 workers): {ratio:.2f}x (target <= 1.2x)")
    if not large:
        return
    huge = measure("sweep", str(100 * n), "2")
    print(
        f"  sweep, {100 * n:,} runs, 2 workers: {huge['seconds']:.1f} s (target < 120 s), "
        f"{100 * n / huge['seconds']:.0f} runs/s, peak {huge['peak_mb']:.0f} MB, "
        f"{huge['folder_mb']:.0f} MB written"
    )
    ratio = huge["peak_mb"] / big["peak_mb"]
    print(f"  peak memory {100 * n:,} / {10 * n:,} runs (2 workers): {ratio:.2f}x (target <= 1.2x)")


def main(quick: bool, large: bool, scale_only: bool) -> None:
    n = 1000
    if scale_only:
        print("natosim sweep at scale, baseline scenario (LHS of threat_intensity)")
        scale(n, large)
        return
    print(f"natosim sweep vs mesa.batch_run, baseline scenario, {n} runs (LHS of threat_intensity)")
    res = {
        "batch_run, 1 process": measure("batch", str(n), "1"),
        "batch_run, 2 processes": measure("batch", str(n), "2"),
        "sweep, 1 worker": measure("sweep", str(n), "1"),
        "sweep, 2 workers": measure("sweep", str(n), "2"),
    }
    rate = {k: v["runs"] / v["seconds"] for k, v in res.items()}
    for k, v in res.items():
        extra = (
            f"{v['rows']} rows returned in memory, nothing written"
            if "rows" in v
            else f"{v['folder_mb']:.0f} MB of Parquet written"
        )
        print(
            f"  {k:<24}: {rate[k]:7.1f} runs/s  peak {v['peak_mb']:6.0f} MB  "
            f"({v['seconds']:.1f} s; {extra})"
        )
    for p in ("1 process", "2 processes"):
        w = "1 worker" if p == "1 process" else "2 workers"
        print(
            f"  throughput ratio, sweep ({w}) / batch_run ({p}): "
            f"{rate[f'sweep, {w}'] / rate[f'batch_run, {p}']:.2f}x (target >= 3x)"
        )
    best_batch = max(("batch_run, 1 process", "batch_run, 2 processes"), key=rate.__getitem__)
    best_sweep = max(("sweep, 1 worker", "sweep, 2 workers"), key=rate.__getitem__)
    print(
        f"  throughput ratio, each at its best ({best_sweep} / {best_batch}): "
        f"{rate[best_sweep] / rate[best_batch]:.2f}x (target >= 3x)"
    )
    print(
        f"  speedup from 1 to 2 workers: {rate['sweep, 2 workers'] / rate['sweep, 1 worker']:.2f}x"
    )
    if quick:
        return
    scale(n, large)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *rest = sys.argv[2:]
        runner = child_batch_run if kind == "batch" else child_sweep
        result = runner(int(rest[0]), int(rest[1]))
        print(json.dumps(result))
    else:
        main(
            quick="--quick" in sys.argv,
            large="--large" in sys.argv,
            scale_only="--scale-only" in sys.argv,
        )

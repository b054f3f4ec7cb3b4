"""One baseline run's cost at two versions of the code, measured alternately in one invocation.

``python benchmarks/ab_baseline.py OLD_DIR NEW_DIR [ROUNDS] [RUNS] [--worlds]`` starts one child
process per source tree (``PYTHONPATH=DIR``; e.g. ``git archive COMMIT | tar -x -C /tmp/old``) and
asks them in turn for ``RUNS`` baseline runs each, ``ROUNDS`` times, so both see the same machine
load. It prints the median CPU time per run (``time.process_time``: less disturbed by other work
on a shared machine than wall time) and the median wall time of each, and their ratio. Figures,
not a test. Both children run the scenario file of this checkout, with the same seeds.
``--worlds`` times sampled runs, the default of ``natosim run``: each run draws its world (the
fitted parameters and every sampled assumption) from its seed inside the timed span, as a
replication does.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
import sim
sc = sim.load_scenario(sys.argv[1])
seeds = sim.replication_seeds(1, 10_000)
worlds = sys.argv[2] == "worlds"
if worlds:
    from sim.runs.worlds import draw_fitted_world, draw_world, scenario_ranges
    ranges = scenario_ranges(sc)
def world(seed):
    return {**draw_fitted_world(sc, seed), **draw_world(ranges, seed)} if worlds else None
sim.run_one(sc, seeds[0], world=world(seeds[0]))
i = 0
for line in sys.stdin:
    cpu, wall = [], []
    for _ in range(int(line)):
        c0, w0 = time.process_time(), time.perf_counter()
        seed = seeds[i % len(seeds)]
        r = sim.run_one(sc, seed, run=i, world=world(seed))
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        assert not r.error, r.error
        i += 1
    print(json.dumps([cpu, wall]), flush=True)
"""


def main(old: str, new: str, rounds: int = 20, runs: int = 10, worlds: bool = False) -> None:
    scenario = str(ROOT / "scenarios" / "baseline.toml")
    kids = {}
    for label, src in (("old", old), ("new", new)):
        env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
        kids[label] = subprocess.Popen(
            [sys.executable, "-c", CHILD, scenario, "worlds" if worlds else "fixed"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=src,
        )
    cpu: dict[str, list[float]] = {k: [] for k in kids}
    wall: dict[str, list[float]] = {k: [] for k in kids}
    t0 = time.perf_counter()
    for _ in range(rounds):
        for label, kid in kids.items():
            assert kid.stdin is not None
            assert kid.stdout is not None
            kid.stdin.write(f"{runs}\n")
            kid.stdin.flush()
            c, w = json.loads(kid.stdout.readline())
            cpu[label] += c
            wall[label] += w
    for kid in kids.values():
        assert kid.stdin is not None
        kid.stdin.close()
        kid.wait()
    med = {k: statistics.median(v) * 1000 for k, v in cpu.items()}
    medw = {k: statistics.median(v) * 1000 for k, v in wall.items()}
    n = rounds * runs
    took = time.perf_counter() - t0
    kind = "sampled worlds" if worlds else "point values"
    print(f"baseline run ({kind}), {n} runs each, alternated in blocks of {runs} ({took:.0f} s)")
    for k, src in (("old", old), ("new", new)):
        print(f"  {k} ({src}): median CPU {med[k]:.1f} ms per run, wall {medw[k]:.1f} ms")
    cpu_x, wall_x = med["old"] / med["new"], medw["old"] / medw["new"]
    print(f"  speed-up old / new: CPU {cpu_x:.2f}x, wall {wall_x:.2f}x")


if __name__ == "__main__":
    a = [x for x in sys.argv[1:] if x != "--worlds"]
    main(a[0], a[1], *(int(x) for x in a[2:4]), worlds="--worlds" in sys.argv[1:])

"""Simulation time and report time of ``natosim run baseline --reps 20`` (issue 25, item 3).

Runs the command as a user would (a fresh process each time), without the report
(``--no-report``), with it (PNG figures, the default) and with ``--svg``, ``--repeat`` times each
in turn, and prints the median wall time and the median CPU time (user + system of the child
process: what the command itself cost, whatever else the shared machine is doing). Target: the
command with its report takes at most 2.5x the time of ``--no-report``. Then, in this process,
what each figure of the report costs: building it, drawing its PNG, drawing its SVG.

Prints figures; it is not a test (shared machines are noisy).
Usage: ``python benchmarks/report_time.py [--reps 20] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAYS = {"--no-report": ["--no-report"], "report (PNG)": [], "report --svg": ["--svg"]}


def _command(reps: int, out: Path, extra: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``natosim run baseline`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "sim", "run", "baseline", "--reps", str(reps), "--seed", "7"]
        + ["--out", str(out), "--quiet", *extra],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def commands(reps: int, repeat: int, tmp: Path) -> Path:
    """Each way ``repeat`` times, interleaved (load drifts); returns a results folder."""
    times: dict[str, list[tuple[float, float]]] = {way: [] for way in WAYS}
    for i in range(repeat):
        for k, (way, extra) in enumerate(WAYS.items()):
            times[way].append(_command(reps, tmp / f"{k}-{i}", extra))
    base_wall = statistics.median(w for w, _ in times["--no-report"])
    base_cpu = statistics.median(c for _, c in times["--no-report"])
    print(f"natosim run baseline --reps {reps} --seed 7, median of {repeat} (fresh processes):")
    for way, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"  {way:14s} wall {wall:5.2f} s ({wall / base_wall:4.2f}x)   "
            f"cpu {cpu:5.2f} s ({cpu / base_cpu:4.2f}x)"
        )
    png = times["report (PNG)"]
    wall = statistics.median(w for w, _ in png) - base_wall
    cpu = statistics.median(c for _, c in png) - base_cpu
    print(
        f"  the report alone (PNG): wall {wall:.2f} s, cpu {cpu:.2f} s; "
        "target: the command with its report <= 2.5x --no-report"
    )
    return tmp / "0-0"  # a --no-report folder


def figures(folder: Path) -> None:
    """Build, PNG and SVG time of each figure of the run report, in this process."""
    t0 = time.perf_counter()
    from sim.report.figures_run import run_figures  # noqa: PLC0415 (matplotlib: timed)
    from sim.scenario import scenario_from_dict  # noqa: PLC0415
    from sim.store import read_table  # noqa: PLC0415

    print(f"in-process: importing the report's modules {time.perf_counter() - t0:.2f} s")
    man = json.loads((folder / "manifest.json").read_text())
    scenario = scenario_from_dict(man["scenario"])
    t0 = time.perf_counter()
    tables = {t: read_table(folder, t) for t in ("model", "allies", "events", "summary")}
    print(f"  reading the tables {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    figs = run_figures(tables, scenario, 7)
    print(f"  building the six figures {time.perf_counter() - t0:.2f} s")
    totals = [0.0, 0.0]
    for name, (fig, _) in figs.items():
        row = []
        for fmt, dpi in (("png", 110), ("svg", None)):
            t0 = time.perf_counter()
            fig.savefig(io.BytesIO(), format=fmt, **({"dpi": dpi} if dpi else {}))
            row.append(time.perf_counter() - t0)
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        print(f"  {name:17s} png {row[0]:.2f} s   svg {row[1]:.2f} s")
    print(f"  {'all':17s} png {totals[0]:.2f} s   svg {totals[1]:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = commands(args.reps, args.repeat, Path(tmp))
        figures(folder)


if __name__ == "__main__":
    main()

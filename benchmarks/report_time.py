"""Simulation time and report time of ``natosim run baseline --reps 20`` (issue 25, item 3).

Runs the command as a user would (a fresh process each time), without the report
(``--no-report``), with it (PNG figures, the default) and with ``--svg``, ``--repeat`` times each
in turn, and prints the median wall time and the median CPU time (user + system of the child
process: what the command itself cost, whatever else the shared machine is doing). Target: the
command with its report takes at most 2.5x the time of ``--no-report``. Then, in this process,
what each figure of the report costs: building it, drawing its PNG, drawing its SVG.

Prints figures; it is not a test (shared machines are noisy).
Usage: ``python benchmarks/report_time.py [--reps 20] [--repeat 3] [--tree DIR]``; ``--tree``
times the commands of another version's source instead (``git archive COMMIT sim scenarios |
tar -x -C DIR``), for a before-and-after in the same conditions.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAYS = {"--no-report": ["--no-report"], "report": [], "report --svg": ["--svg"]}


def _command(reps: int, out: Path, extra: list[str], tree: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``natosim run baseline`` in a fresh process, with the
    source in ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", "baseline", "--reps", str(reps), "--seed", "7"]
        + ["--out", str(out), "--quiet", *extra],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        check=False,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"natosim run failed ({proc.returncode}):\n{proc.stderr}")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def commands(reps: int, repeat: int, tmp: Path, tree: Path = ROOT) -> Path:
    """Each way ``repeat`` times, interleaved (load drifts); returns a results folder."""
    ways = dict(WAYS)
    cli = tree / "sim" / "cli.py"  # a module before the cli became a package
    texts = [cli] if cli.exists() else sorted((tree / "sim" / "cli").glob("*.py"))
    if not any("--svg" in t.read_text() for t in texts):  # before --svg: SVG by default
        del ways["report --svg"]
    times: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
    for i in range(repeat):
        for k, (way, extra) in enumerate(ways.items()):
            times[way].append(_command(reps, tmp / f"{k}-{i}", extra, tree))
    base_wall = statistics.median(w for w, _ in times["--no-report"])
    base_cpu = statistics.median(c for _, c in times["--no-report"])
    print(f"natosim run baseline --reps {reps} --seed 7, median of {repeat} (fresh processes)")
    print(f"source: {tree}")
    for way, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"  {way:14s} wall {wall:5.2f} s ({wall / base_wall:4.2f}x)   "
            f"cpu {cpu:5.2f} s ({cpu / base_cpu:4.2f}x)"
        )
    png = times["report"]
    wall = statistics.median(w for w, _ in png) - base_wall
    cpu = statistics.median(c for _, c in png) - base_cpu
    print(
        f"  the report alone: wall {wall:.2f} s, cpu {cpu:.2f} s; "
        "target: the command with its report <= 2.5x --no-report"
    )
    return tmp / "0-0"  # a --no-report folder


def figures(folder: Path) -> None:
    """Build, PNG and SVG time of each figure of the run report, in this process."""
    from sim.runs.store import read_table  # noqa: PLC0415
    from sim.scenario import scenario_from_dict  # noqa: PLC0415

    t0 = time.perf_counter()
    from sim.report import build_report  # noqa: PLC0415 (matplotlib: timed)
    from sim.report.figures_run import run_figures  # noqa: PLC0415

    print(f"in-process: importing sim.report (matplotlib) {time.perf_counter() - t0:.2f} s")
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
    for svg in (False, True):
        t0 = time.perf_counter()
        build_report(folder, svg=svg)
        print(
            f"  build_report(svg={svg}) {time.perf_counter() - t0:.2f} s (tables to moved-in page)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", type=Path, help="time this source tree's commands only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = commands(args.reps, args.repeat, Path(tmp), (args.tree or ROOT).resolve())
        if args.tree is None:
            figures(folder)


if __name__ == "__main__":
    main()

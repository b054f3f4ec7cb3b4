"""Comparing scenarios: outcome distributions at chosen years, side by side, and verdict counts.

Every scenario runs with the same root seed, so replication ``i`` of each scenario shares its
seed (common random numbers): differences between scenarios are not differences of luck.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .outputs import VERDICTS
from .runner import Results, run_replications
from .scenario import Scenario
from .store import Format, atomic_folder, write_run_tables

OUTCOMES: dict[str, str] = {
    "eu_core_pct": "European core spending, % GDP",
    "eu_headline_pct": "European headline spending, % GDP",
    "eu_capability_share": "European share of capability",
    "coverage_mean": "Mean capability coverage",
    "us_posture": "US posture",
    "mean_trust": "Mean trust in the US",
    "russia_resolve_estimate": "Russia's estimate of US resolve",
    "us_influence": "US influence",
    "nuclear_liability": "Nuclear liability",
}


@dataclass
class Comparison:
    """Results per scenario, the outcome distribution table and the verdict counts."""

    results: dict[str, Results]
    distributions: pd.DataFrame  # scenario, outcome, year, median, p05, p95
    verdicts: pd.DataFrame  # rows: scenario; columns: verdicts; values: counts
    years: tuple[int, ...]


def distributions(results: dict[str, Results], years: Sequence[int]) -> pd.DataFrame:
    """Median and 90% interval (5th-95th percentile over replications) per outcome and year."""
    rows = []
    for name, res in results.items():
        if res.model.empty:  # every replication failed: nothing to tabulate
            continue
        for year in years:
            at = res.model[res.model["year"] == year]
            if at.empty:
                continue
            for outcome in OUTCOMES:
                p05, p50, p95 = np.quantile(at[outcome].to_numpy(dtype=float), [0.05, 0.5, 0.95])
                rows.append(
                    {
                        "scenario": name,
                        "outcome": outcome,
                        "year": int(year),
                        "median": p50,
                        "p05": p05,
                        "p95": p95,
                    }
                )
    return pd.DataFrame(rows)


def compare(
    scenarios: Sequence[Scenario],
    reps: int,
    seed: int,
    years: Sequence[int],
    executor: Executor | None = None,
    progress: bool = False,
) -> Comparison:
    """Run every scenario with the same root seed and tabulate the outcomes."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must be distinct: {names}")
    results = {
        s.name: run_replications(s, reps, seed, executor=executor, progress=progress)
        for s in scenarios
    }
    return comparison_of(results, years)


def comparison_of(results: dict[str, Results], years: Sequence[int]) -> Comparison:
    """Tabulate results already at hand (runs of scenarios, or folders read back)."""
    counts = pd.DataFrame(
        [
            {
                "scenario": n,
                **{
                    v: int((r.summary["verdict"] == v).sum()) if len(r.summary) else 0
                    for v in VERDICTS
                },
            }
            for n, r in results.items()
        ]
    ).set_index("scenario")
    return Comparison(results, distributions(results, years), counts, tuple(years))


def format_table(comp: Comparison) -> str:
    """The side-by-side table: one row per outcome and year, one column per scenario."""
    names = list(comp.results)
    cells_by_key = {
        (r.outcome, r.year, r.scenario): f"{r.median:.2f} [{r.p05:.2f}, {r.p95:.2f}]"
        for r in comp.distributions.itertuples()
    }
    width = max(24, *(len(n) + 2 for n in names))
    head = f"{'outcome':<34}{'year':>6}  " + "".join(f"{n:>{width}}" for n in names)
    lines = ["median [5th-95th percentile] over replications", head, "-" * len(head)]
    for outcome, label in OUTCOMES.items():
        for year in comp.years:
            cells = [cells_by_key.get((outcome, year, n), "-") for n in names]
            lines.append(f"{label:<34}{year:>6}  " + "".join(f"{c:>{width}}" for c in cells))
    lines += ["", "verdicts (runs)", head.replace("outcome", "verdict", 1).replace("year", "    ")]
    lines.append("-" * len(head))
    for v in VERDICTS:
        cells = [str(comp.verdicts.loc[n, v]) for n in names]
        lines.append(f"{v:<40}  " + "".join(f"{c:>{width}}" for c in cells))
    return "\n".join(lines)


def write_comparison(comp: Comparison, folder: Path, command: str, fmt: Format) -> Path:
    """Write the table (text and CSV), the verdicts, and each scenario's results folder."""
    with atomic_folder(folder) as tmp:
        (tmp / "comparison.txt").write_text(format_table(comp) + "\n")
        comp.distributions.to_csv(tmp / "comparison.csv", index=False)
        comp.verdicts.to_csv(tmp / "verdicts.csv")
        for name, res in comp.results.items():
            (tmp / name).mkdir()
            write_run_tables(res, tmp / name, command, fmt)
        first = next(iter(comp.results.values()))
        (tmp / "manifest.json").write_text(
            json.dumps(
                {
                    "command": command,
                    "scenarios": list(comp.results),
                    "years": list(comp.years),
                    "root_seed": first.root_seed,
                    "replications": len(first.seeds),
                    "per_scenario_manifests": [f"{n}/manifest.json" for n in comp.results],
                },
                indent=2,
            )
        )
    return Path(folder)

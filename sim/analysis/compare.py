"""Comparing scenarios: outcome distributions at chosen years, side by side, and verdict counts.

Every scenario runs with the same root seed, so replication ``i`` of each scenario shares its
seed (common random numbers): differences between scenarios are not differences of luck. When
the runs sample worlds (the command line's default), replication ``i`` of every scenario also
runs in the same world (:mod:`sim.runs.worlds`), so the comparison is paired world by world: for
each
scenario against the first, on each headline outcome, the share of shared worlds in which it
does better, the same or worse, with Wilson 95% intervals, and the mean paired difference with
its 95% interval (:func:`paired`). Verdicts are shares of worlds with Wilson intervals, and
``cruxes.csv`` says which assumptions each scenario's outcomes turn on (:mod:`sim.analysis.cruxes`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.outputs import SHIFTED, VERDICTS, shifted_and_carries
from ..runs.provenance import provenance
from ..runs.runner import Results, run_replications
from ..runs.store import Format, atomic_folder, write_run_tables
from ..scenario import Scenario
from .cruxes import headline_outcomes, in_words, label_frames, results_cruxes, write_cruxes

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


# outcomes compared world by world: column of sim.analysis.cruxes.headline_outcomes (or the
# summary),
# what it is in words, and whether more is better (None: neither, "higher" and "lower" only)
PAIRED: dict[str, tuple[str, bool | None]] = {
    "eu_core_pct_2035": ("European core spending in 2035", None),
    "coverage_gain": ("capability coverage gain", True),
    "burden_shifted_any": ("the burden shifted (any such verdict)", True),
    "europe_carries": ("Europe carries its own defence (most of its requirement)", True),
    "article5_failure": ("an Article 5 failure", False),
    "deadline_met": ("the deadline met", True),
    "mean_trust_end": ("trust in the US at the end", True),
}


def europe_carries(summary: pd.DataFrame, verdict_params: Mapping[str, float]) -> pd.Series:
    """Per run, whether Europe carries its own defence as the verdict reads it
    (:func:`sim.model.outputs.shifted_and_carries`), whatever trust and deterrence did."""
    return shifted_and_carries(
        summary["coverage_gain"], summary["coverage_mean_end"], verdict_params
    )[1]


# readings of seed 002's "most" capabilities besides the verdict's three quarters: what a reader
# could defend, from a clear majority to nearly all (at a bare majority every plausible world
# clears it, so it says nothing)
CARRY_READINGS = (0.6, 2 / 3, 0.75, 0.8, 0.9)


def carries_by_reading(results: dict[str, Results]) -> pd.DataFrame:
    """P(Europe carries) per scenario with its Wilson 95% interval at each of
    :data:`CARRY_READINGS` of ``verdict.carry_coverage``: the verdict's headline rests on a
    definition nobody can measure, so the tool says how it moves with it."""
    from .debate import wilson  # noqa: PLC0415

    rows = []
    for name, res in results.items():
        s, n = res.summary, len(res.summary)
        if not n:
            continue
        v = dict(res.scenario.params["verdict"])
        for reading in CARRY_READINGS:
            k = int(europe_carries(s, {**v, "carry_coverage": reading}).sum())
            p, lo, hi = wilson(k, n)
            rows.append(
                {
                    "scenario": name,
                    "carry_coverage": reading,
                    "runs": k,
                    "of": n,
                    "p": p,
                    "low": lo,
                    "high": hi,
                }
            )
    return pd.DataFrame(rows)


def readings_in_words(readings: pd.DataFrame) -> list[str]:
    """One line per scenario: P(Europe carries) at each reading of "most"."""
    return [f"{name}: {reading_shares(g)}" for name, g in readings.groupby("scenario", sort=False)]


def reading_shares(readings: pd.DataFrame) -> str:
    """One scenario's P(Europe carries) at each reading, in words ("0.60 98%, 0.67 90%, ...")."""
    return ", ".join(f"{r.carry_coverage:.2f} {r.p:.0%}" for r in readings.itertuples())


@dataclass
class Comparison:
    """Results per scenario, the outcome distribution table and the verdict counts."""

    results: dict[str, Results]
    distributions: pd.DataFrame  # scenario, outcome, year, median, p05, p95
    verdicts: pd.DataFrame  # rows: scenario; columns: verdicts; values: counts
    years: tuple[int, ...]
    shares: pd.DataFrame = field(default_factory=pd.DataFrame)  # verdict shares, Wilson
    paired: pd.DataFrame = field(default_factory=pd.DataFrame)  # world by world, vs the first
    cruxes: pd.DataFrame = field(default_factory=pd.DataFrame)  # sim.analysis.cruxes, per scenario
    readings: pd.DataFrame = field(default_factory=pd.DataFrame)  # carries_by_reading


DISTRIBUTION_COLUMNS = ["scenario", "outcome", "year", "median", "p05", "p95"]
PAIRED_COLUMNS = [
    "reference",
    "scenario",
    "outcome",
    "label",
    "more_is_better",
    "worlds",
    "higher",
    "same",
    "lower",
    "p_higher",
    "p_higher_low",
    "p_higher_high",
    "p_lower",
    "p_lower_low",
    "p_lower_high",
    "mean_diff",
    "diff_low",
    "diff_high",
]


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
    return pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS)


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
    crux = label_frames(
        {n: results_cruxes(r) for n, r in results.items() if not r.worlds.empty}, "scenario"
    )
    return Comparison(
        results,
        distributions(results, years),
        counts,
        tuple(years),
        verdict_shares(results),
        paired(results),
        crux,
        carries_by_reading(results),
    )


def verdict_shares(results: dict[str, Results]) -> pd.DataFrame:
    """Each verdict's share of runs (of worlds, when they were sampled) per scenario, with its
    Wilson 95% interval."""
    from .debate import wilson  # noqa: PLC0415

    rows = []
    for name, res in results.items():
        n = len(res.summary)
        for v in VERDICTS:
            k = int((res.summary["verdict"] == v).sum()) if n else 0
            p, lo, hi = wilson(k, n)
            rows.append(
                {"scenario": name, "verdict": v, "runs": k, "of": n, "p": p, "low": lo, "high": hi}
            )
    return pd.DataFrame(rows)


def _per_run(res: Results) -> pd.DataFrame:
    out = headline_outcomes(res.summary, res.model)
    if out.empty:
        return out
    s = res.summary.set_index("run")
    out["burden_shifted_any"] = s["verdict"].isin(SHIFTED).astype(float)
    out["europe_carries"] = europe_carries(s, res.scenario.params["verdict"]).astype(float)
    out["mean_trust_end"] = s["mean_trust_end"].astype(float)
    out["seed"] = s["seed"]
    return out


def paired(results: dict[str, Results]) -> pd.DataFrame:
    """Every scenario against the first, world by world (runs matched by run and seed): on each
    outcome of :data:`PAIRED`, the share of shared worlds where it is higher, the same and
    lower (Wilson 95% intervals), and the mean difference (scenario minus reference) with a
    95% interval (normal approximation over worlds)."""
    from .debate import wilson  # noqa: PLC0415

    names = [n for n, r in results.items() if not r.summary.empty]
    if len(names) < 2:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    ref = names[0]
    a_all = _per_run(results[ref])
    rows = []
    for other in names[1:]:
        b_all = _per_run(results[other])
        for outcome, (label, more_is_better) in PAIRED.items():
            if outcome not in a_all or outcome not in b_all:
                continue
            both = pd.merge(
                a_all[["seed", outcome]].reset_index(),
                b_all[["seed", outcome]].reset_index(),
                on=["run", "seed"],
                suffixes=("_a", "_b"),
            ).dropna()
            n = len(both)
            if n == 0:
                continue
            diff = (both[f"{outcome}_b"] - both[f"{outcome}_a"]).to_numpy(dtype=float)
            higher, lower = int((diff > 1e-12).sum()), int((diff < -1e-12).sum())
            ph, ph_lo, ph_hi = wilson(higher, n)
            pl, pl_lo, pl_hi = wilson(lower, n)
            half = 1.96 * diff.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
            rows.append(
                {
                    "reference": ref,
                    "scenario": other,
                    "outcome": outcome,
                    "label": label,
                    "more_is_better": more_is_better,
                    "worlds": n,
                    "higher": higher,
                    "same": n - higher - lower,
                    "lower": lower,
                    "p_higher": ph,
                    "p_higher_low": ph_lo,
                    "p_higher_high": ph_hi,
                    "p_lower": pl,
                    "p_lower_low": pl_lo,
                    "p_lower_high": pl_hi,
                    "mean_diff": float(diff.mean()),
                    "diff_low": float(diff.mean() - half),
                    "diff_high": float(diff.mean() + half),
                }
            )
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


def paired_figure(table: pd.DataFrame, path: Path, unit: str = "worlds shared") -> None:
    """``paired.png``: for each scenario against the first and each outcome, the shares of shared
    worlds where it is higher, the same and lower, with the Wilson intervals of the first and
    last."""
    from ..report.style import current_style, new_figure, title  # noqa: PLC0415 (matplotlib)

    rows = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
    fig = new_figure(8, 0.45 * len(rows) + 1.2)
    ax = fig.subplots()
    for i, r in enumerate(rows):
        y = len(rows) - 1 - i
        worlds = float(r["worlds"])
        higher, same = float(r["higher"]) / worlds, float(r["same"]) / worlds
        ax.barh(y, higher, color="#2b6cb0")
        ax.barh(y, same, left=higher, color="#cbd5e0")
        ax.barh(y, 1 - higher - same, left=higher + same, color="#c05621")
        ax.plot([r["p_higher_low"], r["p_higher_high"]], [y + 0.3, y + 0.3], color="black", lw=1)
        lower = [1 - float(r["p_lower_high"]), 1 - float(r["p_lower_low"])]
        ax.plot(lower, [y - 0.3, y - 0.3], color="black", lw=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{r['scenario']}: {r['label']}" for r in reversed(rows)], fontsize=8)
    ax.set_xlim(0, 1)
    # the colours' meaning on the axis itself: the paper style draws no title
    ax.set_xlabel(
        f"share of {unit} with {rows[0]['reference']}: higher (blue), the same (grey),\n"
        "lower (orange); lines: Wilson 95% intervals"
    )
    title(ax, f"against {rows[0]['reference']}", fontsize=9)
    fig.savefig(path, dpi=current_style().dpi)


def paired_in_words(table: pd.DataFrame, unit: str = "shared worlds") -> list[str]:
    """One sentence per scenario and outcome of :func:`paired`; ``unit`` names what is paired
    ("shared worlds", or runs with the same seeds when the parameters are fixed)."""
    lines = []
    for r in table.itertuples():
        if r.more_is_better is None:
            up, down = "higher", "lower"
        else:
            up, down = ("better", "worse") if r.more_is_better else ("worse", "better")
            up, down = f"{up} (higher)", f"{down} (lower)"
        lines.append(
            f"{r.scenario} vs {r.reference}, {r.label}: {up} in {r.p_higher:.0%} "
            f"[{r.p_higher_low:.0%}, {r.p_higher_high:.0%}] of {r.worlds} {unit}, "
            f"{down} in {r.p_lower:.0%} [{r.p_lower_low:.0%}, {r.p_lower_high:.0%}], the same "
            f"in {r.same}; mean difference {r.mean_diff:+.3g} [{r.diff_low:+.3g}, "
            f"{r.diff_high:+.3g}]"
        )
    return lines


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
    if not comp.shares.empty:
        lines += ["", "verdicts: share of runs [Wilson 95% interval]"]
        cell = {
            (r.scenario, r.verdict): f"{r.p:.2f} [{r.low:.2f}, {r.high:.2f}]"
            for r in comp.shares.itertuples()
        }
        for v in VERDICTS:
            cells = [cell.get((n, v), "-") for n in names]
            lines.append(f"{v:<40}  " + "".join(f"{c:>{width}}" for c in cells))
    sampled = [n for n, r in comp.results.items() if not r.worlds.empty]
    if not comp.paired.empty:
        shared = "shared worlds" if sampled else "runs with the same seeds"
        lines += [
            "",
            f"world by world ({shared}):" if sampled else "run by run (fixed parameters):",
        ]
        lines += ["  " + t for t in paired_in_words(comp.paired, shared)]
    elif sum(not r.summary.empty for r in comp.results.values()) >= 2:
        lines += [
            "",
            (
                "world by world: no run shared (the scenarios' runs have no run and seed in "
                "common: folders made with another --seed, or one sampled and one --fixed)"
            ),
        ]
    if not comp.readings.empty:
        lines += [
            "",
            (
                "Europe carries its own defence at other readings of 'most' (coverage of the "
                "requirement at the end; the verdict reads verdict.carry_coverage, 0.75 by "
                "default; carries_readings.csv):"
            ),
        ]
        lines += ["  " + t for t in readings_in_words(comp.readings)]
    if not comp.cruxes.empty:
        lines += ["", "what decides it (cruxes.csv; PAWN index over the sampled worlds):"]
        lines += ["  " + t for t in in_words(comp.cruxes)]
    elif not sampled:
        lines += ["", "fixed parameters (--fixed): no worlds sampled, no cruxes"]
    return "\n".join(lines)


def write_comparison(
    comp: Comparison, folder: Path, command: str, fmt: Format, style: str = "screen"
) -> Path:
    """Write the table (text and CSV), the verdicts, and each scenario's results folder;
    ``paired.png`` in the figure ``style`` (``screen`` or ``paper``: :mod:`sim.report.style`)."""
    with atomic_folder(folder) as tmp:
        (tmp / "comparison.txt").write_text(format_table(comp) + "\n")
        comp.distributions.to_csv(tmp / "comparison.csv", index=False)
        comp.verdicts.to_csv(tmp / "verdicts.csv")
        comp.shares.to_csv(tmp / "verdict_shares.csv", index=False)
        comp.paired.to_csv(tmp / "paired.csv", index=False)
        comp.cruxes.to_csv(tmp / "cruxes.csv", index=False)
        comp.readings.to_csv(tmp / "carries_readings.csv", index=False)
        if not comp.paired.empty:
            from ..report.style import figure_style  # noqa: PLC0415 (matplotlib)

            with figure_style(style):
                sampled = any(not r.worlds.empty for r in comp.results.values())
                unit = "worlds shared" if sampled else "runs (same seeds, fixed parameters)"
                paired_figure(comp.paired, tmp / "paired.png", unit)
        for name, res in comp.results.items():
            (tmp / name).mkdir()
            write_run_tables(res, tmp / name, command, fmt, write_cruxes)
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
                    **provenance(),
                },
                indent=2,
            )
        )
    return Path(folder)

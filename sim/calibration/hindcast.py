"""The hindcast: run ``hindcast_2014`` (2014 data, historical shocks as inputs, no spending figure
after the start used as input) and score it against what NATO reported, next to two naive
forecasts.

Outputs (``natosim hindcast --out DIR``):

* ``hindcast.csv``: per ally and year, simulated core spending (median, 5th and 95th percentile
  over replications), the observed value where NATO gives one, the persistence and trend
  forecasts, and flags ``window`` (train: up to the calibration window's end; test: after) and
  ``withheld`` (the six allies whose 2015-2024 values the data deliberately withhold);
* ``skill.csv`` / ``skill.txt``: RMSE and MAE (percentage points of GDP) of the model, persistence
  and trend, overall, per window, for the withheld allies and per ally;
* ``allies_at_2pct.csv``: allies at or above 2% per year, simulated (median) and observed;
* ``rank_2024``: Spearman rank correlation of simulated (median) and observed 2024 spending;
* ``hindcast.png`` / ``.svg``: simulated bands against observed dots for eight allies.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator
from scipy.stats import spearmanr

from ..report.style import caption, new_figure, save
from ..runner import run_replications
from ..scenario import Scenario
from ..store import atomic_folder, git_commit
from .targets import naive_baselines, observed

WITHHELD = ("BEL", "DNK", "HRV", "ITA", "LTU", "ROU")
SHOWN = ("POL", "EST", "DEU", "FRA", "ITA", "ESP", "LTU", "GBR")


def hindcast_table(scenario: Scenario, reps: int, seed: int, train_end: int) -> pd.DataFrame:
    """Simulated bands, observations and naive forecasts per ally and year."""
    res = run_replications(scenario, reps, seed)
    if res.failures:
        raise RuntimeError(res.failures[0].error)
    a = res.allies[res.allies["core_pct"] > 0]
    table = a.groupby(["iso3", "year"], as_index=False).agg(
        sim_p05=("core_pct", lambda s: s.quantile(0.05)),
        sim_median=("core_pct", "median"),
        sim_p95=("core_pct", lambda s: s.quantile(0.95)),
    )
    start = scenario.get("run.start_year")
    years = sorted(table["year"].unique())
    table = table.merge(observed(), on=["iso3", "year"], how="left")
    table = table.merge(naive_baselines(start, train_end, years), on=["iso3", "year"], how="left")
    table["window"] = np.where(table["year"] <= train_end, "train", "test")
    table.loc[table["year"] == start, "window"] = "start"
    table["withheld"] = table["iso3"].isin(WITHHELD)
    return table


def _errors(df: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {"n": len(df)}
    for name, col in (("model", "sim_median"), ("persistence", "persistence"), ("trend", "trend")):
        err = (df[col] - df["observed"]).dropna()
        out[f"rmse_{name}"] = float(np.sqrt((err**2).mean())) if len(err) else np.nan
        out[f"mae_{name}"] = float(err.abs().mean()) if len(err) else np.nan
    return out


def skill(table: pd.DataFrame) -> pd.DataFrame:
    """Error measures on every ally-year with an observation (the start year excluded)."""
    scored = table[(table["window"] != "start") & table["observed"].notna()]
    rows = [
        {"scope": "all", **_errors(scored)},
        {"scope": "train window", **_errors(scored[scored["window"] == "train"])},
        {"scope": "test window", **_errors(scored[scored["window"] == "test"])},
        {"scope": "withheld allies", **_errors(scored[scored["withheld"]])},
    ]
    rows += [{"scope": iso3, **_errors(g)} for iso3, g in scored.groupby("iso3")]
    return pd.DataFrame(rows)


def allies_at_2pct(table: pd.DataFrame) -> pd.DataFrame:
    sim = table.groupby("year")["sim_median"].apply(lambda s: int((s >= 1.995).sum()))
    obs = (
        table.dropna(subset=["observed"])
        .groupby("year")["observed"]
        .apply(lambda s: int((s >= 1.995).sum()))
    )
    reported = table.dropna(subset=["observed"]).groupby("year")["iso3"].nunique()
    return pd.DataFrame({"simulated": sim, "observed": obs, "allies_reported": reported})


def rank_2024(table: pd.DataFrame) -> float:
    t = table[(table["year"] == 2024)].dropna(subset=["observed"])
    return float(spearmanr(t["sim_median"], t["observed"]).statistic) if len(t) > 2 else np.nan


def figure(table: pd.DataFrame, scenario: Scenario, reps: int, seed: int, train_end: int):
    fig = new_figure(12, 6)
    axes = fig.subplots(2, 4, sharex=True).ravel()
    for ax, code in zip(axes, SHOWN, strict=True):
        g = table[table["iso3"] == code].sort_values("year")
        ax.fill_between(
            g["year"],
            g["sim_p05"],
            g["sim_p95"],
            color="#4c72b0",
            alpha=0.25,
            linewidth=0,
            label="model, 90% of runs",
        )
        ax.plot(g["year"], g["sim_median"], color="#4c72b0", label="model median")
        ax.plot(
            g["year"],
            g["trend"],
            color="#999999",
            linestyle="--",
            linewidth=1,
            label="2014-trend forecast",
        )
        ax.scatter(g["year"], g["observed"], color="black", s=14, zorder=3, label="NATO")
        ax.axvline(train_end + 0.5, color="#b2182b", linewidth=0.8, linestyle=":")
        ax.set_title(code + (" (2015-24 withheld)" if code in WITHHELD else ""), fontsize=9)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    axes[0].legend(fontsize=6, loc="upper left")
    fig.supylabel("core defence spending, % of GDP")
    fig.supxlabel(f"year (red dotted line: end of the calibration window, {train_end})")
    fig.suptitle("Hindcast 2014-2025: simulated band against NATO's figures", fontsize=12)
    caption(fig, f"Scenario: {scenario.name}; {reps} replications; root seed {seed}")
    return fig


def run_hindcast(
    scenario: Scenario, out: Path, reps: int, seed: int, train_end: int, command: str
) -> dict[str, object]:
    """Run, score and write the hindcast folder; return the headline figures."""
    table = hindcast_table(scenario, reps, seed, train_end)
    sk = skill(table)
    counts = allies_at_2pct(table)
    rho = rank_2024(table)
    headline = sk[sk["scope"].isin(["all", "train window", "test window", "withheld allies"])]
    text = (
        headline.round(3).to_string(index=False)
        + f"\n\nSpearman rank correlation of simulated and observed 2024 spending: {rho:.3f}"
        + "\n\nAllies at or above 2% of GDP:\n"
        + counts.to_string()
    )
    with atomic_folder(out) as tmp:
        table.to_csv(tmp / "hindcast.csv", index=False)
        sk.to_csv(tmp / "skill.csv", index=False)
        counts.to_csv(tmp / "allies_at_2pct.csv")
        (tmp / "skill.txt").write_text(text + "\n")
        save(figure(table, scenario, reps, seed, train_end), tmp, "hindcast")
        (tmp / "manifest.json").write_text(
            json.dumps(
                {
                    "command": command,
                    "git_commit": git_commit(),
                    "reps": reps,
                    "root_seed": seed,
                    "train_end": train_end,
                    "rank_2024": rho,
                    "scenario": scenario.to_dict(),
                },
                indent=2,
                default=str,
            )
        )
    return {"skill": headline, "rank_2024": rho, "text": text}

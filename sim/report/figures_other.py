"""Figures of comparisons (outcome distributions side by side, verdict shares) and of sweeps
(outcome heatmaps over two factors, sensitivity bars, verdict shares by factor bin)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..compare import OUTCOMES
from ..outputs import VERDICTS
from .style import VERDICT_COLOURS, bins, caption, new_figure


def compare_distributions(models: dict[str, pd.DataFrame], year: int, seed: int | None):
    """Box plots per scenario of six outcomes in ``year``."""
    keys = list(OUTCOMES)[:6]
    fig = new_figure(12, 7)
    axes = fig.subplots(2, 3).ravel()
    names = list(models)
    for ax, key in zip(axes, keys, strict=True):
        data = [m.loc[m["year"] == year, key].to_numpy() for m in models.values()]
        ax.boxplot(data, tick_labels=names, showfliers=False)
        for i, d in enumerate(data, start=1):
            ax.scatter(
                np.full(len(d), i) + np.linspace(-0.15, 0.15, len(d)),
                d,
                s=5,
                alpha=0.4,
                color="#4c72b0",
            )
        ax.set_title(OUTCOMES[key], fontsize=9)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("% of GDP")
    axes[1].set_ylabel("% of GDP")
    fig.suptitle(
        f"Outcomes in {year}, scenario by scenario (box: 25-75%, whiskers: 5-95%)", fontsize=12
    )
    runs = next(iter(models.values()))["run"].nunique()
    caption(
        fig,
        f"Scenarios: {', '.join(names)}; {runs} replications each"
        + (f"; shared root seed {seed}" if seed is not None else ""),
    )
    return fig


def verdict_shares(verdicts: pd.DataFrame, seed: int | None, title: str):
    """Stacked bars: share of runs per verdict, one bar per row of ``verdicts`` (counts)."""
    shares = verdicts.div(verdicts.sum(axis=1), axis=0).fillna(0)
    fig = new_figure(10, 0.6 * len(shares) + 2.2)
    ax = fig.subplots()
    left = np.zeros(len(shares))
    for v in VERDICTS:
        if v in shares and shares[v].any():
            ax.barh(
                [str(i) for i in shares.index],
                shares[v],
                left=left,
                color=VERDICT_COLOURS[v],
                label=v.replace("_", " "),
                edgecolor="white",
            )
            left += shares[v].to_numpy()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs")
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
    caption(
        fig,
        "Verdict thresholds: the [verdict] parameters"
        + (f"; root seed {seed}" if seed is not None else ""),
    )
    return fig


def sweep_heatmap(data: pd.DataFrame, x: str, y: str, outcome: str, seed: int | None, k: int = 8):
    """Mean of ``outcome`` over runs in each cell of a k x k binning of two factors."""
    d = pd.DataFrame(
        {
            "x": bins(data[x].astype(float), k),
            "y": bins(data[y].astype(float), k),
            "v": data[outcome].astype(float),
        }
    )
    grid = d.pivot_table(index="y", columns="x", values="v", aggfunc="mean")
    fig = new_figure(7.5, 6)
    ax = fig.subplots()
    im = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(grid.columns)), [f"{v:.2g}" for v in grid.columns], fontsize=7)
    ax.set_yticks(range(len(grid.index)), [f"{v:.2g}" for v in grid.index], fontsize=7)
    ax.set_xlabel(f"{x} (bin centre)")
    ax.set_ylabel(f"{y} (bin centre)")
    fig.colorbar(im, ax=ax, label=f"mean {outcome}")
    ax.set_title(f"{outcome} over {x} and {y}", fontsize=10)
    caption(fig, f"Sweep: {len(data)} runs" + (f"; root seed {seed}" if seed is not None else ""))
    return fig


def sensitivity_bars(df: pd.DataFrame, seed: int | None):
    """Sobol S1/ST (or Morris mu*) with 95% intervals, one panel per output."""
    outputs = list(dict.fromkeys(df["output"]))
    fig = new_figure(11, 2.6 * len(outputs) + 0.6)
    axes = np.atleast_1d(fig.subplots(len(outputs), 1))
    sobol = "ST" in df.columns
    for ax, out in zip(axes, outputs, strict=True):
        sub = df[df["output"] == out].dropna(axis=1, how="all")
        pos = np.arange(len(sub))
        if sobol and "ST" in sub:
            ax.barh(
                pos - 0.2,
                sub["S1"],
                0.4,
                xerr=sub["S1_conf"],
                label="first order S1",
                color="#4c72b0",
            )
            ax.barh(
                pos + 0.2, sub["ST"], 0.4, xerr=sub["ST_conf"], label="total ST", color="#dd8452"
            )
            ax.set_xlabel("Sobol index (95% interval)")
        elif "mu_star" in sub:
            ax.barh(
                pos, sub["mu_star"], 0.6, xerr=sub["mu_star_conf"], color="#4c72b0", label="mu*"
            )
            ax.set_xlabel("Morris mu* (95% interval)")
        ax.set_yticks(pos, sub["factor"], fontsize=7)
        ax.set_title(out, fontsize=9)
        ax.grid(alpha=0.3, axis="x")
    axes[0].legend(fontsize=7)
    fig.suptitle("Global sensitivity of the outputs to the swept factors", fontsize=12)
    caption(
        fig,
        "Outputs averaged over replications per point"
        + (f"; root seed {seed}" if seed is not None else ""),
    )
    return fig


def verdicts_by_bin(data: pd.DataFrame, factor: str, seed: int | None, k: int = 6):
    """Share of each verdict per bin of one numeric factor."""
    b = bins(data[factor].astype(float), k) if data[factor].nunique() > k else data[factor]
    counts = pd.crosstab(b, data["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts.index = [
        f"{factor} = {v:.3g}" if isinstance(v, float) else f"{factor} = {v}" for v in counts.index
    ]
    return verdict_shares(counts, seed, f"Verdicts by {factor}")

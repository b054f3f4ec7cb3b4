"""Figures of comparisons (outcome distributions side by side, verdict shares) and of sweeps
(outcome heatmaps over two factors, sensitivity bars, verdict shares by factor bin)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis.compare import OUTCOMES
from ..model.outputs import VERDICTS
from .style import (
    BAND,
    OKABE_ITO,
    PALETTE,
    VERDICT_COLOURS,
    attach_data,
    bins,
    caption,
    font,
    narrow,
    new_figure,
    nice_label,
    quantiles,
    title,
)

UNITS = {
    "eu_core_pct": "% of GDP",
    "eu_headline_pct": "% of GDP",
    "eu_capability_share": "share (0-1)",
    "coverage_mean": "European capability / requirement",
    "us_posture": "fraction of start-year posture",
    "mean_trust": "index (0-1)",
    "russia_resolve_estimate": "index (0-1)",
    "us_influence": "index (0-1)",
    "nuclear_liability": "index (0-1)",
}
TRAJECTORY_OUTCOMES = ("eu_core_pct", "coverage_mean", "mean_trust", "us_influence")


def _honest_ylim(ax, key: str, top: float) -> None:
    """Axes start at zero; indices show their whole 0-1 range; spending shows the 2% and 3.5%
    lines, so a gap of a tenth of a point looks like one."""
    if "0-1" in UNITS.get(key, ""):
        ax.set_ylim(0, 1)
    else:
        ax.set_ylim(0, max(top * 1.05, 3.8 if key.endswith("_pct") else 0.1))
    if key.endswith("_pct"):
        for level in (2.0, 3.5):
            ax.axhline(level, color="#999999", linestyle=":", linewidth=0.8)


def compare_trajectories(models: dict[str, pd.DataFrame], seed: int | None):
    """The scenarios' trajectories overlaid: median and 90% band of four outcomes by year."""
    fig = new_figure(11, 6.8)
    axes = fig.subplots(2, 2).ravel()
    rows = []
    for ax, key in zip(axes, TRAJECTORY_OUTCOMES, strict=True):
        top = 0.0
        for colour, (name, m) in zip(PALETTE * 3, models.items(), strict=False):
            q = quantiles(m, key, (0.05, 0.5, 0.95))
            ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.15, linewidth=0)
            ax.plot(q.index, q[0.5], color=colour, linewidth=2, label=name)
            top = max(top, float(q[0.95].max()))
            rows.append(
                q.rename(columns={0.05: "q05", 0.5: "q50", 0.95: "q95"})
                .assign(scenario=name, output=key)
                .rename_axis("year")
                .reset_index()
            )
        _honest_ylim(ax, key, top)
        for year in (2027, 2030):
            ax.axvline(year, color="#cccccc", linewidth=0.8, zorder=0)
        ax.set_title(OUTCOMES[key], fontsize=font(10))
        ax.set_ylabel(UNITS[key])
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="lower right")
    title(fig, "The scenarios over time (median and 90% of runs)", fontsize=12)
    runs = next(iter(models.values()))["run"].nunique()
    caption(
        fig,
        f"{runs} replications each" + (f"; shared root seed {seed}" if seed is not None else ""),
    )
    return attach_data(fig, pd.concat(rows, ignore_index=True))


def compare_distributions(models: dict[str, pd.DataFrame], year: int, seed: int | None):
    """A dot plot per outcome in ``year``, on honest scales: each scenario's median (a dot) with
    the range of the middle 50% (thick) and 90% (thin) of its runs. Box plots collapsed to lines
    where the runs barely spread; a dot with its intervals shows a spread, or its absence."""
    keys = list(OUTCOMES)[:6]
    fig = new_figure(12, 7)
    axes = fig.subplots(2, 3).ravel()
    names = list(models)
    rows = []
    for ax, key in zip(axes, keys, strict=True):
        data = [m.loc[m["year"] == year, key].to_numpy(dtype=float) for m in models.values()]
        for i, d in enumerate(data):
            rows += [{"scenario": names[i], "output": key, "value": v} for v in d]
            if not len(d):
                continue
            q05, q25, q50, q75, q95 = np.quantile(d, (0.05, 0.25, 0.5, 0.75, 0.95))
            colour = PALETTE[i % len(PALETTE)]
            ax.vlines(i, q05, q95, color=colour, linewidth=1)
            ax.vlines(i, q25, q75, color=colour, linewidth=4)
            ax.scatter([i], [q50], s=28, color=colour, edgecolors="black", linewidths=0.5, zorder=3)
        ax.set_xticks(range(len(names)), names)
        ax.set_xlim(-0.6, len(names) - 0.4)
        _honest_ylim(ax, key, max((float(d.max()) for d in data if len(d)), default=1.0))
        ax.set_title(OUTCOMES[key], fontsize=font(9))
        ax.set_ylabel(UNITS[key], fontsize=8)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.grid(alpha=0.3, axis="y")
    title(
        fig,
        f"Outcomes in {year}, scenario by scenario (dot: median; bars: 50% and 90% of runs)",
        fontsize=12,
    )
    runs = next(iter(models.values()))["run"].nunique()
    caption(
        fig,
        f"Scenarios: {', '.join(names)}; {runs} replications each; dot: the median, thick bar: "
        "the middle 50% of runs, thin bar: the middle 90%"
        + (f"; shared root seed {seed}" if seed is not None else ""),
    )
    return attach_data(fig, pd.DataFrame(rows).assign(year=year))


def verdict_shares(verdicts: pd.DataFrame, seed: int | None, heading: str):
    """Stacked bars: share of runs per verdict, one bar per row of ``verdicts`` (counts); each
    bar is labelled with its number of runs."""
    totals = verdicts.sum(axis=1)
    shares = verdicts.div(totals, axis=0).fillna(0)
    fig = new_figure(10, 0.45 * len(shares) + 1.6)
    ax = fig.subplots()
    names = [f"{i} (n={int(n)})" for i, n in zip(shares.index, totals, strict=True)]
    left = np.zeros(len(shares))
    for v in VERDICTS:
        if v in shares and shares[v].any():
            ax.barh(
                names,
                shares[v],
                left=left,
                color=VERDICT_COLOURS[v],
                label=nice_label(v),
                edgecolor="white",
            )
            left += shares[v].to_numpy()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs")
    title(ax, heading, fontsize=11)
    # under the axes, laid out with them (a legend anchored below the axes left a gap as wide
    # as a fraction of the axes' height)
    slim = fig.get_figwidth() < 5
    fig.legend(loc="outside lower center", ncol=2 if slim else 3, fontsize=7, frameon=False)
    caption(
        fig,
        "Verdict thresholds: the [verdict] parameters"
        + (f"; root seed {seed}" if seed is not None else ""),
    )
    return attach_data(fig, verdicts.rename_axis("row").reset_index())


def _factor_label(key: str) -> str:
    from ..sweeps.spec import param_for  # noqa: PLC0415

    try:
        return f"{key} ({param_for(key).unit})"
    except Exception:  # a column that is not a schema parameter
        return key


def sweep_heatmap(data: pd.DataFrame, x: str, y: str, outcome: str, seed: int | None, k: int = 8):
    """Mean of ``outcome`` over runs in each cell of a k x k binning of two factors, with each
    cell's number of runs (an empty cell: no sampled point fell in it)."""
    d = pd.DataFrame(
        {
            "x": bins(data[x].astype(float), k),
            "y": bins(data[y].astype(float), k),
            "v": data[outcome].astype(float),
        }
    )
    grid = d.pivot_table(index="y", columns="x", values="v", aggfunc="mean")
    counts = d.pivot_table(index="y", columns="x", values="v", aggfunc="count")
    fig = new_figure(7.5, 6)
    ax = fig.subplots()
    im = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    for (i, j), n in np.ndenumerate(counts.reindex_like(grid).to_numpy()):
        if np.isfinite(n) and n > 0:
            ax.text(j, i, f"{int(n)}", ha="center", va="center", fontsize=6, color="white")
    ax.set_xticks(range(len(grid.columns)), [f"{v:.2g}" for v in grid.columns], fontsize=7)
    ax.set_yticks(range(len(grid.index)), [f"{v:.2g}" for v in grid.index], fontsize=7)
    ax.set_xlabel(f"{_factor_label(x)}, bin centre", fontsize=8)
    ax.set_ylabel(f"{_factor_label(y)}, bin centre", fontsize=8)
    fig.colorbar(im, ax=ax, label=f"mean {outcome}")
    title(ax, f"{outcome} over two factors", fontsize=10)
    caption(
        fig,
        f"Sweep: {len(data)} runs; numbers: runs per cell; blank cells: no run fell there"
        + (f"; root seed {seed}" if seed is not None else ""),
    )
    table = pd.DataFrame({"mean": grid.stack(), "runs": counts.stack()})
    return attach_data(fig, table.rename_axis([y, x]).reset_index())


def debate_heatmaps(table: pd.DataFrame):
    """Thesis x policy grids of P(an Article 5 failure), P(burden shifted) and P(Europe carries
    its own defence), one row of panels per world, each cell with its Wilson 95% interval
    (``sim.analysis.debate.Debate.table``)."""
    worlds = list(dict.fromkeys(table["world"]))
    theses = list(dict.fromkeys(table["thesis"]))
    policies = list(dict.fromkeys(table["policy"]))
    outcomes: tuple[tuple[str, str, str], ...] = (
        ("article5_failure", "P(an Article 5 failure)", "Reds"),
        ("burden_shifted_any", "P(burden shifted)", "Blues"),
    )
    if (table["outcome"] == "europe_carries").any():  # not in a table from before it existed
        outcomes += (("europe_carries", "P(Europe carries)", "Greens"),)
    # on a screen a row of outcomes per world; at a journal's 7 inches (paper style) three
    # panels side by side leave each cell too narrow for its interval, so there a row per
    # outcome and a column per world, the interval under the share in a smaller font
    paper = narrow()
    cells = (
        [(w, o) for o in outcomes for w in worlds]
        if paper
        else [(w, o) for w in worlds for o in outcomes]
    )
    nrows, ncols = (len(outcomes), len(worlds)) if paper else (len(worlds), len(outcomes))
    fig = new_figure(5.5 * ncols, 3.4 * nrows + 0.4)
    axes = np.atleast_2d(fig.subplots(nrows, ncols, squeeze=False))
    for k, (ax, (world, (outcome, name, cmap))) in enumerate(zip(axes.flat, cells, strict=True)):
        grid = np.full((len(theses), len(policies)), np.nan)
        sel = table[(table["world"] == world) & (table["outcome"] == outcome)]
        for r in sel.itertuples():
            i, j = theses.index(r.thesis), policies.index(r.policy)
            grid[i, j] = r.p
            colour = "white" if r.p > 0.6 else "black"
            if paper:
                ax.text(
                    j, i - 0.12, f"{r.p:.2f}", ha="center", va="center", fontsize=7, color=colour
                )
                ax.text(
                    j,
                    i + 0.2,
                    f"[{r.low:.2f}, {r.high:.2f}]",
                    ha="center",
                    va="center",
                    fontsize=5.5,
                    color=colour,
                )
            else:
                ax.text(
                    j,
                    i,
                    f"{r.p:.2f}\n[{r.low:.2f}, {r.high:.2f}]",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=colour,
                )
        ax.imshow(grid, vmin=0, vmax=1, cmap=cmap, aspect="auto")
        first_column, last_row = k % ncols == 0, k // ncols == nrows - 1
        ax.set_xticks(
            range(len(policies)),
            policies if last_row or not paper else [],
            fontsize=font(8),
            rotation=20 if paper else 0,
            ha="right" if paper else "center",
        )
        ax.set_yticks(
            range(len(theses)), theses if first_column or not paper else [], fontsize=font(8)
        )
        if last_row or not paper:
            ax.set_xlabel("US policy", fontsize=font(8))
        if first_column or not paper:
            ax.set_ylabel("thesis (assumptions)", fontsize=font(8))
        ax.set_title(f"{name}: {world}", fontsize=font(10))
    runs = int(table["runs"].max()) if len(table) else 0
    caption(fig, f"{runs} replications per cell; brackets: Wilson 95% intervals")
    return attach_data(fig, table)


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
                color=BAND,
            )
            ax.barh(
                pos + 0.2,
                sub["ST"],
                0.4,
                xerr=sub["ST_conf"],
                label="total ST",
                color=OKABE_ITO["orange"],
            )
            ax.set_xlabel("Sobol index (95% interval)")
        elif "mu_star" in sub:
            ax.barh(pos, sub["mu_star"], 0.6, xerr=sub["mu_star_conf"], color=BAND, label="mu*")
            ax.set_xlabel("Morris mu* (95% interval)")
        ax.set_yticks(pos, sub["factor"], fontsize=7)
        ax.set_title(out, fontsize=font(9))
        ax.grid(alpha=0.3, axis="x")
    labelled = [ax for ax in axes if ax.get_legend_handles_labels()[0]]
    if labelled:  # an output that does not vary has no bars: a legend there warned "No artists"
        labelled[0].legend(fontsize=7)
    title(fig, "Global sensitivity of the outputs to the swept factors", fontsize=12)
    caption(
        fig,
        "Outputs averaged over replications per point; intervals are bootstrap 95% intervals "
        "and can reach below 0 or above 1 when the sample is small"
        + (f"; root seed {seed}" if seed is not None else ""),
    )
    return attach_data(fig, df)


def verdicts_by_bin(data: pd.DataFrame, factor: str, seed: int | None, k: int = 6):
    """Share of each verdict per bin of one numeric factor."""
    b = bins(data[factor].astype(float), k) if data[factor].nunique() > k else data[factor]
    counts = pd.crosstab(b, data["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts.index = [
        f"{factor} = {v:.3g}" if isinstance(v, float) else f"{factor} = {v}" for v in counts.index
    ]
    return verdict_shares(counts, seed, f"Verdicts by {factor}")

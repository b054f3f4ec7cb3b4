"""Shared figure helpers: one look for every figure, captions, quantile bands, saving."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

VERDICT_COLOURS = {
    "deterrence_failed": "#b2182b",
    "europe_carries_us_lost_control": "#ef8a62",
    "headline_met_capability_hollow": "#fddbc7",
    "burden_shifted_alliance_intact": "#2166ac",
    "burden_shifted_trust_broken": "#67a9cf",
    "burden_not_shifted": "#bababa",
}
BAND = "#4c72b0"


def new_figure(width: float, height: float) -> Figure:
    """A figure without pyplot (no global state, safe in servers and workers)."""
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig


def caption(fig: Figure, text: str) -> None:
    """The caption under every figure: scenario, replications and seed."""
    fig.text(0.01, 0.002, text, fontsize=8, color="#444444", ha="left", va="bottom")


def quantiles(table: pd.DataFrame, column: str, qs: tuple[float, ...]) -> pd.DataFrame:
    """Quantiles of ``column`` over replications, one row per year, one column per quantile."""
    rows = {
        year: np.quantile(g.to_numpy(dtype=float), qs) for year, g in table.groupby("year")[column]
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(qs)).sort_index()


def fan(ax, table: pd.DataFrame, column: str, colour: str = BAND, label: str | None = None):
    """Median line with 50% and 90% bands over replications, by year."""
    q = quantiles(table, column, (0.05, 0.25, 0.5, 0.75, 0.95))
    years = q.index.to_numpy()
    ax.fill_between(
        years,
        q[0.05],
        q[0.95],
        color=colour,
        alpha=0.15,
        linewidth=0,
        label="90% of runs" if label is None else None,
    )
    ax.fill_between(
        years,
        q[0.25],
        q[0.75],
        color=colour,
        alpha=0.35,
        linewidth=0,
        label="50% of runs" if label is None else None,
    )
    ax.plot(years, q[0.5], color=colour, linewidth=2, label=label or "median")
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    return q


def save(fig: Figure, folder: Path, name: str) -> tuple[Path, str]:
    """Write PNG and SVG beside the report; return the PNG path and its base64 text."""
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    png = buf.getvalue()
    (folder / f"{name}.png").write_bytes(png)
    fig.savefig(folder / f"{name}.svg", format="svg")
    return folder / f"{name}.png", base64.b64encode(png).decode("ascii")


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


def bins(values: pd.Series, k: int) -> pd.Series:
    """Equal-width bins of a numeric factor, labelled by their centre."""
    edges = np.linspace(values.min(), values.max(), k + 1)
    idx = np.clip(np.digitize(values, edges[1:-1]), 0, k - 1)
    centres = (edges[:-1] + edges[1:]) / 2
    return pd.Series(centres[idx], index=values.index)

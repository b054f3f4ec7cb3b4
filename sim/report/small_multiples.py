"""Per-ally small multiples on one Axes.

Thirty Axes (one per ally) made ``ally_spending`` the slowest figure of a run report: about
1.4 s of a 2.3 s figure went to laying out and drawing thirty sets of ticks, spines and titles
(cProfile: ``Axis._update_ticks`` and constrained layout's ``get_tightbbox`` per Axes). Here
the panels are offset boxes on a single Axes: every band, line and frame of every ally is one
collection, the ticks are those of the one Axes (years under the bottom row, % of GDP left of
the first column), and a panel's title is one text. The figure shows what the thirty Axes did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.ticker import MaxNLocator

from .style import BAND, OKABE_ITO

HEADLINE = OKABE_ITO["orange"]
GENUINE = OKABE_ITO["bluish_green"]
LEVELS = (2.0, 3.5, 5.0)  # the 2% guideline, the Hague core 3.5% and the 5% headline pledge


@dataclass(frozen=True)
class Grid:
    """Where panel ``i`` sits on the one Axes: ``cols`` panels a row, each ``span`` years wide
    and ``top`` % of GDP high, separated by ``xgap`` years and ``ygap`` % (room for a title)."""

    n: int
    cols: int
    start: int
    span: float
    top: float

    @property
    def rows(self) -> int:
        return math.ceil(self.n / self.cols)

    @property
    def xgap(self) -> float:
        return 0.14 * self.span

    @property
    def ygap(self) -> float:
        return 0.2 * self.top

    def origin(self, i: int) -> tuple[float, float]:
        """The data point where panel ``i`` has (start year, 0 % of GDP)."""
        row, col = divmod(i, self.cols)
        return col * (self.span + self.xgap), (self.rows - 1 - row) * (self.top + self.ygap)

    def place(self, i: int, years: np.ndarray, values: np.ndarray) -> np.ndarray:
        """(x, y) vertices of a series in panel ``i``; values beyond the panel are drawn at its
        edge (the thirty Axes clipped them there)."""
        x0, y0 = self.origin(i)
        return np.column_stack([x0 + years - self.start, y0 + np.clip(values, 0.0, self.top)])


def ally_panels(ax, series: dict[str, pd.DataFrame], top: float, reclassified: set[str]) -> Grid:
    """Draw one panel per ally on ``ax``: the 90% and 50% bands and the median of core spending
    as reported, the median of headline spending, genuine core (dashed) where spending was
    reclassified, dotted lines at 2%, 3.5% and 5%, a light grid and a frame.

    ``series`` maps an ally's code to its quantile table (index: year; columns q05, q25, q50,
    q75, q95, headline, genuine)."""
    codes = list(series)
    years_all = np.unique(np.concatenate([s.index.to_numpy() for s in series.values()]))
    start, end = int(years_all.min()), int(years_all.max())
    grid = Grid(len(codes), 6, start, float(max(end - start, 1)), top)
    # inner years only: a label at a panel's edge would run into the next panel's
    locator = MaxNLocator(nbins=4, integer=True)
    xticks = [int(t) for t in locator.tick_values(start, end) if start < t < end]
    yticks = list(range(0, int(top) + 1, 2))
    # one list of polygons or polylines per collection, every ally's in each
    outer: list[np.ndarray] = []
    inner: list[np.ndarray] = []
    median: list[np.ndarray] = []
    headline: list[np.ndarray] = []
    genuine: list[np.ndarray] = []
    levels: list[list[tuple[float, float]]] = []
    lines: list[list[tuple[float, float]]] = []
    frames: list[list[tuple[float, float]]] = []
    for i, code in enumerate(codes):
        s = series[code]
        years = s.index.to_numpy(dtype=float)
        for lo, hi, bucket in (("q05", "q95", outer), ("q25", "q75", inner)):
            bucket.append(
                np.vstack(
                    [
                        grid.place(i, years, s[lo].to_numpy()),
                        grid.place(i, years[::-1], s[hi].to_numpy()[::-1]),
                    ]
                )
            )
        median.append(grid.place(i, years, s["q50"].to_numpy()))
        headline.append(grid.place(i, years, s["headline"].to_numpy()))
        if code in reclassified:  # drawn only where it differs from core as reported
            genuine.append(grid.place(i, years, s["genuine"].to_numpy()))
        x0, y0 = grid.origin(i)
        x1, y1 = x0 + grid.span, y0 + top
        levels += [[(x0, y0 + v), (x1, y0 + v)] for v in LEVELS if v <= top]
        lines += [[(x0 + t - start, y0), (x0 + t - start, y1)] for t in xticks]
        lines += [[(x0, y0 + v), (x1, y0 + v)] for v in yticks[1:]]
        frames.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
        ax.text((x0 + x1) / 2, y1, code, fontsize=8, ha="center", va="bottom", clip_on=False)
    ax.add_collection(LineCollection(lines, colors="#b0b0b0", linewidths=0.8, alpha=0.3))
    ax.add_collection(PolyCollection(outer, facecolors=BAND, alpha=0.15, linewidths=0))
    ax.add_collection(PolyCollection(inner, facecolors=BAND, alpha=0.35, linewidths=0))
    ax.add_collection(LineCollection(levels, colors="#999999", linewidths=0.7, linestyles=":"))
    ax.add_collection(LineCollection(median, colors=BAND, linewidths=2))
    ax.add_collection(LineCollection(headline, colors=HEADLINE, linewidths=1.2))
    if genuine:
        ax.add_collection(LineCollection(genuine, colors=GENUINE, linewidths=1.0, linestyles="--"))
    ax.add_collection(LineCollection(frames, colors="black", linewidths=0.8))
    width = grid.cols * grid.span + (grid.cols - 1) * grid.xgap
    height = grid.rows * top + (grid.rows - 1) * grid.ygap
    # a hair of room so the outer frames are not cut in half at the Axes' edge
    ax.set_xlim(-0.004 * width, 1.004 * width)
    ax.set_ylim(-0.004 * height, 1.004 * height)
    for side in ax.spines.values():
        side.set_visible(False)
    # ticks of the one Axes: years under the bottom row, % of GDP left of the first column
    bottom = [grid.origin(i)[0] for i in range((grid.rows - 1) * grid.cols, len(codes))]
    ax.set_xticks(
        [x0 + t - start for x0 in bottom for t in xticks],
        [str(t) for _ in bottom for t in xticks],
        fontsize=6,
    )
    rows = [grid.origin(r * grid.cols)[1] for r in range(grid.rows)]
    ax.set_yticks(
        [y0 + v for y0 in rows for v in yticks],
        [f"{v:g}" for _ in rows for v in yticks],
        fontsize=6,
    )
    ax.tick_params(length=2, pad=1)
    return grid

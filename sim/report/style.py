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
    """Provenance for the caption (scenario, replications and seed). Kept off the canvas, where
    it overprinted axis labels: the report puts it in the HTML caption (``figure_caption``)."""
    fig.natosim_caption = text  # type: ignore[attr-defined]


def attach_data(fig: Figure, data: pd.DataFrame) -> Figure:
    """Attach the table a figure draws, so the report can write it beside the figure as CSV
    (every figure can be redrawn by a reader)."""
    fig.natosim_data = data  # type: ignore[attr-defined]
    return fig


def figure_caption(fig: Figure) -> str:
    return str(getattr(fig, "natosim_caption", ""))


def figure_data(fig: Figure) -> pd.DataFrame | None:
    return getattr(fig, "natosim_data", None)


def layout_problems(fig: Figure, tolerance: float = 1.0) -> list[str]:
    """Text that leaves the canvas or overprints other text, after drawing ``fig``.

    Every visible, non-empty text artist (titles, axis labels, tick labels, legends, annotations)
    is measured in display pixels; one that reaches beyond the figure by more than
    ``tolerance`` pixels, or whose box overlaps another's, is reported. Text inside a marker or a
    bar (an ISO3 code on its node) is measured too: labels must not collide there either.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.text import Text  # noqa: PLC0415

    canvas = FigureCanvasAgg(fig)  # a Figure made without pyplot has no drawing canvas yet
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    # tick labels exist for ticks outside the view limits too, but only those inside are drawn
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            # the ticks a draw uses (none on an axes turned off)
            drawn = {id(t) for t in axis._update_ticks()} if ax.axison else set()  # type: ignore[union-attr]
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if id(tick) not in drawn:
                    hidden.update({id(tick.label1), id(tick.label2)})
    boxes = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or id(t) in hidden:
            continue
        box = t.get_window_extent(renderer)
        if box.width == 0 or box.height == 0:
            continue
        label = t.get_text().strip()[:40]
        if (
            box.x0 < -tolerance
            or box.y0 < -tolerance
            or box.x1 > width + tolerance
            or box.y1 > height + tolerance
        ):
            boxes.append((label, box, True))
        else:
            boxes.append((label, box, False))
    problems = [f"outside the canvas: {label!r}" for label, _, out in boxes if out]
    for i, (a, box_a, _) in enumerate(boxes):
        for b, box_b, _ in boxes[i + 1 :]:
            inter_w = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            inter_h = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if inter_w > tolerance and inter_h > tolerance:
                problems.append(f"overlap: {a!r} and {b!r}")
    return problems


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


def save(fig: Figure, folder: Path, name: str, svg: bool = True) -> tuple[Path, str]:
    """Write the PNG (and, with ``svg``, an SVG) beside the report; return the PNG path and its
    base64 text. The PNG is drawn once: the file and the page's embedded image are the same
    bytes. An SVG is a second drawing (another backend), about as long as the PNG's, which is
    why reports write it only on request."""
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    png = buf.getvalue()
    (folder / f"{name}.png").write_bytes(png)
    if svg:
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

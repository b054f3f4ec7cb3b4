"""Shared figure helpers: one look for every figure, captions, quantile bands, saving.

Two styles: ``screen`` (the default: figures sized for a page, 110 dpi, a title on the canvas)
and ``paper`` (``--style paper``: what a journal takes: 300 dpi, a single column's 3.5 inches or
a double column's 7 inches wide, no title on the canvas, where the journal's caption goes, and
fonts of 7 to 8 points, legible at that width). Every colour comes from the Okabe-Ito palette
(Okabe and Ito 2008, "Color Universal Design"), whose colours stay apart under the common
colour-vision deficiencies: no red beside green.
"""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Okabe-Ito: the colour-blind-safe qualitative palette (plus black)
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# the order categorical series take their colours in (blue and orange first: the pair that
# stays apart for every kind of colour blindness)
PALETTE = tuple(
    OKABE_ITO[c]
    for c in ("blue", "orange", "bluish_green", "vermillion", "sky_blue", "reddish_purple")
) + (OKABE_ITO["yellow"], OKABE_ITO["black"])
VERDICT_COLOURS = {
    "deterrence_failed": OKABE_ITO["vermillion"],
    "europe_carries_us_lost_control": OKABE_ITO["orange"],
    "headline_met_capability_hollow": OKABE_ITO["yellow"],
    "europe_carries_alliance_intact": OKABE_ITO["bluish_green"],
    "burden_shifted_alliance_intact": OKABE_ITO["blue"],
    "burden_shifted_trust_broken": OKABE_ITO["sky_blue"],
    "burden_not_shifted": "#BBBBBB",
}
BAND = OKABE_ITO["blue"]
ALERT = OKABE_ITO["vermillion"]  # a deadline, Russia, a failure

# proper nouns in a verdict's or an event's name, written as such in a label
_PROPER = {"us": "US", "europe": "Europe", "eu": "EU", "nato": "NATO", "ukraine": "Ukraine"}


def nice_label(name: str) -> str:
    """A verdict's or column's name as words (``europe_carries_us_lost_control``: 'Europe
    carries US lost control')."""
    return " ".join(_PROPER.get(w, w) for w in name.replace("_", " ").split())


@dataclass(frozen=True)
class FigureStyle:
    """How figures are sized, titled and saved."""

    name: str
    dpi: int
    titles: bool  # a title drawn on the canvas
    widths: tuple[float, ...] = ()  # the widths (inches) a figure is fitted to, if any
    rc: tuple[tuple[str, Any], ...] = ()  # matplotlib settings while figures are drawn


SCREEN = FigureStyle("screen", dpi=110, titles=True)
SINGLE_COLUMN, DOUBLE_COLUMN = 3.5, 7.0
PAPER = FigureStyle(
    "paper",
    dpi=300,
    titles=False,
    widths=(SINGLE_COLUMN, DOUBLE_COLUMN),
    rc=(
        ("font.size", 8),
        ("axes.titlesize", 8),
        ("axes.labelsize", 8),
        ("xtick.labelsize", 7),
        ("ytick.labelsize", 7),
        ("legend.fontsize", 7),
        ("figure.titlesize", 8),
        ("lines.linewidth", 1.2),
        ("axes.linewidth", 0.6),
    ),
)
STYLES = {s.name: s for s in (SCREEN, PAPER)}
_STYLE: ContextVar[FigureStyle] = ContextVar("natosim_figure_style", default=SCREEN)


@contextlib.contextmanager
def figure_style(name: str) -> Iterator[FigureStyle]:
    """Draw and save the figures made inside in style ``name`` (``screen`` or ``paper``)."""
    import matplotlib as mpl  # noqa: PLC0415

    style = STYLES[name]
    token = _STYLE.set(style)
    try:
        with mpl.rc_context(dict(style.rc)):  # type: ignore[arg-type]
            yield style
    finally:
        _STYLE.reset(token)


def current_style() -> FigureStyle:
    return _STYLE.get()


def new_figure(
    width: float, height: float, layout: Literal["constrained"] | None = "constrained"
) -> Figure:
    """A figure without pyplot (no global state, safe in servers and workers), laid out by
    ``layout`` (matplotlib's engine; None: placed by ``subplots_adjust``). In the paper
    style, ``width`` x ``height`` (the screen size) is fitted to a journal's column: a figure of
    up to 5 inches to a single column, a wider one to a double column, its height scaled alike
    (at most 9 inches, a page's height less its caption)."""
    style = _STYLE.get()
    if style.widths:
        single, double = style.widths
        fitted = single if width <= 5.0 else double
        height, width = min(9.0, max(2.2, height * fitted / width * 1.1)), fitted
    fig = Figure(figsize=(width, height), dpi=100, layout=layout)
    return fig


def narrow() -> bool:
    """Whether figures are being fitted to a journal's column (the paper style), where a layout
    made for a screen's width may need rearranging."""
    return bool(_STYLE.get().widths)


def font(points: float) -> float:
    """A font size given for the screen, at most 8 points in the paper style (the journal's
    size at column width; the screen's 9 to 12 points crowd a 3.5- or 7-inch figure)."""
    return min(points, 8.0) if narrow() else points


def title(where: Any, text: str, **kw: Any) -> None:
    """A title for a whole figure (``where`` a Figure: a suptitle) or its only Axes; none in the
    paper style (a journal prints the caption instead, and the report's HTML caption says it)."""
    if not _STYLE.get().titles:
        return
    if isinstance(where, Figure):
        where.suptitle(text, **kw)
    else:
        where.set_title(text, **kw)


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
    fig.savefig(buf, format="png", dpi=_STYLE.get().dpi)
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

"""The app's live figures, laid out once: the charts and the map are drawn again every year of
every playing page, and matplotlib's constrained layout, which measures every label before it
places the axes, was about 40% of each drawing's server CPU (issue 28: 0.68 s a year for the
two). A playing run's figures keep the same axes, titles and labels from year to year, so:

* the charts (:func:`charts_figure`) are placed by fixed margins, wide enough for the widest
  tick labels the six outputs take;
* the map (:func:`laid_out`) is laid out by the constrained engine the first time a figure of
  its kind is drawn, and later figures of the same kind take the axes' places from that first
  one (kept per kind: scenario, colouring and number of axes; a few dozen at most).

The PNG a page shows is the same drawing with the axes where the first year put them.

Pages share their drawings (:func:`shared_png`): every page opens on the same run (a scenario,
its settings, the default seed), and a class stepping the default run steps through the same
years, so a drawing is made once for all of them. Opening a page took about 0.8-1.0 s of the
server's CPU, most of it these two drawings, and a class opening the app at once queued on
the server's one interpreter."""

from __future__ import annotations

import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import MaxNLocator
from PIL import Image

from ..report.style import new_figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    from .session import Session, View

CHARTS = (
    ("eu_core_pct", "European core spending", "% of GDP"),
    ("eu_capability_share", "European share of capability", "0-1"),
    ("mean_trust", "Mean trust in the US", "0-1"),
    ("russia_resolve_estimate", "Russia's estimate of US resolve", "0-1"),
    ("us_posture", "US posture in Europe", "fraction of 2025"),
    ("greyzone_attacks", "Grey-zone attacks", "per year"),
)

# the charts' margins as fractions of the 11 x 5.5 inch figure: room on the left of each column
# for a y label and tick labels up to five characters ("0.825", "1,000")
CHART_MARGINS = {
    "left": 0.065,
    "right": 0.99,
    "bottom": 0.065,
    "top": 0.87,
    "wspace": 0.32,
    "hspace": 0.42,
}

KEPT = 64  # layouts kept (kinds of figure); the oldest is forgotten beyond this
_layouts: OrderedDict[Hashable, list[Bbox]] = OrderedDict()
_lock = threading.Lock()


PNGS_KEPT = 256  # drawings kept for all pages (about 60-120 kB each); the oldest go first
_pngs: OrderedDict[Hashable, bytes] = OrderedDict()
_drawing: dict[Hashable, threading.Lock] = {}  # one drawing of a key at a time


def shared_png(key: Hashable, draw: Callable[[], Figure | bytes]) -> bytes:
    """The PNG of the figure ``draw()`` makes (or the PNG it returns), drawn once for every
    page that asks for the same ``key`` (:meth:`sim.ui.session.Session.shown_key` and what else
    the drawing depends on): kept for later pages (at most :data:`PNGS_KEPT`), and drawn by one
    page while the others asking for it at the same moment wait for it instead of drawing it
    again."""
    with _lock:
        if key in _pngs:
            _pngs.move_to_end(key)
            return _pngs[key]
        mine = _drawing.setdefault(key, threading.Lock())
    with mine:
        with _lock:
            if key in _pngs:
                return _pngs[key]
        drawn = draw()
        if isinstance(drawn, bytes):  # drawn as PNG already (charts_png)
            png = drawn
        else:
            buffer = io.BytesIO()
            drawn.savefig(buffer, format="png")
            png = buffer.getvalue()
        with _lock:
            _pngs[key] = png
            while len(_pngs) > PNGS_KEPT:
                _pngs.popitem(last=False)
            _drawing.pop(key, None)
    return png


def forget_drawings() -> None:
    """Forget every shared drawing (tests that count drawings start from none)."""
    with _lock:
        _pngs.clear()


def _kept(cache: OrderedDict[Hashable, Any], key: Hashable, make: Callable[[], Any], most: int):
    """``cache[key]``, made by ``make()`` if missing; the most recently used last, at most
    ``most`` kept (the oldest forgotten). The caller holds the cache's lock."""
    if key not in cache:
        cache[key] = make()
        while len(cache) > most:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return cache[key]


def _drawn_without(canvas: FigureCanvasAgg, fig: Figure, moving: list[Any]) -> Any:
    """The pixels of ``fig`` drawn without the artists ``moving`` (those drawn over them every
    year), as a region to restore."""
    for artist in moving:
        artist.set_visible(False)
    canvas.draw()
    for artist in moving:
        artist.set_visible(True)
    return canvas.copy_from_bbox(fig.bbox)


def _canvas_png(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as they stand (no drawing again) as PNG."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
    return buffer.getvalue()


def _charts_frame(start: int, end: int) -> tuple[Figure, list[Line2D], Text]:
    """The charts' figure without data: six axes on fixed margins, their titles, units and the
    run's years; an empty line on each and an empty title above them."""
    fig = new_figure(11, 5.5, layout=None)
    fig.subplots_adjust(**CHART_MARGINS)
    axes = fig.subplots(2, 3).ravel()
    lines = []
    for ax, (_, title, unit) in zip(axes, CHARTS, strict=True):
        (line,) = ax.plot([], [], marker="o", markersize=3)
        lines.append(line)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xlim(start, end)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.grid(alpha=0.3)
    return fig, lines, fig.suptitle("", fontsize=11)


def _charts_title(s: Session, view: View) -> str:
    return f"{view.configured.name}, seed {s.seed}: year {view.year}"


def charts_figure(s: Session, view: View | None = None) -> Figure:
    """Live charts of the main outputs, year by year so far (``view``: as read at one moment),
    on fixed margins (module docstring), each value axis scaled to its data."""
    view = view or s.view()
    h = view.history
    start, end = view.configured.get("run.start_year"), view.configured.get("run.end_year")
    fig, lines, title = _charts_frame(start, end)
    for ax, line, (col, _, _) in zip(fig.axes, lines, CHARTS, strict=True):
        line.set_data(h["year"], h[col])
        ax.relim()
        ax.autoscale_view()
    title.set_text(_charts_title(s, view))
    return fig


# A playing page's charts change only in their lines and title from one year to the next. The
# value axes take limits on a ladder (multiples of a step per unit, padded), so they change only
# when a line crosses a rung; the rest (axes, ticks, labels, grid: about 80% of a drawing) is
# drawn once per set of limits and kept as pixels, and a year draws its lines over them
# (matplotlib's blitting): 0.02-0.03 s of server CPU against 0.12-0.15 s for the whole figure.
STEPS = {"% of GDP": 0.5, "0-1": 0.1, "fraction of 2025": 0.1}  # a ladder's rungs, per unit
LIVE_KEPT = 12  # runs whose charts are kept drawn (about 8 MB each); the oldest go first
_live: OrderedDict[Hashable, LiveCharts] = OrderedDict()


def ladder(values: Any, step: float | None) -> tuple[float, float]:
    """The value axis for ``values``: from the rung at or below their least to the rung at or
    above their greatest (rungs ``step`` apart; without a step, half the power of ten of the
    largest magnitude: 0.5 for 0-9, 5 for 10-99), padded by 4% of the span; (0, 1) for no
    finite value. A function of the values alone, so a run's charts are the same drawing
    whatever the years a page stepped at a time.

    >>> ladder([2.3, 3.1], 0.5), ladder([0.0, 0.0], None), ladder([12.0, 40.0], None)
    ((1.94, 3.56), (-0.02, 0.52), (8.8, 41.2))
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    if not step:
        step = 10.0 ** math.floor(math.log10(max(abs(lo), abs(hi), 1.0))) / 2
    low, high = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if high - low < step:
        high = low + step
    pad = 0.04 * (high - low)
    return (round(low - pad, 10), round(high + pad, 10))


class LiveCharts:
    """One run's charts kept drawn between years (see :data:`STEPS`): :meth:`png` draws the
    lines and title of a year over the axes drawn for their current limits. An axes whose
    ladder limits changed is drawn again alone, in its own region of the figure (its tight box:
    the margins keep the six apart), over the empty figure. The drawing is a function of the
    data only: the same bytes as a new one would draw (tested). One thread at a time (a lock)."""

    def __init__(self, start: int, end: int) -> None:
        self.fig, self.lines, self.title = _charts_frame(start, end)
        self.canvas = FigureCanvasAgg(self.fig)
        self.limits: list[tuple[float, float] | None] = [None] * len(self.lines)
        self.lock = threading.Lock()
        for artist in (*self.fig.axes, self.title):
            artist.set_visible(False)
        self.canvas.draw()  # nothing but the figure's face: cheap
        self.empty = self.canvas.copy_from_bbox(self.fig.bbox)
        for artist in (*self.fig.axes, self.title):
            artist.set_visible(True)
        self.background: Any = None

    def _axes_again(self, i: int, limits: tuple[float, float]) -> None:
        """Draw axes ``i`` again, without its line, at ``limits``: its region emptied, then the
        axes drawn into it; the result kept as the background."""
        ax, line = self.fig.axes[i], self.lines[i]
        if self.limits[i] is not None:  # its old region emptied (its tick labels may shrink)
            self._empty(ax)
        ax.set_ylim(limits)
        self._empty(ax)
        line.set_visible(False)
        self.fig.draw_artist(ax)
        line.set_visible(True)
        self.limits[i] = limits

    def _empty(self, ax: Any) -> None:
        """Axes ``ax``'s region (its tight box, 2 px more) back to the empty figure. A saved
        region counts rows from the top (matplotlib's Agg): the box is turned over for it."""
        box = ax.get_tightbbox(self.canvas.get_renderer()).padded(2)
        height = self.canvas.get_width_height()[1]
        rows = (math.floor(box.x0), math.floor(height - box.y1))
        ends = (math.ceil(box.x1), math.ceil(height - box.y0))
        self.canvas.restore_region(self.empty, bbox=(*rows, *ends), xy=(0, 0))

    def png(self, history: pd.DataFrame, title: str) -> bytes:
        limits = [ladder(history[col], STEPS.get(unit)) for col, _, unit in CHARTS]
        with self.lock:
            changed = [i for i, lim in enumerate(limits) if lim != self.limits[i]]
            if self.background is None:  # the first year: every axes at once, one drawing
                for ax, lim in zip(self.fig.axes, limits, strict=True):
                    ax.set_ylim(lim)
                moving = [*self.lines, self.title]
                self.background = _drawn_without(self.canvas, self.fig, moving)
                self.limits = list(limits)
            elif changed:
                self.canvas.restore_region(self.background)
                for i in changed:
                    self._axes_again(i, limits[i])
                self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            for line, (col, _, _) in zip(self.lines, CHARTS, strict=True):
                line.set_data(history["year"], history[col])
            self.title.set_text(title)
            self.canvas.restore_region(self.background)
            for artist in (*self.lines, self.title):
                self.fig.draw_artist(artist)
            return _canvas_png(self.canvas)


class LiveMap:
    """One run's map, drawn each year as a new figure (``network_map``, cheap to build) whose
    nodes and labels are drawn over the rest as pixels kept from an earlier year: the
    rest (ties, axes, the colour scale, the legend) is the same while the scale's limits, who is
    outside NATO or unarmed, and the labels' places are (:meth:`_moving`'s key). Every year's
    bytes are those of a new drawing (tested). One thread at a time (a lock)."""

    KEPT = 4  # drawings of the rest kept per run (the scale changes a few times a run)

    def __init__(self) -> None:
        self.rests: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def _moving(fig: Figure) -> tuple[list[Any], Hashable]:
        """The artists drawn every year (the coloured nodes and the labels) and what the rest's
        drawing depends on."""
        ax = fig.axes[0]
        nodes = [c for c in ax.collections if c.get_array() is not None]
        others = [c for c in ax.collections if c.get_array() is None]
        legend = ax.get_legend()
        rest = (
            tuple((n.norm.vmin, n.norm.vmax) for n in nodes),
            tuple(np.asarray(c.get_offsets()).tobytes() for c in others),
            tuple(np.asarray(n.get_offsets()).tobytes() for n in nodes),
            tuple(t.get_text() for t in legend.get_texts()) if legend is not None else (),
            tuple(
                (t.get_text(), repr(t.get_position()), t.get_verticalalignment()) for t in ax.texts
            ),
            tuple(a.get_label() for a in fig.axes[1:]),
            ax.get_title(),
            tuple(tuple(a.get_position().bounds) for a in fig.axes),
        )
        return [*nodes, *ax.texts], rest

    def png(self, fig: Figure) -> bytes:
        moving, rest = self._moving(fig)
        canvas = FigureCanvasAgg(fig)
        with self.lock:
            kept = _kept(self.rests, rest, lambda: _drawn_without(canvas, fig, moving), self.KEPT)
        canvas.get_renderer()  # the figure's own pixels, then the kept rest over them
        canvas.restore_region(kept)
        for artist in sorted(moving, key=lambda a: a.get_zorder()):
            fig.draw_artist(artist)
        return _canvas_png(canvas)


_maps: OrderedDict[Hashable, LiveMap] = OrderedDict()


def map_png(key: Hashable, fig: Figure) -> bytes:
    """The PNG of ``fig``, a run's map (``key``: the run, its colouring and network), drawn over
    the rest kept for that run (:class:`LiveMap`, at most :data:`LIVE_KEPT` runs)."""
    with _lock:
        live = _kept(_maps, key, LiveMap, LIVE_KEPT)
    return live.png(fig)


def charts_png(s: Session, view: View) -> bytes:
    """The PNG of the charts of ``view`` (a view of ``s``), drawn over its run's kept axes
    (:class:`LiveCharts`, one per run: its key without the year, at most :data:`LIVE_KEPT`)."""
    years = view.configured.get("run.start_year"), view.configured.get("run.end_year")
    with _lock:
        live = _kept(_live, view.key[:-1], lambda: LiveCharts(*years), LIVE_KEPT)
    return live.png(view.history, _charts_title(s, view))


def laid_out(fig: Figure, kind: Hashable) -> Figure:
    """``fig`` with its axes where the first figure of ``kind`` had them after the constrained
    layout, and no layout engine left to measure it again (module docstring). The first figure
    of a kind is laid out here (one draw without rendering) and its places kept."""
    key = (kind, len(fig.axes))
    with _lock:
        places = _layouts.get(key)
        if places is not None:
            _layouts.move_to_end(key)
    if places is None:
        fig.draw_without_rendering()
        places = [ax.get_position() for ax in fig.axes]
        with _lock:
            _layouts[key] = places
            while len(_layouts) > KEPT:
                _layouts.popitem(last=False)
    fig.set_layout_engine("none")
    for ax, place in zip(fig.axes, places, strict=True):
        ax.set_position(place)
    return fig

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
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from matplotlib.ticker import MaxNLocator

from ..report.style import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure
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


def shared_png(key: Hashable, draw: Callable[[], Figure]) -> bytes:
    """The PNG of the figure ``draw()`` makes, drawn once for every page that asks for the same
    ``key`` (:meth:`sim.ui.session.Session.shown_key` and what else the drawing depends on):
    kept for later pages (at most :data:`PNGS_KEPT`), and drawn by one page while the others
    asking for it at the same moment wait for it instead of drawing it again."""
    with _lock:
        if key in _pngs:
            _pngs.move_to_end(key)
            return _pngs[key]
        mine = _drawing.setdefault(key, threading.Lock())
    with mine:
        with _lock:
            if key in _pngs:
                return _pngs[key]
        buffer = io.BytesIO()
        draw().savefig(buffer, format="png")
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


def charts_figure(s: Session, view: View | None = None) -> Figure:
    """Live charts of the main outputs, year by year so far (``view``: as read at one moment),
    on fixed margins (module docstring)."""
    view = view or s.view()
    h = view.history
    fig = new_figure(11, 5.5, layout=None)
    fig.subplots_adjust(**CHART_MARGINS)
    axes = fig.subplots(2, 3).ravel()
    for ax, (col, title, unit) in zip(axes, CHARTS, strict=True):
        ax.plot(h["year"], h[col], marker="o", markersize=3)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xlim(view.configured.get("run.start_year"), view.configured.get("run.end_year"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.grid(alpha=0.3)
    fig.suptitle(f"{view.configured.name}, seed {s.seed}: year {view.year}", fontsize=11)
    return fig


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

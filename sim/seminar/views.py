"""What every screen of a seminar shows, as SVG the browser draws: line charts of the main
outcomes and the alliance map, the status line, the event log grouped by year and the decisions
revealed. Made once per year for the whole class (in the session's published snapshot), so
thirty viewers cost one drawing, not thirty. Fixed axes (0-1 for indices, 0 to at least 4% for
spending) so a small change looks small. Every drawing carries ``data-year`` (the last year it
shows), so a test or the load benchmark can tell a stale chart.

Hidden information (Russia's forces and its reading of resolve) is kept apart from what every page
shows: :data:`HIDDEN_CHARTS` and the insider's status line are drawn only on a page allowed to see
them (Russia's seat and the instructor) while the instructor hides them; see
:func:`page_views`."""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex

from ..model.network import cached_network

CHARTS = (
    ("eu_core_pct", "European core spending", "% of GDP", None),
    ("mean_trust", "Mean trust in the US", "index 0-1", (0.0, 1.0)),
    ("us_posture", "US posture in Europe", "fraction of 2025", (0.0, 1.5)),
)
# Russia's private reading: on Russia's seat and the instructor's console, and on every page only
# once the instructor reveals it
HIDDEN_CHARTS = (
    ("russia_resolve_estimate", "Russia's estimate of US resolve", "index 0-1", (0.0, 1.0)),
)
# a small drawing with large type: on a projector (1280x720) three charts share a row, about 270
# px each, and the labels must stay readable (at 360 x 200 with 10-px labels, four charts in a
# row drew their ticks at about 5 px)
W, H, PAD_L, PAD_B, PAD_T, PAD_R = 300, 180, 44, 34, 26, 20


def line_chart(
    years: list[int],
    values: list[float],
    start: int,
    end: int,
    title: str,
    unit: str,
    yrange: tuple[float, float] | None,
) -> str:
    """A small SVG line chart on fixed axes, with the year range of the whole run."""
    lo, hi = yrange or (0.0, max(4.0, max(values, default=0.0) * 1.1))
    iw, ih = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(year: float) -> float:
        return PAD_L + iw * (year - start) / max(end - start, 1)

    def y(v: float) -> float:
        return PAD_T + ih * (1 - (min(max(v, lo), hi) - lo) / (hi - lo))

    parts = [
        (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {W} {H}' width='100%' "
            f"role='img' aria-label='{escape(title)}' data-year='{years[-1] if years else ''}'>"
        ),
        f"<text x='{PAD_L}' y='17' font-size='15' font-weight='bold'>{escape(title)}</text>",
        f"<rect x='{PAD_L}' y='{PAD_T}' width='{iw}' height='{ih}' fill='none' stroke='#999'/>",
    ]
    levels = [lo + (hi - lo) * k / 4 for k in range(5)]
    # the grid in one path (one element, not one line per level); the tick labels share their
    # size and anchor through one group
    grid = "".join(f"M{PAD_L} {y(v):.1f}H{PAD_L + iw}" for v in levels)
    parts.append(f"<path d='{grid}' stroke='#eee'/>")
    parts.append(
        "<g font-size='12' text-anchor='end'>"
        + "".join(f"<text x='{PAD_L - 4}' y='{y(v) + 4:.1f}'>{v:.2g}</text>" for v in levels)
        + "</g>"
    )
    parts.append(
        "<g font-size='12' text-anchor='middle'>"
        + "".join(
            f"<text x='{x(yr):.1f}' y='{H - 16}'>{yr}</text>"
            for yr in sorted({start, (start + end) // 2, end})
        )
        + "</g>"
    )
    parts.append(
        f"<text x='{W - PAD_R}' y='{H - 2}' font-size='11' text-anchor='end' fill='#555'>"
        f"{escape(unit)}</text>"
    )
    if unit.startswith("%"):
        marks = "".join(
            f"M{PAD_L} {y(level):.1f}H{PAD_L + iw}" for level in (2.0, 3.5) if lo <= level <= hi
        )
        if marks:
            parts.append(f"<path d='{marks}' stroke='#888' stroke-dasharray='3 3'/>")
    if years:
        pts = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(years, values, strict=True))
        parts.append(f"<polyline points='{pts}' fill='none' stroke='#1f5fa6' stroke-width='2.5'/>")
        parts.append(
            f"<circle cx='{x(years[-1]):.1f}' cy='{y(values[-1]):.1f}' r='4' fill='#1f5fa6'/>"
        )
    parts.append("</svg>")
    return "".join(parts)


def charts(model_rows: pd.DataFrame, start: int, end: int, which: tuple = CHARTS) -> list[str]:
    """The charts ``which`` (the shared ones unless told) for the year reached."""
    years = [int(v) for v in model_rows["year"]]
    return [
        line_chart(years, [float(v) for v in model_rows[col]], start, end, title, unit, rng)
        for col, title, unit, rng in which
    ]


def alliance_map(allies: pd.DataFrame, network_params: dict, year: int) -> str:
    """The alliance on capital coordinates coloured by core spending this year (hollow: not a
    member yet), Russia marked; Canada and the US at the left edge."""
    graph = cached_network(tuple(sorted(network_params.items())))[0]
    pos = {n: d["pos"] for n, d in graph.nodes(data=True)}
    now = allies[allies["year"] == year].set_index("iso3")
    norm = Normalize(1.0, 5.0)
    cmap = colormaps["viridis"]
    w, h = 560, 380

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return 20 + (lon + 30) / 75 * (w - 40), 20 + (68 - lat) / 34 * (h - 60)

    parts = [
        (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}' width='100%' "
            f"role='img' aria-label='alliance map' data-year='{year}'>"
        ),
        (
            f"<text x='10' y='14' font-size='13' font-weight='bold'>The alliance in {year}: "
            "core spending, % of GDP</text>"
        ),
    ]
    for iso3, row in now.iterrows():
        lon, lat = pos.get(iso3, (None, None))
        if lon is None:
            continue
        if iso3 == "CAN":
            lon, lat = -29.0, 45.0
        cx, cy = xy(lon, lat)
        member = bool(row["member"])
        armed = float(row["core_pct"]) > 0  # Iceland has no armed forces: grey, not "0%"
        fill = (
            (to_hex(cmap(norm(float(row["core_pct"])))) if armed else "#bbbbbb")
            if member
            else "none"
        )
        parts.append(
            f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='11' fill='{fill}' stroke='#222'"
            + ("" if member else " stroke-dasharray='2 2'")
            + f"><title>{escape(str(iso3))}: {float(row['core_pct']):.2f}%</title></circle>"
            f"<text x='{cx:.1f}' y='{cy + 3:.1f}' font-size='8' text-anchor='middle' "
            f"fill='{'white' if member else '#444'}'>{escape(str(iso3))}</text>"
        )
    rx, ry = xy(*pos["RUS"])
    parts.append(
        f"<rect x='{rx - 9:.1f}' y='{ry - 9:.1f}' width='18' height='18' fill='#b2182b'/>"
        f"<text x='{rx:.1f}' y='{ry - 12:.1f}' font-size='10' text-anchor='middle'>RUS</text>"
    )
    ux, uy = xy(-29.0, 38.0)
    parts.append(
        f"<rect x='{ux - 8:.1f}' y='{uy - 8:.1f}' width='16' height='16' fill='#444'/>"
        f"<text x='{ux + 12:.1f}' y='{uy + 4:.1f}' font-size='9'>USA (off-map)</text>"
    )
    for k, v in enumerate((1, 2, 3, 4, 5)):
        parts.append(
            f"<rect x='{w - 180 + 34 * k}' y='{h - 30}' width='34' height='10' "
            f"fill='{to_hex(cmap(norm(v)))}'/>"
            f"<text x='{w - 180 + 34 * k}' y='{h - 8}' font-size='9'>{v}%</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def status_html(year: int, rows: dict[str, list[Any]], fog: bool, insider: bool = False) -> str:
    """The year and the headline figures; Russia's forces and its read of US resolve only when
    the instructor has revealed them, or for an ``insider`` (Russia's seat, the instructor),
    marked as hidden from the others."""
    if fog and not insider:
        hidden = "Russia's forces and US resolve: hidden"
    else:
        hidden = (
            f"Russia's free forces {rows['russia_free_bde'][-1]:.1f} bde-e; Russia's read of "
            f"US resolve {rows['russia_resolve_estimate'][-1]:.2f}"
            + (" (hidden from the other seats)" if fog else "")
        )
    return (
        f"<span class='year' data-year='{year}' style='font-size:1.6em;font-weight:bold'>"
        f"Year {year}</span> &nbsp; European core spending {rows['eu_core_pct'][-1]:.2f}% of GDP;"
        f" trust {rows['mean_trust'][-1]:.2f}; <span class='fog-state'>{hidden}</span>"
    )


def russia_html(rows: dict[str, list[Any]]) -> str:
    """What Russia's seat sees of its own forces (always: they are its own)."""
    return (
        "<div class='russia-own'><b>Your forces</b>: "
        f"{rows['russia_forces_bde'][-1]:.1f} brigade-equivalents, "
        f"{rows['russia_free_bde'][-1]:.1f} free of Ukraine; war readiness "
        f"{rows['russia_war_readiness'][-1]:.2f}; military spending "
        f"{rows['russia_milex_pct_gdp'][-1]:.1f}% of GDP. Your read of US resolve "
        f"{rows['russia_resolve_estimate'][-1]:.2f}, of Europe's "
        f"{rows['europe_resolve_estimate'][-1]:.2f}.</div>"
    )


def _decided_summary(fallbacks: int, folded: int) -> str:
    """The folded line of a year's students: the decisions and, apart, the seats left to their
    agent (a year nobody decided in read "5 decisions by students", the fallbacks counted)."""
    decided = folded - fallbacks
    words = [f"{decided or 'no'} decision{'' if decided == 1 else 's'} by students"]
    if fallbacks:
        words.append(f"{fallbacks} seat{'' if fallbacks == 1 else 's'} left to the agent")
    return ", ".join(words)


def log_html(events: dict[str, list[Any]], years: int = 6) -> str:
    """The event log by year, newest year first: each year's story (what the agents, the
    model and the instructor did), then the students' decisions and fallbacks folded."""
    by_year: dict[int, tuple[list[str], list[str]]] = {}
    fallbacks: dict[int, int] = {}  # seats whose agent decided, by year
    for y, kind, text in zip(events["year"], events["kind"], events["event"], strict=True):
        story, human = by_year.setdefault(int(y), ([], []))
        (human if kind in ("human", "fallback") else story).append(str(text).split(": ", 1)[-1])
        if kind == "fallback":
            fallbacks[int(y)] = fallbacks.get(int(y), 0) + 1
    parts = ["<h4>What happened</h4>"]
    for y in sorted(by_year, reverse=True)[:years]:
        story, human = by_year[y]
        items = "".join(f"<li>{escape(t)}</li>" for t in story) or "<li>a quiet year</li>"
        parts.append(f"<div class='log-year' data-year='{y}'><b>{y}</b><ul>{items}</ul>")
        if human:
            folded = "".join(f"<li>{escape(t)}</li>" for t in human)
            parts.append(
                f"<details><summary>{_decided_summary(fallbacks.get(y, 0), len(human))}"
                f"</summary><ul>{folded}</ul></details>"
            )
        parts.append("</div>")
    return "".join(parts)


def revealed_html(revealed: pd.DataFrame, last: int = 40) -> str:
    if not len(revealed):
        return ""
    table = revealed.tail(last).to_html(index=False, classes="decisions")
    return (
        f"<details><summary>Decisions revealed so far ({len(revealed)})</summary>{table}</details>"
    )


def shared_html(snap: Any, insider: bool) -> str:
    """The shared block of a page (:func:`page_views`, joined in the page's order), made once per
    published snapshot and kind of page (every page or an insider's), whatever the number of
    pages: kept on the snapshot itself (``snap.joined``), so it goes with it."""
    joined = snap.joined.get(bool(insider))
    if joined is None:
        blocks = page_views(snap, insider)
        joined = "".join(
            f"<div class='{cls}'>{blocks[name]}</div>"
            for name, cls in (
                ("status", "status"),
                ("log", "event-log"),
                ("charts", "chart-grid"),
                ("map", "map"),
                ("revealed", "revealed"),
            )
        )
        snap.joined[bool(insider)] = joined
    return joined


def page_views(snap: Any, insider: bool) -> dict[str, str]:
    """The shared blocks one page shows (status, log, charts, map, revealed decisions), from a
    published snapshot: the hidden charts and the insider's status line only for an ``insider``
    (Russia's seat or the instructor) or once the instructor has revealed them. The one place
    that decides what a page may see of the hidden information."""
    sees = insider or not snap.fog
    shown = (*snap.charts, *snap.hidden_charts) if sees else snap.charts
    return {
        "status": snap.status_insider if insider else snap.status,
        "log": snap.log,
        "charts": "".join(f"<div class='chart'>{svg}</div>" for svg in shown),
        "map": snap.map,
        "revealed": snap.revealed,
    }

"""Server CPU of one year's redraw in `natosim ui`: the six live charts and the network map as
PNG, as a playing page draws them (sim.ui.figures), against the same figures measured by
matplotlib's constrained layout at every draw (the app before issue 28's change), and the
charts drawn whole on fixed margins against the live charts drawn over their kept axes
(``LiveCharts``, blitting). They are alternated year by year in one process, so the ratios are
fair on a shared machine.

    .venv/bin/python benchmarks/ui_redraw.py [--years 15] [--scenario baseline]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import sim
from sim.report.figures_run import network_map
from sim.ui.figures import LiveCharts, LiveMap, _charts_title, charts_figure, laid_out
from sim.ui.session import Session


def png_seconds(fig) -> float:
    t0 = time.process_time()
    fig.savefig(io.BytesIO(), format="png")
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=15)
    ap.add_argument("--scenario", default="baseline")
    args = ap.parse_args()
    s = Session(sim.load_scenario(args.scenario), {}, 7)
    cost: dict[str, list[float]] = {
        k: [] for k in ("charts", "map", "charts_old", "map_old", "charts_live", "map_live")
    }
    live = LiveCharts(s.model.start_year, s.model.end_year)
    live_map = LiveMap()
    for year in range(args.years):
        if s.done:
            break
        s.step(1)
        view = s.view()
        for old in (year % 2 == 0, year % 2 == 1):  # alternate which goes first
            t0 = time.process_time()
            charts = charts_figure(s, view)
            if old:
                charts.set_layout_engine("constrained")
            built = time.process_time() - t0
            cost["charts_old" if old else "charts"].append(built + png_seconds(charts))
            t0 = time.process_time()
            fig = network_map(view.allies, view.configured, s.seed, view.year, "core_pct")
            if not old:
                fig = laid_out(fig, ("map", view.configured.name, "core_pct"))
            built = time.process_time() - t0
            cost["map_old" if old else "map"].append(built + png_seconds(fig))
        t0 = time.process_time()
        live.png(view.history, _charts_title(s, view))
        cost["charts_live"].append(time.process_time() - t0)
        t0 = time.process_time()
        fig = network_map(
            view.allies, view.configured, s.seed, view.year, "core_pct", year_in_text=False
        )
        live_map.png(laid_out(fig, ("map", view.configured.name, "core_pct", "live")))
        cost["map_live"].append(time.process_time() - t0)
    med = {k: statistics.median(v) for k, v in cost.items()}
    print(f"years drawn: {len(cost['charts'])} ({args.scenario}); median server CPU per redraw:")
    print(f"  charts: {med['charts_old']:.3f} s measured every year -> {med['charts']:.3f} s fixed")
    print(f"  map:    {med['map_old']:.3f} s measured every year -> {med['map']:.3f} s laid out")
    old, new = med["charts_old"] + med["map_old"], med["charts"] + med["map"]
    print(f"  both:   {old:.3f} s -> {new:.3f} s ({new / old:.2f}x)")
    live_both = med["charts_live"] + med["map_live"]
    print(
        f"  charts drawn over kept axes (LiveCharts): {med['charts']:.3f} s whole -> "
        f"{med['charts_live']:.3f} s; map over its kept rest (LiveMap): {med['map']:.3f} s -> "
        f"{med['map_live']:.3f} s; both {new:.3f} s -> {live_both:.3f} s "
        f"({live_both / new:.2f}x)"
    )


if __name__ == "__main__":
    main()

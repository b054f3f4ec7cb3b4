"""The app's live figures laid out once (issue 28: the layout engine's measuring was about 40% of
a playing page's redraw): the charts on fixed margins must still hold every scenario's labels,
and the map drawn again takes the places its first drawing found."""

from __future__ import annotations

import pytest

import sim
from sim.report.figures_run import network_map
from sim.report.style import layout_problems
from sim.ui import figures
from sim.ui.session import Session, shipped_scenarios


@pytest.mark.parametrize("name", [n for n in shipped_scenarios() if n != "hindcast_2014"])
def test_the_charts_fixed_margins_hold_every_scenarios_labels(name):
    """At the end of a run (the widest ranges it reaches), no title, label or tick label of the
    charts leaves the canvas or overprints another."""
    s = Session(sim.load_scenario(name), {}, 3)
    s.step(100)
    fig = figures.charts_figure(s)
    assert fig.get_layout_engine() is None
    assert layout_problems(fig) == []


def test_a_map_drawn_again_takes_the_places_of_its_first_drawing(monkeypatch):
    monkeypatch.setattr(figures, "_layouts", type(figures._layouts)())
    s = Session(sim.load_scenario("baseline"), {}, 3)
    kind = ("map", "baseline", "core_pct")

    def drawn():
        view = s.view()
        return network_map(view.allies, view.configured, s.seed, view.year, "core_pct")

    reference = drawn()
    reference.draw_without_rendering()  # the constrained layout, as before
    first = figures.laid_out(drawn(), kind)
    places = [ax.get_position().bounds for ax in first.axes]
    assert places == [ax.get_position().bounds for ax in reference.axes]
    s.step(6)
    later = figures.laid_out(drawn(), kind)
    assert [ax.get_position().bounds for ax in later.axes] == places
    assert later.get_layout_engine() is None or not later.get_layout_engine().adjust_compatible
    assert layout_problems(later) == []
    assert list(figures._layouts) == [(kind, len(first.axes))]


def test_layouts_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(figures, "_layouts", type(figures._layouts)())
    monkeypatch.setattr(figures, "KEPT", 3)
    s = Session(sim.load_scenario("baseline"), {}, 3)
    view = s.view()
    for i in range(5):
        figures.laid_out(network_map(view.allies, view.configured, 3, view.year), ("map", i))
    assert [k[0] for k in figures._layouts] == [("map", 2), ("map", 3), ("map", 4)]

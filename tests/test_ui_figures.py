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


def _png(fig) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_runs_with_the_same_key_show_the_same_drawings_and_others_not():
    """Pages share a drawing when their runs' keys are equal (``Session.shown_key``): the key
    must hold everything the run is a function of. Two sessions built and stepped apart, with
    the same scenario, settings, seed and levers moved, draw the same bytes; a different seed, a
    lever moved, a year further, or another starting setting each make a different key."""
    base = sim.load_scenario("baseline")
    a, b = Session(base, {}, 7), Session(base, {}, 7)
    assert a.shown_key() == b.shown_key()
    a.step(3)
    assert a.shown_key() != b.shown_key()
    b.step(1)
    b.step(2)
    assert a.shown_key() == b.shown_key()
    assert _png(figures.charts_figure(a)) == _png(figures.charts_figure(b))
    a.change("united_states.threat_intensity", 0.3)
    b.change("united_states.threat_intensity", 0.3)
    a.step(2)
    b.step(2)
    assert a.shown_key() == b.shown_key()
    assert _png(figures.charts_figure(a)) == _png(figures.charts_figure(b))
    assert a.view().key == a.shown_key()
    others = [
        Session(base, {}, 8),
        Session(base, {"united_states.threat_intensity": 0.3}, 7),
        Session(sim.load_scenario("cajole"), {}, 7),
    ]
    c = Session(base, {}, 7)
    c.step(3)
    c.change("united_states.threat_intensity", 0.4)
    c.step(2)
    keys = {a.shown_key(), c.shown_key(), *(o.shown_key() for o in others), b.shown_key()}
    assert len(keys) == 5  # a and b alike; c, and each of the others, its own


def test_a_drawing_asked_for_by_many_pages_at_once_is_drawn_once(monkeypatch):
    """A class opening the app at once: every page asks for the same first year's drawings.
    One page draws each; the others wait for it and get the same bytes."""
    import threading
    import time

    monkeypatch.setattr(figures, "_pngs", type(figures._pngs)())
    s = Session(sim.load_scenario("baseline"), {}, 7)
    drawn = []

    def draw():
        drawn.append(1)
        time.sleep(0.2)  # long enough for every page to ask while it is drawn
        return figures.charts_figure(s)

    got: list[bytes] = []
    pages = [
        threading.Thread(target=lambda: got.append(figures.shared_png(("k", 1), draw)))
        for _ in range(8)
    ]
    for page in pages:
        page.start()
    for page in pages:
        page.join()
    assert len(drawn) == 1 and len(got) == 8 and len(set(got)) == 1
    assert figures.shared_png(("k", 2), draw) and len(drawn) == 2  # another key: drawn
    monkeypatch.setattr(figures, "PNGS_KEPT", 1)
    figures.shared_png(("k", 3), draw)
    assert list(figures._pngs) == [("k", 3)]  # bounded: the oldest forgotten


@pytest.mark.parametrize("name", ["baseline", "ceasefire"])  # 11 and 14 axes drawn again
def test_live_charts_draw_what_a_new_drawing_would_whatever_the_steps(name):
    """A playing page's charts are drawn over axes kept from year to year, an axes drawn again
    alone when its limits change (``LiveCharts``): every year's bytes equal those of a new
    drawing of the same data, whether the run was stepped a year or five at a time, so pages
    sharing a run's key share its drawing whatever they did (and a broken region, old tick
    labels left under new ones, differs)."""
    yearly = Session(sim.load_scenario(name), {}, 7)
    jumps = Session(sim.load_scenario(name), {}, 7)
    live_yearly = figures.LiveCharts(2025, 2040)
    live_jumps = figures.LiveCharts(2025, 2040)
    while not yearly.done:
        yearly.step(1)
        view = yearly.view()
        title = figures._charts_title(yearly, view)
        png = live_yearly.png(view.history, title)
        assert png == figures.LiveCharts(2025, 2040).png(view.history, title), view.year
        if view.year % 5 == 0:
            jumps.step(view.year - jumps.year)
            assert live_jumps.png(jumps.view().history, title) == png, view.year
    assert live_yearly.limits != [None] * 6


@pytest.mark.parametrize("name", [n for n in shipped_scenarios() if n != "hindcast_2014"])
def test_the_live_charts_ladder_limits_keep_every_label_on_the_canvas(name):
    """The live charts' value axes take ladder limits (``figures.ladder``), not matplotlib's:
    at the end of each scenario's run their tick labels still fit the fixed margins."""
    s = Session(sim.load_scenario(name), {}, 3)
    s.step(100)
    view = s.view()
    live = figures.LiveCharts(view.configured.get("run.start_year"), view.year)
    live.png(view.history, figures._charts_title(s, view))
    assert layout_problems(live.fig) == []


def test_live_charts_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(figures, "_live", type(figures._live)())
    monkeypatch.setattr(figures, "LIVE_KEPT", 2)
    sessions = [Session(sim.load_scenario("baseline"), {}, seed) for seed in (1, 2, 3)]
    for s in sessions:
        figures.charts_png(s, s.view())
    assert [key[3] for key in figures._live] == [2, 3]  # the seed is in a run's key


@pytest.mark.parametrize("colour", ["core_pct", "threat"])
def test_the_live_map_draws_what_a_new_drawing_would(colour):
    """A playing page's map draws its nodes and labels over the rest kept from an earlier year
    (``LiveMap``, keyed by what the rest depends on: the colour scale, who is outside or
    unarmed, the labels' places): every year's bytes equal a new drawing's, so a scale that
    moved, a member that joined or a label moved never shows the rest of another year."""
    s = Session(sim.load_scenario("ceasefire"), {}, 7)
    live = figures.LiveMap()

    def drawn():
        view = s.view()
        fig = network_map(
            view.allies, view.configured, s.seed, view.year, colour, year_in_text=False
        )
        return figures.laid_out(fig, ("map", "ceasefire", colour))

    while True:
        assert live.png(drawn()) == figures.LiveMap().png(drawn()), s.year
        if s.done:
            break
        s.step(1)
    assert 1 <= len(live.rests) <= figures.LiveMap.KEPT

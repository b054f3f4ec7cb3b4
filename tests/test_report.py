"""Reports: every figure renders for every shipped scenario; the HTML is self-contained and a
real browser shows it."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.image import imread

import sim
from sim.cli import main
from sim.report import build_report
from sim.report.figures_other import (
    compare_distributions,
    compare_trajectories,
    sensitivity_bars,
    sweep_heatmap,
    verdict_shares,
    verdicts_by_bin,
)
from sim.report.figures_run import run_figures
from sim.report.style import figure_caption, figure_data, layout_problems

from .conftest import CHROMIUM_FLAGS, ROOT, SCENARIOS, require_chromium

# what a page would fetch from elsewhere (links to the figure files beside it are not fetched)
EXTERNAL = re.compile(
    r"""src\s*=\s*["'](?!data:)|href\s*=\s*["'](?!data:|#|report/)"""
    r"""|url\(\s*["']?(?!data:)|@import|https?://|ftp://"""
)


def assert_not_blank(fig) -> None:
    """Drawn, titled, with its data attached, and no text clipped or overprinted."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    assert pixels.size > 0
    assert pixels.std() > 5, "the figure is blank"
    assert fig.axes and any(ax.get_title() or fig.get_suptitle() for ax in fig.axes)
    assert figure_data(fig) is not None, "no data behind the figure"
    problems = layout_problems(fig)
    assert not problems, problems


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_run_figure_renders_for_every_scenario(path):
    res = sim.run_replications(sim.load_scenario(path), 3, seed=2)
    figs = run_figures(res.tables, res.scenario, 2)
    assert set(figs) == {
        "fan_charts",
        "network_spending",
        "network_threat",
        "ally_spending",
        "coverage",
        "timeline",
    }
    # the per-ally small multiples are panels of one Axes (thirty Axes cost seconds to draw)
    assert len(figs["ally_spending"][0].axes) == 1
    for name, (fig, text) in figs.items():
        assert text, name
        assert_not_blank(fig)
        assert "Scenario:" in figure_caption(fig), name
        on_canvas = " ".join(t.get_text() for t in fig.texts)
        assert "Scenario:" not in on_canvas, "captions belong in the HTML, not on the canvas"


def test_compare_and_sweep_figures_render(tmp_path):
    a = sim.run_replications(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"), 4, 1)
    b = sim.run_replications(sim.load_scenario(ROOT / "scenarios" / "cajole.toml"), 4, 1)
    models = {"baseline": a.model, "cajole": b.model}
    assert_not_blank(compare_distributions(models, 2035, 1))
    assert_not_blank(compare_trajectories(models, 1))
    counts = a.summary["verdict"].value_counts().to_frame().T
    assert_not_blank(verdict_shares(counts, 1, "verdicts"))
    sim.sweep(
        ROOT / "scenarios" / "baseline.toml",
        {"united_states.threat_intensity": (0.0, 1.0), "allies.pledge_weight": (0.1, 0.7)},
        design="sobol",
        samples=8,
        out=tmp_path / "s",
        workers=1,
        progress=False,
    )
    t = sim.load_results(tmp_path / "s", tables=("summary",))
    data = t["summary"].merge(t["design"], on="point")
    assert_not_blank(
        sweep_heatmap(
            data, "united_states.threat_intensity", "allies.pledge_weight", "eu_core_pct_end", 0
        )
    )
    assert_not_blank(verdicts_by_bin(data, "united_states.threat_intensity", 0))
    assert_not_blank(sensitivity_bars(sim.sensitivity(tmp_path / "s"), 0))
    html = build_report(tmp_path / "s").read_text()
    assert "Sensitivity" in html and not EXTERNAL.search(html)
    assert "Factors" in html and "fraction of the gap to the pledge" in html  # with units


@pytest.fixture(scope="module")
def run_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "baltic"
    assert main(["run", "baltic_probe", "--reps", "6", "--seed", "4", "--out", str(out)]) == 0
    return out


def test_run_report_is_self_contained_and_tells_the_story(run_report):
    html = (run_report / "report.html").read_text()
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert html.count("data:image/png;base64,") == 6
    sc = sim.load_scenario(ROOT / "scenarios" / "baltic_probe.toml")
    assert sc.description.split()[0] in html
    for claim in sc.claims:
        assert claim in html
    assert "Verdicts" in html and "A representative run" in html and "Russia probes" in html
    for name in ("fan_charts", "network_spending", "timeline"):
        assert (run_report / "report" / f"{name}.png").stat().st_size > 5000
        assert (run_report / "report" / f"{name}.csv").exists()
    # PNG by default: an SVG is a second drawing of every figure, written on request
    assert not list((run_report / "report").glob("*.svg"))
    assert ".svg" not in html
    # the report was built in a temporary folder and moved into place: nothing of it is left
    assert not list(run_report.glob(".report.tmp-*"))


def test_svg_on_request(tmp_path):
    out = tmp_path / "r"
    assert main(["run", "cajole", "--reps", "2", "--out", str(out), "--svg", "--quiet"]) == 0
    pngs = sorted(p.stem for p in (out / "report").glob("*.png"))
    assert len(pngs) == 6
    assert sorted(p.stem for p in (out / "report").glob("*.svg")) == pngs
    assert (out / "report" / "fan_charts.svg").read_text().lstrip().startswith("<?xml")
    assert "report/fan_charts.svg" in (out / "report.html").read_text()
    # rebuilt without --svg: the whole report is replaced, no SVG of the older one is left
    assert main(["report", str(out)]) == 0
    assert not list((out / "report").glob("*.svg"))
    assert sorted(p.stem for p in (out / "report").glob("*.png")) == pngs


def test_compare_report_by_default_and_no_report_flag(tmp_path):
    out = tmp_path / "c"
    assert main(["compare", "baseline", "cajole", "--reps", "3", "--out", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "baseline" in html and "cajole" in html and not EXTERNAL.search(html)
    assert "Differences from baseline" in html and "95% interval" in html
    assert "What each verdict means" in html and "<details" in html
    assert (out / "report" / "compare_trajectories.csv").exists()
    quiet = tmp_path / "q"
    assert main(["run", "cajole", "--reps", "2", "--out", str(quiet), "--no-report"]) == 0
    assert not (quiet / "report.html").exists()


def test_report_of_a_non_results_folder_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "results folder" in capsys.readouterr().err


def test_report_renders_in_headless_chromium(run_report, tmp_path):
    browser = require_chromium()
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            browser,
            "--headless",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1200,3000",
            f"--screenshot={shot}",
            (run_report / "report.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pixels = imread(shot)[..., :3]
    assert pixels.shape[0] > 1000
    assert pixels.std() > 0.05, "the screenshot is blank"


def test_reports_in_a_browser_fetch_nothing_and_caption_every_figure(run_report, tmp_path):
    """Opened in Chromium (Playwright): no request leaves the file, every figure has a caption
    naming its data file, and the figure files the captions name exist."""
    browser_path = require_chromium()
    from playwright.sync_api import sync_playwright

    out = tmp_path / "c"
    assert main(["compare", "baseline", "ceasefire", "--reps", "3", "--out", str(out)]) == 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        for folder in (run_report, out):
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            requested: list[str] = []
            page.on("request", lambda r, seen=requested: seen.append(r.url))
            page.goto((folder / "report.html").as_uri())
            page.wait_for_load_state("load")
            outside = [u for u in requested if not u.startswith(("file://", "data:"))]
            assert not outside, outside
            figures = page.locator("figure")
            assert figures.count() >= 3
            for i in range(figures.count()):
                cap = figures.nth(i).locator("figcaption")
                assert cap.count() == 1 and "data (csv)" in cap.inner_text()
                fig_id = figures.nth(i).get_attribute("id")
                assert (folder / "report" / f"{fig_id}.csv").exists()
            # nothing wider than a 1280-pixel screen
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            page.close()
        browser.close()

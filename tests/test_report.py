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
from sim.cli.commands import main
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


def _png_size_and_dpi(path) -> tuple[int, int, float]:
    """Pixel width, height and the dots per inch a PNG declares (its pHYs chunk)."""
    import struct

    data = path.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    at = data.find(b"pHYs")
    assert at > 0, f"{path.name} declares no resolution"
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    assert unit == 1, "resolution in pixels per metre"
    return width, height, per_metre * 0.0254


def test_paper_style_writes_figures_a_journal_takes(run_report, tmp_path, capsys):
    """``natosim report --style paper``: every PNG at 300 dpi, a single column's 3.5 or a
    double column's 7 inches wide, no title on the canvas; the screen report stays as it was."""
    from sim.report import style

    for folder, args in (
        (run_report, []),
        (tmp_path / "c", ["compare", "baseline", "cajole", "--reps", "3", "--quiet"]),
    ):
        if args:
            assert main([*args, "--out", str(folder), "--no-report"]) == 0
        assert main(["report", str(folder), "--style", "paper"]) == 0
        pngs = sorted((folder / "report").glob("*.png"))
        assert len(pngs) >= 3
        for png in pngs:
            width, height, dpi = _png_size_and_dpi(png)
            assert round(dpi) == 300, (png.name, dpi)
            inches = width / dpi
            assert inches <= 7.0 + 0.01, (png.name, inches)
            assert min(abs(inches - 3.5), abs(inches - 7.0)) < 0.02, (png.name, inches)
            assert height / dpi <= 9.0 + 0.01, (png.name, height / dpi)
    capsys.readouterr()
    # drawn in the paper style: no title, fonts at 7-8 points, and nothing clipped or overprinted
    res = sim.run_replications(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"), 3, 2)
    with style.figure_style("paper"):
        figs = run_figures(res.tables, res.scenario, 2)
        for name, (fig, _) in figs.items():
            assert not fig.get_suptitle() and not any(
                ax.get_title() for ax in fig.axes if len(fig.axes) == 1
            ), name
            assert fig.get_figwidth() in (3.5, 7.0), name
            problems = layout_problems(fig)
            assert not problems, (name, problems)
    # and the screen style is untouched by it
    assert style.current_style().name == "screen"
    fig, _ = run_figures(res.tables, res.scenario, 2)["coverage"]
    assert fig.get_figwidth() == 9 and fig.axes[0].get_title()


def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


# Machado, Oliveira and Fernandes (2009): simulated full deuteranopia and protanopia
_DEUTAN = np.array([[0.367, 0.861, -0.228], [0.280, 0.673, 0.047], [-0.012, 0.043, 0.969]])
_PROTAN = np.array([[0.152, 1.053, -0.205], [0.115, 0.786, 0.099], [-0.004, -0.048, 1.052]])


def test_every_figure_colour_is_colour_blind_safe():
    """The categorical colours are Okabe-Ito's (no red beside green): every pair stays apart
    for a viewer without red or green cones (Machado et al. 2009), and every line and band a
    run's, a comparison's and a debate's figures draw takes its colour from the palette or a
    grey."""
    from matplotlib.colors import to_hex, to_rgb

    from sim.report import style

    okabe = {c.lower() for c in style.OKABE_ITO.values()}
    categorical = [*style.PALETTE, *style.VERDICT_COLOURS.values()]
    for c in categorical:
        r, g, b = to_rgb(c)
        assert c.lower() in okabe or (r == g == b), c
    distinct = sorted({c.lower() for c in categorical if len(set(to_rgb(c))) > 1})
    lin = _srgb_to_linear(np.array([to_rgb(c) for c in distinct]))
    for matrix in (_DEUTAN, _PROTAN):
        seen = np.clip(lin @ matrix.T, 0, 1)
        for i in range(len(distinct)):
            for j in range(i + 1, len(distinct)):
                gap = np.abs(seen[i] - seen[j]).max()
                assert gap > 0.04, (distinct[i], distinct[j], gap)
    # the colours drawn
    res = sim.run_replications(sim.load_scenario(ROOT / "scenarios" / "baltic_probe.toml"), 3, 2)
    b = sim.run_replications(sim.load_scenario(ROOT / "scenarios" / "cajole.toml"), 3, 2)
    figs = [f for f, _ in run_figures(res.tables, res.scenario, 2).values()]
    figs += [
        compare_trajectories({"baseline": res.model, "cajole": b.model}, 2),
        compare_distributions({"baseline": res.model, "cajole": b.model}, 2035, 2),
        verdict_shares(res.summary["verdict"].value_counts().to_frame().T, 2, "v"),
    ]
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    def grey(c) -> bool:
        r, g, b = to_rgb(c)
        return max(r, g, b) - min(r, g, b) < 0.02

    for fig in figs:
        colours = []
        for artist in fig.findobj(Line2D):
            colours.append(artist.get_color())
        for coll in fig.findobj(LineCollection) + fig.findobj(PolyCollection):
            colours += [to_hex(c) for c in coll.get_edgecolor()] + [
                to_hex(c) for c in coll.get_facecolor()
            ]
        for rect in fig.findobj(Rectangle):
            if rect.get_width() and rect.get_height() and rect.axes is not None:
                colours.append(to_hex(rect.get_facecolor()))
        bad = {
            to_hex(c, keep_alpha=False)
            for c in colours
            if not grey(c) and to_hex(c, keep_alpha=False) not in okabe
        }
        assert not bad, bad

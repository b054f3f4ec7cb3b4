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
    sensitivity_bars,
    sweep_heatmap,
    verdict_shares,
    verdicts_by_bin,
)
from sim.report.figures_run import run_figures

from .conftest import CHROMIUM_FLAGS, ROOT, SCENARIOS, require_chromium

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["'](?!data:|#)|url\(\s*["']?(?!data:)|@import|https?://|ftp://"""
)


def assert_not_blank(fig) -> None:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    assert pixels.size > 0
    assert pixels.std() > 5, "the figure is blank"
    assert fig.axes and any(ax.get_title() or fig.get_suptitle() for ax in fig.axes)


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
    for name, (fig, text) in figs.items():
        assert text, name
        assert_not_blank(fig)
        assert "Scenario:" in " ".join(t.get_text() for t in fig.texts), name


def test_compare_and_sweep_figures_render(tmp_path):
    a = sim.run_replications(sim.load_scenario(ROOT / "scenarios" / "baseline.toml"), 4, 1)
    b = sim.run_replications(sim.load_scenario(ROOT / "scenarios" / "cajole.toml"), 4, 1)
    assert_not_blank(compare_distributions({"baseline": a.model, "cajole": b.model}, 2035, 1))
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
        assert (run_report / "report" / f"{name}.svg").exists()


def test_compare_report_by_default_and_no_report_flag(tmp_path):
    out = tmp_path / "c"
    assert main(["compare", "baseline", "cajole", "--reps", "3", "--out", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "baseline" in html and "cajole" in html and not EXTERNAL.search(html)
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

"""The debate: every US policy under every thesis (``natosim debate``), and the theses as
documented assumption sets."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import sim
from sim.analysis.debate import POLICIES, THESES, debate, format_debate
from sim.cli.commands import main

from .conftest import ROOT


def test_each_thesis_quotes_its_article_for_every_assumption():
    """Every changed parameter of a thesis sits under a quoted sentence of its article,
    verbatim."""
    seeds = ROOT.parent / "shared" / "seeds"
    texts = {p.name[:3]: p.read_text() for p in seeds.glob("*.txt")} if seeds.is_dir() else {}
    for thesis, seed in (("evolutionary", "000"), ("reckoning", "001"), ("deadline", "002")):
        path = ROOT / "scenarios" / "theses" / f"{thesis}.toml"
        text = path.read_text()
        quotes = re.findall(r'^# "(.+)" \(seed (\d{3})\)$', text, flags=re.M)
        assert quotes, thesis
        for quote, s in quotes:
            assert s == seed, (thesis, quote)
            if texts:
                assert quote in texts[seed], (thesis, quote)
        sc = sim.load_scenario(path)
        base = sim.load_scenario(ROOT / "scenarios" / "baseline.toml")
        changed = [
            f"{sec}.{k}"
            for sec, vals in sc.params.items()
            for k, v in vals.items()
            if base.params[sec][k] != v
        ]
        assert changed, thesis
        for key in changed:  # each changed value is written in the thesis file itself
            assert re.search(rf"^{key.split('.')[1]} = ", text, flags=re.M), (thesis, key)


def test_debate_gives_probabilities_with_intervals_and_predictions():
    d = debate(reps=6, seed=3, ceasefires=(2027,), policies=("coerce", "cajole", "deadline_2027"))
    t = d.table()
    assert set(t["thesis"]) == set(THESES)
    assert ((t["low"] <= t["p"]) & (t["p"] <= t["high"])).all()
    verdicts = t[t["outcome"].isin(sim.VERDICTS)]
    sums = verdicts.groupby(["world", "thesis", "policy"])["p"].sum()
    assert (sums.round(9) == 1.0).all()
    p = d.predictions()
    assert {"evolutionary", "reckoning", "deadline"} == set(p["prediction_of"])
    text = format_debate(d)
    print(text)
    assert "wins under its own assumptions" in text or "cannot win" in text
    header = next(line for line in text.splitlines() if line.startswith("world "))
    for verdict in sim.VERDICTS:  # whole names: two verdicts differ only after 18 characters
        assert verdict in header.split(), verdict


def test_debate_command_writes_table_figure_and_manifest(tmp_path, capsys):
    out = tmp_path / "debate"
    code = main(
        [
            "debate",
            "--reps",
            "3",
            "--worlds",
            "2027",
            "--policies",
            "coerce",
            "cajole",
            "reassure",
            "deadline_2027",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    for name in ("debate.csv", "predictions.csv", "debate.txt", "debate.png", "manifest.json"):
        assert (out / name).exists(), name
    table = pd.read_csv(out / "debate.csv")
    # each verdict, an Article 5 failure, the burden shifted (any verdict) and Europe carries
    assert len(table) == 3 * len(POLICIES) * (len(sim.VERDICTS) + 3)
    assert "results:" in capsys.readouterr().out
    page = (out / "report.html").read_text()
    assert "Who wins" in page and "Predictions judged" in page and "Wilson" in page
    assert (out / "report" / "debate_heatmaps.csv").exists()
    assert "natosim debate --claims" in page  # the claims table is one flag away
    assert "What each prediction turns on" in page  # its crux, or why there is none
    assert "too few to rank" in page  # 3 worlds a cell


@pytest.mark.parametrize(
    "args",
    [["--theses", "nope"], ["--policies", "nope"], ["--worlds", "1999"], ["--reps", "0"]],
)
def test_debate_refuses_bad_input_and_writes_nothing(tmp_path, args):
    out = tmp_path / "debate"
    with pytest.raises(SystemExit) if args[0] in ("--worlds", "--reps") else _nothing():
        code = main(["debate", *args, "--out", str(out)])
        assert code == 2
    assert not out.exists()


class _nothing:  # a context manager that expects no exception  # noqa: N801
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_debate_report_shows_each_claim_on_and_off(tmp_path, monkeypatch):
    """With --claims the report tabulates every claim's effect with its mechanism on and off
    (the experiments are stubbed here: tests/claims runs them for real)."""
    from sim.analysis import experiments

    table = pd.DataFrame(
        [
            {
                "claim": "C1",
                "mechanism": "asia_pull",
                "model says": "posture falls",
                "unit": "of 2025 posture",
                "effect on": -0.1,
                "on low": -0.12,
                "on high": -0.07,
                "holds on": True,
                "effect off": 0.0,
                "off low": 0.0,
                "off high": 0.0,
                "holds off": False,
                "runs": 30,
            }
        ]
    )
    monkeypatch.setattr(experiments, "claims_table", lambda seed=0: table)
    out = tmp_path / "d"
    args = ["debate", "--reps", "2", "--worlds", "war", "--claims", "--out", str(out)]
    assert main(args) == 0
    page = (out / "report.html").read_text()
    assert "mechanism on and knocked out" in page and "asia_pull" in page
    assert "-0.100 [-0.120, -0.070] holds" in page and "does not hold" in page


def test_debate_over_sampled_worlds_names_a_crux_or_its_absence_per_prediction(tmp_path):
    from sim.analysis.debate import PER_WORLD, write_debate

    d = debate(
        reps=12,
        seed=2,
        ceasefires=(2027,),
        policies=("coerce", "cajole", "deadline_2027"),
        worlds=True,
    )
    # every cell ran in the same worlds, parameter by parameter, where both sample it
    cells = list(d.cells.values())
    a, b = cells[0].worlds, cells[1].worlds
    shared = [c for c in a.columns if c in b.columns and c not in ("run", "seed")]
    assert len(shared) >= 15 and a[shared].equals(b[shared])
    pw = d.prediction_worlds()
    assert set(pw["prediction_of"]) == set(PER_WORLD)
    assert ((pw["low"] <= pw["p"]) & (pw["p"] <= pw["high"])).all()
    assert (pw["worlds"] == 12).all()
    cr = d.cruxes()
    for r in pw.itertuples():  # each prediction under each thesis: a crux or why there is none
        cell = f"{r.world}/{r.assumptions}/prediction of {r.prediction_of}"
        assert (cr["cell"] == cell).any(), cell
    pc = d.prediction_cruxes()  # a crux per prediction, or a plain reason for none
    assert set(pc["prediction_of"]) == set(PER_WORLD)
    assert pc["sentence"].str.len().gt(0).all()
    assert cr["cell"].str.startswith("ceasefire 2027/all theses/prediction of").sum() >= 3
    write_debate(d, tmp_path)
    for name in ("cruxes.csv", "prediction_worlds.csv", "worlds.csv", "prediction_cruxes.csv"):
        assert (tmp_path / name).exists(), name
    assert "world by world" in (tmp_path / "debate.txt").read_text()


def test_the_heat_maps_fit_a_journal_column_a_row_per_outcome():
    """On a screen a row of three outcome panels per world; in the paper style (7 inches) a row
    per outcome and a column per world, so each cell keeps room for its share and interval
    (the three panels side by side were unreadable at that width, noted at stop 40)."""
    import itertools

    import pandas as pd

    from sim.report.figures_other import debate_heatmaps
    from sim.report.style import figure_style

    rows = [
        {
            "world": w,
            "thesis": t,
            "policy": p,
            "outcome": o,
            "p": 0.5,
            "low": 0.4,
            "high": 0.6,
            "runs": 10,
        }
        for w, t, p, o in itertools.product(
            ("war", "ceasefire"),
            ("a", "b", "c"),
            ("x", "y", "z", "v"),
            ("article5_failure", "burden_shifted_any", "europe_carries"),
        )
    ]
    table = pd.DataFrame(rows)

    def grid(style):
        with figure_style(style):
            fig = debate_heatmaps(table)
            fig.canvas.draw()
        boxes = [ax.get_position() for ax in fig.axes]
        columns = len({round(b.x0, 3) for b in boxes})
        return columns, len({round(b.y0, 3) for b in boxes}), fig.get_size_inches()[0]

    assert grid("screen")[:2] == (3, 2)
    columns, rows_, width = grid("paper")
    assert (columns, rows_) == (2, 3) and width <= 7.0 + 1e-9

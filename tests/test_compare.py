"""`natosim compare`: side-by-side distributions, verdict counts, one folder with everything."""

from __future__ import annotations

import json

import pandas as pd

import sim
from sim.analysis.compare import OUTCOMES
from sim.cli.commands import main
from sim.runs.store import read_table


def test_compare_prints_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(
        [
            "compare",
            "baseline",
            "cajole",
            "deadline_2027",
            "--reps",
            "4",
            "--seed",
            "3",
            "--years",
            "2030",
            "2040",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    for name in ("baseline", "cajole", "deadline_2027"):
        assert name in printed
        assert (out / name / "manifest.json").exists()
        assert len(read_table(out / name, "summary")) == 4
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["outcome"]) == set(OUTCOMES)
    assert set(table["year"]) == {2030, 2040}
    assert (table["p05"] <= table["median"]).all() and (table["median"] <= table["p95"]).all()
    verdicts = pd.read_csv(out / "verdicts.csv", index_col="scenario")
    assert (verdicts.sum(axis=1) == 4).all()
    assert "median [5th-95th percentile]" in (out / "comparison.txt").read_text()
    man = json.loads((out / "manifest.json").read_text())
    assert man["root_seed"] == 3 and man["replications"] == 4


def test_compare_shares_seeds_across_scenarios(tmp_path):
    out = tmp_path / "cmp"
    assert (
        main(
            [
                "compare",
                "baseline",
                "cajole",
                "--reps",
                "3",
                "--seed",
                "5",
                "--out",
                str(out),
                "--no-report",
            ]
        )
        == 0
    )
    a = read_table(out / "baseline", "summary")["seed"].tolist()
    b = read_table(out / "cajole", "summary")["seed"].tolist()
    assert a == b


def test_compare_rejects_bad_input(tmp_path, capsys):
    assert main(["compare", "baseline", "nowhere", "--out", str(tmp_path / "x")]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert main(["compare", "baseline", "baseline", "--out", str(tmp_path / "y")]) == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_compare_pairs_worlds_and_names_cruxes(tmp_path):
    out = tmp_path / "cmp"
    args = ["compare", "baseline", "cajole", "--reps", "12", "--seed", "4", "--years", "2030"]
    assert main([*args, "--out", str(out), "--no-report", "--quiet"]) == 0
    wa, wb = read_table(out / "baseline", "worlds"), read_table(out / "cajole", "worlds")
    shared = [c for c in wa.columns if c in wb.columns and c not in ("run", "seed")]
    assert len(shared) >= 15
    assert wa[shared].equals(wb[shared])  # common random numbers: the same worlds
    paired = pd.read_csv(out / "paired.csv")
    assert set(paired["scenario"]) == {"cajole"} and (paired["worlds"] == 12).all()
    counts = paired["higher"] + paired["same"] + paired["lower"]
    assert (counts == paired["worlds"]).all()
    assert (paired["p_higher_low"] <= paired["p_higher"]).all()
    shares = pd.read_csv(out / "verdict_shares.csv")
    assert (shares.groupby("scenario")["p"].sum().round(9) == 1).all()
    cruxes = pd.read_csv(out / "cruxes.csv")
    assert set(cruxes["scenario"]) <= {"baseline", "cajole"}
    assert {"outcome", "parameter", "index", "low", "high"} <= set(cruxes.columns)
    text = (out / "comparison.txt").read_text()
    assert "shared worlds" in text and "Wilson" in text
    assert (out / "paired.png").stat().st_size > 0


def test_compare_fixed_runs_have_no_worlds(tmp_path):
    out = tmp_path / "cmp"
    args = ["compare", "baseline", "cajole", "--reps", "2", "--seed", "4", "--fixed"]
    assert main([*args, "--out", str(out), "--no-report", "--quiet"]) == 0
    assert not (out / "baseline" / "worlds.parquet").exists()
    text = (out / "comparison.txt").read_text()
    assert "no worlds sampled" in text
    assert "shared worlds" not in text and "runs with the same seeds" in text  # not worlds


def test_europe_carries_is_given_at_every_reading_of_most():
    """The headline "Europe carries" rests on a definition (``verdict.carry_coverage``, seed
    002's "most" read as three quarters): ``compare`` and ``run`` also give its share at the
    other readings a reader could defend. The share falls as the reading rises, and at the
    verdict's own reading it is the share the verdict counts."""
    from sim.analysis.compare import CARRY_READINGS, carries_by_reading, europe_carries

    sc = sim.load_scenario("baseline")
    res = sim.run_replications(sc, 20, 4, worlds=True)
    table = carries_by_reading({"baseline": res})
    assert list(table["carry_coverage"]) == list(CARRY_READINGS)
    assert table["p"].is_monotonic_decreasing and table["p"].iloc[0] > table["p"].iloc[-1]
    at = table[table["carry_coverage"] == sc.get("verdict.carry_coverage")]["runs"].item()
    assert at == int(europe_carries(res.summary, sc.params["verdict"]).sum())


def test_scenarios_run_beside_a_finished_folder_share_its_worlds(tmp_path, capsys):
    """Found by fuzzing: a scenario compared with a finished run folder ran at the command's
    seed, replications and world mode, so no run paired with the folder's while the text said
    "shared worlds". Now a default takes the folder's value (said), a different value set on the
    command is refused with exit 2 naming the folder and the option, writing nothing; and the
    compare folder's manifest records the versions that wrote it (no false "other versions"
    warning when it is read)."""
    run = tmp_path / "r"
    assert main(["run", "ceasefire", "--reps", "2", "--seed", "5", "--out", str(run)]) == 0
    for extra, option in (
        (["--reps", "3"], "--reps 3"),
        (["--seed", "9"], "--seed 9"),
        (["--seed", "0"], "--seed 0"),  # the default, given: refused too (a review)
        (["--fixed"], "--fixed"),
    ):
        out = tmp_path / f"bad{len(extra)}{extra[0]}"
        capsys.readouterr()
        assert main(["compare", str(run), "baseline", *extra, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert str(run) in err and option in err, err
        assert not out.exists()
    other = tmp_path / "r6"  # a second finished folder in other worlds: nothing pairs with both
    assert main(["run", "ceasefire", "--reps", "2", "--seed", "6", "--out", str(other)]) == 0
    capsys.readouterr()
    assert main(["compare", str(run), str(other), "baseline", "--out", str(tmp_path / "x")]) == 2
    assert "the worlds of" in capsys.readouterr().err
    out = tmp_path / "c"
    capsys.readouterr()
    assert main(["compare", str(run), "baseline", "--no-report", "--out", str(out)]) == 0
    assert "share its worlds: seed 5, 2 replications, sampled worlds" in capsys.readouterr().err
    man = json.loads((out / "manifest.json").read_text())
    assert man["root_seed"] == 5 and man["replications"] == 2 and "versions" in man
    paired = pd.read_csv(out / "paired.csv")
    assert (paired["worlds"] == 2).all() and len(paired) > 0
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    assert "other versions" not in capsys.readouterr().err


def test_one_scenario_compared_writes_tables_with_their_headers(tmp_path):
    """Found by fuzzing: a comparison with nothing to pair (one scenario) or no common year
    wrote 1-byte CSVs that pandas cannot read; now each has its header."""
    out = tmp_path / "one"
    assert (
        main(
            [
                "compare",
                "ceasefire",
                "--reps",
                "1",
                "--no-report",
                "--format",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    paired = pd.read_csv(out / "paired.csv")
    assert paired.empty and {"reference", "scenario", "worlds", "mean_diff"} <= set(paired)
    assert not pd.read_csv(out / "comparison.csv").empty


def test_two_finished_folders_in_other_worlds_say_that_none_pair(tmp_path, capsys):
    """Found by a user's walk through the README: two finished folders made at other seeds
    compared side by side left the world-by-world section out without a word (and wrote a
    paired.csv of headers only); the text now says no run is shared and why."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "ceasefire", "--reps", "2", "--seed", "5", "--out", str(a)]) == 0
    assert main(["run", "ceasefire", "--reps", "2", "--seed", "6", "--out", str(b)]) == 0
    capsys.readouterr()
    out = tmp_path / "c"
    assert main(["compare", str(a), str(b), "--no-report", "--out", str(out)]) == 0
    assert "world by world: no run shared" in capsys.readouterr().out
    assert pd.read_csv(out / "paired.csv").empty

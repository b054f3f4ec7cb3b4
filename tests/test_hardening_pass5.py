"""Fifth fuzzing pass: each case found by trying bad input and extreme settings, refused in one
line (or now run)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli.commands import main
from sim.runs.runner import run_replications
from sim.scenario import ScenarioError

from .test_hardening import _files, _refused

# -- the command line's bounds: a year is written as a year -------------------------------------


@pytest.mark.parametrize(
    ("argv", "bounds"),
    [
        (["hindcast", "--train-end", "2030"], "from 2016 to 2024"),
        (["calibrate", "--window", "1990", "2000"], "from 2000 to 2025"),
        (["report", "nofolder", "--year", "3000"], "from 1900 to 2100"),
        (["run", "baseline", "--reps", "0"], "from 1 to 10,000"),
    ],
)
def test_a_bound_that_is_a_year_has_no_thousands_separator(capsys, argv, bounds):
    """``natosim hindcast --train-end 2030`` said "expected an integer from 2016 to 2,024": the
    upper bound was grouped by thousands, the lower not. Numbers of five digits and more are
    grouped (10,000), a year is not."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert f"expected an integer {bounds}" in err.splitlines()[-1]


# -- the Python API: NumPy numbers, and sim.sweep's arguments -----------------------------------


def test_with_params_takes_numpy_numbers():
    """``with_params({"run.end_year": np.int64(2030)})`` (a value from a table's column) was
    refused as "expected an integer in [2015, 2070] (year), got np.int64(2030)"; a
    ``np.float32`` and a ``np.bool_`` likewise. They are taken, as the schema's type."""
    base = sim.Scenario.default()
    got = base.with_params(
        {
            "run.end_year": np.int64(2030),
            "united_states.threat_intensity": np.float32(0.5),
            "united_states.execute_threats": np.bool_(False),
        }
    )
    assert type(got.get("run.end_year")) is int and got.get("run.end_year") == 2030
    assert type(got.get("united_states.threat_intensity")) is float
    assert got.get("united_states.execute_threats") is False
    for bad in (np.float64("nan"), np.int64(3000), np.array([0.5]), np.bool_(True)):
        with pytest.raises(ScenarioError, match="threat_intensity"):
            base.with_params({"united_states.threat_intensity": bad})


def test_a_sweep_of_numpy_values_is_written_so_that_it_can_be_read(tmp_path):
    """``sim.sweep(base, {"united_states.patience_years": np.arange(1, 3)}, design="list")``
    was refused; and once the values were taken, sweep.json held them as the strings "1" and
    "2", which every later reading (load_results, report, sensitivity) refused."""
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    out = tmp_path / "sw"
    factors = {"united_states.patience_years": np.arange(1, 3)}
    outcome = sim.sweep(
        base,
        factors,
        design="list",
        reps=np.int64(1),
        seed=np.int64(2),
        out=out,
        workers=1,
        progress=False,
    )
    assert outcome.failed == 0
    spec = json.loads((out / "sweep.json").read_text())["spec"]
    assert spec["factors"][0]["values"] == [1, 2] and spec["reps"] == 1 and spec["seed"] == 2
    assert len(sim.load_results(out)["summary"]) == 2


def test_a_narrow_numpy_float_at_a_bound_is_the_number_its_writer_meant():
    """Found by review: NumPy compares a float32 in float32, so ``np.float32(0.3)`` passed the
    bound 0.3 of ``russia.reaction_coefficient`` and was stored as 0.30000001192092896, which
    a second ``with_params`` (and a sweep's point, and sweep.json read back) refused."""
    base = sim.Scenario.default()
    key = "russia.reaction_coefficient"
    got = base.with_params({key: np.float32(0.3)})
    assert got.get(key) == 0.3
    assert got.with_params({key: got.get(key)}).get(key) == 0.3
    with pytest.raises(ScenarioError, match="reaction_coefficient"):
        base.with_params({key: np.float32(0.31)})


def test_list_points_of_numpy_values_are_written_as_numbers(tmp_path):
    """Found by review: ``points=`` of NumPy numbers went to sweep.json as text ("1"), and
    ``natosim report`` of the folder ended in a TypeError traceback; ``points=`` without
    ``factors`` raised zip()'s error. Points are checked and converted as a sweep file's are,
    and name the factors when none are given."""
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    key = "united_states.patience_years"
    out = tmp_path / "sw"
    outcome = sim.sweep(
        base,
        {},
        design="list",
        points=({key: np.int64(1)}, {key: np.int64(2)}),
        out=out,
        workers=1,
        progress=False,
    )
    assert outcome.failed == 0
    spec = json.loads((out / "sweep.json").read_text())["spec"]
    assert spec["points"] == [{key: 1}, {key: 2}]
    assert len(sim.load_results(out)["summary"]) == 2
    with pytest.raises(ScenarioError, match=r"points\[1\]"):
        sim.sweep(
            base,
            {},
            design="list",
            points=({key: 1}, {key: 99}),
            out=tmp_path / "bad",
            progress=False,
        )
    assert not (tmp_path / "bad").exists()


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"samples": 2.5}, "samples"),
        ({"samples": "2"}, "samples"),
        ({"reps": True}, "reps"),
        ({"seed": 1.5}, "seed"),
        ({"workers": 10**6}, "workers"),
        ({"workers": -1}, "workers"),
        ({"workers": 1.5}, "workers"),
        ({"factors": [("united_states.threat_intensity", (0, 1))]}, "factors"),
    ],
)
def test_sim_sweep_refuses_bad_arguments_before_any_work(tmp_path, kwargs, named):
    """Found by fuzzing ``sim.sweep``: ``seed=1.5`` raised NumPy's ValueError, ``samples=2.5`` or
    ``"2"`` and ``workers=1.5`` a TypeError, a list of factors an AttributeError; ``reps=True``
    ran one replication, ``workers=-1`` ran in-process and ``workers=10**6`` started spawning a
    million processes. Each is one ScenarioError naming the argument, with nothing written."""
    args = {
        "factors": {"united_states.threat_intensity": (0, 1)},
        "samples": 2,
        "workers": 1,
        **kwargs,
    }
    factors = args.pop("factors")
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    with pytest.raises(ScenarioError, match=rf": {named}: expected"):
        sim.sweep(base, factors, out=tmp_path / "sw", progress=False, **args)
    assert not (tmp_path / "sw").exists()
    with pytest.raises(ScenarioError, match=r"resume: workers: expected"):
        sim.resume(tmp_path / "sw", workers=0)


# -- the Python API: sensitivity, discover and paired_effect ------------------------------------


@pytest.fixture(scope="module")
def small_sweeps(tmp_path_factory):
    """A Latin hypercube of six points and a grid of four, one replication each, to 2026."""
    root = tmp_path_factory.mktemp("sweeps")
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    ti = "united_states.threat_intensity"
    sim.sweep(base, {ti: (0, 1)}, samples=6, out=root / "lhs", workers=1, progress=False)
    grid = {"united_states.measurement": ["headline", "capability"], ti: [0.0, 0.7]}
    sim.sweep(base, grid, design="grid", out=root / "grid", workers=1, progress=False)
    return root


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "seed: expected a whole number"),
        ({"seed": 1.5}, "seed: expected a whole number"),
        ({"seed": 2**40}, "seed: expected a whole number from 0 to 4,294,967,295"),
        ({"outputs": "mean_trust_end"}, "outputs: expected a tuple of column names"),
    ],
)
def test_sim_sensitivity_refuses_bad_arguments_naming_them(small_sweeps, kwargs, message):
    """``sim.sensitivity(folder, seed=-1)`` raised NumPy's "expected non-negative integer",
    ``2**40`` SALib's "Seed must be between 0 and 2**32 - 1", ``1.5`` a TypeError, and
    ``outputs="mean_trust_end"`` was read letter by letter: "no column 'm'"."""
    with pytest.raises(ValueError, match=message):
        sim.sensitivity(small_sweeps / "lhs", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_depth": 0}, "max_depth: expected a whole number from 1 to 12"),
        ({"max_depth": 1.5}, "max_depth: expected a whole number"),
        ({"min_leaf": 0}, r"min_leaf: expected a share of runs in \(0, 0.5\]"),
        ({"min_leaf": 5}, "min_leaf: expected a share"),
        ({"min_leaf": float("nan")}, "min_leaf: expected a share"),
        ({"outcome": None}, "expected a condition as text"),
    ],
)
def test_sim_discover_refuses_bad_arguments_naming_them(small_sweeps, kwargs, message):
    """``max_depth=0`` raised scikit-learn's InvalidParameterError, ``min_leaf=nan`` "cannot
    convert float NaN to integer", ``min_leaf=5`` or ``-1`` was ignored (a leaf of at least 5
    runs), and ``outcome=None`` said "this one gives float64 values"."""
    args = {"outcome": "mean_trust_end > 0.4", **kwargs}
    with pytest.raises(ValueError, match=message):
        sim.discover(small_sweeps / "lhs", **args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", 0.0), "factor: expected one of the sweep's factors"),
        (("united_states.threat_intensity", 0.5), "reference: expected a value"),
        (("united_states.threat_intensity", 0.0, "mean_trust@20x0"), "output: expected"),
    ],
)
def test_sim_paired_effect_refuses_a_factor_or_reference_not_in_the_sweep(
    small_sweeps, args, message
):
    """A factor not swept raised a KeyError, a reference the factor never takes returned an
    empty table without a word, and ``col@20x0`` raised int()'s "invalid literal"."""
    with pytest.raises(ValueError, match=message):
        sim.paired_effect(small_sweeps / "grid", *args)
    got = sim.paired_effect(small_sweeps / "grid", "united_states.threat_intensity", 0.0)
    assert len(got) == 2


# -- the report of a sweep whose first output does not vary --------------------------------------


@pytest.mark.parametrize("varies", [False, True])
def test_sensitivity_bars_without_bars_in_the_first_panel_warn_nothing(varies):
    """``natosim report`` of a small Morris sweep said "natosim: warning: No artists with labels
    found to put in legend": the legend was asked of the first panel, whose output did not vary
    (no bars). The legend goes on the first panel with bars, if any."""
    from sim.report.figures_other import sensitivity_bars

    rows = [{"output": "a", "factor": "f", "note": "output does not vary"}]
    if varies:
        rows.append({"output": "b", "factor": "f", "mu_star": 0.5, "mu_star_conf": 0.1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = sensitivity_bars(pd.DataFrame(rows), seed=0)
    assert sum(ax.get_legend() is not None for ax in fig.axes) == int(varies)


def test_the_few_samples_note_of_a_morris_sweep_does_not_speak_of_sobol(tmp_path, capsys):
    """``natosim sensitivity`` of a Morris sweep of one base sample noted "too few for morris
    indices to mean much (Sobol's can fall outside [0, 1])"."""
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    factors = {"united_states.threat_intensity": (0, 1)}
    sim.sweep(
        base, factors, design="morris", samples=1, out=tmp_path / "m", workers=1, progress=False
    )
    assert main(["sensitivity", str(tmp_path / "m")]) == 0
    err = capsys.readouterr().err
    assert "too few for morris indices to mean much; sweep --samples" in err
    assert "Sobol" not in err


def test_a_list_sweep_without_factors_names_none_not_an_empty_key(tmp_path, capsys):
    """``natosim sweep baseline --design list`` (and a sweep file with ``points = []``) said
    "--param: : expected lists of values ...": an empty key between the colons."""
    (tmp_path / "s.toml").write_text('base = "baseline"\ndesign = "list"\npoints = []\n')
    for argv in (["sweep", "baseline", "--design", "list"], ["sweep", "s.toml"]):
        message = _refused(capsys, [*argv, "--out", "o"], "(none): expected lists", cwd=tmp_path)
        assert ": : " not in message
    assert _files(tmp_path) == {"s.toml"}


def test_load_results_of_a_folder_that_holds_no_results_says_what_it_expected(tmp_path):
    """``sim.load_results("nofolder")`` said "No such file or directory: 'nofolder/model.csv'",
    naming a file the user never gave, for a folder that is not there (or holds no results)."""
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "nofolder", tmp_path / "empty"):
        with pytest.raises(FileNotFoundError, match=r"expected a sweep folder .* or a results"):
            sim.load_results(folder)


def test_compare_of_run_folders_without_a_common_year_does_not_blame_years(tmp_path, capsys):
    """``natosim compare A B`` of two run folders whose runs share no year (2025-2027 and
    2035-2036) said "--years: 2027: expected a year every scenario runs through", though no
    --years was given: the last year both folders reached was taken for one. Without a common
    year they are compared as two scenarios are (no year rows), as before for scenario files."""
    for name, years in (("early", (2025, 2027)), ("late", (2035, 2036))):
        (tmp_path / f"{name}.toml").write_text(
            f'name = "{name}"\ndescription = "d"\n'
            f"[run]\nstart_year = {years[0]}\nend_year = {years[1]}\n"
        )
        argv = ["run", str(tmp_path / f"{name}.toml"), "--reps", "1", "--quiet", "--no-report"]
        assert main([*argv, "--out", str(tmp_path / name)]) == 0
    argv = ["compare", str(tmp_path / "early"), str(tmp_path / "late"), "--quiet"]
    assert main([*argv, "--no-report", "--out", str(tmp_path / "c")]) == 0, capsys.readouterr()
    assert "error" not in capsys.readouterr().err
    assert (tmp_path / "c" / "comparison.csv").is_file()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("default", -1), "seed"),
        (("default", 1.5), "seed"),
        (("default", None), "seed"),
        (("default", True), "seed"),
        (("baseline", 1), "scenario"),
    ],
)
def test_run_one_refuses_what_it_cannot_run(args, named):
    """Found by fuzzing the Python API: ``sim.run_one(scenario, seed=-1)`` (or 1.5, or a
    scenario's name) returned a failed run holding NumPy's or an AttributeError's traceback;
    it is refused naming the argument, as ``run_replications`` refuses it."""
    scenario = sim.Scenario.default() if args[0] == "default" else args[0]
    with pytest.raises(ScenarioError, match=rf"run_one: {named}: expected"):
        sim.run_one(scenario, args[1])
    assert not sim.run_one(sim.Scenario.default().with_params({"run.end_year": 2026}), 0).error


def test_a_reports_year_is_checked_against_the_manifest_before_its_tables(capsys, tmp_path):
    """Found by the project's fuzz generator (seed 11): ``report r --year 2024`` on a run
    folder whose tables are damaged named the tables, not the year, as explain does; the year
    is now checked from the manifest first, and the tables are still refused without it."""
    from .fuzz.cases import _run_folder

    for name, content in _run_folder("r", "small").items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content) if isinstance(content, str) else path.write_bytes(content)
    _refused(capsys, ["report", "r", "--year", "2024"], "--year", cwd=tmp_path)
    _refused(capsys, ["report", "r"], "model", cwd=tmp_path)
    assert not (tmp_path / "r" / "report.html").exists()


def _analysed(command: str, folder) -> None:
    args = (
        ["--outputs", "eu_core_pct_end"]
        if command == "sensitivity"
        else ["--outcome", "eu_core_pct_end > 2"]
    )
    assert main([command, str(folder), *args]) == 0


@pytest.mark.parametrize("damage", [{"params": "garbage"}, {"name": 5}, None])
@pytest.mark.parametrize("command", ["sensitivity", "discover"])
def test_a_damaged_base_in_sweep_json_is_refused_by_sensitivity_and_discover(
    small_sweeps, tmp_path, capsys, damage, command
):
    """``--resume`` refused a sweep.json whose recorded base scenario is damaged; ``sensitivity``
    and ``discover`` analysed the folder and wrote into it. They refuse it now, naming the
    base, and write nothing."""
    import shutil

    folder = tmp_path / "lhs"
    shutil.copytree(small_sweeps / "lhs", folder)
    meta = json.loads((folder / "sweep.json").read_text())
    meta["base"] = None if damage is None else {**meta["base"], **damage}
    if damage == {"name": 5}:  # without a base at all the runs' tables are still analysed
        lean = {k: v for k, v in meta.items() if k != "base"}
        (folder / "sweep.json").write_text(json.dumps(lean))
        _analysed(command, folder)
    (folder / "sweep.json").write_text(json.dumps(meta))
    before = _files(folder)
    args = ["--outputs", "eu_core_pct_end"] if command == "sensitivity" else ["--outcome", "x"]
    _refused(capsys, [command, str(folder), *args], "sweep.json", "base")
    assert _files(folder) == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ("abc", "a sequence of"),
        ([(2027, "united_states.threat_intensity")], "triples"),
        ([(2040, "united_states.threat_intensity", 0.5)], "years in order from 2025 to 2039"),
        ([(2024, "united_states.threat_intensity", 0.5)], "years in order"),
        ([(2030, "x", 0.5), (2027, "y", 0.5)], "a value x takes"),
        (
            [(2030, "united_states.threat_intensity", 0.5), (2027, "allies.pledge_weight", 0.5)],
            "years in order",
        ),
        ([(2030, "run.end_year", 2035)], "a parameter a running model can change"),
        ([(2030, "united_states.threat_intensity", 7.0)], "a value united_states.threat"),
    ],
)
def test_levers_moved_mid_run_are_checked_before_any_run(changes, expected):
    """``changes`` (levers moved mid-run, replayed in every replication: the ui's export) are
    refused, naming the argument, before any run: a bad one would have made every replication
    a failed run holding a traceback."""
    base = sim.load_scenario("baseline")
    for call in (
        lambda: sim.run_one(base, 1, changes=changes),
        lambda: run_replications(base, 2, 1, changes=changes),
    ):
        with pytest.raises(ScenarioError, match=expected):
            call()


def test_levers_moved_mid_run_are_checked_together():
    """Found by review: each lever was checked alone against the scenario, so two that break
    a rule together (pledge_weight + peer_weight < 0.95) made every replication a failed run."""
    base = sim.load_scenario("baseline")
    both = [(2027, "allies.peer_weight", 0.5), (2028, "allies.pledge_weight", 0.6)]
    with pytest.raises(ScenarioError, match="pledge_weight"):
        run_replications(base, 2, 1, changes=both)
    with pytest.raises(ScenarioError, match="years as whole numbers"):
        run_replications(base, 2, 1, changes=[(2030.5, "allies.peer_weight", 0.2)])


def test_a_scenario_built_in_python_is_checked_before_its_folder_is_written(tmp_path):
    """Found by review: a Scenario made in Python with claims that are not text (or a name
    that is not) was written into sweep.json and manifests, then refused by every command that
    read the folder back (``--resume``, ``report``); it is refused before anything is written.
    A description of None is read back as none."""
    import dataclasses

    base = sim.load_scenario("baseline").with_params({"run.end_year": 2026})
    bad = dataclasses.replace(base, claims=(3,))
    factors = {"united_states.threat_intensity": (0.2, 0.9)}
    with pytest.raises(ScenarioError, match="read back"):
        sim.sweep(bad, factors, samples=2, out=tmp_path / "s", workers=1, progress=False)
    assert not (tmp_path / "s").exists()
    with pytest.raises(ScenarioError, match="read back"):
        run_replications(bad, 1, 1)
    none = dataclasses.replace(base, description=None)
    sim.sweep(none, factors, samples=2, out=tmp_path / "n", workers=1, progress=False)
    assert main(["sweep", "--resume", str(tmp_path / "n"), "--quiet"]) == 0

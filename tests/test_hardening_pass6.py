"""Sixth fuzzing pass: each case found by trying bad input and extreme settings, refused in one
line naming the flag or key (or now run as asked)."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

import sim
from sim.cli.commands import main
from sim.scenario import ScenarioError
from sim.sweeps.spec import Factor, build_spec

from .test_hardening import _files, _natosim, _refused

NOT_UTF8 = os.fsdecode(b"r\xff")  # a name the file system takes and UTF-8 cannot spell


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("run")
    assert main(["run", "baseline", "--reps", "2", "--out", str(root / "r"), "--no-report"]) == 0
    return root / "r"


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "sw"
    sim.sweep(
        "baseline",
        {"united_states.threat_intensity": (0.0, 1.0)},
        samples=4,
        out=out,
        workers=1,
        progress=False,
    )
    return out


# -- a path that is not UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "baseline", "--reps", "1", "--no-report", "--quiet"],
        ["sweep", "baseline", "--param", "united_states.threat_intensity=0:1", "--samples", "2"],
        ["checks"],
    ],
)
def test_an_out_that_is_not_utf8_is_refused_before_any_work(tmp_path, capsys, argv):
    """``natosim run baseline --out $'\\xff'`` ran every replication, then ended in pyarrow's
    UnicodeEncodeError traceback (exit 1): Parquet's writer cannot encode such a name. It is
    refused before any work, shown as typed, with nothing written."""
    message = _refused(capsys, [*argv, "--out", NOT_UTF8], "--out", r"r\xff", cwd=tmp_path)
    assert "UTF-8" in message
    assert _files(tmp_path) == set()


@pytest.mark.parametrize("command", ["report", "explain", "compare"])
def test_a_results_folder_named_in_other_bytes_is_refused_for_its_name(
    tmp_path, capsys, run_folder, command
):
    """Such a folder was refused as "expected a readable table ('utf-8' codec can't encode
    character '\\udcff' ...)": its tables were blamed for its name."""
    os.symlink(run_folder, tmp_path / NOT_UTF8)
    message = _refused(capsys, [command, NOT_UTF8], r"r\xff", cwd=tmp_path)
    assert "UTF-8" in message and "readable table" not in message


@pytest.mark.parametrize(
    "call",
    [
        lambda f: sim.load_results(f, tables=("summary",)),
        lambda f: sim.sensitivity(f, seed=1),
        lambda f: sim.discover(f, "eu_core_pct_end > 2"),
        lambda f: sim.resume(f, workers=1),
    ],
)
def test_the_python_api_refuses_a_sweep_folder_named_in_other_bytes(tmp_path, sweep_folder, call):
    """The same names through the Python API raised UnicodeEncodeError from pyarrow."""
    os.symlink(sweep_folder, tmp_path / NOT_UTF8)
    with pytest.raises(ScenarioError, match="UTF-8"):
        call(tmp_path / NOT_UTF8)


# -- sensitivity's outputs ----------------------------------------------------------------------


@pytest.mark.parametrize("condition", ["p:verdict", "p:eu_core_pct_end"])
def test_a_share_of_runs_whose_condition_is_not_true_or_false_is_refused(
    capsys, sweep_folder, condition
):
    """``--outputs p:verdict`` (a text column) was read as true in every run, non-empty text
    being true: a share of 1.0 at every point, analysed without a word. The condition must give
    true or false, as discover's --outcome must; the message names --outputs, not the sweep."""
    message = _refused(capsys, ["sensitivity", str(sweep_folder), "--outputs", condition])
    assert message.split("error: ")[1].startswith(f"--outputs: {condition}: ")
    assert "not true or false" in message


def test_a_share_of_runs_that_cannot_be_evaluated_names_the_flag(capsys, sweep_folder):
    message = _refused(capsys, ["sensitivity", str(sweep_folder), "--outputs", "p:"])
    assert message.split("error: ")[1].startswith("--outputs: p:: ")


def test_an_output_given_twice_is_refused_naming_it(capsys, sweep_folder):
    """``--outputs eu_core_pct_end eu_core_pct_end`` said pyarrow's 'Field "eu_core_pct_end"
    exists 2 times in schema'."""
    argv = ["sensitivity", str(sweep_folder), "--outputs", "eu_core_pct_end", "eu_core_pct_end"]
    message = _refused(capsys, argv, "--outputs", "eu_core_pct_end", "once")
    assert "schema" not in message
    with pytest.raises(ValueError, match="once"):
        sim.sensitivity(sweep_folder, ("eu_core_pct_end", "eu_core_pct_end"))


def test_a_true_or_false_share_of_runs_is_still_analysed(sweep_folder):
    df = sim.sensitivity(sweep_folder, ("p:verdict == 'deterrence_failed' or eu_core_pct_end > 2",))
    assert not df.empty


# -- a value given twice ------------------------------------------------------------------------


def test_compare_refuses_a_year_given_twice(tmp_path, capsys):
    """``natosim compare baseline --years 2030 2030`` wrote every row of the comparison twice."""
    argv = ["compare", "baseline", "--years", "2030", "2030", "--reps", "1", "--out", "c"]
    _refused(capsys, argv, "--years", "2030", "once", cwd=tmp_path)
    assert _files(tmp_path) == set()


@pytest.mark.parametrize(
    ("param", "values"),
    [
        ("united_states.threat_intensity=0.5,0.50", [0.5, 0.5]),
        ("united_states.measurement=headline,headline", ["headline", "headline"]),
        ("united_states.patience_years=2,2.0", [2, 2.0]),
    ],
)
def test_a_grid_level_given_twice_is_refused(tmp_path, capsys, param, values):
    """``--design grid --param x=0.5,0.5`` ran every point twice as two points of the grid."""
    argv = ["sweep", "baseline", "--design", "grid", "--param", param, "--out", "s"]
    _refused(capsys, argv, "--param", param.split("=")[0], "once", cwd=tmp_path)
    assert _files(tmp_path) == set()
    key = param.split("=")[0]
    with pytest.raises(ScenarioError, match="once"):
        sim.sweep("baseline", {key: values}, design="grid", out=tmp_path / "s", workers=1)
    assert _files(tmp_path) == set()


def test_a_list_design_may_repeat_a_value_across_its_points():
    spec = build_spec(
        "baseline",
        [
            Factor("united_states.patience_years", values=(2, 2)),
            Factor("united_states.threat_intensity", values=(0.0, 1.0)),
        ],
        "list",
        1,
        1,
        0,
    )
    assert spec.design == "list"


# -- scenario files: [uncertainty] keys ----------------------------------------------------------


def _write(tmp_path, text: str):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_a_misspelt_uncertainty_key_gets_a_did_you_mean(tmp_path):
    """Every misspelt key of a scenario file gets "did you mean"; one under [uncertainty] said
    only 'expected a parameter as "section.name"', which it was."""
    path = _write(tmp_path, '[uncertainty]\n"russia.fatigu" = { low = 0.1, high = 0.2 }\n')
    with pytest.raises(ScenarioError, match=r"did you mean russia\.fatigue\?"):
        sim.load_scenario(path)


def test_an_unquoted_uncertainty_key_says_to_quote_it(tmp_path):
    """``russia.fatigue = {...}`` unquoted is a table ``uncertainty.russia`` holding
    ``fatigue``: the message said 'expected a parameter as "section.name"', as it was written."""
    path = _write(tmp_path, "[uncertainty]\nrussia.fatigue = { low = 0.1, high = 0.2 }\n")
    with pytest.raises(ScenarioError, match=re.escape('in quotes ("russia.fatigue" = ')):
        sim.load_scenario(path)


def test_an_unknown_distribution_shape_says_got_once(tmp_path):
    path = _write(
        tmp_path, '[uncertainty]\n"russia.fatigue" = { low = 0.1, high = 0.2, shape = "w" }\n'
    )
    with pytest.raises(ScenarioError) as exc:
        sim.load_scenario(path)
    assert str(exc.value).count("got") == 1, exc.value


# -- the Python API: with_params' keys ----------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("unitedstates.threat_intensity", "did you mean united_states?"),
        (" united_states.threat_intensity", "did you mean united_states?"),
        (".", "section is one of alliance, allies"),
        ("russia.fatigu", "did you mean fatigue?"),
        ("allies.overrides.DEU.initial_trus", "did you mean initial_trust?"),
    ],
)
def test_with_params_names_an_unknown_section_or_a_misspelt_name(key, said):
    """An unknown section said "expected a known parameter of [x] ()", an empty list; a
    misspelt name listed the section's 60 parameters where a file's key gets a did-you-mean."""
    with pytest.raises(ScenarioError) as exc:
        sim.Scenario.default().with_params({key: 0.5})
    assert said in str(exc.value) and "()" not in str(exc.value)


# -- the command line: a count of more than 30 digits -------------------------------------------


@pytest.mark.parametrize(
    ("argv", "bounds"),
    [
        (["run", "baseline", "--seed", "9" * 40], "from 0 to 9,223,372,036,854,775,807"),
        (["run", "baseline", "--reps", "-" + "9" * 40], "from 1 to 10,000"),
        (["compare", "baseline", "--years", "9" * 31], "from 1900 to 2100"),
    ],
)
def test_a_whole_number_of_many_digits_is_out_of_range_not_not_a_number(capsys, argv, bounds):
    """``--seed`` followed by 40 nines said "expected an integer, got '999...'": it is one,
    too large. The range is said, as for any other number out of it."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].endswith(f"expected an integer {bounds}")


# -- sim.sweep's factors and out ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [(0, 10**400), ("a", 1.0), (None, 1.0), 0.5, "0.5", {"low": 0, "high": 1}],
)
def test_sim_sweep_refuses_a_factor_that_is_neither_a_range_nor_a_list(tmp_path, value):
    """A range (0, 10**400) raised OverflowError, ("a", 1) and (None, 1) float()'s errors, 0.5
    "'float' object is not iterable", and "0.5" was read character by character ("got '0'")."""
    with pytest.raises(ScenarioError, match=r"factors\['united_states.threat_intensity'\]"):
        sim.sweep(
            "baseline", {"united_states.threat_intensity": value}, out=tmp_path / "s", workers=1
        )
    assert _files(tmp_path) == set()


@pytest.mark.parametrize("out", [None, 5, ""])
def test_sim_sweep_refuses_an_out_that_is_not_a_path(out):
    with pytest.raises(ScenarioError, match="out: expected a folder's path"):
        sim.sweep("baseline", {"united_states.threat_intensity": (0.0, 1.0)}, out=out, workers=1)


def test_sim_sweep_still_takes_a_flags_range_as_false_true(tmp_path):
    got = sim.sweep(
        "baseline",
        {"united_states.execute_threats": (False, True)},
        samples=2,
        out=tmp_path / "s",
        workers=1,
        progress=False,
    )
    assert got.runs == 2 and got.failed == 0


# -- an interrupted command says one line -------------------------------------------------------


def test_a_stopped_sweep_says_one_line_not_the_resource_trackers_warning(tmp_path):
    """SIGTERM to a sweep (or to run or debate with --workers 2) printed, after
    "natosim: interrupted; ...", Python's own warning from multiprocessing's resource tracker
    ("UserWarning: resource_tracker: There appear to be 1 leaked semaphore objects ...", two
    lines with a library's path): the command ends with os._exit, which skipped the finalizer
    of tqdm's bar lock, a named semaphore under the spawn start method."""
    out = tmp_path / "s"
    argv = ["sweep", "baseline", "--param", "united_states.threat_intensity=0:1", "--samples"]
    argv += ["400", "--reps", "2", "--workers", "1", "--quiet", "--out", str(out)]
    proc = _natosim(*argv, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while not (out / "parts" / "done").is_dir() or not any((out / "parts" / "done").iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)
    err = proc.stderr.read() if proc.stderr else ""
    assert code == 130, err
    said = f"natosim: interrupted; finished runs are kept: natosim sweep --resume {out}"
    assert err.splitlines() == [said], err


# -- the Python API: one name where a tuple of names is wanted ----------------------------------


def test_load_scenario_refuses_one_overlay_given_as_text():
    """``overlays="scenarios/policies/cajole.toml"`` was read letter by letter: "s: (file):
    expected an existing scenario file"."""
    with pytest.raises(ScenarioError, match="overlays: expected a tuple of overlay files"):
        sim.load_scenario("baseline", overlays="scenarios/policies/cajole.toml")


@pytest.mark.parametrize(("arg", "value"), [("tables", "summary"), ("columns", "eu_core_pct_end")])
def test_load_results_refuses_one_name_given_as_text(sweep_folder, arg, value):
    """``tables="summary"`` said "unknown table 's'"; ``columns="eu_core_pct_end"`` returned
    tables with none of its columns, without a word."""
    with pytest.raises(ValueError, match=f"{arg}: expected a tuple or list of names"):
        sim.load_results(sweep_folder, **{arg: value})


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_stopped_run_with_workers_stops_now_not_after_every_replication(tmp_path, command):
    """SIGTERM to ``natosim run --reps 3000 --workers 2`` was said ("interrupted; nothing was
    written") 89 s later: on the way out the pool was shut down waiting for every replication
    already submitted, computed then thrown away (Ctrl-C in a terminal ends the workers too, a
    SIGTERM to the command alone did not). The replications not started are cancelled."""
    argv = [command, "baseline", *(["grey_zone"] if command == "compare" else [])]
    proc = _natosim(*argv, "--reps", "10000", "--workers", "2", "--out", "o", cwd=tmp_path)
    psutil = pytest.importorskip("psutil")
    try:
        deadline = time.monotonic() + 180
        while True:  # until both workers have computed replications for a second or more
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            try:
                workers = psutil.Process(proc.pid).children()
                busy = [w for w in workers if w.cpu_times().user > 3]  # importing takes ~1 s
            except psutil.Error:
                busy = []
            if len(busy) == 2:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)  # 10,000 replications take minutes
    finally:
        proc.kill()
    err = proc.stderr.read() if proc.stderr else ""
    assert code == 130, err
    assert err.splitlines()[-1] == "natosim: interrupted; nothing was written", err
    assert _files(tmp_path) == set()


def test_replication_seeds_bounds_its_count_and_root():
    """Found by fuzzing: ``sim.replication_seeds(0, 10**12)`` filled the machine's memory
    before it could be stopped; a bad count or root is refused naming it."""
    for args, named in (((0, 10**12), "n"), ((0, -1), "n"), ((-1, 2), "root"), ((1.5, 2), "root")):
        with pytest.raises(ScenarioError, match=rf"replication_seeds: {named}: expected"):
            sim.replication_seeds(*args)
    assert len(sim.replication_seeds(1, 3)) == 3


def test_worlds_must_be_true_or_false(tmp_path):
    """Found by fuzzing: ``worlds="no"`` is true in Python, so worlds were sampled."""
    base = sim.Scenario.default().with_params({"run.end_year": 2026})
    with pytest.raises(ScenarioError, match="worlds: expected True or False"):
        sim.sweep(
            base,
            {"united_states.threat_intensity": (0, 1)},
            samples=2,
            out=tmp_path / "s",
            workers=1,
            progress=False,
            worlds="no",
        )
    assert not (tmp_path / "s").exists()
    from sim.runs.runner import run_replications

    with pytest.raises(ScenarioError, match="worlds: expected True or False"):
        run_replications(base, 1, 1, worlds="no")


def test_sensitivity_of_no_outputs_is_refused(tmp_path):
    """Found by fuzzing: ``sim.sensitivity(folder, ())`` returned an empty table unremarked."""
    with pytest.raises(ValueError, match="outputs: expected at least one"):
        sim.sensitivity(tmp_path, ())


def test_a_worker_pool_left_by_an_exception_cancels_the_work_not_started():
    """A stopped command (an exception out of ``with process_executor()``, as a SIGTERM
    raises) cancels the tasks not started instead of waiting for them (``calibrate
    --workers``'s bootstrap refits waited, as run's replications did)."""
    import time

    from sim.runs.pool import process_executor

    futures = []

    def stopped() -> None:
        with process_executor(1) as pool:
            futures.extend(pool.submit(time.sleep, 0.5) for _ in range(20))
            raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        stopped()
    assert time.monotonic() - started < 6  # 20 x 0.5 s had it waited
    assert sum(f.cancelled() for f in futures) >= 15

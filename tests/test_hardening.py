"""Robust writing: one folder, one writer; interrupted commands leave nothing behind; a run whose
every replication failed still gets a report that says so."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.commands import main
from sim.runs.store import claimed_folder
from sim.scenario import ScenarioError

from .conftest import ROOT


def _natosim(*args: str, cwd) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_two_commands_cannot_write_into_one_folder(tmp_path):
    out = str(tmp_path / "out")
    procs = [
        _natosim("run", "baseline", "--reps", "300", "--out", out, "--no-report", cwd=ROOT)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    refused = next(err for code, err in results if code == 2)
    assert "no other natosim command is writing" in refused
    assert "Traceback" not in refused
    assert (tmp_path / "out" / "manifest.json").exists()
    assert _leftovers(tmp_path) == []


def test_default_folders_claimed_in_the_same_second_differ(tmp_path):
    target = tmp_path / "results" / "baseline" / "20260101T000000Z"
    with claimed_folder(target, unique=True) as a, claimed_folder(target, unique=True) as b:
        assert a != b
    with pytest.raises(ScenarioError, match="no other natosim command"):  # noqa: SIM117
        with claimed_folder(target), claimed_folder(target):
            pass


def test_sigterm_leaves_no_partial_folder_and_no_lock(tmp_path):
    proc = _natosim("run", "baseline", "--reps", "5000", "--out", str(tmp_path / "out"), cwd=ROOT)
    # wait until it has claimed its folder (its lock): imports can take long on a loaded machine,
    # and a SIGTERM before natosim's handler is installed kills it plainly, having written nothing
    deadline = time.monotonic() + 120
    while not (tmp_path / ".out.lock").exists() and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.1)
    time.sleep(1)  # computing
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)
    err = proc.stderr.read() if proc.stderr else ""
    assert code == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_killed_writers_lock_and_temporary_folder_are_cleaned(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / ".out.lock").write_text(str(dead.pid))
    (tmp_path / ".out.tmp-abc123").mkdir()
    (tmp_path / ".out.tmp-abc123" / "model.parquet").write_text("half")
    code = main(["run", "baseline", "--reps", "2", "--out", str(tmp_path / "out"), "--no-report"])
    assert code == 0
    assert _leftovers(tmp_path) == []
    assert (tmp_path / "out" / "manifest.json").exists()


def test_every_replication_failed_still_reports(tmp_path, monkeypatch, capsys):
    from sim.model import alliance as model

    def broken(self):
        raise RuntimeError("a rule divided by zero")

    monkeypatch.setattr(model.AllianceModel, "_end_year", broken)
    code = main(["run", "baseline", "--reps", "3", "--out", str(tmp_path / "out")])
    assert code == 1
    html = (tmp_path / "out" / "report.html").read_text()
    assert "No replication finished" in html
    assert "failures.json" in html
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_out_is_refused_before_computing(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code = main(["run", "baseline", "--out", str(locked / "x"), "--no-report"])
    finally:
        locked.chmod(0o700)
    assert code == 2
    assert "writable" in capsys.readouterr().err


def test_a_cluster_without_workers_is_reported_then_given_up(monkeypatch, caplog):
    """A Dask cluster that lost every worker: a warning while waiting, then SchedulerError (the
    command turns it into a resume hint) instead of waiting in silence for ever."""
    from concurrent.futures import Future

    from sim.sweeps import execute

    monkeypatch.setattr(execute, "NOTICE_EVERY_S", 0.05)
    monkeypatch.setattr(execute, "NO_WORKER_WAIT_S", 0.2)
    workers = execute.Workers(None, inline=False, width=1, threads=lambda: 0)
    never: Future = Future()
    with pytest.raises(execute.SchedulerError, match="no workers"):
        execute._wait({never: 0}, workers)
    assert "no workers: waiting" in caplog.text


def test_a_comparison_whose_runs_all_failed_still_reports(tmp_path, monkeypatch, capsys):
    from sim.model import alliance as model

    def broken(self):
        raise RuntimeError("a rule divided by zero")

    monkeypatch.setattr(model.AllianceModel, "_end_year", broken)
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "cajole", "--reps", "2", "--out", str(out)]) == 1
    assert "No replication of baseline, cajole finished" in (out / "report.html").read_text()
    assert "Traceback" not in capsys.readouterr().err


def _hold_lock(path) -> subprocess.Popen:
    """Another process holding ``path`` with the library the command uses."""
    code = (
        "import sys, time, filelock; lock = filelock.FileLock(sys.argv[1], timeout=0); "
        "lock.acquire(); print('held', flush=True); time.sleep(120)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_folder_locked_by_a_running_command_is_refused_with_one_message(tmp_path, capsys):
    holder = _hold_lock(tmp_path / ".out.lock")
    try:
        code = main(["run", "baseline", "--reps", "2", "--out", str(tmp_path / "out")])
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("error:") == 1 and "no other natosim command is writing" in err
    assert not (tmp_path / "out").exists()


def test_the_lock_of_a_killed_command_is_taken_over_and_its_leftovers_cleaned(tmp_path):
    """SIGKILL leaves the lock file and a temporary folder; the OS released the lock itself."""
    holder = _hold_lock(tmp_path / ".out.lock")
    (tmp_path / ".out.tmp-killed").mkdir()
    (tmp_path / ".out.tmp-killed" / "model.parquet").write_text("half")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (tmp_path / ".out.lock").exists()
    code = main(["run", "baseline", "--reps", "2", "--out", str(tmp_path / "out"), "--no-report"])
    assert code == 0
    assert _leftovers(tmp_path) == []
    assert (tmp_path / "out" / "manifest.json").exists()


def test_the_lock_is_the_filelock_library_and_is_removed_after(tmp_path):
    import filelock

    with claimed_folder(tmp_path / "out") as out:
        probe = filelock.FileLock(tmp_path / ".out.lock", timeout=0)
        with pytest.raises(filelock.Timeout):
            probe.acquire()
        assert out == tmp_path / "out"
    assert _leftovers(tmp_path) == []


# -- second pass (issue 29): each refused with exit 2, one message, nothing written --------------


def _refused(capsys, argv: list[str], *names: str, cwd=None, code: int = 2) -> str:
    """Run ``natosim argv``; assert exit ``code`` (2: refused), one error line naming
    ``names``, no traceback."""
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        got = main(argv)
    finally:
        os.chdir(old)
    err = capsys.readouterr().err
    assert got == code, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1, err
    for name in names:
        assert name in errors[0], err
    return errors[0]


def _files(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("command", ["validate", "run", "compare", "sweep"])
def test_a_symlink_loop_as_the_scenario_file_is_refused(tmp_path, capsys, command):
    (tmp_path / "s.toml").symlink_to("s.toml")
    argv = {
        "validate": ["validate", "s.toml"],
        "run": ["run", "s.toml", "--reps", "2", "--no-report"],
        "compare": ["compare", "baseline", "s.toml", "--reps", "2", "--no-report"],
        "sweep": ["sweep", "s.toml", "--param", "united_states.threat_intensity=0:1"],
    }[command]
    message = _refused(capsys, argv, "s.toml", cwd=tmp_path)
    assert "symbolic links" in message
    assert _files(tmp_path) == {"s.toml"}


@pytest.mark.parametrize(
    "text",
    ["[]", "null", "3", '"x"', "{}", '{"scenario": []}', "{", '{"scenario": {"name": 3}}'],
)
def test_report_on_a_manifest_of_the_wrong_shape_is_refused(tmp_path, capsys, text):
    (tmp_path / "manifest.json").write_text(text)
    _refused(capsys, ["report", str(tmp_path)], "manifest.json")
    assert _files(tmp_path) == {"manifest.json"}


def test_report_on_a_comparison_whose_manifest_names_no_scenario_folder(tmp_path, capsys):
    (tmp_path / "comparison.csv").write_text("x\n")
    (tmp_path / "manifest.json").write_text(
        '{"scenarios": ["../etc"], "replications": 2, "command": "natosim"}'
    )
    _refused(capsys, ["report", str(tmp_path)], "scenarios")
    (tmp_path / "manifest.json").write_text(
        '{"scenarios": ["gone"], "replications": 2, "command": "natosim"}'
    )
    _refused(capsys, ["report", str(tmp_path)], "gone")


def test_sweep_points_with_different_keys_are_refused(tmp_path, capsys):
    (tmp_path / "sw.toml").write_text(
        'base = "baseline"\ndesign = "list"\n'
        '[[points]]\n"united_states.threat_intensity" = 0.2\n'
        '[[points]]\n"united_states.threat_intensity" = 0.3\n"allies.peer_weight" = 0.1\n'
    )
    message = _refused(capsys, ["sweep", "sw.toml", "--out", "o"], "sw.toml", cwd=tmp_path)
    assert "points[1]" in message and "allies.peer_weight" in message
    assert _files(tmp_path) == {"sw.toml"}


def test_sweep_points_beside_other_factors_or_another_design_are_refused(tmp_path, capsys):
    points = '[[points]]\n"united_states.threat_intensity" = 0.2\n'
    (tmp_path / "a.toml").write_text('base = "baseline"\ndesign = "lhs"\n' + points)
    _refused(capsys, ["sweep", "a.toml"], "a.toml", "points", cwd=tmp_path)
    (tmp_path / "b.toml").write_text(
        'base = "baseline"\ndesign = "list"\n[factors]\n"allies.peer_weight" = '
        "{values = [0.1]}\n" + points
    )
    _refused(capsys, ["sweep", "b.toml"], "b.toml", "points[0]", cwd=tmp_path)
    assert _files(tmp_path) == {"a.toml", "b.toml"}


@pytest.fixture(scope="module")
def lhs_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("lhs") / "sweep"
    argv = ["sweep", "baseline", "--param", "united_states.threat_intensity=0:1"]
    code = main([*argv, "--samples", "4", "--workers", "1", "--quiet", "--out", str(out)])
    assert code == 0
    return out


@pytest.mark.parametrize(
    ("outputs", "names"),
    [
        (["verdict"], ["--outputs", "verdict", "p:verdict"]),
        (["nope"], ["--outputs", "nope"]),
        (["probe_target@2030"], ["--outputs"]),
        (["eu_core_pct@20x0"], ["--outputs", "YEAR"]),
    ],
)
def test_sensitivity_on_a_text_or_unknown_column_is_refused(lhs_sweep, capsys, outputs, names):
    before = _files(lhs_sweep)
    _refused(capsys, ["sensitivity", str(lhs_sweep), "--outputs", *outputs], *names)
    assert _files(lhs_sweep) == before


def test_sensitivity_says_salibs_warnings_once_in_the_projects_words(lhs_sweep, capsys):
    """Four points are too few for delta's bins: SALib warns once per factor and output; the
    command says it once and writes its tables."""
    assert main(["sensitivity", str(lhs_sweep), "--outputs", "eu_core_pct_end"]) == 0
    err = capsys.readouterr().err
    assert "Only one bin" not in err and "Traceback" not in err
    assert err.count("natosim: note: the delta index is left blank") == 1, err
    for name in ("sensitivity.csv", "sensitivity.txt"):
        (lhs_sweep / name).unlink()


def test_library_warnings_are_said_once_or_silenced(capsys):
    import warnings

    from sim.sweeps.said import library_warnings

    with library_warnings():
        for _ in range(3):
            warnings.warn("[a][balanced] Only one bin remains. Highly biased input.", stacklevel=1)
        for name in ("a", "b"):
            warnings.warn(
                f"[{name}] Potential Bias Notice: Raw delta differs by 0.3.", stacklevel=1
            )
        warnings.warn("[a][balanced] Bin Merge Notice: Final no. bins is 4.", stacklevel=1)
        warnings.warn("Sobol' points require n to be a power of 2.", stacklevel=1)
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
        warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err.count("natosim: note:") == 3 and "Only one bin" not in err, err
    assert "--samples is a power of two" in err
    assert "Bin Merge" not in err and "Potential Bias" not in err
    assert "old API" not in err and "invalid value" not in err


def test_dask_client_logs_are_silenced_while_a_cluster_sweeps(caplog):
    """A lost scheduler made distributed log a traceback before the resume hint."""
    import logging

    from sim.sweeps.execute import quiet_cluster_logs

    with quiet_cluster_logs():
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError:
            logging.getLogger("distributed.client").exception("")
        logging.getLogger("tornado.application").error("Exception in callback")
    assert "Connection refused" not in caplog.text
    assert "Exception in callback" not in caplog.text
    assert logging.getLogger("distributed").level != logging.CRITICAL  # restored


@pytest.mark.parametrize("kind", ["proc", "broken_link", "empty", "file_under", "newline"])
def test_unusable_out_is_refused_before_any_work(tmp_path, capsys, monkeypatch, kind):
    from sim.runs import runner

    monkeypatch.setattr(runner, "run_replications", _never)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "broken").symlink_to(tmp_path / "nowhere" / "x")
    out = {
        "proc": "/proc/natosim-x",
        "broken_link": str(tmp_path / "broken"),
        "empty": "",
        "file_under": str(tmp_path / "afile" / "x"),
        "newline": str(tmp_path / "a\nb"),  # found by fuzzing: a folder no message shows
    }[kind]
    before = _files(tmp_path)
    _refused(capsys, ["run", "baseline", "--reps", "2", "--out", out], "--out")
    assert _files(tmp_path) == before


def _never(*args, **kwargs):
    raise AssertionError("the work started before the refusal")


@pytest.mark.parametrize("command", ["report", "sensitivity", "discover"])
def test_a_read_only_folder_is_refused_before_any_work(
    lhs_sweep, tmp_path, capsys, monkeypatch, command
):
    """As root, ``chmod`` does not stop writing, so the file system's answer is simulated: the
    refusal must come from the writability check, before the report or the analysis runs."""
    import sim.report
    from sim.runs import folders
    from sim.sweeps import analysis

    monkeypatch.setattr(sim.report, "build_report", _never)
    monkeypatch.setattr(analysis, "sensitivity", _never)
    monkeypatch.setattr(analysis, "discover", _never)
    real = folders._unwritable
    monkeypatch.setattr(
        folders,
        "_unwritable",
        lambda f: "Read-only file system" if f == lhs_sweep else real(f),
    )
    argv = {
        "report": ["report", str(lhs_sweep)],
        "sensitivity": ["sensitivity", str(lhs_sweep)],
        "discover": ["discover", str(lhs_sweep), "--outcome", "n_probes > 0"],
    }[command]
    message = _refused(capsys, argv, command, "Read-only")
    assert str(lhs_sweep) in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_sweep_folder_is_refused_for_real(lhs_sweep, capsys):
    lhs_sweep.chmod(0o500)
    try:
        _refused(capsys, ["sensitivity", str(lhs_sweep)], "sensitivity", str(lhs_sweep))
    finally:
        lhs_sweep.chmod(0o700)


def test_a_utf8_byte_order_mark_is_read(tmp_path, capsys):
    (tmp_path / "bom.toml").write_bytes(
        b'\xef\xbb\xbfname = "bom"\nextends = "baseline"\n[run]\nend_year = 2030\n'
    )
    assert main(["validate", str(tmp_path / "bom.toml")]) == 0
    assert "bom, 2025-2030" in capsys.readouterr().out
    (tmp_path / "u16.toml").write_bytes('name = "u"\n'.encode("utf-16"))
    _refused(capsys, ["validate", str(tmp_path / "u16.toml")], "u16.toml", "UTF-8", "UTF-16")


def test_a_sweep_file_with_a_byte_order_mark_is_a_sweep_file(tmp_path):
    from sim.sweeps.cli import _is_sweep_file

    (tmp_path / "sw.toml").write_bytes(b'\xef\xbb\xbfbase = "baseline"\n')
    assert _is_sweep_file(tmp_path / "sw.toml")


def test_list_strips_a_descriptions_terminal_escape_codes(tmp_path, capsys):
    (tmp_path / "esc.toml").write_text(
        'name = "esc"\n'
        'description = "Red \\u001b[31mALERT\\u001b[0m, title \\u001b]0;pwned\\u0007 end."\n'
        'hypothesis = "a bell \\u0007 and a \\u009b CSI"\n'
    )
    assert main(["list", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Red ALERT, title  end." in out
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in out), repr(out)


@pytest.mark.parametrize("year", [1900, 2024, 2041, 2100])
def test_an_event_outside_the_run_is_refused_naming_it_and_the_runs_years(tmp_path, capsys, year):
    (tmp_path / "ev.toml").write_text(
        f'name = "ev"\n[[events]]\nyear = {year}\nkind = "russia_probe"\ntarget = "EST"\n'
    )
    message = _refused(capsys, ["validate", str(tmp_path / "ev.toml")], "ev.toml")
    assert f"russia_probe EST in {year}" in message and "2025-2040" in message


def test_two_probes_in_one_year_are_refused_and_a_non_member_is_not_an_article_5_crisis(
    tmp_path, capsys
):
    """Found by fuzzing: two russia_probe events in one year ran the second and dropped the
    first without a word; a probe of an ally before it joined (Sweden in 2016) ran as an
    Article 5 crisis, allies sending help. Now the pair is refused naming both, and the probe
    of a non-member is logged as such, with no crisis."""
    from sim import load_scenario
    from sim.model import AllianceModel

    probe = '[[events]]\nyear = {y}\nkind = "russia_probe"\ntarget = "{t}"\n'
    (tmp_path / "two.toml").write_text(
        'name = "two"\n' + probe.format(y=2030, t="EST") + probe.format(y=2030, t="LVA")
    )
    message = _refused(capsys, ["validate", str(tmp_path / "two.toml")], "two.toml")
    assert "one russia_probe a year" in message and "EST" in message and "LVA" in message
    (tmp_path / "swe.toml").write_text(
        'name = "swe"\nextends = "hindcast_2014"\nreplace_events = true\n'
        + probe.format(y=2016, t="SWE")
    )
    model = AllianceModel(load_scenario(tmp_path / "swe.toml"), rng=1)
    while model.year < 2016:
        model.step()
    assert model.probe_this_year is None
    events = model.recorder.events
    said = [e for k, e in zip(events["kind"], events["event"], strict=True) if k == "russia_probe"]
    assert any("Sweden" in e and "not a NATO member in 2016" in e for e in said), said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # found by fuzzing: each was accepted and then ignored
        ('claims = ["C1", "C1"]\n', "each claim listed once"),
        ('[[events]]\nyear = 2030\nkind = "european_command"\ntarget = "FRA"\n', "no target"),
        ('[[events]]\nyear = 2030\nkind = "us_pressure"\ntarget = "POL"\n', "no target"),
        ('[series.china_pull]\n"\uff12\uff10\uff13\uff10" = 0.5\n', "a year between"),
    ],
)
def test_what_a_scenario_would_ignore_is_refused(tmp_path, capsys, text, said):
    (tmp_path / "ig.toml").write_text('name = "ig"\n' + text)
    assert said in _refused(capsys, ["validate", str(tmp_path / "ig.toml")], "ig.toml")


def test_an_event_a_parent_dates_before_the_child_starts_hints_at_replace_events(tmp_path, capsys):
    (tmp_path / "late.toml").write_text(
        'name = "late"\nextends = "baseline"\n[run]\nstart_year = 2030\nend_year = 2034\n'
    )
    assert "replace_events = true" in _refused(
        capsys, ["validate", str(tmp_path / "late.toml")], "late.toml"
    )


def test_events_on_the_first_and_last_year_of_the_run_are_accepted(tmp_path):
    from sim import load_scenario

    (tmp_path / "ev.toml").write_text(
        'name = "ev"\n[run]\nend_year = 2030\n[[events]]\nyear = 2025\nkind = "us_pressure"\n'
        '[[events]]\nyear = 2030\nkind = "us_pressure"\n'
    )
    assert len(load_scenario(tmp_path / "ev.toml").events) == 2


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "baseline", "--out", ""],
        ["compare", "baseline", "cajole", "--out", " "],
        ["sweep", "baseline", "--param", "united_states.threat_intensity=0:1", "--out", ""],
        ["debate", "--out", ""],
        ["report", ""],
        ["sweep", "--resume", ""],
    ],
)
def test_an_empty_path_is_refused(tmp_path, capsys, argv):
    message = _refused(capsys, argv, "'", cwd=tmp_path)
    assert "empty" in message
    assert _files(tmp_path) == set()


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["cajole"], "cajole"),
        (["--param", "united_states.threat_intensity=0:1"], "--param"),
        (["--samples", "8"], "--samples"),
        (["--out", "elsewhere"], "--out"),
    ],
)
def test_sweep_resume_beside_another_target_or_option_is_refused(lhs_sweep, capsys, extra, named):
    before = _files(lhs_sweep)
    argv = ["sweep", *extra[:1], "--resume", str(lhs_sweep), *extra[1:]]
    if extra[0].startswith("--"):
        argv = ["sweep", "--resume", str(lhs_sweep), *extra]
    message = _refused(capsys, argv, "--resume", named)
    assert "natosim sweep --resume" in message
    assert _files(lhs_sweep) == before


def test_interrupted_during_the_report_says_the_results_are_there(tmp_path, capsys, monkeypatch):
    """SIGTERM (turned into KeyboardInterrupt) while the report is drawn: the results folder is
    whole, and the message says so and how to finish the report (not "nothing was written")."""
    import sim.report

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.report, "build_report", interrupted)
    out = tmp_path / "out"
    assert main(["run", "baseline", "--reps", "2", "--out", str(out), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "nothing was written" not in err
    assert f"the results are in {out}" in err and f"natosim report {out}" in err
    assert (out / "manifest.json").exists()
    assert _leftovers(tmp_path) == []
    # the same command again is refused (the folder is not empty) and says what to do instead
    _refused(capsys, ["run", "baseline", "--reps", "2", "--out", str(out)], f"natosim report {out}")


@pytest.mark.parametrize(
    "text",
    [
        '{"scenario": 3, "replication_seeds": []}',
        '{"scenario": {}, "replication_seeds": [1]}',
    ],
)
def test_compare_with_a_results_folder_of_the_wrong_shape_is_refused(tmp_path, capsys, text):
    (tmp_path / "cf").mkdir()
    (tmp_path / "cf" / "manifest.json").write_text(text)
    argv = ["compare", "baseline", "cf", "--reps", "2", "--no-report"]
    _refused(capsys, argv, "cf/manifest.json", cwd=tmp_path)
    assert _files(tmp_path) == {"cf", "cf/manifest.json"}


@pytest.mark.parametrize("parent", ["pipe", "dir", "loop"])
def test_extends_of_a_file_that_cannot_be_read_names_the_file_that_says_it(
    tmp_path, capsys, parent
):
    target = tmp_path / f"{parent}.toml"
    if parent == "pipe":
        os.mkfifo(target)
    elif parent == "dir":
        target.mkdir()
    else:
        target.symlink_to(target.name)
    (tmp_path / "child.toml").write_text(f'name = "child"\nextends = "{parent}"\n')
    _refused(capsys, ["validate", str(tmp_path / "child.toml")], "child.toml", "extends")


def test_a_link_to_nowhere_is_named_as_given(tmp_path, capsys):
    (tmp_path / "s.toml").symlink_to(tmp_path / "nowhere" / "x.toml")
    message = _refused(capsys, ["validate", "s.toml"], "s.toml", cwd=tmp_path)
    assert "nowhere" not in message


# -- command-line conventions (issue 30, item 4) -------------------------------------------------


def test_a_bare_name_is_a_toml_file_in_the_current_folder_before_a_shipped_one(tmp_path, capsys):
    (tmp_path / "soft_us.toml").write_text(
        'extends = "baseline"\nname = "soft_us"\n[united_states]\nthreat_intensity = 0.1\n'
    )
    (tmp_path / "cajole.toml").write_text('extends = "baseline"\nname = "my_cajole"\n')
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["validate", "soft_us", "cajole"]) == 0
        out = capsys.readouterr().out
        assert "ok: soft_us (soft_us," in out
        assert "ok: cajole (my_cajole," in out  # the local file, not the shipped cajole
        code = main(["compare", "baseline", "soft_us", "--reps", "2", "--no-report", "--quiet"])
    finally:
        os.chdir(old)
    assert code == 0
    assert "baseline vs soft_us" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["compar", "baseline"], "did you mean compare?"),
        (["sweeep"], "did you mean sweep?"),
        (["validate", "baselin"], "did you mean baseline?"),
        (["validate", "theses/reckonin"], "did you mean theses/reckoning?"),
        (
            ["sweep", "baseline", "--param", "united_states.threat_intesity=0:1"],
            "threat_intensity?",
        ),
    ],
)
def test_a_misspelt_command_or_scenario_name_gets_a_did_you_mean(capsys, argv, suggestion):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusal
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and suggestion in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        ("[united_states]\nthreat_intesity = 0.3\n", "threat_intesity", "threat_intensity?"),
        ("[unted_states]\nthreat_intensity = 0.3\n", "unted_states", "united_states?"),
        ("[allies.overrides.FRA]\ndomestic_resistanse = 0.3\n", "FRA", "domestic_resistance?"),
        (
            '[[events]]\nyear = 2026\nkind = "russia_prob"\ntarget = "EST"\n',
            "kind",
            "russia_probe?",
        ),
        ('[[events]]\nyaer = 2026\nkind = "us_pressure"\n', "yaer", "year?"),
    ],
)
def test_a_misspelt_scenario_key_gets_a_did_you_mean_not_the_whole_list(
    tmp_path, capsys, text, key, suggestion
):
    (tmp_path / "t.toml").write_text(text)
    message = _refused(capsys, ["validate", str(tmp_path / "t.toml")], key)
    assert message.endswith(f"did you mean {suggestion}"), message


def test_a_key_like_nothing_known_still_lists_what_is_known(tmp_path, capsys):
    (tmp_path / "t.toml").write_text("[united_states]\nzzzz = 1\n")
    message = _refused(capsys, ["validate", str(tmp_path / "t.toml")], "zzzz")
    assert "threat_intensity" in message and "did you mean" not in message


@pytest.mark.parametrize("command", [["run", "baseline"], ["compare", "baseline", "cajole"]])
def test_sigterm_during_a_report_says_where_the_results_are(tmp_path, command):
    """A real SIGTERM after the results are written, while the report is drawn: the message
    names the results folder and the command that finishes the report; no traceback."""
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *command, "--reps", "3", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("results:"):
            break
    # at once: the results are written (the line says so) and the report takes a second or
    # more, so the signal lands before it is finished (a pause here let a fast report finish
    # first, and the test skipped)
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=120)
    err = proc.stderr.read() if proc.stderr else ""
    if code == 0:
        pytest.skip("the report finished before the signal arrived")
    assert code == 130, err
    assert "Traceback" not in err and "nothing was written" not in err
    assert f"the results are in {out}" in err and f"natosim report {out}" in err
    assert (out / "manifest.json").exists()
    assert _leftovers(tmp_path) == [] and _leftovers(out) == []
    assert not (out / "report").exists() and not (out / "report.html").exists()  # none or whole


def test_compare_or_report_with_a_damaged_table_is_refused_before_any_work(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", "baseline", "--reps", "2", "--out", str(out), "--no-report"]) == 0
    model = (out / "model.parquet").read_bytes()
    (out / "model.parquet").write_text("garbage")
    capsys.readouterr()
    argv = ["compare", "baseline", str(out), "--reps", "2", "--no-report"]
    _refused(capsys, argv, "model.parquet", cwd=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    (out / "model.parquet").write_bytes(model)
    data = (out / "allies.parquet").read_bytes()
    (out / "allies.parquet").write_bytes(data[: len(data) // 2])  # truncated, as by a full disk
    before = _files(out)
    _refused(capsys, ["report", str(out)], "allies.parquet")
    assert _files(out) == before


def test_a_warning_reaches_the_command_line_as_one_line_in_the_projects_words(tmp_path, capsys):
    import json

    out = tmp_path / "r"
    assert main(["run", "baseline", "--reps", "2", "--out", str(out), "--no-report"]) == 0
    man = json.loads((out / "manifest.json").read_text())
    man["versions"]["numpy"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(man))
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "numpy 0.0.1" in line]
    assert len(lines) == 1 and lines[0].startswith("natosim: warning: "), err
    assert "UserWarning" not in err and "warn_if_different" not in err


# -- another command's folder given where a results folder is read ------------------------------

# the files each command writes (as listed in a folder it wrote), without their content: the
# refusal is decided by what the folder holds, before anything is read
OTHER_FOLDERS = {
    "natosim hindcast": ["manifest.json", "hindcast.csv", "skill.csv", "skill.txt"],
    "natosim checks": ["manifest.json", "checks.csv"],
    "natosim calibrate": ["fitted_2014_2021.toml", "fitted_2014_2021.json"],
    "seminar --resume": ["session.json"],
    "holds results folders": ["r1/manifest.json", "r1/summary.parquet"],
}


@pytest.mark.parametrize("kind", sorted(OTHER_FOLDERS))
@pytest.mark.parametrize("command", ["report", "explain", "compare"])
def test_another_commands_folder_is_named_for_what_it_is(tmp_path, capsys, kind, command):
    """``natosim report`` (or explain, or compare) given a hindcast's, a checks', a
    calibration's or a seminar's folder, or a folder of results folders, says what the folder is,
    not that a key of its manifest is missing (it said "replications: expected an integer")."""
    folder = tmp_path / "f"
    for name in OTHER_FOLDERS[kind]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text('{"command": "natosim x"}' if name.endswith(".json") else "x")
    argv = {
        "report": ["report", str(folder)],
        "explain": ["explain", str(folder)],
        "compare": ["compare", "baseline", str(folder), "--reps", "2", "--no-report"],
    }[command]
    _refused(capsys, argv, str(folder), kind)


# -- numbers on the command line: ASCII digits only ---------------------------------------------

# decimal digits of other scripts that Python's int() and float() read as 0-9 (Arabic-Indic,
# Devanagari, fullwidth, mathematical bold)
_DIGITS = ["\u0660", "\u0966", "\uff10", "\U0001d7ce"]


@settings(max_examples=60, deadline=None)
@given(
    value=st.integers(1, 9999),
    how=st.sampled_from(["script", "underscore"]),
    zero=st.sampled_from(_DIGITS),
)
def test_a_count_or_number_written_with_other_digits_or_underscores_is_refused(value, how, zero):
    """``--reps 1_000`` ran 1,000 replications and ``--reps ١`` one (int() reads both); a count
    or a number on the command line is ASCII digits (with a sign, a point, an exponent)."""
    import argparse

    from sim.cli import args as cli_args

    text = str(value)
    if how == "script":
        text = "".join(chr(ord(zero) + int(c)) for c in text)
    else:
        text = text[:1] + "_" + text[1:] if len(text) > 1 else "_" + text
    assert float(text.replace("_", "")) == value or how == "underscore"
    for parse in (cli_args.count(10_000), cli_args.number(0, 10_000)):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(text)
    assert cli_args.count(10_000)(str(value)) == value
    assert cli_args.number(0, 10_000)(f"{value}.0e0") == value


# -- what natosim prints of what it was given ---------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    code=st.sampled_from(["\x1b[31m", "\x1b]0;title\x07", "\x9b2J", "\x07", "\r", "\x08"]),
    where=st.sampled_from(["run", "validate", "explain"]),
)
def test_an_escape_code_in_a_name_given_is_shown_not_obeyed(capsys, code, where):
    """``natosim run $'\\x1b[31mred'``: the error named the file with the raw escape code, which
    the terminal obeyed (red text from then on); it is written out (``\\x1b``) instead."""
    name = f"no{code}such"
    code_ = main([where, name])
    err = capsys.readouterr().err
    assert code_ == 2
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", err), repr(err)
    assert repr(code)[1:-1] in err


def test_params_with_an_empty_section_is_refused(capsys):
    """``natosim params ""`` (an unset shell variable) listed every section as if none was
    given."""
    _refused(capsys, ["params", ""], "params", "a section")


# -- debate: each world, thesis and policy once --------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "values"),
    [
        ("--worlds", ["war", "2027", "war"]),
        ("--worlds", ["2030", "2030"]),
        ("--theses", ["deadline", "deadline"]),
        ("--policies", ["coerce", "cajole", "coerce"]),
    ],
)
def test_debate_refuses_a_world_thesis_or_policy_given_twice(tmp_path, capsys, flag, values):
    """``natosim debate --worlds war war`` ran every cell twice (minutes) and wrote each once."""
    argv = ["debate", "--reps", "2", "--out", str(tmp_path / "d"), flag, *values]
    _refused(capsys, argv, flag, values[-1] if flag != "--worlds" else "")
    assert _files(tmp_path) == set()


def test_the_evolutionary_prediction_of_one_world_has_no_interval_and_no_warning():
    """With one replication a cell (``natosim debate --reps 1``), the paired difference has no
    spread: the prediction said "low +nan" and numpy warned "Degrees of freedom <= 0"."""
    import warnings

    import pandas as pd

    from sim.analysis import debate as deb

    class OneWorld:
        def summary(self, world, thesis, policy):
            return pd.DataFrame(
                {
                    "run": [0],
                    "verdict": ["burden_shifted_alliance_intact"],
                    "n_article5_failures": [0],
                    "eu_core_pct_2030": [3.0 if policy == "coerce" else 2.5],
                }
            )

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        holds, detail = deb._evolutionary(OneWorld(), None, "evolutionary")
    assert not holds and "nan" not in detail and "one world" in detail


# -- sweep: --exclude narrows --all-factors ------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        ["--param", "united_states.threat_intensity=0:1", "--exclude", "russia."],
        ["--all-factors", "0.5", "--exclude", ""],
        ["--all-factors", "0.5", "--exclude", "united_statess"],
        ["--all-factors", "0.5", "--exclude", "russia.", " "],
    ],
)
def test_sweep_exclude_that_would_do_nothing_or_everything_is_refused(tmp_path, capsys, extra):
    """``--exclude`` without ``--all-factors`` was ignored; an empty one left out every
    parameter and a misspelt one none, silently."""
    _refused(capsys, ["sweep", "baseline", *extra, "--out", str(tmp_path / "s")], "--exclude")
    assert _files(tmp_path) == set()


@pytest.mark.parametrize(
    "body",
    [
        'exclude = ["russia."]\n' + 'factors = { "russia.probe_us_weight" = [0, 1] }\n',
        'all_factors = 0.5\nexclude = [""]\n',
        'all_factors = 0.5\nexclude = ["nope"]\n',
    ],
)
def test_a_sweep_files_exclude_that_would_do_nothing_or_everything_is_refused(
    tmp_path, capsys, body
):
    (tmp_path / "s.toml").write_text('base = "baseline"\n' + body)
    _refused(capsys, ["sweep", "s.toml"], "s.toml", "exclude", cwd=tmp_path)
    assert _files(tmp_path) == {"s.toml"}


# -- discover: an outcome that is not a condition ------------------------------------------------


@pytest.mark.parametrize("outcome", ["verdict", "@x", "eu_core_pct_end +", "1"])
def test_discover_names_a_bad_outcome_as_the_flag_and_says_what_it_wants(
    lhs_sweep, capsys, outcome
):
    """It said "sweep: --outcome: expected cannot evaluate outcome ..."."""
    pytest.importorskip("sklearn")
    message = _refused(capsys, ["discover", str(lhs_sweep), "--outcome", outcome], "--outcome")
    assert "expected a condition on the summary table" in message
    assert "expected cannot" not in message and "expected outcome" not in message


# -- seminar: --save-dir and --resume checked before the server starts ---------------------------


def _no_server(*args, **kwargs):
    """In place of ``os.execve``: a seminar accepted would replace the test process."""
    raise AssertionError("the seminar's server was started")


def _block_servers(monkeypatch) -> None:
    """Neither way of starting the server: the exec, nor a resumed class served in-process."""
    from sim.seminar import server

    monkeypatch.setattr(os, "execve", _no_server)
    monkeypatch.setattr(server, "serve_resumed", _no_server)


@pytest.mark.parametrize(
    ("session", "names"),
    [
        ("[]", ["session.json", "JSON object"]),
        ('{"scenario": 3}', ["session.json", "scenario"]),
        ('{"scenario": "baseline"}', ["session.json", "seed"]),
        (
            (
                '{"scenario": "baseline", "seed": 1, "code": "1", "instructor_token": "t", '
                '"seconds_per_year": "x"}'
            ),
            ["seconds_per_year"],
        ),
        (
            (
                '{"scenario": "baseline", "seed": 1, "code": "1", "instructor_token": "t", '
                '"messages": {"text": "hi"}}'
            ),
            ["messages", "a list"],
        ),
    ],
)
def test_seminar_resume_of_a_session_of_another_shape_is_refused(
    tmp_path, capsys, monkeypatch, session, names
):
    """``natosim seminar --resume F`` with a session.json of another shape was a traceback
    (TypeError, KeyError) from the server's launcher."""
    _block_servers(monkeypatch)
    (tmp_path / "session.json").write_text(session)
    (tmp_path / "server.json").write_text('{"port": 0}')
    _refused(capsys, ["seminar", "--resume", str(tmp_path)], *names)


@pytest.mark.parametrize("save_dir", ["afile", "afile/below"])
def test_seminar_save_dir_that_is_a_file_is_refused(tmp_path, capsys, monkeypatch, save_dir):
    """``--save-dir afile`` ended with "[Errno 20] Not a directory" and exit code 1."""
    _block_servers(monkeypatch)
    (tmp_path / "afile").write_text("x")
    _refused(capsys, ["seminar", "baseline", "--save-dir", save_dir], "--save-dir", cwd=tmp_path)
    assert _files(tmp_path) == {"afile"}


# -- calibrate --bootstrap 0 ---------------------------------------------------------------------


def test_a_fit_without_bootstrap_writes_no_nan(tmp_path):
    """``natosim calibrate --bootstrap 0`` (in bounds) wrote "bootstrap sd nan, 90% [nan, nan]"
    beside every fitted value; the fit says it has no bootstrap instead, and stays a valid
    scenario fragment."""
    from sim.calibration.fit import Fit, fitted_for, write_fit
    from sim.scenario import load_scenario

    fit = Fit(
        values={k: round((lo + hi) / 2, 4) for k, (lo, hi) in fitted_for(2021).items()},
        loss=0.3,
        loss_default=0.5,
        richardson={"k": -0.04, "a": 0.97, "years": [2014, 2021]},
        meta={"window": [2014, 2021], "allies_in_fit": ["FRA"], "bootstrap": 0},
    )
    path = write_fit(fit, tmp_path / "fitted_2014_2021.toml")
    text = path.read_text()
    assert "nan" not in text.lower() and "no bootstrap" in text
    assert load_scenario(path).name == "fitted"


# -- sweep: the base scenario's events stay within the run at every point ------------------------


@pytest.mark.parametrize(
    ("base", "param", "year"),
    [
        ("baseline", "run.start_year=2014:2035", "2025"),  # The Hague summit
        ("hindcast_2014", "run.start_year=2014:2020", "2014"),  # the Wales pledge
        ("baseline", "run.end_year=2030:2070", None),  # fine: every point holds 2025
    ],
)
def test_a_sweep_over_the_run_years_keeps_the_base_events_in_the_run(
    tmp_path, capsys, monkeypatch, base, param, year
):
    """``sweep baseline --param run.start_year=2014:2035`` ran, and at every point starting
    after 2025 the summit silently never happened (a scenario file with that event outside its
    run is refused)."""
    import sim.sweeps.cli

    monkeypatch.setattr(sim.sweeps.cli, "_guarded", lambda folder, work: 0)  # no run needed
    argv = ["sweep", base, "--param", param, "--samples", "2", "--out", str(tmp_path / "s")]
    if year is None:
        assert main(argv) == 0
        return
    _refused(capsys, argv, "--param", f"in {year}", "could never happen")
    assert _files(tmp_path) == set()


def test_a_sweep_files_description_of_another_type_is_refused(tmp_path, capsys):
    (tmp_path / "s.toml").write_text(
        'base = "baseline"\ndescription = 3\n[factors]\n"united_states.threat_intensity" = [0, 1]\n'
    )
    _refused(capsys, ["sweep", "s.toml"], "s.toml", "description", cwd=tmp_path)


# -- report: options the folder's kind would ignore or cannot draw -------------------------------


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """A run folder of 2025-2030, two replications."""
    root = tmp_path_factory.mktemp("short")
    (root / "short.toml").write_text('name = "short"\n[run]\nend_year = 2030\n')
    out = root / "run"
    argv = ["run", str(root / "short.toml"), "--reps", "2", "--fixed", "--quiet", "--no-report"]
    assert main([*argv, "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    ("folder", "options", "flag"),
    [
        ("run", ["--year", "1950"], "--year"),
        ("run", ["--year", "2031"], "--year"),
        ("run", ["--x", "united_states.threat_intensity"], "--x"),
        ("run", ["--outcome", "n_probes"], "--outcome"),
        ("sweep", ["--year", "2030"], "--year"),
        (
            "sweep",
            ["--x", "united_states.threat_intensity", "--y", "united_states.threat_intensity"],
            "--y",
        ),
    ],
)
def test_report_refuses_an_option_it_would_ignore_or_draw_empty(
    short_run, lhs_sweep, capsys, monkeypatch, folder, options, flag
):
    """``report RUN --year 1950`` drew the network map of 1950, empty; ``--x`` on a run folder
    and ``--year`` on a sweep were ignored; ``--x A --y A`` said "a readable results folder
    (ValueError: cannot insert ..., already exists)"."""
    import sim.report

    def _never(*a, **k):
        raise AssertionError("the report was drawn")

    monkeypatch.setattr(sim.report, "build_report", _never)
    path = short_run if folder == "run" else lhs_sweep
    _refused(capsys, ["report", str(path), *options], flag)


def test_report_of_a_year_in_the_run_is_drawn(short_run, capsys, monkeypatch):
    import sim.report

    monkeypatch.setattr(sim.report, "build_report", lambda folder, **k: folder / "report.html")
    assert main(["report", str(short_run), "--year", "2028"]) == 0


def test_sensitivity_seed_beyond_32_bits_is_refused_as_the_flag(capsys):
    """``sensitivity SWEEP --seed 2**63-1`` said "SWEEP: sensitivity: expected a sweep it can
    analyse (Seed must be between 0 and 2**32 - 1)": SALib's generator takes 32 bits."""
    with pytest.raises(SystemExit) as exc:
        main(["sensitivity", "nofolder", "--seed", str(2**32)])
    assert exc.value.code == 2 and "--seed" in capsys.readouterr().err


# -- natosim seminar and natosim ui: ports, hosts, the listening socket, --resume ----------------


def _serving(monkeypatch) -> dict:
    """In place of ``os.execve`` (and of serving a resumed class in-process): record what the
    server would be started with, and whether the socket it is handed (``--fd``) is listening
    then; raise to stop there."""
    import socket

    from sim.seminar import server

    seen: dict = {}

    def resumed(session, host, sock, env):
        seen["listening"] = bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
        seen["port"], seen["host"] = sock.getsockname()[1], host
        seen["session"], seen["env"] = session, dict(env)
        sock.close()
        raise _ServedError

    def record(path, argv, env):
        fd = int(argv[argv.index("--fd") + 1])
        sock = socket.socket(fileno=os.dup(fd))
        try:
            seen["listening"] = bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
            seen["port"] = sock.getsockname()[1]
        finally:
            sock.close()
        seen["argv"], seen["env"] = list(argv), dict(env)
        raise _ServedError

    monkeypatch.setattr(os, "execve", record)
    monkeypatch.setattr(server, "serve_resumed", resumed)
    return seen


class _ServedError(Exception):
    pass


def _listener():
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


@pytest.mark.parametrize("port", ["1", "22", "80", "443", "1023", "65536"])
@pytest.mark.parametrize("command", [["ui"], ["seminar", "baseline"]])
def test_a_port_below_1024_or_beyond_65535_is_refused_even_for_root(capsys, command, port):
    """``--port 80`` was accepted (a root user took the system's port); the ports below
    FIRST_PORT are refused whoever runs the command, and the help says so."""
    from sim.cli import args as cli_args

    assert cli_args.FIRST_PORT == 1024
    with pytest.raises(SystemExit) as exc:
        main([*command, "--port", port])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "--port" in err and "1024" in err and "root" in err
    assert [cli_args.port(p) for p in ("0", "1024", "65535")] == [0, 1024, 65535]


@pytest.mark.parametrize(
    "host", ["a\x00b", "127.0.0.1\x00", "\x1b[31mlocalhost", "a\x01b", "local host", "", "[]"]
)
@pytest.mark.parametrize("command", [["ui"], ["seminar", "baseline"]])
def test_a_host_with_control_characters_spaces_or_nothing_is_refused(capsys, command, host):
    """``--host $'a\\x00b'`` reached getaddrinfo (ValueError: embedded null byte)."""
    with pytest.raises(SystemExit) as exc:
        main([*command, "--host", host])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "--host" in err
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", err), repr(err)


@pytest.mark.parametrize("host", ["no.such.host.invalid", "a" * 70 + ".example", "::g", "8.8.8.8"])
def test_a_host_that_does_not_resolve_or_is_not_here_is_refused(tmp_path, capsys, host):
    _refused(capsys, ["ui", "--host", host, "--export-dir", str(tmp_path / "ex")], "--host")
    assert _files(tmp_path) == set()


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_an_ipv6_host_is_listened_on_and_shown_in_brackets(tmp_path, capsys, monkeypatch, host):
    import socket

    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    seen = _serving(monkeypatch)
    with pytest.raises(_ServedError):
        main(["ui", "--host", host, "--export-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert f"http://[::1]:{seen['port']}/" in out and seen["listening"]
    assert seen["argv"][seen["argv"].index("sim.seminar.serve") + 1] == "::1"


@pytest.mark.parametrize("command", [["ui"], ["seminar", "baseline"]])
def test_a_taken_port_is_refused_with_nothing_written(tmp_path, capsys, monkeypatch, command):
    _block_servers(monkeypatch)
    taken = _listener()
    port = str(taken.getsockname()[1])
    saving = ["--save-dir", str(tmp_path / "sd")] if command[0] == "seminar" else []
    try:
        argv = [*command, "--port", port, "--export-dir", str(tmp_path / "ex"), *saving]
        _refused(capsys, argv, "--port", port, "in use")
    finally:
        taken.close()
    assert _files(tmp_path) == set()


@pytest.mark.parametrize("command", [["ui"], ["seminar", "baseline"]])
def test_the_server_is_handed_the_socket_listened_on_before_writing(
    tmp_path, capsys, monkeypatch, command
):
    """The port was checked by binding and closing a socket, then the server bound it again
    (another program could take it in between, and the session folder was already made); the
    command now listens first and the server serves on that very socket (``--fd``)."""
    seen = _serving(monkeypatch)
    saving = ["--save-dir", str(tmp_path / "sd")] if command[0] == "seminar" else []
    with pytest.raises(_ServedError):
        main([*command, "--export-dir", str(tmp_path / "ex"), *saving])
    out = capsys.readouterr().out
    assert seen["listening"] and f"127.0.0.1:{seen['port']}/" in out
    if command[0] == "seminar":
        (server,) = (tmp_path / "sd").glob("*/server.json")
        assert json.loads(server.read_text())["port"] == seen["port"]
        assert seen["argv"][-1] == "sim.seminar.app"
    else:
        assert seen["argv"][-1] == "sim.ui.app"


@pytest.fixture
def saved_seminar(tmp_path):
    """A class saved with one seat taken (session.json as the seminar writes it)."""
    from sim import load_scenario
    from sim.seminar.session import ClassSession

    folder = tmp_path / "saved"
    session = ClassSession(load_scenario("baseline"), folder=folder)
    session.join(session.code, "Ada", "EST")
    session.save()
    (folder / "server.json").write_text('{"host": "127.0.0.1", "port": 0}')
    return folder


def test_resume_moves_off_a_saved_port_taken_since_and_says_so(
    saved_seminar, tmp_path, capsys, monkeypatch
):
    """``natosim seminar --resume F`` whose saved port another program holds now was refused
    (or failed in the server); it serves on a free port and says the links changed."""
    taken = _listener()
    port = taken.getsockname()[1]
    (saved_seminar / "server.json").write_text(json.dumps({"host": "127.0.0.1", "port": port}))
    seen = _serving(monkeypatch)
    try:
        with pytest.raises(_ServedError):
            main(["seminar", "--resume", str(saved_seminar), "--export-dir", str(tmp_path)])
    finally:
        taken.close()
    out, err = capsys.readouterr()
    assert seen["listening"] and seen["port"] != port
    assert f"saved port {port} is taken" in err and f":{seen['port']}/" in out
    assert json.loads((saved_seminar / "server.json").read_text())["port"] == seen["port"]


@pytest.mark.parametrize(
    ("key", "bad", "names"),
    [
        ("messages", [{"sender": "EST", "to": "nobody", "text": "x", "year": 2025}], "nobody"),
        ("messages", [3], "messages"),
        ("pending", {"EST": {"budget": 99}}, "budget"),
        ("pending", [1, 2], "TypeError"),
        ("participants", [{"token": "x"}], "KeyError"),
        ("played", [{"year": 2025}], "KeyError"),
        ("injected", [{"kind": "nope"}], "nope"),
    ],
)
def test_resume_of_a_hand_edited_session_is_refused_before_serving(
    saved_seminar, tmp_path, capsys, monkeypatch, key, bad, names
):
    """A saved session.json with a malformed message or a bad pending decision was checked only
    by the server, which started with a traceback; it is played back before serving and refused
    with one message, nothing written."""
    _block_servers(monkeypatch)
    saved = json.loads((saved_seminar / "session.json").read_text())
    saved[key] = bad
    (saved_seminar / "session.json").write_text(json.dumps(saved))
    before = {p: p.read_bytes() for p in saved_seminar.iterdir()}
    argv = ["seminar", "--resume", str(saved_seminar), "--export-dir", str(tmp_path / "ex")]
    _refused(capsys, argv, "session.json", names)
    assert {p: p.read_bytes() for p in saved_seminar.iterdir()} == before
    assert not (tmp_path / "ex").exists()


@pytest.mark.parametrize(
    ("given", "expected"), [([], "0.0.0.0"), (["--host", "127.0.0.1"], "127.0.0.1")]
)
def test_resume_keeps_the_saved_address_unless_one_is_given(
    saved_seminar, tmp_path, capsys, monkeypatch, given, expected
):
    """A class saved on the classroom network (0.0.0.0) came back on 127.0.0.1, which the
    students' machines cannot reach: their links stopped working. It comes back on the saved
    address; ``--host`` still chooses another."""
    (saved_seminar / "server.json").write_text(json.dumps({"host": "0.0.0.0", "port": 0}))
    seen = _serving(monkeypatch)
    argv = ["seminar", "--resume", str(saved_seminar), "--export-dir", str(tmp_path), *given]
    with pytest.raises(_ServedError):
        main(argv)
    capsys.readouterr()
    assert seen["listening"]
    assert json.loads((saved_seminar / "server.json").read_text())["host"] == expected
    assert seen["host"] == expected


@pytest.mark.parametrize("host", [["x"], "bad host", "a\u0000b"])
def test_resume_of_a_bad_saved_address_is_refused(saved_seminar, capsys, monkeypatch, host):
    _block_servers(monkeypatch)
    (saved_seminar / "server.json").write_text(json.dumps({"host": host, "port": 0}))
    _refused(capsys, ["seminar", "--resume", str(saved_seminar)], "server.json", "host")


@pytest.mark.parametrize("port", [1, 80, 1023])
def test_resume_of_a_saved_port_below_1024_is_refused(saved_seminar, capsys, monkeypatch, port):
    _block_servers(monkeypatch)
    (saved_seminar / "server.json").write_text(json.dumps({"port": port}))
    _refused(capsys, ["seminar", "--resume", str(saved_seminar)], "server.json", "1024")


_COUNT_REPLAYS = """
import os
import sim.seminar.persistence as p

_resume = p.PersistenceMixin.resume.__func__


def _counted(cls, *args, **kwargs):
    with open(os.environ["NATOSIM_TEST_REPLAYS"], "a") as fh:
        fh.write(f"{os.getpid()}\\n")
    return _resume(cls, *args, **kwargs)


p.PersistenceMixin.resume = classmethod(_counted)
"""


def test_a_resumed_class_is_played_back_once(saved_seminar, tmp_path):
    """``natosim seminar --resume`` played the saved class back to check it, then exec'd the
    server, a new interpreter that played it back again; the class checked is the one served
    (every playback is counted by a ``sitecustomize`` in the command and its server)."""
    from sim.seminar.launch import launch

    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_COUNT_REPLAYS)
    count = tmp_path / "replays.txt"
    import sim

    paths = [str(site), str(Path(sim.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH")]
    env = {"PYTHONPATH": os.pathsep.join(p for p in paths if p), "NATOSIM_TEST_REPLAYS": str(count)}
    server = launch("", 0, tmp_path / "ex", cwd=tmp_path, resume=saved_seminar, env=env, wait_s=90)
    try:
        time.sleep(1.0)  # a playback still under way would be counted by now
        played = count.read_text().split()
        t0 = time.time()
        server.process.terminate()  # served in the command's process: SIGTERM still stops it
        code = server.process.wait(timeout=15)
        stopped = time.time() - t0
        said = server.process.stdout.read() if server.process.stdout else ""
    finally:
        server.stop()
    assert played == [str(server.process.pid)]
    assert stopped < 8, "SIGTERM did not stop the resumed class's server promptly"
    # a stopped class is a clean stop: not "interrupted; nothing was written" and exit 130
    assert code == 0 and "interrupted" not in said and "Traceback" not in said, (code, said)


class _Stopped(BaseException):
    """The end of a server run faked in the test's process (in place of ``os._exit``)."""


def test_a_resumed_class_logs_and_warns_as_a_server_started_on_its_own(
    saved_seminar, tmp_path, capsys, monkeypatch
):
    """A class resumed with ``natosim seminar --resume`` is served in the command's process and
    kept the command's logging (``WARNING natosim.seminar: ...`` on a handler of the root logger)
    and its ``warnings.showwarning`` (``natosim: warning: ...``); a server exec'd for a new class
    has neither (a new interpreter: a log record by the last-resort handler, message only; a
    warning by Python). The real command runs up to uvicorn, whose server is faked: it warns and
    logs once serving, as a page's code would."""
    import logging
    import sys
    import types
    import warnings

    import uvicorn

    from sim.seminar import handover
    from sim.seminar import serve as serving

    class Server:
        def __init__(self, config):
            self.should_exit = False

        def run(self, sockets=None):
            warnings.warn("a page's warning", UserWarning, stacklevel=1)
            logging.getLogger("natosim.seminar").warning("a page's log record")

    def stop(code):
        raise _Stopped

    # as on the command line: no handler on the root logger yet (pytest's are put back after)
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    monkeypatch.setattr(uvicorn, "Server", Server)
    monkeypatch.setattr(uvicorn, "Config", lambda app, **kw: None)
    monkeypatch.setitem(sys.modules, "solara.server.starlette", types.SimpleNamespace(app=None))
    monkeypatch.setattr(serving, "_watch", lambda server: None)
    monkeypatch.setattr(os, "_exit", stop)
    monkeypatch.setattr(handover, "SESSION", None)
    environ = dict(os.environ)
    try:
        with pytest.warns(UserWarning, match="a page's warning"), pytest.raises(_Stopped):
            main(["seminar", "--resume", str(saved_seminar), "--export-dir", str(tmp_path)])
    finally:
        os.environ.clear()
        os.environ.update(environ)
    err = capsys.readouterr().err
    assert "a page's log record" in err.splitlines(), err  # the last resort's: the message alone
    assert "WARNING natosim.seminar" not in err and "natosim: warning" not in err, err


# -- explain and report: options refused from the manifest, before any table is read -------------


@pytest.mark.parametrize(
    ("options", "flag"),
    [
        (["--run", "2"], "--run"),
        (["--run", "999999"], "--run"),
        (["--year", "2024"], "--year"),
        (["--year", "2031"], "--year"),
        (["--ally", "XXX"], "--ally"),
    ],
)
def test_explain_refuses_run_year_and_ally_before_reading_tables(
    short_run, capsys, monkeypatch, options, flag
):
    """``explain RUN --run 999999`` read every table (and checked each Parquet footer) before
    saying there is no such run."""
    import sim.runs.folders
    import sim.runs.store

    def _never(*a, **k):
        raise AssertionError("a table was read")

    monkeypatch.setattr(sim.runs.store, "read_table", _never)
    monkeypatch.setattr(sim.runs.folders, "_check_tables", _never)
    _refused(capsys, ["explain", str(short_run), *options], flag)


def test_report_refuses_a_year_outside_the_scenario_before_reading_tables(
    short_run, capsys, monkeypatch
):
    from sim.cli import commands

    def _never(*a, **k):
        raise AssertionError("a table was read")

    monkeypatch.setattr(commands, "_model_years", _never)
    _refused(capsys, ["report", str(short_run), "--year", "2031"], "--year", "2025-2030")


# -- a refusal on the command line ends the process at once (no teardown: exit 134) -------------


@pytest.mark.parametrize(
    "argv", [["explain", "nofolder"], ["ui", "--port", "80"], ["run", "baseline", "--reps", "0"]]
)
def test_a_refusal_on_the_command_line_flushes_and_ends_with_os_exit_2(capsys, monkeypatch, argv):
    """pyarrow's threads could abort the interpreter's teardown after a refusal (SIGABRT, exit
    134 instead of 2: apache/arrow issue 34314); on the command line (``main()`` without words)
    a refusal leaves with ``os._exit(2)``, after flushing what it printed. ``main(argv)`` still
    returns the code (tests, callers)."""
    ended = []

    def _exit(code):
        ended.append(code)
        raise _ServedError

    monkeypatch.setattr(os, "_exit", _exit)
    monkeypatch.setattr(sys, "argv", ["natosim", *argv])
    with pytest.raises(_ServedError):
        main()
    assert ended == [2] and "error:" in capsys.readouterr().err


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """A run folder of two replications, written without a report."""
    out = tmp_path_factory.mktemp("limited") / "r"
    done = _natosim("run", "baseline", "--reps", "2", "--out", str(out), "--no-report", cwd=ROOT)
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux applies it")
@pytest.mark.parametrize("kib", [500_000, 760_000])
def test_report_under_an_address_space_limit_does_not_hang(two_runs, tmp_path, kib):
    """Under `ulimit -v` (as batch schedulers set) pyarrow's default allocator reserved so much
    address space that its reader threads could not start and a Parquet read waited forever
    (`natosim report` hung at 760 MB and ignored SIGTERM): sim selects the system allocator. At
    500 MB SciPy's OpenBLAS, starting a thread per core, retried an allocation for ever inside
    `import scipy` (100% system time): sim asks for one BLAS thread. The variables sim sets are
    not passed on from this process (it imported sim), so the command sets them itself."""
    import resource
    import shutil

    out = tmp_path / "r"
    shutil.copytree(two_runs, out)

    def limit() -> None:  # in the child only
        resource.setrlimit(resource.RLIMIT_AS, (kib * 1024, resource.RLIM_INFINITY))

    ours = ("ARROW_DEFAULT_MEMORY_POOL", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in (*ours, "MALLOC_ARENA_MAX")}
    try:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "natosim"), "report", str(out)],  # as installed
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,  # then SIGKILL: the hang ignored SIGTERM
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"natosim report hung under an address-space limit of {kib} KiB")
    # it finishes, or (where the limit leaves too little) says so in one line: not a hang
    ok = proc.returncode == 0
    refused = (
        proc.returncode == 1
        and proc.stderr.startswith("natosim: error:")
        and len(proc.stderr.strip().splitlines()) == 1
    )
    assert (ok or refused) and "Traceback" not in proc.stderr, proc.stderr


def test_a_thread_the_system_refuses_is_a_one_line_error(monkeypatch, capsys):
    """pyarrow under a tight address-space limit raises ArrowException("... Failed to launch
    worker thread ..."): natosim says so in one line and exits 1 instead of a traceback."""
    from sim.cli import commands

    def refuse(args):
        raise RuntimeError("Unknown error: Failed to launch worker thread: Resource unavailable")

    monkeypatch.setattr(commands, "_check_paths", refuse)
    assert main(["list"]) == 1
    err = capsys.readouterr().err
    assert "refused a new thread" in err and "Traceback" not in err

    def bug(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(commands, "_check_paths", bug)
    with pytest.raises(RuntimeError, match="a bug"):  # a bug still shows its traceback
        main(["list"])


def _wrapped(how: str) -> Exception:
    """A thread refusal inside another library's exception: its cause, its context, or deeper."""
    refusal = RuntimeError("can't start new thread")
    if how == "cause":
        outer = ValueError("could not read the table")
        outer.__cause__ = refusal
    elif how == "context":
        outer = ValueError("could not read the table")
        outer.__context__ = refusal
    else:  # two levels down, the cause's context
        middle = OSError("the reader stopped")
        middle.__context__ = refusal
        outer = ValueError("could not read the table")
        outer.__cause__ = middle
    return outer


@pytest.mark.parametrize("how", ["cause", "context", "deeper"])
def test_a_thread_refusal_wrapped_in_another_exception_is_a_one_line_error(
    monkeypatch, capsys, how
):
    """Only the outer exception's message was read: a library that wraps the refusal in its own
    exception (``raise ... from``, or raising while handling it) got a traceback."""
    from sim.cli import commands

    def refuse(args):
        raise _wrapped(how)

    monkeypatch.setattr(commands, "_check_paths", refuse)
    assert main(["list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("natosim: error:") and "refused a new thread" in err
    assert "can't start new thread" in err and len(err.strip().splitlines()) == 1, err


def test_an_exception_chain_with_a_loop_and_no_refusal_keeps_its_traceback(monkeypatch):
    """The chain is walked once per exception: a loop (an exception that is its own context's
    context) ends the walk, and an exception that is not a refusal still raises."""
    from sim.cli import commands

    a, b = ValueError("a bug"), KeyError("another")
    a.__context__, b.__context__ = b, a
    a.__cause__ = a

    def bug(args):
        raise a

    monkeypatch.setattr(commands, "_check_paths", bug)
    with pytest.raises(ValueError, match="a bug"):
        main(["list"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux applies it")
def test_a_library_the_loader_cannot_map_under_a_limit_is_out_of_memory(monkeypatch, capsys):
    """At `ulimit -v 570000` Matplotlib's renderer, loaded late, failed with ``ImportError: ...so:
    failed to map segment from shared object`` and a traceback; under an address-space limit
    that is out of memory, said in one line. Without a limit it is not (a noexec mount, say)."""
    import resource

    from sim.cli import commands

    def unmapped(args):
        raise ImportError("/x/_backend_agg.so: failed to map segment from shared object")

    def rewrapped(args):  # SciPy re-raises its extension's loader error as its own
        try:
            unmapped(args)
        except ImportError as exc:
            raise ImportError("scipy's compiled modules could not be imported") from exc

    monkeypatch.setattr(resource, "getrlimit", lambda which: (570_000 * 1024, -1))
    for failing in (unmapped, rewrapped):
        monkeypatch.setattr(commands, "_check_paths", failing)
        assert main(["list"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("natosim: error: out of memory") and len(err.splitlines()) == 1
    monkeypatch.setattr(resource, "getrlimit", lambda which: (-1, -1))
    for failing in (unmapped, rewrapped):
        monkeypatch.setattr(commands, "_check_paths", failing)
        with pytest.raises(ImportError):
            main(["list"])


def test_an_import_cut_short_by_an_interrupt_is_an_interruption(monkeypatch, capsys):
    """A SIGTERM while Matplotlib's compiled ``ft2font`` initialised (a report starting) came
    out as ``ImportError: initialization failed`` raised from the KeyboardInterrupt, with a
    traceback: it is an interruption, exit 130 in one line. An ImportError of its own is not."""
    from sim.cli import commands

    def cut_short(args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    monkeypatch.setattr(commands, "_check_paths", cut_short)
    assert main(["list"]) == 130
    err = capsys.readouterr().err
    assert err.startswith("natosim: interrupted;") and "Traceback" not in err

    def missing(args):
        raise ImportError("No module named 'x'")

    monkeypatch.setattr(commands, "_check_paths", missing)
    with pytest.raises(ImportError):
        main(["list"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux applies it")
def test_own_module_that_cannot_be_compiled_under_a_limit_is_out_of_memory(monkeypatch, capsys):
    """CI, Python 3.12, no cached bytecode: `natosim discover` of a sweep at `ulimit -v 505000`
    compiled ``sim/model/alliance.py`` late and the parser, out of memory, raised ``SyntaxError:
    invalid syntax`` with a traceback. Under a limit a syntax error in natosim's own source is
    the limit, said in one line; in another file, or without a limit, it is a bug."""
    import resource

    import sim
    from sim.cli import commands

    own = str(Path(sim.__file__).parent / "model" / "alliance.py")

    def in_ours(args):
        raise SyntaxError("invalid syntax", (own, 485, 1, "x", 485, 2))

    def in_theirs(args):
        raise SyntaxError("invalid syntax", ("/elsewhere/plugin.py", 3, 1, "x", 3, 2))

    def in_an_expression(args):  # "<string>" resolved against a folder inside sim/ matched
        raise SyntaxError("invalid syntax", ("<string>", 1, 1, "x", 1, 2))

    def indented(args):  # an IndentationError is not the parser out of memory
        raise IndentationError("unexpected indent", (own, 3, 1, "x", 3, 2))

    def hidden(args):  # a bug raised while handling it, its context suppressed
        try:
            in_ours(args)
        except SyntaxError:
            raise KeyError("a bug") from None

    monkeypatch.setattr(resource, "getrlimit", lambda which: (505_000 * 1024, -1))
    monkeypatch.setattr(commands, "_check_paths", in_ours)
    assert main(["list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("natosim: error: out of memory") and len(err.splitlines()) == 1
    for bug in (in_theirs, in_an_expression, indented, hidden):
        monkeypatch.setattr(commands, "_check_paths", bug)
        with pytest.raises((SyntaxError, KeyError)):
            main(["list"])
    monkeypatch.chdir(Path(sim.__file__).parent / "model")
    monkeypatch.setattr(commands, "_check_paths", in_an_expression)
    with pytest.raises(SyntaxError):
        main(["list"])
    monkeypatch.setattr(resource, "getrlimit", lambda which: (-1, -1))
    monkeypatch.setattr(commands, "_check_paths", in_ours)
    with pytest.raises(SyntaxError):
        main(["list"])


@pytest.fixture(scope="module")
def six_tasks(tmp_path_factory):
    """A sweep of six runs, one task file each (two points, three replications)."""
    import sim

    out = tmp_path_factory.mktemp("sweepread") / "sw"
    done = sim.sweep(
        "baseline",
        {"united_states.threat_intensity": [0.2, 0.8]},
        design="grid",
        reps=3,
        seed=3,
        out=out,
        workers=1,
        progress=False,
    )
    assert (done.runs, done.failed) == (6, 0)
    assert len(list((out / "parts" / "model").glob("task-*.parquet"))) == 6
    return out


def _read_through_a_dataset(folder, table, columns=None, filter=None):
    """How ``SweepStore.read`` read a sweep before it read with one thread (pyarrow.dataset)."""
    import pandas as pd
    import pyarrow.dataset as ds

    from sim.sweeps.store import SweepStore

    done = {f"task-{t:06d}.parquet" for t in SweepStore(folder).done_tasks()}
    files = sorted(str(p) for p in (folder / "parts" / table).glob("task-*.parquet"))
    files = [f for f in files if Path(f).name in done]
    if not files:
        return pd.DataFrame()
    df = ds.dataset(files, format="parquet").to_table(columns=columns, filter=filter).to_pandas()
    keys = [k for k in ("run", "year", "iso3") if k in df.columns]
    if table == "events":
        keys = [k for k in ("run", "year") if k in df.columns]
        return df.sort_values(keys, kind="stable").reset_index(drop=True)
    return df.sort_values(keys).reset_index(drop=True) if keys else df


def _slices():
    import pyarrow.compute as pc

    year = pc.field("year")
    return [
        ("model", None, None),
        ("model", ["eu_core_pct", "run"], None),
        ("model", None, year == 2030),
        ("model", ["seed", "eu_core_pct"], (year >= 2030) & (pc.field("run") < 4)),  # unread
        ("model", ["run"], year > 2100),  # no row
        ("model", [], None),  # no column
        ("allies", None, None),
        ("allies", ["year", "iso3", "core_pct"], pc.field("iso3").isin(["DEU", "POL"])),
        ("events", None, None),
        ("events", ["kind", "why"], year == 2028),  # stable order within a year
        ("summary", None, None),
        ("summary", ["verdict"], pc.field("eu_core_pct_end") > 0),
        ("failures", None, None),  # no file: an empty frame
    ]


@pytest.mark.parametrize(("table", "columns", "filter"), _slices())
def test_a_sweep_read_by_one_thread_is_the_dataset_read(six_tasks, table, columns, filter):
    """``SweepStore.read`` reads each task's file by one thread (pyarrow.dataset's threads hung
    under ``ulimit -v``) and gives the frame the dataset gave: the same values, dtypes, columns
    in the order asked, and rows, with and without a column selection and a filter."""
    import pandas as pd

    from sim.sweeps.store import SweepStore

    got = SweepStore(six_tasks).read(table, columns, filter)
    want = _read_through_a_dataset(six_tasks, table, columns, filter)
    if table != "failures":
        assert len(want) > 0 or table == "model"
    pd.testing.assert_frame_equal(got, want)


def test_a_sweeps_design_read_by_one_thread_is_pandas_read(six_tasks):
    import pandas as pd

    from sim.sweeps.store import SweepStore

    want = pd.read_parquet(six_tasks / "design.parquet")
    pd.testing.assert_frame_equal(SweepStore(six_tasks).design(), want)


def test_a_filter_on_a_column_that_is_not_there_still_fails(six_tasks):
    import pyarrow as pa
    import pyarrow.compute as pc

    from sim.sweeps.store import SweepStore

    with pytest.raises(pa.ArrowInvalid, match="no_such_column"):
        SweepStore(six_tasks).read("model", ["run"], pc.field("no_such_column") == 1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux applies it")
@pytest.mark.parametrize("command", ["discover", "report"])
@pytest.mark.parametrize("kib", [505_000, 512_500])
def test_a_sweep_read_under_an_address_space_limit_does_not_hang(six_tasks, tmp_path, command, kib):
    """A sweep's parts were read through ``pyarrow.dataset``, whose reader threads an
    address-space limit keeps from starting: the read waited for them for ever and ignored
    SIGTERM. On the project's machine (2 cores, pyarrow 26) `natosim discover`, `sensitivity`
    and `report` of a sweep hung at every `ulimit -v` from 497,500 to 525,000 KiB (report: 505,000
    to 520,000); a Python script's `sim.load_results` from 460,000 to 480,000. Where the band lies
    depends on the machine (cores, libraries): elsewhere these limits may not have hung, but
    the read must never hang. Now each file is read by this thread alone: the command finishes,
    or says in one line that the limit is too tight."""
    import resource
    import shutil

    out = tmp_path / "sw"
    shutil.copytree(six_tasks, out)

    def limit() -> None:  # in the child only
        resource.setrlimit(resource.RLIMIT_AS, (kib * 1024, resource.RLIM_INFINITY))

    ours = ("ARROW_DEFAULT_MEMORY_POOL", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in (*ours, "MALLOC_ARENA_MAX")}
    args = {"discover": ["--outcome", "n_probes >= 0"], "report": []}[command]
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sim", command, str(out), *args],  # this tree's sim
            check=False,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,  # then SIGKILL: the hang ignored SIGTERM
            preexec_fn=limit,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"natosim {command} of a sweep hung under an address-space limit of {kib} KiB")
    ok = proc.returncode == 0
    refused = (
        proc.returncode == 1
        and proc.stderr.startswith("natosim: error:")
        and len(proc.stderr.strip().splitlines()) == 1
    )
    assert (ok or refused) and "Traceback" not in proc.stderr, proc.stderr


def test_a_folder_judged_by_an_earlier_verdict_rule_is_named_when_read(tmp_path, capsys):
    """A results folder written before "Europe carries" existed (its manifest has no
    ``verdict_rule``) is read with a one-line warning that its verdicts follow rule 1, by
    ``report`` and by ``compare`` setting it beside new runs; a folder of this rule is not."""
    import json

    from sim.model.outputs import VERDICT_RULE

    out = tmp_path / "r"
    assert main(["run", "baseline", "--reps", "2", "--out", str(out), "--no-report"]) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["verdict_rule"] == VERDICT_RULE
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    assert "verdicts follow rule" not in capsys.readouterr().err
    del man["verdict_rule"]
    (out / "manifest.json").write_text(json.dumps(man))
    for argv in (
        ["report", str(out)],
        ["compare", str(out), "cajole", "--reps", "2", "--no-report", "--out", str(tmp_path / "c")],
    ):
        capsys.readouterr()
        assert main(argv) == 0
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if "verdicts follow rule 1" in line]
        assert len(lines) == 1 and lines[0].startswith("natosim: warning: "), err


def test_a_ctrl_c_while_the_command_line_loads_is_one_line_and_exit_130(monkeypatch, capsys):
    """Found by fuzzing: SIGINT in the first tenth of a second (NumPy and pandas loading)
    printed Python's traceback of the import. The console script catches it."""
    import sys

    from sim.cli import entry

    class Interrupted:
        def find_spec(self, name, path=None, target=None):
            if name == "sim.cli.commands":
                raise KeyboardInterrupt

    monkeypatch.delitem(sys.modules, "sim.cli.commands", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Interrupted(), *sys.meta_path])
    assert entry.main(["list"]) == 130
    err = capsys.readouterr().err
    assert err.startswith("natosim: interrupted") and "Traceback" not in err


# -- third fuzzing pass ---------------------------------------------------------------------------


def _damage_table(folder, table: str, how: str) -> None:
    path = folder / f"{table}.parquet"
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:60])
    else:  # another table saved under this name
        path.write_bytes((folder / f"{how}.parquet").read_bytes())


@pytest.mark.parametrize(
    ("table", "how", "named"),
    [
        ("probe_options", "truncated", "probe_options.parquet"),
        ("summary", "events", "summary.parquet"),
        ("model", "allies", "model.parquet"),
        ("allies", "model", "allies.parquet"),
    ],
)
@pytest.mark.parametrize("command", ["explain", "compare", "report"])
def test_a_run_folder_with_a_damaged_or_swapped_table_is_refused(
    short_run, tmp_path, capsys, table, how, named, command
):
    """Found by fuzzing: a truncated probe_options.parquet (read only by explain) or another
    table saved as summary.parquet or model.parquet passed the folder check and ended in a
    pyarrow or KeyError traceback in explain and compare (and a thinner report). The check
    reads every table's footer, the optional ones included, and the columns that say which
    table it is."""
    import shutil

    folder = tmp_path / "r"
    shutil.copytree(short_run, folder)
    assert (folder / f"{table}.parquet").is_file()
    _damage_table(folder, table, how)
    argv = {
        "explain": ["explain", str(folder)],
        "compare": ["compare", "baseline", str(folder), "--no-report", "--quiet"],
        "report": ["report", str(folder)],
    }[command]
    before = _files(tmp_path)
    _refused(capsys, argv, named, cwd=tmp_path)
    assert _files(tmp_path) == before


def _first_task(folder) -> str:
    return sorted(p.stem for p in (folder / "parts" / "done").glob("task-*.json"))[0]


def _damage_sweep(folder, how: str) -> str:
    """Damage a copied sweep folder as ``how`` says; return the file the refusal must name."""
    task = _first_task(folder)
    marker = folder / "parts" / "done" / f"{task}.json"
    meta = json.loads((folder / "sweep.json").read_text())
    if how == "truncated summary part":
        part = folder / "parts" / "summary" / f"{task}.parquet"
        part.write_bytes(part.read_bytes()[:60])
        return part.name
    if how == "empty model part":
        part = folder / "parts" / "model" / f"{task}.parquet"
        part.write_bytes(b"")
        return part.name
    if how == "summary part is a folder":
        part = folder / "parts" / "summary" / f"{task}.parquet"
        part.unlink()
        part.mkdir()
        return part.name
    if how in ("marker not JSON", "marker of strings"):
        marker.write_text("{" if how == "marker not JSON" else '{"runs": "1", "failed": 0}')
        return marker.name
    if how == "marker misnamed":
        (marker.parent / "task-x.json").write_text('{"runs": 1, "failed": 0}')
        return "task-x.json"
    if how == "design of another table":
        (folder / "design.parquet").write_bytes(
            (folder / "parts" / "summary" / f"{task}.parquet").read_bytes()
        )
        return "design.parquet"
    edits = {
        "task_size 0": ("task_size", 0),
        "no factors": ("spec.factors", []),
        "negative seed": ("spec.seed", -1),
        "unknown design": ("spec.design", "bogus"),
    }
    key, value = edits[how]
    if key.startswith("spec."):
        meta["spec"][key[5:]] = value
    else:
        meta[key] = value
    (folder / "sweep.json").write_text(json.dumps(meta))
    return "sweep.json"


_SWEEP_DAMAGE = [
    "truncated summary part",
    "empty model part",
    "summary part is a folder",
    "marker not JSON",
    "marker of strings",
    "marker misnamed",
    "design of another table",
    "task_size 0",
    "no factors",
    "negative seed",
    "unknown design",
]


@pytest.mark.parametrize("how", _SWEEP_DAMAGE)
@pytest.mark.parametrize("command", ["resume", "report", "sensitivity", "discover"])
def test_a_damaged_sweep_folder_is_refused_naming_the_file(
    lhs_sweep, tmp_path, capsys, how, command
):
    """Found by fuzzing: a truncated or empty part of a finished task ended ``sensitivity`` in
    a pyarrow traceback, a damaged done marker or a ``task_size`` of 0 or a negative seed
    ``sweep --resume`` in a JSON, TypeError or NumPy one, a design of the wrong columns
    ``discover`` in a KeyError; a part that is a folder exited 1 with pyarrow's words, and a
    sweep.json with no factors gave an empty report. Each is refused, naming the file, before
    anything is written."""
    import shutil

    if command == "discover":
        pytest.importorskip("sklearn")
    folder = tmp_path / "s"
    shutil.copytree(lhs_sweep, folder)
    for stale in folder.glob("*.lock"):
        stale.unlink()
    named = _damage_sweep(folder, how)
    argv = {
        "resume": ["sweep", "--resume", str(folder), "--workers", "1", "--quiet"],
        "report": ["report", str(folder)],
        "sensitivity": ["sensitivity", str(folder)],
        "discover": ["discover", str(folder), "--outcome", "eu_core_pct_end > 3"],
    }[command]
    before = _files(tmp_path)
    _refused(capsys, argv, named)
    assert _files(tmp_path) == before


@pytest.mark.parametrize(
    "values",
    [
        [("united_states.threat_intensity", 0.5)],
        "united_states.threat_intensity=0.5",
        None,
        {3: 0.5},
        {None: 1},
    ],
)
def test_with_params_refuses_what_is_not_a_mapping_of_keys(values):
    """Found by fuzzing the Python API: a list of pairs, a string, None or a key that is not a
    string raised AttributeError ('list' object has no attribute 'items')."""
    import sim

    with pytest.raises(ScenarioError, match=r"mapping|section\.name"):
        sim.Scenario.default().with_params(values)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"reps": -1}, "reps"),
        ({"reps": 10**12}, "reps"),
        ({"reps": 1.5}, "reps"),
        ({"reps": "2"}, "reps"),
        ({"reps": True}, "reps"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": float("nan")}, "seed"),
        ({"seed": "1"}, "seed"),
        ({"scenario": "baseline"}, "scenario"),
        ({"scenario": None}, "scenario"),
    ],
)
def test_run_replications_refuses_bad_arguments_before_running(kwargs, named, monkeypatch):
    """Found by fuzzing the Python API: ``reps=-1`` raised NumPy's OverflowError,
    ``reps=10**12`` ran out of memory spawning seeds (the process was killed), ``seed=-1`` and
    ``seed=1.5`` NumPy's ValueError and TypeError, a scenario's name an AttributeError. Each is
    one ScenarioError naming the argument, before any run."""
    import sim
    from sim.runs import runner

    monkeypatch.setattr(runner, "replication_seeds", _never)
    args = {"scenario": sim.Scenario.default(), "reps": 2, "seed": 1, **kwargs}
    with pytest.raises(ScenarioError, match=f"run_replications: {named}: expected"):
        sim.run_replications(**args)


def test_run_replications_takes_numpy_integers():
    import numpy as np

    import sim

    sc = sim.Scenario.default().with_params(
        {"run.end_year": sim.Scenario.default().get("run.start_year") + 1}
    )
    assert len(sim.run_replications(sc, np.int64(2), np.int64(3)).summary) == 2


def test_a_worker_ends_on_ctrl_c_without_a_traceback():
    """Found by fuzzing: Ctrl-C (SIGINT to the whole process group) while a sweep's or a run's
    worker was starting or importing printed its KeyboardInterrupt traceback under natosim's
    'interrupted' line. A worker takes SIGINT's default action (it ends, as on SIGTERM), and
    starts with SIGINT ignored until then (so the bootstrap cannot raise either)."""
    import signal as sig

    from sim.runs.pool import process_executor

    with process_executor(1) as pool:
        handler = pool.submit(sig.getsignal, sig.SIGINT).result(timeout=60)
    assert handler == sig.SIG_DFL
    assert sig.getsignal(sig.SIGINT) is sig.default_int_handler  # this process's, restored


def test_an_interrupted_write_of_a_sweep_part_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Found by fuzzing: Ctrl-C while a finished task's part was written left
    ``.task-N.parquet.PID.tmp`` in the sweep folder for ever (resumes never removed it)."""
    from sim.sweeps import store

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(store.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.SweepStore(tmp_path).write_task(3, {"summary": b"PAR1"}, {"runs": 1, "failed": 0})
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []


def test_out_as_a_link_to_an_empty_folder_gets_the_results(tmp_path, capsys):
    """Found by fuzzing: ``--out LINK`` (a symbolic link to an empty folder) passed the checks,
    the runs were computed, and then the final rename failed on the link: exit 1, "[Errno 20]
    Not a directory" and the results lost. They go into the folder the link names."""
    (tmp_path / "short.toml").write_text('name = "short"\n[run]\nend_year = 2027\n')
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to("target")
    argv = ["run", str(tmp_path / "short.toml"), "--reps", "1", "--fixed", "--quiet"]
    assert main([*argv, "--no-report", "--out", str(tmp_path / "link")]) == 0, capsys.readouterr()
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "target" / "manifest.json").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_sweep_of_one_point_without_factors_is_reported_and_resumed(tmp_path, capsys):
    """``natosim sweep`` writes a grid with no ``--param`` (one point); the check of a sweep's
    record added after fuzzing refused it in ``report`` and ``--resume`` ("at least one
    factor"), which a review caught. An LHS sweep with no factors is still refused (its design
    needs factors: ``test_a_damaged_sweep_folder_is_refused_naming_the_file``)."""
    out = tmp_path / "s"
    args = ["sweep", "baseline", "--design", "grid", "--reps", "1", "--workers", "1"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    assert main(["sweep", "--resume", str(out), "--workers", "1", "--quiet"]) == 0
    assert main(["report", str(out)]) == 0
    capsys.readouterr()


def test_a_report_of_a_sweep_with_no_finished_task_is_refused(lhs_sweep, tmp_path, capsys):
    """A sweep whose ``parts`` were deleted (or interrupted before its first task) got a report
    saying every run failed, exit 0 (found by fuzzing). Now it is refused, saying how to run
    the tasks, and nothing is written."""
    import shutil

    folder = tmp_path / "s"
    shutil.copytree(lhs_sweep, folder)
    for stale in folder.glob("*.lock"):
        stale.unlink()
    shutil.rmtree(folder / "parts")
    before = _files(tmp_path)
    _refused(capsys, ["report", str(folder)], "sweep --resume")
    assert _files(tmp_path) == before

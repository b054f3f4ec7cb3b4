"""Robust writing: one folder, one writer; interrupted commands leave nothing behind; a run whose
every replication failed still gets a report that says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from sim.cli import main
from sim.scenario import ScenarioError
from sim.store import claimed_folder

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
    time.sleep(6)  # importing, then computing
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
    from sim import model

    def broken(self):
        raise RuntimeError("a rule divided by zero")

    monkeypatch.setattr(model.AllianceModel, "run", broken)
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
    from sim import model

    def broken(self):
        raise RuntimeError("a rule divided by zero")

    monkeypatch.setattr(model.AllianceModel, "run", broken)
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "cajole", "--reps", "2", "--out", str(out)]) == 1
    assert "No replication of baseline, cajole finished" in (out / "report.html").read_text()
    assert "Traceback" not in capsys.readouterr().err


def test_a_lock_file_still_being_written_is_not_taken_over(tmp_path):
    """Between creating its lock file and writing its pid, a command's lock is empty: another
    command must not read that as a killed command's stale lock (it once did, and both wrote)."""
    (tmp_path / ".out.lock").write_text("")
    with pytest.raises(ScenarioError, match="no other natosim command"):  # noqa: SIM117
        with claimed_folder(tmp_path / "out"):
            pass

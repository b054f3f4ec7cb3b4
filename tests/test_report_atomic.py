"""A report is built in a temporary folder and moved into place: a command stopped while it
writes one (SIGTERM, SIGKILL) leaves the whole report or none, and the next command cleans what
a killed one left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli.commands import main
from sim.report import build_report
from sim.report.staging import COMPLETE, PREFIX, clean_stale

from .conftest import ROOT

FIGURES = 6  # a run report's figures


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("atomic") / "run"
    assert main(["run", "baseline", "--reps", "3", "--out", str(out), "--no-report"]) == 0
    return out


def _copy(src: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(src, dest)
    return dest


def _stop_mid_report(folder: Path, sig: int, *args: str) -> tuple[int, str]:
    """Start ``natosim ARGS``, wait until its report has written a first figure into its
    temporary folder (and not yet moved into place), send ``sig``; return its exit code and
    standard error."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, "--svg"],  # --svg: slower figures, a wider window
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    try:
        while not list(folder.glob(f"{PREFIX}*/report/*.png")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the report never started"
            time.sleep(0.02)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err


def _whole(folder: Path) -> bool:
    pngs = list((folder / "report").glob("*.png"))
    return (folder / "report.html").is_file() and len(pngs) == FIGURES


def test_sigterm_during_a_report_leaves_none(results, tmp_path):
    folder = _copy(results, tmp_path / "run")
    code, err = _stop_mid_report(folder, signal.SIGTERM, "report", str(folder))
    assert code == 130, err
    assert "Traceback" not in err
    assert not (folder / "report.html").exists() and not (folder / "report").exists()
    assert not list(folder.glob(f"{PREFIX}*")), "the temporary folder is removed on the way out"
    assert (folder / "manifest.json").exists()  # the results are untouched


def test_sigkill_during_a_report_leaves_none_and_the_next_command_cleans(results, tmp_path):
    folder = _copy(results, tmp_path / "run")
    code, _ = _stop_mid_report(folder, signal.SIGKILL, "report", str(folder))
    assert code == -signal.SIGKILL
    assert not (folder / "report.html").exists() and not (folder / "report").exists()
    assert list(folder.glob(f"{PREFIX}*")), "SIGKILL cannot be caught: its folder is left"
    assert main(["report", str(folder)]) == 0  # the next command
    assert _whole(folder)
    assert not list(folder.glob(f"{PREFIX}*"))


def test_a_killed_rebuild_leaves_the_older_report_whole(results, tmp_path):
    folder = _copy(results, tmp_path / "run")
    build_report(folder)
    before = (folder / "report.html").read_bytes()
    figures = {p.name: p.read_bytes() for p in (folder / "report").iterdir()}
    _stop_mid_report(folder, signal.SIGKILL, "report", str(folder))
    assert (folder / "report.html").read_bytes() == before
    assert {p.name: p.read_bytes() for p in (folder / "report").iterdir()} == figures


def test_sigterm_during_a_runs_report_keeps_the_results_without_a_report(tmp_path):
    out = tmp_path / "run"
    args = ("run", "baseline", "--reps", "3", "--out", str(out), "--quiet")
    code, err = _stop_mid_report(out, signal.SIGTERM, *args)
    assert code == 130, err
    assert "Traceback" not in err
    assert (out / "manifest.json").exists() and (out / "summary.parquet").exists()
    assert not (out / "report.html").exists() and not (out / "report").exists()
    assert not list(out.glob(f"{PREFIX}*"))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_report_killed_between_its_two_renames_is_finished_by_the_next_command(results, tmp_path):
    """SIGKILL after the figures were moved in and before the page was: the folder says it was
    whole (``complete``), so the next command moves the page in rather than delete it."""
    folder = _copy(results, tmp_path / "run")
    build_report(folder)
    (folder / "report.html").unlink()  # as if the second rename never happened
    tmp = folder / f"{PREFIX}{_dead_pid()}-abc"
    tmp.mkdir()
    (tmp / "report.html").write_text("<html>the new page</html>")
    (tmp / COMPLETE).touch()
    assert clean_stale(folder) == [tmp]
    assert (folder / "report.html").read_text() == "<html>the new page</html>"
    assert not tmp.exists()


def test_only_dead_commands_folders_are_cleaned(results, tmp_path):
    folder = _copy(results, tmp_path / "run")
    dead = folder / f"{PREFIX}{_dead_pid()}-x"
    live = folder / f"{PREFIX}{os.getpid()}-y"  # a report being built by a live command
    (dead / "report").mkdir(parents=True)
    (dead / "report" / "fan_charts.png").write_bytes(b"half")
    live.mkdir()
    beside = _copy(results, tmp_path / "other")  # a results folder beside it
    stale = beside / f"{PREFIX}{_dead_pid()}-z"
    stale.mkdir()
    assert sorted(clean_stale(folder)) == sorted([dead, stale])
    assert live.exists() and not dead.exists() and not stale.exists()
    assert not (folder / "report").exists()  # a half-built report is deleted, not moved in


def test_sigkill_during_a_comparisons_report_leaves_its_results_and_no_report(tmp_path):
    out = tmp_path / "cmp"
    args = ("compare", "baseline", "cajole", "--reps", "2", "--out", str(out), "--quiet")
    code, _ = _stop_mid_report(out, signal.SIGKILL, *args)
    assert code == -signal.SIGKILL
    assert (out / "comparison.csv").exists() and (out / "baseline" / "manifest.json").exists()
    assert not (out / "report.html").exists() and not (out / "report").exists()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").exists() and (out / "report" / "compare_trajectories.png").exists()
    assert not list(out.glob(f"{PREFIX}*"))


def test_two_reports_of_one_folder_at_once_both_finish_whole(results, tmp_path):
    folder = _copy(results, tmp_path / "run")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sim", "report", str(folder)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(p.wait(timeout=300), p.communicate()[1]) for p in procs]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert _whole(folder)
    assert not list(folder.glob(f"{PREFIX}*"))

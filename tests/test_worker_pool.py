"""The worker pool: no more workers than free memory holds, and no worker outliving its command
(found by fuzzing: ``sim.sweep(workers=10**6)`` on a 24 GB machine spawned workers until the
kernel killed the command, and 377 workers it left behind held the memory)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim.runs import pool


def test_workers_are_capped_to_what_free_memory_holds(monkeypatch, caplog):
    monkeypatch.setattr(pool, "available_memory_mb", lambda: 10 * pool.WORKER_MEMORY_MB + 1)
    with caplog.at_level(logging.WARNING, logger="sim.runs.pool"):
        assert pool.within_memory(4) == 4
        assert not caplog.records
        assert pool.within_memory(256) == 10
    (record,) = caplog.records
    assert "256 worker processes" in record.getMessage()
    assert "using 10" in record.getMessage()

    monkeypatch.setattr(pool, "available_memory_mb", lambda: 0.0)
    assert pool.within_memory(8) == 1  # at least one, whatever the machine says
    monkeypatch.setattr(pool, "available_memory_mb", lambda: None)
    assert pool.within_memory(256) == 256  # nothing known: as asked


def _cgroup(folder: Path, limit: str, used: int, inactive: int, v1: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    names = (
        ("memory.limit_in_bytes", "memory.usage_in_bytes")
        if v1
        else ("memory.max", "memory.current")
    )
    (folder / names[0]).write_text(limit + "\n")
    (folder / names[1]).write_text(f"{used}\n")
    key = "total_inactive_file" if v1 else "inactive_file"
    (folder / "memory.stat").write_text(f"anon 1\n{key} {inactive}\n")


def test_the_room_under_cgroup_limits_is_the_least_over_the_cgroup_and_those_above(tmp_path):
    """Found by review: only the namespace root's memory.max was read, which a batch job or a
    container sharing the host's cgroups does not have; and page cache counted as used."""
    mb = 2**20
    mount, proc = tmp_path / "fs", tmp_path / "cgroup"
    _cgroup(mount / "job", str(4000 * mb), 1000 * mb, 500 * mb)  # room 3,500 MB
    _cgroup(mount / "job" / "step", "max", 900 * mb, 0)  # no limit of its own
    proc.write_text("0::/job/step\n")
    assert pool.cgroup_room_mb(proc, mount) == 3500
    _cgroup(mount / "job" / "step", str(2000 * mb), 900 * mb, 400 * mb)  # room 1,500 MB
    assert pool.cgroup_room_mb(proc, mount) == 1500
    _cgroup(mount / "memory" / "slurm", str(1000 * mb), 800 * mb, 0, v1=True)  # v1: 200 MB
    proc.write_text("9:cpu:/slurm\n4:memory:/slurm\n")
    assert pool.cgroup_room_mb(proc, mount) == 200
    proc.write_text("0::/nowhere\n")
    assert pool.cgroup_room_mb(proc, mount) is None
    assert pool.cgroup_room_mb(tmp_path / "absent", mount) is None


def test_the_free_memory_is_read_where_the_system_says_it():
    free = pool.available_memory_mb()
    if not Path("/proc/meminfo").exists():
        pytest.skip("no /proc/meminfo here")
    assert free is not None and free > 0


def test_a_command_asking_for_more_workers_than_memory_holds_runs_with_fewer(
    monkeypatch, tmp_path, caplog
):
    from sim.cli.commands import main

    monkeypatch.setattr(pool, "available_memory_mb", lambda: 2 * pool.WORKER_MEMORY_MB)
    out = tmp_path / "r"
    code = main(
        ["run", "baseline", "--reps", "2", "--workers", "256", "--fixed"]
        + ["--no-report", "--out", str(out)]
    )
    assert code == 0
    assert "256 worker processes" in caplog.text and "using 2" in caplog.text
    assert (out / "manifest.json").exists()


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _state(pid: int) -> str:
    """A process's state letter ('' once it is gone; 'Z' for one that ended, not yet reaped)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return text.rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_once_the_command_that_started_them_is_killed(tmp_path):
    script = tmp_path / "command.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, sys, time
            from sim.runs.pool import process_executor

            if __name__ == "__main__":
                pool = process_executor(2)
                futures = [pool.submit(os.getpid) for _ in range(8)]
                print(" ".join(str(p) for p in {f.result() for f in futures}), flush=True)
                time.sleep(600)
            """
        )
    )
    command = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    workers: list[int] = []
    try:
        ran = {int(p) for p in command.stdout.readline().split()}
        workers = _children(command.pid)  # the workers, and multiprocessing's resource tracker
        assert ran and ran <= set(workers)
        os.kill(command.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer does
        command.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_state(p) not in ("", "Z") for p in workers):
            time.sleep(0.2)
        left = [p for p in workers if _state(p) not in ("", "Z")]
        assert not left, f"workers {left} outlived their command"
    finally:
        command.kill()
        for p in workers:  # whatever the test found, leave no process behind
            if _state(p) not in ("", "Z"):
                os.kill(p, signal.SIGKILL)


def test_a_sweep_plans_for_the_workers_memory_holds(monkeypatch):
    """Found by review: a sweep capped by memory still planned its task size and the tasks in
    flight for the workers asked (256), so most of the sweep queued in a smaller pool."""
    from sim.sweeps.execute import make_workers

    monkeypatch.setattr(pool, "available_memory_mb", lambda: 3 * pool.WORKER_MEMORY_MB)
    with make_workers(256, None) as workers:
        assert workers.width == 4  # this process and the three that fit

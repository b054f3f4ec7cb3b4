"""Start a seminar server as a child process and wait until it answers: for the browser test,
the load benchmark and the screenshots (``natosim seminar`` itself is for people)."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Launched:
    process: subprocess.Popen
    join: str  # the students' link, with the join code
    instructor: str  # the instructor's link, with the token
    folder: str = ""  # where the session is saved (for --resume)
    port: int = 0  # the port it serves on (read from its links)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _links(proc: subprocess.Popen, deadline: float) -> str:
    """The command's output up to its last link ("saved at every year in ..."), read in a thread
    so that a command that hangs before printing it, or prints warnings first, cannot block the
    caller past ``deadline``; the rest of the output is left for the caller."""
    assert proc.stdout is not None
    out, lines = proc.stdout, queue.Queue[str]()

    def pump() -> None:
        for line in iter(out.readline, ""):
            lines.put(line)
            if "saved at every year in" in line:
                break
        lines.put("")  # the end of what this reads

    threading.Thread(target=pump, daemon=True, name="seminar-links").start()
    head: list[str] = []
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.time()))
        except queue.Empty:
            proc.kill()
            raise RuntimeError(
                f"natosim seminar printed no links in time: {''.join(head)}"
            ) from None
        if not line:
            return "".join(head)
        head.append(line)


def launch(
    scenario: str,
    port: int = 0,
    export_dir: str | Path = Path("results") / "seminar",
    cwd: str | Path | None = None,
    seconds: int = 600,
    wait_s: float = 120.0,
    resume: str | Path | None = None,
    save_dir: str | Path | None = None,
    per_client: int = 100,
    env: dict[str, str] | None = None,
) -> Launched:
    """``natosim seminar SCENARIO`` on 127.0.0.1:``port`` (or ``--resume FOLDER``); returns once
    the page answers. ``port`` 0 (the default; with ``--resume``, the saved port if it is free):
    the command listens on a free port before it prints its links, and the port is read from
    them (a port chosen here, then given to the command, could be taken by another program in
    between). Every page of a test comes from 127.0.0.1, so ``per_client`` is high. ``env``:
    variables set for the command, beside this process's."""
    where = ["--resume", str(resume)] if resume else [scenario]
    saving = ["--save-dir", str(save_dir or Path(export_dir).parent / "sessions")]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "seminar",
            *where,
            *saving,
            "--port",
            str(port),
            "--seconds",
            str(seconds),
            "--export-dir",
            str(export_dir),
            "--connections-per-client",
            str(per_client),
        ],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    head = _links(proc, time.time() + wait_s)
    join = re.search(r"students join: (\S+)", head)
    instructor = re.search(r"instructor:\s+(\S+)", head)
    saved = re.search(r"saved at every year in (\S+)", head)
    if join is None or instructor is None:
        proc.kill()
        raise RuntimeError(f"natosim seminar did not start: {head}")
    deadline = time.time() + wait_s
    while time.time() < deadline:
        if proc.poll() is not None:  # the server died: say so now, not after wait_s
            rest = proc.stdout.read() if proc.stdout else ""
            raise RuntimeError(f"natosim seminar exited ({proc.returncode}): {head}{rest}")
        try:
            with urllib.request.urlopen(join.group(1), timeout=2):
                return Launched(
                    proc,
                    join.group(1),
                    instructor.group(1),
                    saved.group(1) if saved else "",
                    int(urllib.parse.urlsplit(join.group(1)).port or 0),
                )
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the seminar server did not answer")

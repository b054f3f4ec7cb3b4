"""Run one generated case in an empty folder and classify what natosim did with it."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
from pathlib import Path

from sim.cli.commands import main

from .cases import DIRECTORY, FIFO, TAKEN_PORT, Case, Symlink

# a raw control character in what natosim prints (an escape code from a file, obeyed by the
# terminal): anything below space but newline, tab and carriage return, DEL, and the C1 range
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

OUTCOMES = ("refused", "unclear", "traceback", "hang", "partial", "accepted")


class _HangError(Exception):
    pass


class _ExecError(Exception):
    pass


def _alarm(signum, frame):
    raise _HangError


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _materialise(root: Path, case: Case) -> None:
    for name, body in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, Symlink):
            path.symlink_to(body.target)
        elif body is FIFO:
            os.mkfifo(path)
        elif body is DIRECTORY:
            path.mkdir()
        elif isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(str(body))


def run_case(case: Case, root: Path, timeout: int = 20) -> tuple[str, str]:
    """Run ``case`` with ``root`` (an empty folder) as the working folder.

    Returns the outcome (one of :data:`OUTCOMES`) and what was printed on standard error.
    ``natosim ui`` would replace this process with the Solara server once its arguments are
    accepted, so ``os.exec*`` is intercepted and counts as acceptance.
    """
    _materialise(root, case)
    before = _snapshot(root)
    argv = list(case.argv)
    taken = None
    if TAKEN_PORT in argv:  # a port another program listens on
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        argv = [str(taken.getsockname()[1]) if a == TAKEN_PORT else a for a in argv]
    err, out = io.StringIO(), io.StringIO()
    old_cwd = os.getcwd()
    old_exec = {name: getattr(os, name) for name in ("execv", "execve", "execvp", "execvpe")}
    old_handler = signal.signal(signal.SIGALRM, _alarm)

    def _no_exec(*a, **k):
        raise _ExecError

    outcome, code = "", None
    try:
        os.chdir(root)
        for name in old_exec:
            setattr(os, name, _no_exec)
        signal.alarm(timeout)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except _HangError:
        outcome = "hang"
    except _ExecError:
        outcome = "accepted"
    except BaseException as exc:
        outcome = "traceback"
        err.write(f"{type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old_handler)
        for name, fn in old_exec.items():
            setattr(os, name, fn)
        os.chdir(old_cwd)
        if taken is not None:
            taken.close()
    text = err.getvalue()
    if outcome:
        return outcome, text
    if "Traceback" in text:
        return "traceback", text
    if _CONTROL.search(text + out.getvalue()):
        return "unclear", text + "\n(a control character was printed)"
    if case.argv[:1] == ["list"] and case.files and code == 0:
        flagged = [line for line in out.getvalue().splitlines() if "INVALID" in line]
        return ("refused" if len(flagged) == len(case.files) else "accepted"), text
    if code != 2:
        return "accepted", text
    if _snapshot(root) != before:
        return "partial", text
    errors = [line for line in text.splitlines() if "error:" in line]
    if len(errors) != 1 or (case.names and case.names not in errors[0]):
        return "unclear", text
    return "refused", text

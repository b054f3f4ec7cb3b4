"""A report is built in a temporary folder beside its destination and moved into place.

A report is two things in a results folder: ``report.html`` and the figure files in
``report/``. They are written into ``DIR/.report.tmp-<pid>-<random>/`` and, once complete,
moved into ``DIR`` by two renames (``os.replace``: atomic on one file system). So a stopped
command leaves the whole report or none:

* Ctrl-C and SIGTERM (which natosim turns into Ctrl-C) during the build remove the temporary
  folder on the way out; during the two renames they are held until both are done.
* SIGKILL cannot be caught, so it leaves the temporary folder. Whoever builds a report in that
  folder or one beside it next (any natosim command that writes a report) cleans it first: a
  folder whose process is gone is deleted, or, if it was killed between its two renames
  (it says so in a ``complete`` file written before them), finished.

An older report in ``DIR`` is replaced whole: its figures are moved aside by the first rename
and deleted after the second. Two commands finishing a report of one folder at the same moment
take turns for the renames (an OS lock on the folder itself, so no lock file is left).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

PREFIX = ".report.tmp-"
COMPLETE = "complete"  # written into a temporary folder once its report is whole


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process: not ours to judge
    return True


def _pid(tmp: Path) -> int | None:
    try:
        return int(tmp.name.removeprefix(PREFIX).split("-", 1)[0])
    except ValueError:
        return None


@contextlib.contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """An exclusive OS lock (``flock``) on the folder itself, released on exit or death."""
    try:
        import fcntl  # noqa: PLC0415 (POSIX)
    except ImportError:  # no flock: the renames are still atomic one by one
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _move_in(tmp: Path, folder: Path) -> None:
    """The two renames: the figures first, then the page (what a reader opens). Each is done
    only if not done yet, so a command killed half-way is finished by the next one."""
    figures, dest = tmp / "report", folder / "report"
    if figures.exists():
        if dest.exists():  # the older report's figures, deleted with the temporary folder
            os.replace(dest, tmp / "old")
        os.replace(figures, dest)
    if (tmp / "report.html").exists():
        os.replace(tmp / "report.html", folder / "report.html")


def clean_stale(folder: Path) -> list[Path]:
    """Remove (or finish, if it was whole) every temporary report folder left by a killed
    command in ``folder`` and in the results folders beside it; return what was cleaned."""
    folder = Path(folder)
    candidates = list(folder.glob(f"{PREFIX}*"))
    if folder.parent != folder:
        with contextlib.suppress(OSError):
            candidates += folder.parent.glob(f"*/{PREFIX}*")
    cleaned = []
    for tmp in dict.fromkeys(candidates):
        pid = _pid(tmp)
        if pid is None or _alive(pid) or not tmp.is_dir():
            continue
        with contextlib.suppress(OSError):
            if (tmp / COMPLETE).exists():  # killed between its two renames: finish them
                with _folder_locked(tmp.parent):
                    _move_in(tmp, tmp.parent)
            shutil.rmtree(tmp)
            cleaned.append(tmp)
    return cleaned


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done, then act as they would have."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda n, _f: got.append(n)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        if got:
            signal.raise_signal(got[0])


@contextlib.contextmanager
def staged_report(folder: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder``'s report; whatever is written into it
    (``report.html``, ``report/``) replaces ``folder``'s report when the block ends, and is
    deleted if the block raises or is interrupted."""
    folder = Path(folder)
    clean_stale(folder)
    tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=folder))
    try:
        (tmp / "report").mkdir()  # even without figures: an older report's are replaced
        yield tmp
        with _signals_held(), _folder_locked(folder):
            (tmp / COMPLETE).touch()
            _move_in(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

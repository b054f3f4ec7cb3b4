"""Output folders: checked, reserved and written whole or not at all.

Every command that writes checks its output location before it computes (:func:`check_folder`),
reserves it with a lock file beside it (:func:`claimed_folder`) so that no two commands write into
one folder, and writes into a hidden temporary folder that is renamed into place at the end
(:func:`atomic_folder`), so an interrupted or failed command leaves no partial results folder.
Light on purpose (standard library only): the command line imports it before anything heavy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def default_folder(root: Path, scenario_name: str) -> Path:
    """``root/<scenario>/<UTC timestamp>``, made unique if that name is taken (two commands
    started in the same second are kept apart by :func:`claimed_folder` with ``unique=True``)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = root / scenario_name / stamp
    path, i = base, 1
    while path.exists():
        path, i = base.with_name(f"{stamp}-{i}"), i + 1
    return path


def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


FRESH_LOCK_S = 10.0  # a lock file without a pid younger than this is being written, not stale


def _take_lock(folder: Path) -> bool:
    """Create ``folder``'s lock file (O_EXCL); take over a lock whose process is gone and clean
    the temporary folders it left. False if a live process holds it."""
    lock = _lock_path(folder)
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text().strip() or "0")
                age = time.time() - lock.stat().st_mtime
            except (OSError, ValueError):
                pid, age = 0, 0.0
            if pid and _alive(pid):
                return False
            if not pid and age < FRESH_LOCK_S:
                # created an instant ago by a command that has not written its pid yet: held
                return False
            lock.unlink(missing_ok=True)  # stale: its command was killed
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        for stale in folder.parent.glob(f".{folder.name}.*"):
            if stale.is_dir():  # a killed writer's temporary folder (we hold the lock now)
                shutil.rmtree(stale, ignore_errors=True)
        return True
    return False


def check_folder(folder: Path, flag: str = "--out") -> list[Path]:
    """Refuse, before any computing, an output location that cannot be used: a file, a folder
    that is not empty, a path under a file, a location that is not writable, a name too long.
    Returns the missing folders above ``folder`` (outermost first), which the caller creates."""
    from .scenario import ScenarioError  # noqa: PLC0415 (the scenario package imports this one)

    try:
        if folder.exists():
            if not folder.is_dir():
                raise ScenarioError(flag, str(folder), "a folder (this is a file)")
            if any(folder.iterdir()):
                raise ScenarioError(flag, str(folder), "a folder that does not exist or is empty")
        missing, parent = [], folder.parent
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        if not parent.is_dir():
            raise ScenarioError(flag, str(folder), f"a path under a folder ({parent} is a file)")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ScenarioError(flag, str(folder), f"a writable location ({parent} is not)")
    except OSError as exc:
        raise ScenarioError(flag, str(folder), f"a usable path ({exc.strerror})") from None
    return missing[::-1]


@contextlib.contextmanager
def claimed_folder(
    folder: Path, flag: str = "--out", unique: bool = False, existing: bool = False
) -> Iterator[Path]:
    """Check and reserve ``folder`` for one command before it computes anything.

    A lock file beside the folder (``.<name>.lock``, holding the process id) keeps a second
    command from writing into the same folder; it is released on every exit. With ``unique``
    (a default folder name), a taken name is replaced by ``<name>-1``, ``<name>-2``, ... instead
    of refused, so two commands started in the same second never collide. Folders created
    above ``folder`` are removed again if nothing was written into them.
    """
    from .scenario import ScenarioError  # noqa: PLC0415

    folder = Path(folder)
    created: list[Path] = []
    if existing and not _take_lock(folder):  # a folder being finished (--resume): only the lock
        raise ScenarioError(
            flag, str(folder), "a folder that no other natosim command is writing to"
        )
    for i in range(1, 1000 if not existing else 1):
        try:
            missing = check_folder(folder, flag)
        except ScenarioError:
            if not unique or not folder.exists():
                raise
            folder = folder.with_name(f"{folder.name.split('-')[0]}-{i}")
            continue
        try:
            for d in missing:
                d.mkdir(exist_ok=True)
                created.append(d)
        except OSError as exc:
            for d in reversed(created):
                with contextlib.suppress(OSError):
                    d.rmdir()
            raise ScenarioError(
                flag, str(folder), f"a writable location ({exc.strerror})"
            ) from None
        if _take_lock(folder):
            break
        if not unique:
            raise ScenarioError(
                flag, str(folder), "a folder that no other natosim command is writing to"
            )
        folder = folder.with_name(f"{folder.name.split('-')[0]}-{i}")
    else:
        if not existing:
            raise ScenarioError(flag, str(folder), "a free folder name")
    try:
        yield folder
    finally:
        _lock_path(folder).unlink(missing_ok=True)
        for d in reversed(created):
            with contextlib.suppress(OSError):
                d.rmdir()  # only if empty: nothing was written under it


@contextlib.contextmanager
def atomic_folder(folder: Path) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``folder``; rename it to ``folder`` on success,
    delete it on any error or interruption. Refuses a ``folder`` that exists and is not empty."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} exists and is not empty")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        yield tmp
        if folder.exists():
            folder.rmdir()
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed: ``natosim`` and its arguments, shell-quoted."""
    return shlex.join(["natosim", *(sys.argv[1:] if argv is None else argv)])

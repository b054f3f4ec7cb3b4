"""Results folders: tables plus a manifest, written whole or not at all.

A folder holds ``manifest.json`` and the tables ``model``, ``allies``, ``events`` and ``summary``
(Parquet by default, CSV on request), plus ``failures.json`` when runs failed. Everything is
written into a hidden temporary folder beside the target and renamed into place at the end, so
an interrupted or failed command leaves no partial results folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import mesa
import pandas as pd

from . import __version__
from .runner import Results

Format = Literal["parquet", "csv"]
TABLES = ("model", "allies", "events", "summary")


def git_commit() -> str:
    """The git commit of the package source, with ``-dirty`` if it has changes; or 'unknown'."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."],
            cwd=here,
            check=False,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def manifest(results: Results, command: str, fmt: Format) -> dict[str, Any]:
    """What a reader needs to reproduce and trust a results folder."""
    return {
        "natosim_version": __version__,
        "git_commit": git_commit(),
        "command": command,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "root_seed": results.root_seed,
        "replication_seeds": results.seeds,
        "replications": len(results.seeds),
        "failed_runs": [r.run for r in results.failures],
        "format": fmt,
        "tables": {t: f"{t}.{fmt}" for t in TABLES},
        "scenario": results.scenario.to_dict(),
    }


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
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid):
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


def write_table(df: pd.DataFrame, path: Path, fmt: Format) -> None:
    if fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)


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


def write_run_tables(results: Results, folder: Path, command: str, fmt: Format) -> None:
    """Write the tables, failures and manifest of ``results`` into an existing ``folder``."""
    for name, df in results.tables.items():
        write_table(df, folder / f"{name}.{fmt}", fmt)
    if results.failures:
        failures = [{"run": r.run, "seed": r.seed, "traceback": r.error} for r in results.failures]
        (folder / "failures.json").write_text(json.dumps(failures, indent=2))
    text = json.dumps(manifest(results, command, fmt), indent=2, default=str)
    (folder / "manifest.json").write_text(text)


def write_results(results: Results, folder: Path, command: str, fmt: Format = "parquet") -> Path:
    """Write ``results`` to ``folder`` atomically; refuse to overwrite a non-empty folder."""
    with atomic_folder(folder) as tmp:
        write_run_tables(results, tmp, command, fmt)
    return Path(folder)


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """Read one table of a results folder, whichever format it was written in."""
    folder = Path(folder)
    if (folder / f"{name}.parquet").exists():
        return pd.read_parquet(folder / f"{name}.parquet")
    return pd.read_csv(folder / f"{name}.csv", keep_default_na=False, na_values=[""])


def command_line(argv: list[str] | None = None) -> str:
    """The command as typed: ``natosim`` and its arguments, shell-quoted."""
    return shlex.join(["natosim", *(sys.argv[1:] if argv is None else argv)])

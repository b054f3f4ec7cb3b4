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
    """``root/<scenario>/<UTC timestamp>``, made unique if that name is taken."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = root / scenario_name / stamp
    path, i = base, 1
    while path.exists():
        path, i = base.with_name(f"{stamp}-{i}"), i + 1
    return path


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
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
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

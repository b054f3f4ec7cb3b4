"""Results folders: tables plus a manifest, written whole or not at all (through
:mod:`sim.runs.folders`).

A folder holds ``manifest.json`` and the tables ``model``, ``allies``, ``events`` and ``summary``
(Parquet by default, CSV on request), plus ``worlds`` when the runs sampled worlds (one row per
run, one column per sampled parameter, :mod:`sim.runs.worlds`), what a caller of a higher layer
writes beside them (``extra``: the commands pass :func:`sim.analysis.cruxes.write_cruxes`, so a
run or comparison over worlds holds ``cruxes.csv`` and ``cruxes.txt``), and ``failures.json``
when runs failed. Everything is
written into a hidden temporary folder beside the target and renamed into place at the end, so
an interrupted or failed command leaves no partial results folder.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import mesa
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from .folders import atomic_folder, claimed_folder, command_line, default_folder
from .provenance import git_commit, provenance
from .runner import Results

Format = Literal["parquet", "csv"]
TABLES = ("model", "allies", "events", "summary")


def manifest(results: Results, command: str, fmt: Format) -> dict[str, Any]:
    """What a reader needs to reproduce and trust a results folder."""
    return {
        "natosim_version": __version__,
        **provenance(),
        "command": command,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "root_seed": results.root_seed,
        "replication_seeds": results.seeds,
        "replications": len(results.seeds),
        "failed_runs": [r.run for r in results.failures],
        "format": fmt,
        "tables": {t: f"{t}.{fmt}" for t in results.tables},
        "worlds": {
            "sampled": not results.worlds.empty,
            "parameters": [c for c in results.worlds.columns if c not in ("run", "seed")],
        },
        "scenario": results.scenario.to_dict(),
    }


def with_units(table: pa.Table) -> pa.Table:
    """``table`` with the units of its columns (``sim.model.outputs``) in the schema metadata, under
    ``natosim.units`` (JSON), so a Parquet file read anywhere says what its numbers mean."""
    from ..model.outputs import (  # noqa: PLC0415 (outputs imports the model)
        ALLY_COLUMNS,
        MODEL_COLUMNS,
        PROBE_OPTION_COLUMNS,
        SUMMARY_COLUMNS,
    )

    known = {**PROBE_OPTION_COLUMNS, **SUMMARY_COLUMNS, **MODEL_COLUMNS, **ALLY_COLUMNS}
    units = {c: known[c] for c in table.column_names if c in known}
    meta = dict(table.schema.metadata or {})
    meta[b"natosim.units"] = json.dumps(units).encode()
    return table.replace_schema_metadata(meta)


def write_table(df: pd.DataFrame, path: Path, fmt: Format) -> None:
    if fmt == "parquet":
        pq.write_table(with_units(pa.Table.from_pandas(df, preserve_index=False)), path)
    else:
        df.to_csv(path, index=False)


# what a higher layer writes into a results folder beside its tables, before it is moved into
# place (results, folder); the analysis layer's cruxes are one
Extra = Callable[[Results, Path], None]


def write_run_tables(
    results: Results, folder: Path, command: str, fmt: Format, extra: Extra | None = None
) -> None:
    """Write the tables, failures and manifest of ``results`` into an existing ``folder``, and
    what ``extra`` writes beside them."""
    for name, df in results.tables.items():
        write_table(df, folder / f"{name}.{fmt}", fmt)
    if extra is not None:
        extra(results, folder)
    if results.failures:
        failures = [{"run": r.run, "seed": r.seed, "traceback": r.error} for r in results.failures]
        (folder / "failures.json").write_text(json.dumps(failures, indent=2))
    text = json.dumps(manifest(results, command, fmt), indent=2, default=str)
    (folder / "manifest.json").write_text(text)


def write_results(
    results: Results,
    folder: Path,
    command: str,
    fmt: Format = "parquet",
    extra: Extra | None = None,
) -> Path:
    """Write ``results`` (and what ``extra`` writes) to ``folder`` atomically; refuse to
    overwrite a non-empty folder."""
    with atomic_folder(folder) as tmp:
        write_run_tables(results, tmp, command, fmt, extra)
    return Path(folder)


def load_run(folder: Path) -> Results:
    """A results folder of ``natosim run`` (or a seminar's export) read back as :class:`Results`
    (so that ``natosim compare`` can set finished runs side by side)."""
    from ..scenario import scenario_from_dict  # noqa: PLC0415
    from .provenance import warn_if_different  # noqa: PLC0415
    from .runner import RunResult  # noqa: PLC0415

    folder = Path(folder)
    man = json.loads((folder / "manifest.json").read_text())
    warn_if_different(man, folder)  # set beside new runs, its verdicts may follow an old rule
    failures = []
    if (folder / "failures.json").exists():
        failures = [
            RunResult(f["run"], f["seed"], error=f["traceback"])
            for f in json.loads((folder / "failures.json").read_text())
        ]
    tables = {t: read_table(folder, t) for t in TABLES}
    has_worlds = any((folder / f"worlds.{ext}").exists() for ext in ("parquet", "csv"))
    has_options = any((folder / f"probe_options.{ext}").exists() for ext in ("parquet", "csv"))
    return Results(
        scenario_from_dict(man["scenario"]),
        man["root_seed"],
        list(man["replication_seeds"]),
        tables["model"],
        tables["allies"],
        tables["events"],
        tables["summary"],
        failures,
        read_table(folder, "worlds") if has_worlds else pd.DataFrame(),
        read_table(folder, "probe_options") if has_options else pd.DataFrame(),
    )


def read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file natosim wrote, as the DataFrame ``pd.read_parquet`` gives (the same
    values and dtypes, checked with pandas 2 and 3), read by one thread: pyarrow's dataset
    reader waits for ever for worker threads that an address-space limit (``ulimit -v``) keeps
    from starting, and ignores SIGTERM while it waits; a file read this way either reads or
    says at once that a thread was refused. natosim's tables are small (one results folder)."""
    table = pq.ParquetFile(path, pre_buffer=False).read(use_threads=False, use_pandas_metadata=True)
    return table.to_pandas(use_threads=False)


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """Read one table of a results folder, whichever format it was written in."""
    folder = Path(folder)
    if (folder / f"{name}.parquet").exists():
        return read_parquet(folder / f"{name}.parquet")
    return pd.read_csv(folder / f"{name}.csv", keep_default_na=False, na_values=[""])


__all__ = [
    "Extra",
    "atomic_folder",
    "claimed_folder",
    "command_line",
    "default_folder",
    "git_commit",
    "manifest",
    "read_table",
    "with_units",
    "write_results",
    "write_run_tables",
    "write_table",
]

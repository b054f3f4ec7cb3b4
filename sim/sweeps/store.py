"""The sweep folder: a streaming, resumable store of finished runs.

Layout::

    DIR/sweep.json                 the spec, seeds, provenance and the resolved base scenario
    DIR/design.parquet             one row per point: point id and factor values
    DIR/parts/<table>/task-N.parquet   the tables of task N (model, allies, events, summary,
                                   failures, and worlds when the sweep samples them), written
                                   as each task finishes
    DIR/parts/done/task-N.json     written last: task N is complete

Every file is written to a temporary name and renamed, so a sweep killed at any moment (even by
SIGKILL) leaves only whole files; a task counts as finished only once its ``done`` marker exists,
and ``--resume`` runs exactly the tasks without one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..runs.folders import check_utf8

TABLES = ("model", "allies", "events", "summary", "failures", "worlds")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # Ctrl-C mid-write left the temporary file for ever (found by fuzzing)
        tmp.unlink(missing_ok=True)
        raise


class SweepStore:
    """Reads and writes one sweep folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        check_utf8(self.folder)  # pyarrow reads and writes its tables: it cannot encode others

    # -- set-up ------------------------------------------------------------------------------
    def create(self, meta: dict[str, Any], design: pd.DataFrame) -> None:
        """Start a new sweep folder; refuse one that holds anything."""
        if self.folder.exists() and any(self.folder.iterdir()):
            raise FileExistsError(f"{self.folder} exists and is not empty (use --resume)")
        self.folder.mkdir(parents=True, exist_ok=True)
        sink = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pandas(design, preserve_index=False), sink)
        _atomic_write(self.folder / "design.parquet", sink.getvalue().to_pybytes())
        _atomic_write(self.folder / "sweep.json", json.dumps(meta, indent=2, default=str).encode())

    def meta(self) -> dict[str, Any]:
        path = self.folder / "sweep.json"
        if not path.exists():
            raise FileNotFoundError(f"{self.folder} is not a sweep folder (no sweep.json)")
        return json.loads(path.read_text())

    def design(self) -> pd.DataFrame:
        """The design as ``pd.read_parquet`` gives it, read by this thread alone (see
        :func:`_read_part`)."""
        file = pq.ParquetFile(self.folder / "design.parquet", pre_buffer=False)
        return file.read(use_threads=False, use_pandas_metadata=True).to_pandas(use_threads=False)

    # -- streaming ---------------------------------------------------------------------------
    def done_tasks(self) -> set[int]:
        done = self.folder / "parts" / "done"
        if not done.is_dir():
            return set()
        return {int(p.stem.split("-")[1]) for p in done.glob("task-*.json")}

    def write_task(self, task_id: int, parts: dict[str, bytes], counts: dict[str, int]) -> None:
        """Write one finished task's tables, then its ``done`` marker."""
        name = f"task-{task_id:06d}"
        for table, data in parts.items():
            _atomic_write(self.folder / "parts" / table / f"{name}.parquet", data)
        _atomic_write(self.folder / "parts" / "done" / f"{name}.json", json.dumps(counts).encode())

    def counts(self) -> dict[str, int]:
        """Runs finished and failed over all completed tasks."""
        total = {"runs": 0, "failed": 0}
        for path in (self.folder / "parts" / "done").glob("task-*.json"):
            c = json.loads(path.read_text())
            total["runs"] += c.get("runs", 0)
            total["failed"] += c.get("failed", 0)
        return total

    # -- reading -----------------------------------------------------------------------------
    def schema(self, table: str) -> pa.Schema | None:
        """The columns and types of one table (from its first finished task's file), or None
        while no task has finished."""
        folder = self.folder / "parts" / table
        done = {f"task-{t:06d}.parquet" for t in self.done_tasks()}
        files = sorted(str(p) for p in folder.glob("task-*.parquet") if p.name in done)
        return _table_schema(files) if files else None

    def read(
        self, table: str, columns: list[str] | None = None, filter: Any = None
    ) -> pd.DataFrame:
        """One table over all completed tasks, in a canonical row order (run, year, iso3).

        Only the ``columns`` asked for are read, and a ``filter`` (a ``pyarrow.compute``
        expression, ``pc.field("year") == 2030``) is applied to each task's file as it is read,
        so a slice of a large sweep never loads the whole table. Read by one thread
        (:func:`_read_part`): the frame ``pyarrow.dataset`` gave, without its threads.
        """
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; expected one of {TABLES}")
        done = {f"task-{t:06d}.parquet" for t in self.done_tasks()}
        folder = self.folder / "parts" / table
        files = (
            sorted(str(p) for p in folder.glob("task-*.parquet") if Path(p).name in done)
            if folder.is_dir()
            else []
        )
        if not files:
            return pd.DataFrame()
        schema = _table_schema(files)  # the table's columns, as a dataset takes them
        unknown = [c for c in columns or () if c not in schema.names]
        if unknown:
            known = ", ".join(n for n in schema.names if n not in ("point", "rep", "run"))
            raise ValueError(f"no column {unknown[0]!r} in the {table} table (it has: {known})")
        wanted = list(schema.names) if columns is None else list(columns)
        parts = [_read_part(f, schema, wanted, filter) for f in files]
        if wanted:
            whole = pa.concat_tables(parts)
        else:  # no column, the rows alone (which concat_tables would lose)
            whole = pa.table({"_": pa.nulls(sum(p.num_rows for p in parts))}).drop_columns("_")
        df = whole.to_pandas(use_threads=False)
        keys = [k for k in ("run", "year", "iso3") if k in df.columns]
        if table == "events":
            keys = [k for k in ("run", "year") if k in df.columns]
            return df.sort_values(keys, kind="stable").reset_index(drop=True)
        return df.sort_values(keys).reset_index(drop=True) if keys else df


def _table_schema(files: list[str]) -> pa.Schema:
    """A table's columns and types: its first task's file's, except that a column all missing
    there (type null: a deadline after a run's end, a probe that never came) takes its type from
    the first later file where it has values; every file is then cast to this schema."""
    schema = pq.read_schema(files[0])
    untyped = {f.name for f in schema if pa.types.is_null(f.type)}
    for path in files[1:]:
        if not untyped:
            break
        other = pq.read_schema(path)
        for name in list(untyped):
            if name in other.names and not pa.types.is_null(other.field(name).type):
                i = schema.get_field_index(name)
                schema = schema.set(i, schema.field(name).with_type(other.field(name).type))
                untyped.discard(name)
    return schema


def _read_part(path: str, schema: pa.Schema, columns: list[str], filter: Any) -> pa.Table:
    """The ``columns`` of one task's file, cast to the table's ``schema`` (its first file's:
    a column another task lacks is nulls, as ``pyarrow.dataset`` reads it), and only the rows
    ``filter`` keeps; read and filtered by this thread alone.

    ``pyarrow.dataset`` (and ``pd.read_parquet``) start reader threads: under an address-space
    limit (``ulimit -v``) that keeps them from starting, a sweep's read waited for them for ever
    and ignored SIGTERM (``natosim sensitivity``, ``discover`` and ``report`` of a sweep hung at
    ``ulimit -v 497500`` to 525000 on 2 cores). Here no thread is started: ``use_threads=False``
    and no pre-buffering (which reads on pyarrow's I/O threads).
    The columns the filter names are read too (every column whose name its text shows; all of
    them if that was not enough) and dropped after it."""
    file = pq.ParquetFile(path, pre_buffer=False)  # pre-buffering reads on an I/O thread
    have = set(file.schema_arrow.names)
    need = list(columns)
    if filter is not None:
        text = str(filter)
        need += [n for n in schema.names if n in text and n not in need]
    try:
        part = _filtered(_conform(file, [n for n in need if n in have], schema, need), filter)
    except pa.ArrowInvalid:  # a field the filter names and its text hides
        if filter is None or need == list(schema.names):
            raise
        part = _filtered(_conform(file, sorted(have), schema, list(schema.names)), filter)
    part = part.select(columns)
    # (replace_schema_metadata drops the rows of a table of no column)
    return part.replace_schema_metadata(schema.metadata) if columns else part


def _conform(file: pq.ParquetFile, read: list[str], schema: pa.Schema, want: list[str]):
    """Columns ``want`` of ``file`` (reading ``read``, those it has) with ``schema``'s types."""
    got = file.read(columns=read, use_threads=False, use_pandas_metadata=False)
    out = got.select([])  # no column, the file's rows
    for name in want:
        field = schema.field(name)
        if name not in got.column_names:
            column = pa.nulls(got.num_rows, field.type)
        elif got.schema.field(name).type != field.type:
            column = got.column(name).cast(field.type)
        else:
            column = got.column(name)
        out = out.append_column(field, column)
    return out


def _filtered(table: pa.Table, filter: Any) -> pa.Table:
    """The rows of ``table`` that ``filter`` keeps, in order, evaluated by this thread
    (``Table.filter`` runs its plan on a thread pool)."""
    if filter is None:
        return table
    from pyarrow import acero  # noqa: PLC0415

    plan = acero.Declaration.from_sequence(
        [
            acero.Declaration("table_source", acero.TableSourceNodeOptions(table)),
            acero.Declaration("filter", acero.FilterNodeOptions(filter)),
        ]
    )
    return plan.to_table(use_threads=False)

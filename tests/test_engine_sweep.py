"""A sweep's tables built once per task (``sim.sweeps.execute._task_tables``) are, read back, the
tables of the reference: each run's columns made arrays, run by run, then concatenated (the
assembly before issue 25's round 2, kept here as ``_reference``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import sim
from sim.runs.runner import RunResult
from sim.runs.store import with_units
from sim.sweeps import execute
from sim.sweeps.execute import Run
from sim.sweeps.store import TABLES

from .conftest import ROOT

BASE = str(ROOT / "scenarios" / "baseline.toml")
TI = "united_states.threat_intensity"


def _reference(runs, scenarios, done):
    """The tables of a task as Parquet bytes, each run's columns made arrays then concatenated
    (the code before)."""
    tables = {t: {} for t in TABLES}

    def add(cols, part, run):
        n = len(next(iter(part.values()))) if part else 0
        for key in ("point", "rep", "run", "seed"):
            cols.setdefault(key, []).append(np.full(n, getattr(run, key), dtype=np.int64))
        for key, values in part.items():
            cols.setdefault(key, []).append(np.asarray(values))

    failed = 0
    for run in runs:
        sc = scenarios[run.point]
        world = dict(run.world)
        result = (
            RunResult(run.run, run.seed, error=sc, world=world)
            if isinstance(sc, str)
            else done[run.run]
        )
        if world:
            add(tables["worlds"], {k: [v] for k, v in (result.world or world).items()}, run)
        if result.error:
            failed += 1
            add(tables["failures"], {"error": [result.error]}, run)
            continue
        add(tables["model"], result.model, run)
        add(tables["allies"], result.allies, run)
        add(tables["events"], result.events, run)
        add(tables["summary"], {k: [v] for k, v in result.summary.items()}, run)
    parts = {}
    for name, cols in tables.items():
        if cols:
            table = with_units(pa.table({k: np.concatenate(v) for k, v in cols.items()}))
            text = [f.name for f in table.schema if pa.types.is_string(f.type)]
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, compression="zstd", use_dictionary=text or False)
            parts[name] = sink.getvalue().to_pybytes()
    return parts, {"runs": len(runs), "failed": failed}


def _bits(table: pa.Table) -> bytes:
    """A table's schema (metadata included) and values, bit for bit (NaN equal to NaN)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _assert_same(parts, want):
    got, counts = parts
    assert counts == want[1]
    assert list(got) == list(want[0])  # the same tables, in the same order
    for name, data in got.items():
        back, ref = (pq.read_table(pa.BufferReader(d)) for d in (data, want[0][name]))
        assert back.schema.equals(ref.schema, check_metadata=True), name
        assert _bits(back) == _bits(ref), name


def _run(i, point=None, world=()):
    return Run(i if point is None else point, 0, i, 1000 + i, ((TI, 0.5),), world)


def test_a_tasks_tables_built_once_are_the_reference_for_real_runs():
    """Real runs of several points, one of them refused (its parameters) and one failed (its
    model), in sampled worlds: every table read back is the reference's, bit for bit."""
    base = sim.load_scenario(BASE)
    seeds = sim.replication_seeds(3, 5)
    world = (("russia.probe_threshold", 0.4),)
    runs = [Run(i // 2, i % 2, i, s, ((TI, 0.2 * i),), world) for i, s in enumerate(seeds)]
    scenarios = {r.point: base.with_params(dict(r.params)) for r in runs}
    scenarios[1] = "ValueError: refused"  # runs 2 and 3
    done = {
        r.run: sim.run_one(scenarios[r.point], r.seed, r.run, dict(r.world))
        for r in runs
        if not isinstance(scenarios[r.point], str)
    }
    done[4] = RunResult(4, seeds[4], error="Traceback: failed", world=dict(world))
    _assert_same(execute._task_tables(runs, scenarios, done), _reference(runs, scenarios, done))


@pytest.mark.parametrize(
    "columns",
    [
        [{"a": [1, 2], "t": ["x", "y"]}, {"a": [3], "t": ["z"]}],  # one type each
        [{"a": [1, 2]}, {"a": [1.5]}],  # int in one run, float in another
        [{"a": [1]}, {"a": []}],  # a run without rows: np.asarray([]) is float64
        [{"a": [None, None]}, {"a": [1.5, 2.5]}],  # all None in one run
        [{"a": [True, 1]}, {"a": [0]}],  # bool and int
        [{"a": [True, False]}, {"a": [True]}],  # flags
        [{"a": [float("nan"), -0.0]}, {"a": [np.float64(2.0)]}],  # NaN, -0.0, a NumPy float
        [{"t": ["x\x00"]}, {"t": ["y"]}],  # a NUL NumPy drops at the end of a text
        [{"t": ["x\x00y", ""]}, {"t": ["é"]}],  # a NUL inside, an empty text, not ASCII
        [{"t": ["x", None]}, {"t": [None]}],  # text and None
        [{"a": np.array([1, 2])}, {"a": np.array([1.5])}],  # arrays of two dtypes
        [{"a": np.array(["x"], dtype=object)}, {"a": np.array(["y", "z"], dtype=object)}],
        [{"a": [1]}, {"a": np.array([2.5])}],  # a list in one run, an array in another
        [{"a": [1], "b": [2]}, {"b": [3], "a": [4]}],  # columns in another order
        [{"a": [1]}, {}],  # a run without columns
        [{}, {}],  # no run has rows: the table has its keys alone
    ],
)
def test_a_tasks_tables_built_once_are_the_reference_for_any_columns(columns):
    """Made-up runs whose columns mix types, hold None, NaN or NUL, differ in dtype from run to
    run, in their columns or their order, or have no rows: the model table read back is the
    reference's (or both refuse the columns)."""
    runs = [_run(i) for i in range(len(columns))]
    scenarios = {r.point: sim.load_scenario(BASE) for r in runs}
    done = {
        r.run: RunResult(r.run, r.seed, model=c, summary={"x": i})
        for i, (r, c) in enumerate(zip(runs, columns, strict=True))
    }
    try:
        want = _reference(runs, scenarios, done)
    except (pa.ArrowInvalid, TypeError, ValueError) as exc:  # the reference refuses it: so must
        with pytest.raises(type(exc)):  # the tables built once
            execute._task_tables(runs, scenarios, done)
        return
    _assert_same(execute._task_tables(runs, scenarios, done), want)


def test_a_sweeps_stored_tables_are_those_of_the_reference_assembly(tmp_path, monkeypatch):
    """End to end: every stored table of a sweep (every task's file, read back) and its
    ``done`` markers are those of the same sweep with the reference assembly."""

    def sweep(out):
        sim.sweep(
            BASE,
            {TI: (0.0, 1.0)},
            design="lhs",
            samples=9,
            reps=2,
            seed=4,
            out=out,
            workers=1,
            progress=False,
        )

    sweep(tmp_path / "new")

    monkeypatch.setattr(execute, "_task_tables", _reference)
    sweep(tmp_path / "ref")
    new, ref = tmp_path / "new" / "parts", tmp_path / "ref" / "parts"
    files = sorted(p.relative_to(ref) for p in ref.rglob("task-*"))
    assert files == sorted(p.relative_to(new) for p in new.rglob("task-*"))
    tasks = len(list((ref / "done").iterdir()))
    assert tasks > 1 and len(files) == 5 * tasks  # four tables and a marker a task
    for rel in files:
        if rel.suffix == ".json":
            assert (new / rel).read_text() == (ref / rel).read_text()
            continue
        a, b = pq.read_table(new / rel), pq.read_table(ref / rel)
        assert a.schema.equals(b.schema, check_metadata=True), rel
        assert _bits(a) == _bits(b), rel

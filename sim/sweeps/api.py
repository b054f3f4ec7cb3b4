"""Running sweeps: plan tasks from a design, run them over workers, stream them to the store;
resume; load the tables (the package's public functions live here; ``sim.sweeps`` imports them on
first use)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from .. import __version__
from ..runs.folders import check_utf8
from ..runs.pool import MAX_WORKERS
from ..runs.provenance import provenance
from ..runs.runner import check_worlds, replication_seeds
from ..runs.store import read_table
from ..scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict
from ..scenario.schema import is_whole_number
from .execute import Run, Workers, make_workers, refuse_in_worker_start_up, stream_tasks, warm_up
from .spec import Factor, SweepSpec, build_spec, check_design, check_factor, check_points
from .store import TABLES, SweepStore

log = logging.getLogger(__name__)

__all__ = [
    "SweepOutcome",
    "check_finished_parts",
    "check_layout",
    "check_resumable",
    "check_spec",
    "load_results",
    "resume",
    "run_sweep",
    "sweep",
]


@dataclass(frozen=True)
class SweepOutcome:
    """What a sweep (or a resumed one) did: its folder, runs finished and failed in total."""

    folder: Path
    runs: int
    failed: int
    total: int


def _plan(
    spec: SweepSpec,
    design: pd.DataFrame,
    task_size: int,
    plan: Mapping[str, Any] | None = None,
) -> dict[int, list[Run]]:
    """The runs of every task. With a world ``plan`` (:func:`sim.runs.worlds.world_plan`, kept in
    ``sweep.json``) replication r draws its world from its seed, the same at every point."""
    seeds = replication_seeds(spec.seed, spec.reps)
    keys = [f.key for f in spec.factors]
    worlds: list[tuple[tuple[str, Any], ...]] = [()] * len(seeds)
    if plan is not None:
        from ..runs.worlds import world_from_plan  # noqa: PLC0415

        worlds = [tuple(world_from_plan(plan, s).items()) for s in seeds]
    runs = []
    for row in design.itertuples(index=False):
        values = dict(zip(["point", *keys], row, strict=True))
        params = tuple((k, _plain(values[k])) for k in keys)
        for rep, seed in enumerate(seeds):
            point = int(values["point"])
            runs.append(Run(point, rep, point * spec.reps + rep, seed, params, worlds[rep]))
    return {i // task_size: runs[i : i + task_size] for i in range(0, len(runs), task_size)}


def _plain(v: Any) -> Any:
    """numpy scalars to Python ones (the schema checks Python types)."""
    return v.item() if hasattr(v, "item") else v


def check_resumable(folder: Path) -> None:
    """Refuse, with one message, a folder that ``--resume`` cannot finish: no ``sweep.json``, or
    one that is not valid JSON, lacks what a resume needs, or names an invalid base scenario; or
    an unreadable design."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    check_utf8(folder)
    where = str(folder / "sweep.json")
    try:
        text = (folder / "sweep.json").read_text()
    except FileNotFoundError:
        raise ScenarioError("--resume", str(folder), "a sweep folder (with sweep.json)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(where, "(file)", f"a readable sweep.json ({exc})") from None
    try:
        meta = json.loads(text)
        spec = SweepSpec.from_dict(meta["spec"])
        task_size = meta["task_size"]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ScenarioError(
            where, "(content)", f"a sweep.json written by natosim sweep ({type(exc).__name__})"
        ) from None
    base = check_base(where, meta)
    check_spec(where, spec, task_size)
    try:
        design = SweepStore(folder).design()
    except Exception as exc:  # pyarrow raises several kinds
        raise ScenarioError(
            str(folder / "design.parquet"), "(file)", f"the sweep's readable design ({exc})"
        ) from None
    if "point" not in design.columns or not {f.key for f in spec.factors} <= set(design.columns):
        raise ScenarioError(str(folder / "design.parquet"), "(columns)", "the sweep's factors")
    check_finished_parts(folder)
    check_layout(folder, meta, spec, design)
    del base


def check_base(where: str, meta: Any) -> Scenario:
    """The base scenario recorded in ``sweep.json`` (``meta["base"]``), checked as a scenario
    file is; one message naming what is wrong in it (``--resume`` runs it; ``sensitivity`` and
    ``discover`` refuse a folder whose record of what was run is damaged, as ``--resume``
    does)."""
    try:
        return scenario_from_dict(meta["base"])
    except ScenarioError as exc:
        raise ScenarioError(where, f"base: {exc.key}", exc.expected, exc.got) from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ScenarioError(
            where, "base", f"the base scenario natosim sweep recorded ({type(exc).__name__})"
        ) from None


def check_spec(where: str, spec: SweepSpec, task_size: Any) -> None:
    """The spec and task size in ``sweep.json`` as ``natosim sweep`` checks them when it starts
    (found by fuzzing: a hand-edited ``task_size`` of 0, a negative seed or no factors ended in
    a traceback on ``--resume``, or a report with nothing in it)."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    if not isinstance(task_size, int) or isinstance(task_size, bool) or task_size < 1:
        raise ScenarioError(where, "task_size", "a whole number of runs, 1 or more", task_size)
    # no factors is a sweep of one point (a grid or list with no --param): build_spec, above,
    # refuses it only for the sampling designs, as natosim sweep does
    for key in ("samples", "reps", "seed"):
        value = getattr(spec, key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ScenarioError(where, f"spec.{key}", "a whole number", value)
    for f in spec.factors:  # found by fuzzing: a low of "0" (text) passed sensitivity
        try:
            check_factor(f)
        except ScenarioError as exc:
            raise ScenarioError(where, f"spec.factors ({exc.key})", exc.expected, exc.got) from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise ScenarioError(
                where, f"spec.factors ({f.key})", f"a factor as natosim writes it ({exc})"
            ) from None
    if not isinstance(spec.base, str):  # found by fuzzing: spec.base = 3 was accepted
        raise ScenarioError(where, "spec.base", "the base scenario's file or name", spec.base)
    if not all(isinstance(p, dict) for p in spec.points) or (
        spec.points and spec.design != "list"
    ):  # found by fuzzing: points = "abc" was read as three points
        raise ScenarioError(
            where, "spec.points", "a list of points (tables) for the list design, else []"
        )
    try:
        build_spec(
            spec.base,
            list(spec.factors),
            spec.design,
            spec.samples,
            spec.reps,
            spec.seed,
            spec.points,
            spec.worlds,
        )
    except ScenarioError as exc:
        what = exc.file.lstrip("-")  # the flag build_spec names: design, param, sweep
        raise ScenarioError(where, f"spec ({what})", exc.expected, exc.key) from None


_TASK = re.compile(r"task-(\d{6,})")


def check_finished_parts(folder: Path) -> None:
    """Refuse, naming the file, a sweep folder whose finished tasks cannot be read back: a
    ``done`` marker that is not ``{"runs": N, "failed": M}`` or not named ``task-N.json``, or a
    table of a finished task that is not a readable Parquet file (its footer is read: a few
    microseconds a file). Found by fuzzing: a truncated summary part ended ``natosim
    sensitivity`` in a pyarrow traceback, a damaged marker ``--resume`` in a JSON one."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    from ..scenario import ScenarioError  # noqa: PLC0415

    done = folder / "parts" / "done"
    markers = sorted(done.glob("task-*.json")) if done.is_dir() else []
    rerun = "delete it, and natosim sweep --resume runs that task again"
    names = []
    for path in markers:
        if not _TASK.fullmatch(path.stem):
            raise ScenarioError(str(path), "(name)", f"a done marker task-NNNNNN.json ({rerun})")
        try:
            counts = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            why = getattr(exc, "strerror", None) or type(exc).__name__
            raise ScenarioError(
                str(path), "(file)", f"a readable done marker ({why}; {rerun})"
            ) from None
        ok = isinstance(counts, dict) and all(
            isinstance(counts.get(k), int)
            and not isinstance(counts.get(k), bool)
            and counts[k] >= 0
            for k in ("runs", "failed")
        )
        if not ok:
            raise ScenarioError(
                str(path),
                "(content)",
                f'{{"runs": N, "failed": M}}, as natosim sweep writes it ({rerun})',
            )
        names.append(path.stem)
    for table in TABLES:
        for name in names:
            part = folder / "parts" / table / f"{name}.parquet"
            if not part.exists() and not part.is_symlink():
                continue  # a task writes only the tables it has (no failures, no worlds)
            try:
                if not part.is_file():
                    raise OSError("not a file")
                pq.read_schema(part)
            except Exception as exc:  # pyarrow raises several kinds
                reason = str(exc).split(".")[0][:120]
                raise ScenarioError(
                    str(part),
                    "(file)",
                    f"a readable table of a finished task ({reason}; "
                    f"delete {done / (name + '.json')}, and natosim sweep --resume runs it again)",
                ) from None


def check_layout(
    folder: Path, meta: Mapping[str, Any], spec: SweepSpec, design: pd.DataFrame
) -> None:
    """Refuse a ``sweep.json`` whose counts, seeds or worlds disagree with its spec, its design
    and its done markers as natosim sweep wrote them. Found by fuzzing: a hand-edited
    ``points``, ``runs``, ``spec.samples`` or ``spec.worlds = "yes"`` was accepted by
    ``sensitivity`` and ``discover``; ``spec.design = "sobol"`` ended ``sensitivity`` in a
    SALib traceback; a ``spec.reps``, ``spec.seed`` or ``task_size`` edit made ``--resume`` run
    the missing tasks with other seeds or split into other tasks; a ``worlds`` entry in a sweep
    at point values ended ``--resume`` in a KeyError."""
    from ..scenario import ScenarioError  # noqa: PLC0415
    from .spec import count_points, param_for  # noqa: PLC0415

    where = str(folder / "sweep.json")
    n = len(design)
    made = count_points(spec)
    if made != n:
        raise ScenarioError(
            where,
            "spec",
            f"the spec of design.parquet's {n} points (this {spec.design} design of "
            f"{len(spec.factors)} factor(s) and {spec.samples} samples makes {made})",
        )
    for key, value in (("points", n), ("runs", n * spec.reps)):
        got = meta.get(key, "missing")
        got = "null" if got is None else got
        if not isinstance(got, int) or isinstance(got, bool) or got != value:
            what = "design.parquet's points" if key == "points" else "points x spec.reps"
            raise ScenarioError(where, key, f"{value} ({what})", got)
    written = meta.get("replication_seeds")
    # the count first: a hand-edited spec.reps of 10**7 would spawn that many seeds to compare
    same_count = isinstance(written, list) and len(written) == spec.reps
    seeds = replication_seeds(spec.seed, spec.reps) if same_count else []
    if not same_count or written != seeds:
        raise ScenarioError(
            where,
            "replication_seeds",
            f"the {spec.reps} seed(s) that spec.seed = {spec.seed} gives, as natosim sweep wrote "
            "them (spec.seed, spec.reps or the seeds were edited: finished runs used these)",
        )
    if spec.design in ("grid", "list"):  # no random draw: the design is rebuilt exactly
        from .designs import build_design  # noqa: PLC0415

        again = build_design(spec)
        try:
            same = list(again.columns) == list(design.columns) and again.equals(
                design.reset_index(drop=True).astype(again.dtypes)
            )
        except (TypeError, ValueError):  # a column of another type
            same = False
        if not same:
            raise ScenarioError(
                where,
                "spec",
                f"the spec design.parquet was built from (this {spec.design} design makes "
                "other points)",
            )
    elif not spec.points:  # a list of points sets the design itself
        for f in spec.factors:
            col = design[f.key]
            if f.is_range:
                lo, hi = float(f.low or 0.0), float(f.high or 0.0)
                if param_for(f.key).kind == "int":
                    lo, hi = round(lo), round(hi)
                ok = col.astype(float).between(lo - 1e-9, hi + 1e-9).all()
            else:
                ok = col.isin(list(f.values)).all()
            if not ok:
                raise ScenarioError(
                    where,
                    f"spec.factors ({f.key})",
                    "the range or values design.parquet was drawn from (it holds others)",
                )
    raw = meta["spec"].get("worlds", False)  # sweeps written before worlds: point values
    if not isinstance(raw, bool):
        raise ScenarioError(where, "spec.worlds", "true or false", raw)
    plan = meta.get("worlds")
    if not raw and plan is not None:
        raise ScenarioError(where, "worlds", "no worlds plan in a sweep at point values")
    if raw:
        from ..runs.worlds import world_from_plan  # noqa: PLC0415

        try:
            world_from_plan(plan, seeds[0])  # type: ignore[arg-type]
        except Exception as exc:  # any shape: KeyError, TypeError, ValueError...
            raise ScenarioError(
                where,
                "worlds",
                f"the plan of the sweep's worlds, as natosim sweep --worlds writes it "
                f"({type(exc).__name__})",
            ) from None
    task_size = meta["task_size"]
    total = n * spec.reps
    tasks = -(-total // task_size)
    done = folder / "parts" / "done"
    for path in sorted(done.glob("task-*.json")) if done.is_dir() else []:
        task = int(path.stem.split("-")[1])
        size = min(task_size, total - task * task_size)
        counts = json.loads(path.read_text(encoding="utf-8"))
        if task >= tasks or counts["runs"] != size or counts["failed"] > size:
            raise ScenarioError(
                str(path),
                "(content)",
                f"a done marker of one of this sweep's {tasks} task(s) of {task_size} run(s) "
                "(task_size in sweep.json or this marker was edited: restore task_size, or "
                "delete the marker and natosim sweep --resume runs that task again)",
            )


def check_workers(workers: Any, where: str = "sweep") -> int | None:
    """``workers`` as given to :func:`sweep` or :func:`resume`: None (all cores) or a whole number
    from 1 to the command line's limit. Found by fuzzing the Python API: ``workers=10**6``
    started spawning a million processes, ``1.5`` raised a TypeError and ``-1`` ran in-process."""
    if workers is None:
        return None
    if not is_whole_number(workers) or not 1 <= int(workers) <= MAX_WORKERS:
        expected = f"None (all cores) or a whole number from 1 to {MAX_WORKERS}"
        raise ScenarioError(where, "workers", expected, workers)
    return int(workers)


def run_sweep(
    folder: Path, workers: int | None = None, scheduler: str | None = None, progress: bool = True
) -> SweepOutcome:
    """Run every task of the sweep in ``folder`` that has no ``done`` marker yet."""
    workers = check_workers(workers, "resume")
    check_utf8(Path(folder))
    with make_workers(workers, scheduler) as pool:
        return _run_tasks(Path(folder), pool, progress)


def _run_tasks(folder: Path, workers: Workers, progress: bool) -> SweepOutcome:
    store = SweepStore(folder)
    meta = store.meta()
    spec = SweepSpec.from_dict(meta["spec"])
    base = scenario_from_dict(meta["base"])
    tasks = _plan(spec, store.design(), meta["task_size"], meta.get("worlds"))
    done = store.done_tasks()
    todo = {k: v for k, v in tasks.items() if k not in done}
    total = sum(len(v) for v in tasks.values())
    before = store.counts()
    bar = tqdm(
        total=total,
        initial=before["runs"],
        unit="run",
        disable=not progress,
        desc=folder.name,
        dynamic_ncols=True,
    )
    failed = before["failed"]
    bar.set_postfix(failed=failed)
    for task_id, parts, counts in stream_tasks(base, todo, workers):
        store.write_task(task_id, parts, counts)
        failed += counts["failed"]
        bar.update(counts["runs"])
        bar.set_postfix(failed=failed)
    bar.close()
    after = store.counts()
    return SweepOutcome(folder, after["runs"], after["failed"], total)


def _number_or_flag(v: Any) -> bool:
    """A finite real number (a flag's False or True too: a range (False, True) is 0:1)."""
    try:
        return isinstance(v, numbers.Real) and math.isfinite(float(v))
    except OverflowError:  # 10**400
        return False


def _factor(key: Any, val: Any) -> Factor:
    """One of :func:`sweep`'s factors: ``(lo, hi)`` or a list of values. Found by fuzzing: a
    range (0, 10**400) raised OverflowError, ("a", 1) and (None, 1) float()'s own errors, a
    value 0.5 "'float' object is not iterable", and "0.5" was read character by character."""
    expected = "a range (lo, hi) of numbers or a list of values"
    if isinstance(val, tuple) and len(val) == 2:
        if not all(_number_or_flag(v) for v in val):
            raise ScenarioError("sweep", f"factors[{key!r}]", expected, val)
        return check_factor(Factor(key, float(val[0]), float(val[1])))
    if isinstance(val, (str, bytes, Mapping)) or not isinstance(val, Iterable):
        raise ScenarioError("sweep", f"factors[{key!r}]", expected, val)
    return check_factor(Factor(key, values=tuple(val)))


def sweep(
    base: str | Path | Scenario,
    factors: Mapping[str, Any],
    *,
    design: str = "lhs",
    samples: int = 16,
    reps: int = 1,
    seed: int = 0,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    command: str = "sim.sweep(...)",
    points: tuple[dict[str, Any], ...] = (),
    worlds: bool = False,
) -> SweepOutcome:
    """Run a sweep of ``base`` and write it to ``out``; return its :class:`SweepOutcome`.

    Args:
        base: A scenario file or a :class:`~sim.Scenario`.
        factors: ``{"section.name": (lo, hi)}`` for ranges or ``{"section.name": [v1, v2]}``
            for values.
        design: ``grid``, ``list``, ``lhs``, ``sobol`` or ``morris``.
        samples: Levels per range factor (grid), points (lhs), base samples N (sobol: N x (D + 2)
            points; morris: N trajectories, N x (D + 1) points).
        reps: Replications per point; replication r of every point shares seed r (common random
            numbers), spawned from ``seed`` with ``SeedSequence``.
        out: The sweep folder (must not exist or be empty).
        workers: Local workers, this process included (None: all cores; 1: this process only).
        scheduler: A Dask scheduler address (``tcp://host:port``) instead of local processes.
        worlds: Each replication draws its world (every sampled assumption and the fitted
            parameters, :mod:`sim.runs.worlds`) from its seed, the same world at every point; the
            factors are set by the points. The ``worlds`` table holds one row per run and one
            column per sampled parameter. Default: point values, no ``worlds`` table.
    """
    refuse_in_worker_start_up()
    workers = check_workers(workers)
    check_worlds(worlds, "sweep")
    if not isinstance(out, (str, PathLike)) or not str(out):  # Path(None): a bare TypeError
        raise ScenarioError("sweep", "out", "a folder's path", out)
    check_utf8(Path(out), "out")
    if not isinstance(factors, Mapping):  # found by fuzzing: an AttributeError
        raise ScenarioError(
            "sweep",
            "factors",
            'a mapping {"section.name": (lo, hi) or [values]}',
            type(factors).__name__,
        )
    scenario = base if isinstance(base, Scenario) else load_scenario(base)
    fs = []
    for key, val in factors.items():
        fs.append(_factor(key, val))
    points = check_points("sweep", points)
    spec = build_spec(
        scenario.source or scenario.name, fs, design, samples, reps, seed, points, worlds
    )
    return start(spec, scenario, Path(out), workers, scheduler, progress, command)


def start(
    spec: SweepSpec,
    scenario: Scenario,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    progress: bool,
    command: str,
) -> SweepOutcome:
    """Create the sweep folder for ``spec`` and run it."""
    from .designs import build_design  # noqa: PLC0415 (SALib and SciPy load only when designing)

    check_design(spec, scenario)
    with make_workers(workers, scheduler) as pool:
        warm_up(pool)  # worker processes start (import) while the design is built
        design = build_design(spec)
        n_runs = len(design) * spec.reps
        parallel = pool.width
        task_size = max(1, min(50, n_runs // (8 * parallel) or 1))
        meta = {
            "natosim_version": __version__,
            **provenance(),
            "command": command,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "spec": spec.to_dict(),
            "points": len(design),
            "runs": n_runs,
            "task_size": task_size,
            "replication_seeds": replication_seeds(spec.seed, spec.reps),
            "seeds_note": "replication r of every point uses replication_seeds[r]",
            "base": scenario.to_dict(),
        }
        if spec.worlds:
            from ..runs.worlds import world_plan  # noqa: PLC0415

            meta["worlds"] = world_plan(scenario, {f.key for f in spec.factors})
        SweepStore(out).create(meta, design)
        return _run_tasks(out, pool, progress)


def resume(
    folder: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> SweepOutcome:
    """Finish an interrupted sweep without repeating or losing a finished run."""
    return run_sweep(Path(folder), workers, scheduler, progress)


def load_results(
    folder: str | Path,
    tables: tuple[str, ...] = TABLES,
    columns: list[str] | None = None,
    filter: Any = None,
    factors: bool = False,
) -> dict[str, pd.DataFrame]:
    """The tables of a sweep folder (or of a ``natosim run`` folder) as pandas frames.

    A sweep folder gives ``design`` and, for every finished run, ``model``, ``allies``,
    ``events``, ``summary``, ``failures`` and (a sweep in sampled worlds) ``worlds``, each with
    ``point``, ``rep``, ``run`` and ``seed`` columns. ``columns`` and ``filter`` (a
    ``pyarrow.compute`` expression) are applied while reading (a column a table lacks is left
    out of that table); ``factors=True`` joins the design's factor values on ``point``. Missing
    values are nulls throughout (NaN in numbers, None in text; an empty ``probe_target`` reads
    as None). Units are in each Parquet file's schema metadata (``natosim.units``) and in
    ``sim.model.outputs``.
    """
    from ..runs.provenance import warn_if_different  # noqa: PLC0415

    for name, names in (("tables", tables), ("columns", columns)):
        if isinstance(names, str):  # found by fuzzing: "summary" was read letter by letter
            raise ValueError(f"{name}: expected a tuple or list of names, got {names!r}")
    folder = Path(folder)
    check_utf8(folder)
    if (folder / "sweep.json").exists():
        store = SweepStore(folder)
        meta = store.meta()
        warn_if_different(meta, folder)
        design = store.design()
        out = {}
        sampled = bool(meta.get("worlds"))
        for t in tables:
            if t == "worlds" and not sampled:
                continue  # point values: no worlds table (as a run folder)
            cols = None
            if columns is not None:
                have = _columns_of(store, t)
                keep = ["point", "rep", "run", "seed", *columns]
                cols = [c for c in dict.fromkeys(keep) if c in have]
            df = _nulls(store.read(t, cols, filter))
            if factors and "point" in df.columns:
                df = df.merge(design, on="point", how="left")
            out[t] = df
        out["design"] = design
        return out
    if not any((folder / f"model.{ext}").is_file() for ext in ("parquet", "csv")):
        # found by fuzzing: a folder that is not there said "No such file: 'nofolder/model.csv'"
        raise FileNotFoundError(
            f"{folder}: expected a sweep folder (with sweep.json) or a results folder of "
            "natosim run (with a model table)"
        )
    out = {t: _nulls(read_table(folder, t)) for t in ("model", "allies", "events", "summary")}
    if any((folder / f"worlds.{ext}").exists() for ext in ("parquet", "csv")):
        out["worlds"] = read_table(folder, "worlds")  # a run in sampled worlds
    return out


def _columns_of(store: SweepStore, table: str) -> set[str]:
    import pyarrow.parquet as pq  # noqa: PLC0415

    folder = store.folder / "parts" / table
    first = next(iter(sorted(folder.glob("task-*.parquet"))), None) if folder.is_dir() else None
    return set(pq.read_schema(first).names) if first is not None else set()


def _nulls(df: pd.DataFrame) -> pd.DataFrame:
    """One missing-value convention: empty strings in text columns become None."""
    for col in df.columns:
        # object columns (pandas 2) and the str dtype (pandas 3)
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col].dtype):
            df[col] = df[col].where(df[col] != "", None)
    return df

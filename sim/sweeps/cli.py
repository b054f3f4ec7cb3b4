"""The ``natosim sweep``, ``sensitivity`` and ``discover`` commands (thin shells)."""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from ..cli import args as cli_args
from ..runs.folders import (
    check_utf8,
    check_writable,
    claimed_folder,
    command_line,
    default_folder,
    read_json_object,
    write_text_atomic,
)
from ..scenario import ScenarioError, load_scenario
from ..scenario.paths import resolve_scenario_path, resolve_sweep_path
from .said import library_warnings
from .spec import (
    DEFAULT_OUTPUTS,
    DESIGNS,
    all_factors,
    build_spec,
    check_design,
    load_sweep_file,
    parse_factor,
    unknown_prefix,
)


def _is_sweep_file(path: Path) -> bool:
    """A sweep file has ``base``; a scenario file does not (either is read by its own loader,
    which gives the message if it is not a readable regular file)."""
    try:
        if not path.is_file() or path.stat().st_size > 1_000_000:
            return False
        return "base" in tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False


def check_scheduler(address: str | None) -> None:
    """``tcp://host:port`` (or tls://, ws://, wss://, inproc://), refused before anything runs
    if malformed; whether it answers is checked when connecting."""
    if address is None:
        return
    if not re.fullmatch(r"(tcp|tls|ws|wss|inproc)://[^\s:/]+:\d{1,5}/?", address) or not (
        0 < int(address.rstrip("/").rsplit(":", 1)[1]) < 65536
    ):
        raise ScenarioError(
            "--scheduler", address, "a Dask scheduler address such as tcp://127.0.0.1:8786"
        )
    from ..extras import check  # noqa: PLC0415

    check("dask", "natosim sweep --scheduler", "distributed")


def _guarded(folder: Path, job) -> int:
    """Run a sweep job; an interruption or a lost cluster ends with a resume hint (the runs
    finished so far are kept), not a traceback."""
    from .execute import SchedulerError  # noqa: PLC0415 (pyarrow, Mesa: only when sweeping)

    hint = f"natosim sweep --resume {folder}"
    try:
        with library_warnings():
            outcome = job()
        return _report(outcome, folder)
    except KeyboardInterrupt:
        if (folder / "sweep.json").exists():
            print(f"natosim: interrupted; finished runs are kept: {hint}", file=sys.stderr)
        else:
            print(
                "natosim: interrupted before the sweep started; nothing was written",
                file=sys.stderr,
            )
        return 130
    except SchedulerError as exc:
        resumable = (folder / "sweep.json").exists()
        print(
            f"natosim: error: --scheduler: {exc}"
            + (f"; finished runs are kept: {hint}" if resumable else "; nothing was written"),
            file=sys.stderr,
        )
        return 1 if resumable else 2


def _report(outcome, folder: Path) -> int:
    print(f"{outcome.runs} of {outcome.total} runs finished, {outcome.failed} failed")
    if outcome.failed:
        print(
            f"failures are in {folder}/parts/failures (sim.load_results(...)['failures'])",
            file=sys.stderr,
        )
    print(f"results: {folder}")
    return 1 if outcome.failed else 0


def _resume_alone(args: argparse.Namespace) -> None:
    """``--resume DIR`` finishes the sweep DIR holds, with its own spec: a scenario or sweep
    file, a factor or a design option beside it would be ignored, so it is refused instead."""
    given = [
        flag
        for flag, value in (
            (args.target, args.target),
            ("--param", args.param),
            ("--all-factors", args.all_factors is not None),
            ("--exclude", args.exclude),
            ("--out", args.out is not None),
            ("--worlds", args.worlds),
            *((f"--{k}", getattr(args, f"{k}_set")) for k in ("design", "samples", "reps", "seed")),
        )
        if value
    ]
    if given:
        raise ScenarioError(
            "--resume",
            args.resume,
            f"no {given[0]} beside it (a sweep is resumed with the spec in its folder: "
            f"natosim sweep --resume {args.resume})",
        )


def cmd_sweep(args: argparse.Namespace) -> int:
    from .api import check_resumable, resume, start  # noqa: PLC0415

    check_scheduler(args.scheduler)
    if args.resume:
        _resume_alone(args)
        folder = Path(args.resume)
        check_resumable(folder)
        with claimed_folder(folder, "--resume", existing=True):
            return _guarded(
                folder, lambda: resume(folder, args.workers, args.scheduler, not args.quiet)
            )
    if not args.target:
        raise ScenarioError("sweep", "(arguments)", "a base scenario or sweep file, or --resume")
    path = resolve_sweep_path(args.target)
    if not _is_sweep_file(path):
        path = resolve_scenario_path(args.target)
    if path.exists() and _is_sweep_file(path):
        if args.param:
            raise ScenarioError(
                str(path), "--param", "factors in the sweep file or on the command line, not both"
            )
        spec, scenario = load_sweep_file(path)
        given = {
            k: getattr(args, k)
            for k in ("design", "samples", "reps", "seed")
            if getattr(args, f"{k}_set")
        }
        spec = build_spec(
            spec.base,
            list(spec.factors),
            given.get("design", spec.design),
            given.get("samples", spec.samples),
            given.get("reps", spec.reps),
            given.get("seed", spec.seed),
            spec.points,
            spec.worlds or args.worlds,
        )
    else:
        scenario = load_scenario(path)
        factors = [parse_factor(p) for p in args.param]
        if args.exclude and args.all_factors is None:
            raise ScenarioError("--exclude", args.exclude[0], "--all-factors beside it")
        bad = unknown_prefix(args.exclude)
        if bad is not None:
            raise ScenarioError(
                "--exclude", repr(bad), "the start of a parameter's key (natosim params lists them)"
            )
        if args.all_factors is not None:
            taken = {f.key for f in factors}
            factors += [
                f
                for f in all_factors(args.all_factors, tuple(args.exclude), scenario)
                if f.key not in taken
            ]
        spec = build_spec(
            str(path.resolve()),
            factors,
            args.design,
            args.samples,
            args.reps,
            args.seed,
            worlds=args.worlds,
        )
    check_design(spec, scenario)
    folder = Path(args.out) if args.out else default_folder(Path("results"), "sweep")
    with claimed_folder(folder, unique=not args.out) as claimed:
        return _guarded(
            claimed,
            lambda: start(
                spec,
                scenario,
                claimed,
                args.workers,
                args.scheduler,
                not args.quiet,
                command_line(args.argv),
            ),
        )


def _sweep_folder(folder: Path, flag: str) -> None:
    """Refuse, before any work, a folder that is not a readable sweep folder or in which no
    file can be written (``sensitivity`` and ``discover`` write their tables into it)."""
    from .api import check_base, check_finished_parts, check_layout, check_spec  # noqa: PLC0415
    from .spec import SweepSpec  # noqa: PLC0415
    from .store import SweepStore  # noqa: PLC0415

    check_utf8(folder)
    if not (folder / "sweep.json").exists():
        raise ScenarioError(str(folder), "(folder)", "a sweep folder (with sweep.json)")
    meta = read_json_object(folder / "sweep.json", {"spec": dict})
    try:
        SweepSpec.from_dict(meta["spec"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        where = str(folder / "sweep.json")
        raise ScenarioError(where, "spec", f"a sweep's spec ({type(exc).__name__})") from None
    try:
        design = SweepStore(folder).design()
    except Exception as exc:  # pyarrow raises several kinds
        raise ScenarioError(
            str(folder / "design.parquet"), "(file)", f"the sweep's readable design ({exc})"
        ) from None
    if "point" not in design.columns:
        raise ScenarioError(str(folder / "design.parquet"), "(columns)", "a point column")
    spec = SweepSpec.from_dict(meta["spec"])
    check_spec(str(folder / "sweep.json"), spec, meta.get("task_size"))
    if "base" in meta:  # the analyses read the runs' tables, not the base: only a damaged one
        check_base(str(folder / "sweep.json"), meta)
    missing = [f.key for f in spec.factors if f.key not in design.columns]
    if missing:  # found by fuzzing: discover ended in a KeyError traceback
        raise ScenarioError(
            str(folder / "design.parquet"), "(columns)", f"the sweep's factors (no {missing[0]})"
        )
    check_finished_parts(folder)
    check_layout(folder, meta, spec, design)
    check_writable(folder, flag)


def check_outputs(folder: Path, outputs: tuple[str, ...]) -> None:
    """Each output a numeric column: ``col`` of the summary table, ``col@YEAR`` of the model
    table at a year of the run (``p:CONDITION`` is evaluated, and checked, later). A text
    column (``verdict``) is refused with the way to ask for it: ``p:verdict == '...'``."""
    import pyarrow.types as pat  # noqa: PLC0415

    from .store import SweepStore  # noqa: PLC0415

    twice = [o for i, o in enumerate(outputs) if o in outputs[:i]]
    if twice:  # found by fuzzing: pyarrow's 'Field "eu_core_pct_end" exists 2 times in schema'
        raise ScenarioError("--outputs", twice[0], "each output once (this one is given twice)")
    store = SweepStore(folder)
    schemas = {t: store.schema(t) for t in ("summary", "model")}
    for out in outputs:
        if out.startswith("p:"):
            continue
        table, col = ("model", out.split("@")[0]) if "@" in out else ("summary", out)
        if "@" in out and not re.fullmatch(r"\d{4}", out.split("@", 1)[1]):
            raise ScenarioError("--outputs", out, "col@YEAR with a four-digit year")
        schema = schemas[table]
        if schema is None:
            raise ScenarioError(
                str(folder),
                "(folder)",
                f"a sweep with a finished run's {table} table (natosim sweep --resume)",
            )
        if col not in schema.names:
            known = [n for n in schema.names if n not in ("point", "rep", "run", "seed")]
            raise ScenarioError(
                "--outputs", out, f"a column of the {table} table ({', '.join(known)})"
            )
        kind = schema.field(col).type
        if not (pat.is_integer(kind) or pat.is_floating(kind) or pat.is_boolean(kind)):
            hint = f"; for a share of runs say p:{col} == '...'" if pat.is_string(kind) else ""
            raise ScenarioError("--outputs", out, f"a numeric column ({col} is {kind}){hint}")


FEW_SAMPLES = 16  # base samples (Sobol) or trajectories (Morris) below which indices are noise


def _sweep_spec(folder: Path) -> Any:
    """The sweep's design, or None if its record cannot be read (the analysis said why)."""
    from .spec import SweepSpec  # noqa: PLC0415
    from .store import SweepStore  # noqa: PLC0415

    try:
        return SweepSpec.from_dict(SweepStore(folder).meta()["spec"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .analysis import (  # noqa: PLC0415
        VERDICT_OUTPUTS,
        OutcomeError,
        format_sensitivity,
        sensitivity,
    )

    folder = Path(args.folder)
    _sweep_folder(folder, "sensitivity")
    outputs = tuple(args.outputs or (*DEFAULT_OUTPUTS, *VERDICT_OUTPUTS))
    check_outputs(folder, outputs)
    spec = _sweep_spec(folder)
    if args.method != "auto" and spec is not None and spec.design != "lhs":
        # a Sobol or Morris design has its own indices: the flag would be ignored
        raise ScenarioError(
            "--method", args.method, f"a Latin hypercube sweep (this one is {spec.design})"
        )
    try:
        with library_warnings():
            df = sensitivity(folder, outputs, args.seed, args.method)
    except OutcomeError as exc:  # a p:CONDITION: the flag, not the sweep (found by fuzzing)
        raise ScenarioError(
            "--outputs",
            exc.output,
            "p: and a condition on the summary table, true or false for each run, such as "
            f"p:verdict == 'deterrence_failed' ({exc.reason})",
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ScenarioError(str(folder), "sensitivity", f"a sweep it can analyse ({exc})") from None
    text = format_sensitivity(df)
    print(text)
    spec = _sweep_spec(folder)
    if spec is not None and spec.design in ("sobol", "morris") and spec.samples < FEW_SAMPLES:
        # found by fuzzing: Sobol from one base sample printed S1 1.333 and ST 2.000 unremarked
        # (a Morris sweep's note spoke of Sobol's indices)
        sobol = " (Sobol's can fall outside [0, 1])" if spec.design == "sobol" else ""
        print(
            f"natosim: note: {spec.samples} base sample(s) are too few for {spec.design} "
            f"indices to mean much{sobol}; sweep --samples {FEW_SAMPLES} or more",
            file=sys.stderr,
        )
    write_text_atomic(folder / "sensitivity.csv", df.to_csv(index=False))
    write_text_atomic(folder / "sensitivity.txt", text + "\n")
    print(f"written: {folder / 'sensitivity.csv'}")
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from ..extras import check  # noqa: PLC0415
    from .analysis import OutcomeError, discover, format_boxes  # noqa: PLC0415

    check("ema", "natosim discover", "sklearn")

    folder = Path(args.folder)
    _sweep_folder(folder, "discover")
    try:
        with library_warnings():
            boxes, n, cases = discover(folder, args.outcome, args.max_depth, args.min_leaf)
    except OutcomeError as exc:
        raise ScenarioError(
            "--outcome",
            repr(args.outcome),
            "a condition on the summary table, true or false for each run, such as "
            f"\"verdict == 'deterrence_failed'\" ({exc})",
        ) from None
    except ValueError as exc:
        raise ScenarioError(str(folder), "discover", f"a sweep it can read ({exc})") from None
    text = format_boxes(boxes, n, cases, args.outcome)
    print(text)
    write_text_atomic(folder / "discover.txt", text + "\n")
    print(f"written: {folder / 'discover.txt'}")
    return 0


class _Track(argparse.Action):
    """Store a value and remember that it was given (sweep files may be overridden)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        setattr(namespace, f"{self.dest}_set", True)


def add_parsers(sub: argparse._SubParsersAction, positive, seed) -> None:
    sw = sub.add_parser("sweep", help="run a parameter sweep (streaming, resumable)")
    sw.add_argument("target", nargs="?", help="base scenario (file or name) or a sweep file")
    sw.add_argument(
        "--param",
        action="append",
        default=[],
        help="factor: section.name=lo:hi or section.name=v1,v2 (repeatable)",
    )
    sw.add_argument(
        "--all-factors",
        type=cli_args.number(0.0, 1.0, low_open=True),
        metavar="SCALE",
        help="also sweep every numeric parameter over +-SCALE of its default and every flag "
        "and knock-out switch over 0:1 (global sensitivity; e.g. 0.5)",
    )
    sw.add_argument(
        "--exclude",
        nargs="+",
        default=[],
        metavar="KEY",
        help="with --all-factors: leave out parameters whose key starts with KEY",
    )
    sw.add_argument(
        "--design", choices=DESIGNS, default="lhs", action=_Track, help="the design (default lhs)"
    )
    sw.add_argument(
        "--samples",
        type=cli_args.count(1_000_000),
        default=16,
        action=_Track,
        help="grid levels, LHS points, or Sobol/Morris base samples N (default 16)",
    )
    sw.add_argument(
        "--reps", type=positive, default=1, action=_Track, help="replications per point (default 1)"
    )
    sw.add_argument("--seed", type=seed, default=0, action=_Track, help="root seed (default 0)")
    sw.add_argument("--out", help="sweep folder (default results/sweep/<timestamp>)")
    sw.add_argument(
        "--workers",
        type=cli_args.workers,
        help=cli_args.SWEEP_WORKERS_HELP,
    )
    sw.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    sw.add_argument("--resume", metavar="DIR", help="finish an interrupted sweep")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.add_argument(
        "--worlds",
        action="store_true",
        help="each replication in its own sampled world (every assumption the factors leave "
        "open, the same world at every point); writes the worlds table",
    )
    sw.set_defaults(
        func=cmd_sweep, design_set=False, samples_set=False, reps_set=False, seed_set=False
    )

    se = sub.add_parser(
        "sensitivity", help="Sobol, Morris or (Latin hypercube) PAWN and delta indices of a sweep"
    )
    se.add_argument("folder")
    se.add_argument(
        "--outputs",
        nargs="+",
        help="summary columns, model columns at a year as col@YEAR, or p:CONDITION for the "
        "share of a point's runs where a condition holds (default: "
        f"{' '.join(DEFAULT_OUTPUTS)} and each verdict's probability and an Article 5 failure's)",
    )
    se.add_argument(
        "--method",
        choices=("auto", "pawn", "delta"),
        default="auto",
        help="Latin hypercube only: PAWN, delta, or auto (PAWN; delta too up to 40 factors)",
    )
    se.add_argument(  # SALib seeds NumPy's legacy generator, which takes 32 bits
        "--seed", type=cli_args.count(2**32 - 1, 0), default=0, help="seed of the bootstrap"
    )
    se.set_defaults(func=cmd_sensitivity)

    di = sub.add_parser("discover", help="parameter regions that lead to an outcome")
    di.add_argument("folder")
    di.add_argument(
        "--outcome",
        required=True,
        help="a condition on the summary table, e.g. \"verdict == 'deterrence_failed'\"",
    )
    di.add_argument("--max-depth", type=cli_args.count(12), default=3)
    di.add_argument(
        "--min-leaf",
        type=cli_args.number(0.0, 0.5, low_open=True),
        default=0.02,
        help="smallest box, as a share of runs (default 0.02)",
    )
    di.set_defaults(func=cmd_discover)

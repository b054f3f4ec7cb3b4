"""The ``natosim debate`` command: every US policy under every thesis (a thin shell over
:mod:`sim.analysis.debate`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..analysis.debate_axes import POLICIES, THESES
from ..runs.folders import atomic_folder, claimed_folder, command_line, default_folder
from ..scenario import ScenarioError
from . import args as cli_args


def _world(text: str) -> int | None:
    if text == "war":
        return None
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("'war' or a ceasefire year") from None
    if not 2026 <= year <= 2040:
        raise argparse.ArgumentTypeError("a ceasefire year in 2026-2040")
    return year


def cmd_debate(args: argparse.Namespace) -> int:
    # imported here: `natosim --version` and the other commands need none of it

    for name, known, given in (
        ("--theses", THESES, args.theses),
        ("--policies", POLICIES, args.policies),
    ):
        bad = [g for g in given if g not in known]
        if bad:
            raise ScenarioError(name, bad[0], "one of " + ", ".join(known))
    for name, given in (
        ("--worlds", ["war" if w is None else str(w) for w in args.worlds]),
        ("--theses", args.theses),
        ("--policies", args.policies),
    ):
        twice = [g for i, g in enumerate(given) if g in given[:i]]
        if twice:  # a cell run twice would be one row of the table, its runs spent for nothing
            raise ScenarioError(name, twice[0], "each one once (this one is given twice)")
    folder = Path(args.out) if args.out else default_folder(Path(args.results), "debate")
    with claimed_folder(folder, unique=not args.out) as folder:
        _run_debate(args, folder)
    if args.no_report:
        return 0
    from ..report import build_report  # noqa: PLC0415

    try:
        print(f"report: {build_report(folder, svg=args.svg, style=args.style)}")
    except Exception as exc:  # the results are written; a failed figure must not hide them
        print(f"natosim: report failed ({exc}); the results are in {folder}")
        return 1
    return 0


def _run_debate(args: argparse.Namespace, folder: Path) -> None:
    from .. import __version__  # noqa: PLC0415
    from ..analysis.debate import debate, format_debate, world_name, write_debate  # noqa: PLC0415
    from ..runs.pool import process_executor  # noqa: PLC0415
    from ..runs.provenance import provenance  # noqa: PLC0415

    executor = process_executor(args.workers) if args.workers > 1 else None
    try:
        d = debate(
            args.reps,
            args.seed,
            args.worlds,
            args.theses,
            args.policies,
            executor,
            worlds=not args.fixed,
            progress=not args.quiet,
        )
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)  # stopped: not the rest
    with atomic_folder(folder) as tmp:
        write_debate(d, tmp, style=args.style)
        if args.claims:
            from ..analysis.experiments import claims_table  # noqa: PLC0415

            claims_table().to_csv(tmp / "claims.csv", index=False)
        meta = {
            "natosim_version": __version__,
            **provenance(),
            "command": command_line(args.argv),
            "replications": args.reps,
            "root_seed": args.seed,
            "worlds": [world_name(w) for w in args.worlds],
            "sampled_worlds": not args.fixed,
            "theses": list(args.theses),
            "policies": list(args.policies),
            "wins": d.wins(),
            "scenarios": {
                f"{w}/{t}/{p}": res.scenario.to_dict() for (w, t, p), res in d.cells.items()
            },
        }
        (tmp / "manifest.json").write_text(json.dumps(meta, indent=2, default=str))
    print(format_debate(d))
    print(f"results: {folder}")


def add_parser(sub: argparse._SubParsersAction, positive, seed) -> None:

    de = sub.add_parser(
        "debate", help="run each US policy under each thesis: verdict and Article 5 odds"
    )
    de.add_argument(
        "--reps",
        type=positive,
        default=200,
        help="replications per cell (default 200: at 60 worlds a cell no crux of a thesis's "
        "prediction clears the noise floor; at 200, seed 1, each prediction has one)",
    )
    de.add_argument(
        "--seed", type=seed, default=1, help="root seed, shared by every cell (default 1)"
    )
    de.add_argument(
        "--worlds",
        type=_world,
        nargs="+",
        default=[None, 2027],
        metavar="WORLD",
        help="'war' (the war goes on) and/or ceasefire years (default: war 2027)",
    )
    de.add_argument("--theses", nargs="+", default=list(THESES), help="theses (all three)")
    de.add_argument("--policies", nargs="+", default=list(POLICIES), help="US policies (all four)")
    de.add_argument(
        "--workers",
        type=cli_args.workers,
        default=1,
        help=cli_args.WORKERS_HELP,
    )
    de.add_argument("--out", help="results folder (default results/debate/<timestamp>)")
    de.add_argument("--results", default="results", help=argparse.SUPPRESS)
    de.add_argument("--no-report", action="store_true", help="skip the HTML report")
    de.add_argument("--quiet", action="store_true", help="no progress bars")
    de.add_argument(
        "--fixed",
        action="store_true",
        help="every parameter at its point value (default: each replication draws its world "
        "of assumptions from its seed, the same in every cell)",
    )
    de.add_argument(
        "--svg", action="store_true", help="also write every figure of the report as SVG"
    )
    de.add_argument(
        "--style",
        choices=("screen", "paper"),
        default="screen",
        help="figures for a screen (default) or a paper: 300 dpi, 3.5 or 7 inches wide, no title",
    )
    de.add_argument(
        "--claims",
        action="store_true",
        help="also run the 19 claim experiments with their mechanisms on and off (about 20 s) "
        "for the report",
    )
    de.set_defaults(func=cmd_debate)

"""The ``natosim`` command line: a thin shell over the library.

Exit codes: 0 success; 1 some replications failed (recorded in ``failures.json``); 2 bad input
(scenario file, arguments), with one message on standard error and nothing written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import signal
import sys
import textwrap
import threading
import warnings
from pathlib import Path
from typing import Any

from .. import __version__
from ..calibration.cli import add_parsers as add_calibration_parsers
from ..runs.folders import (
    check_results_folder,
    check_run_folder,
    check_writable,
    claimed_folder,
    command_line,
    default_folder,
    not_a_run_folder,
    read_json_object,
)
from ..scenario import CATALOGUE, Scenario, ScenarioError, load_scenario
from ..scenario.paths import did_you_mean, resolve_scenario_path, scenario_dirs
from ..seminar.server import DEFAULT_HOST
from ..seminar.server import add_parser as add_seminar_parser
from ..sweeps.cli import add_parsers as add_sweep_parsers
from ..ui.server import add_parser as add_ui_parser
from . import args as cli_args
from . import limits
from .checks import add_parser as add_checks_parser
from .debate import add_parser as add_debate_parser
from .explain import add_parser as add_explain_parser

log = logging.getLogger("natosim")
SVG_HELP = "also write every figure as SVG (the report's PNGs are always written)"
STYLE_HELP = (
    "figures for a screen (default) or a paper: 300 dpi, 3.5 or 7 inches wide, no title on the "
    "canvas"
)
STYLE_CHOICES = ("screen", "paper")
OUTCOME_DEFAULT = "eu_core_pct_end"  # the sweep heatmap's outcome unless told


def cmd_run(args: argparse.Namespace) -> int:
    scenario = load_scenario(resolve_scenario_path(args.scenario))  # refused before the imports
    from ..analysis.cruxes import write_cruxes  # noqa: PLC0415
    from ..runs.pool import process_executor  # noqa: PLC0415
    from ..runs.runner import run_replications  # noqa: PLC0415 (Mesa, pandas)
    from ..runs.store import write_results  # noqa: PLC0415

    folder = Path(args.out) if args.out else default_folder(Path(args.results), scenario.name)
    with claimed_folder(folder, unique=not args.out) as folder:
        executor = process_executor(args.workers) if args.workers > 1 else None
        try:
            results = run_replications(
                scenario,
                args.reps,
                args.seed,
                executor=executor,
                progress=not args.quiet,
                worlds=not args.fixed,
            )
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)  # stopped: not the rest
        write_results(results, folder, command_line(args.argv), args.format, write_cruxes)
    args.written = folder  # an interruption from here on leaves the results (main says so)
    counts = results.summary["verdict"].value_counts().to_dict() if len(results.summary) else {}
    worlds = "fixed parameters" if results.worlds.empty else "each in its own world"
    print(f"{scenario.name}: {args.reps} replications ({worlds}), seed {args.seed}")
    for verdict, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {verdict}: {n} ({_share(n, len(results.summary))})")
    if counts:
        from ..analysis.compare import carries_by_reading, reading_shares  # noqa: PLC0415

        readings = carries_by_reading({scenario.name: results})
        print(
            "Europe carries at readings of 'most' (coverage at the end; the verdict reads "
            f"{scenario.get('verdict.carry_coverage'):g}): " + reading_shares(readings)
        )
    if (folder / "cruxes.txt").exists():
        print("what decides it (cruxes.csv):")
        for line in (folder / "cruxes.txt").read_text().splitlines():
            print(f"  {line}")
    if results.failures:
        print(f"  {len(results.failures)} replications failed (see failures.json)", file=sys.stderr)
    print(f"results: {folder}")
    code = 1 if results.failures else 0
    return _maybe_report(args, folder, code)


def _share(k: int, n: int) -> str:
    """``k`` of ``n`` as a share with its Wilson 95% interval."""
    from ..analysis.debate import wilson  # noqa: PLC0415

    p, lo, hi = wilson(k, n)
    return f"{p:.0%} [{lo:.0%}, {hi:.0%}]"


def cmd_compare(args: argparse.Namespace) -> int:
    from ..analysis.compare import comparison_of, format_table, write_comparison  # noqa: PLC0415
    from ..runs.pool import process_executor  # noqa: PLC0415
    from ..runs.runner import run_replications  # noqa: PLC0415
    from ..runs.store import load_run  # noqa: PLC0415

    # a finished results folder (natosim run, a seminar's class/ or agents/) is read, not run
    loaded = {}
    for ref in args.scenarios:
        folder_ref = _results_folder(ref)
        if folder_ref is not None:
            check_run_folder(folder_ref)  # its manifest and tables, before anything runs
            try:
                loaded[ref] = load_run(folder_ref)
            except (ValueError, OSError, KeyError, TypeError) as exc:  # a damaged table
                if isinstance(exc, ScenarioError):
                    raise
                raise ScenarioError(
                    str(folder_ref), "(tables)", f"readable results tables ({exc})"
                ) from None
    if loaded and len(loaded) < len(args.scenarios):
        _match_loaded_runs(args, loaded)
    for key in ("seed", "reps"):  # not given: the defaults
        if getattr(args, key) is None:
            setattr(args, key, COMPARE_DEFAULTS[key])
    scenarios = [
        loaded[ref].scenario if ref in loaded else load_scenario(resolve_scenario_path(ref))
        for ref in args.scenarios
    ]
    names = [
        _compare_name(ref, s.name, ref in loaded)
        for ref, s in zip(args.scenarios, scenarios, strict=True)
    ]
    if len(set(names)) != len(names):
        raise ScenarioError("compare", "scenarios", "distinct scenario names", names)
    reached = [set(r.model["year"]) for r in loaded.values()]  # a class may stop early
    years = args.years or [
        y
        for y in (2027, 2030, 2035, 2040)
        if all(s.get("run.start_year") <= y <= s.get("run.end_year") for s in scenarios)
        and all(y in r for r in reached)
    ]
    last = min((max(r) for r in reached), default=None)
    if (
        not years
        and last is not None
        and all(s.get("run.start_year") <= last <= s.get("run.end_year") for s in scenarios)
    ):  # not a year outside another's run: --years, not given, was refused (found by fuzzing)
        years = [last]
    twice = [y for i, y in enumerate(years) if y in years[:i]]
    if twice:  # found by fuzzing: each of its rows twice in the comparison's tables
        raise ScenarioError("--years", str(twice[0]), "each year once (this one is given twice)")
    for y in years:
        for s in scenarios:
            if not s.get("run.start_year") <= y <= s.get("run.end_year"):
                raise ScenarioError(
                    "--years",
                    str(y),
                    f"a year every scenario runs through ({s.name}: "
                    f"{s.get('run.start_year')}-{s.get('run.end_year')})",
                )
    folder = Path(args.out) if args.out else default_folder(Path(args.results), "compare")
    with claimed_folder(folder, unique=not args.out) as folder:
        executor = process_executor(args.workers) if args.workers > 1 else None
        try:
            results = {}
            for ref, name, sc in zip(args.scenarios, names, scenarios, strict=True):
                results[name] = loaded.get(ref) or run_replications(
                    sc,
                    args.reps,
                    args.seed,
                    executor=executor,
                    progress=not args.quiet,
                    worlds=not args.fixed,
                )
            comp = comparison_of(results, years)
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)  # stopped: not the rest
        write_comparison(comp, folder, command_line(args.argv), args.format, style=args.style)
    args.written = folder
    each = {(len(r.seeds), r.root_seed) for r in comp.results.values()}
    if len(each) == 1:  # what was run (a finished results folder brings its own)
        reps, seed = next(iter(each))
        print(f"{' vs '.join(names)}: {reps} replications each, seed {seed}")
    else:
        print(
            "; ".join(
                f"{n}: {len(r.seeds)} replications, seed {r.root_seed}"
                for n, r in comp.results.items()
            )
        )
    print(format_table(comp))
    failures = sum(len(r.failures) for r in comp.results.values())
    if failures:
        print(f"{failures} replications failed (see failures.json)", file=sys.stderr)
    print(f"results: {folder}")
    return _maybe_report(args, folder, 1 if failures else 0)


COMPARE_DEFAULTS = {"seed": 0, "reps": 50}  # compare's, when not given (the parser says None)


def _match_loaded_runs(args: argparse.Namespace, loaded: dict[str, Any]) -> None:
    """Scenarios run beside a finished results folder share its worlds: its root seed, its
    number of replications and its world mode (sampled or point values), so that runs pair
    world by world. An option not given takes the folder's value (said on standard error); one
    given with a different value is refused, naming the folder and the option, and so are
    finished folders that do not share their worlds."""
    worlds = {
        ref: {"seed": res.root_seed, "reps": len(res.seeds), "fixed": res.worlds.empty}
        for ref, res in loaded.items()
    }
    ref, theirs = next(iter(worlds.items()))
    for other, its in worlds.items():
        if its != theirs:
            raise ScenarioError(
                other,
                "(worlds)",
                f"the worlds of {ref} (seed {theirs['seed']}, {theirs['reps']} replications), "
                "for the scenarios run beside them to pair with both",
                f"seed {its['seed']}, {its['reps']} replications",
            )
    for key, value in theirs.items():
        mine = getattr(args, key)
        if mine is not None and mine is not False and mine != value:
            shown = "--fixed" if key == "fixed" else f"--{key} {mine}"
            wanted = (
                ("point values (--fixed)" if value else "sampled worlds (no --fixed)")
                if key == "fixed"
                else f"--{key} {value}"
            )
            raise ScenarioError(
                ref,
                shown,
                f"the finished folder's own {wanted}, or no {shown.split(maxsplit=1)[0]} "
                "(the scenarios run beside it share its worlds)",
            )
        setattr(args, key, value)
    print(
        f"natosim: the scenarios run beside {ref} share its worlds: seed {args.seed}, "
        f"{args.reps} replications, {'point values' if args.fixed else 'sampled worlds'}",
        file=sys.stderr,
    )


def _results_folder(ref: str) -> Path | None:
    """``ref`` if it is a results folder of one scenario (a manifest with a scenario)."""
    path = Path(ref)
    try:
        other = not_a_run_folder(path) if path.is_dir() else None
    except OSError:
        other = None
    if other is not None:
        raise ScenarioError(
            str(path), "(folder)", f"a scenario, or a results folder of natosim run ({other})"
        )
    try:
        if (path / "manifest.json").is_file():
            man = json.loads((path / "manifest.json").read_text())
            if isinstance(man, dict) and "scenario" in man and "replication_seeds" in man:
                return path
    except (OSError, ValueError):
        raise ScenarioError(str(path), "manifest.json", "a readable results manifest") from None
    return None


def _compare_name(ref: str, scenario_name: str, is_folder: bool) -> str:
    """A folder compares under its own name (a seminar's class/ and agents/ share a scenario)."""
    if not is_folder:
        return scenario_name
    name = re.sub(r"[^A-Za-z0-9_\-]+", "-", Path(ref).resolve().name).strip("-")
    return name or scenario_name


def _maybe_report(args: argparse.Namespace, folder: Path, code: int) -> int:
    """Write the HTML report unless --no-report; the results stay whatever happens."""
    from ..report import build_report  # noqa: PLC0415 (matplotlib)

    if getattr(args, "no_report", True):
        return code
    try:
        path = build_report(
            folder, svg=getattr(args, "svg", False), style=getattr(args, "style", "screen")
        )
    except Exception as exc:  # the results are written; a failed figure must not hide them
        log.exception("report failed")
        print(f"natosim: report failed ({exc}); the results are in {folder}", file=sys.stderr)
        return 1
    print(f"report: {path}")
    return code


def _check_sweep(folder: Path) -> None:
    """A sweep's folder a report can read (:func:`sim.sweeps.api.check_resumable`; imported
    only for a sweep)."""
    from ..sweeps.api import check_resumable  # noqa: PLC0415

    check_resumable(folder)
    done = folder / "parts" / "done"
    if not (done.is_dir() and any(done.glob("task-*.json"))):
        # nothing finished (interrupted before its first task, or its parts deleted): a report
        # would say "every run failed" of runs that never ran
        raise ScenarioError(
            str(folder),
            "(parts)",
            f"at least one finished task (none yet: natosim sweep --resume {folder} runs them)",
        )


def cmd_report(args: argparse.Namespace) -> int:
    from ..report import build_report  # noqa: PLC0415

    folder = Path(args.folder)
    # its JSON and its writability, then the options against its manifests, then its tables,
    # before any figure (a bad --year was reported as the tables' fault: the fuzz generator)
    check_results_folder(folder, "report", check_sweep=_check_sweep, tables=False)
    _check_report_options(args, folder)
    check_results_folder(folder, "report", check_sweep=_check_sweep)
    try:
        path = build_report(
            folder,
            year=args.year,
            svg=args.svg,
            style=args.style,
            **(
                {"x": args.x, "y": args.y, "outcome": args.outcome}
                if (folder / "sweep.json").exists()
                else {}
            ),
        )
    except FileNotFoundError as exc:
        raise ScenarioError(
            str(folder), "(folder)", "a results folder of run, compare or sweep", str(exc)
        ) from None
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(
            str(folder), "(content)", f"a readable results folder ({type(exc).__name__}: {exc})"
        ) from None
    print(f"report: {path}")
    return 0


def _model_years(folder: Path) -> set[int]:
    """The years a run folder's model table holds (a seminar's class may stop early)."""
    from ..runs.store import read_table  # noqa: PLC0415

    try:
        return {int(y) for y in read_table(folder, "model")["year"].unique()}
    except (OSError, ValueError, KeyError, TypeError):  # a damaged table: the report says so
        return set()


def _manifest_years(folder: Path) -> set[int] | None:
    """The years of the scenario a run folder's manifest holds (its run's first to last), or
    None if the manifest does not say (the report refuses it with its reason)."""
    from ..scenario import scenario_from_dict  # noqa: PLC0415

    try:
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8-sig"))
        scenario = scenario_from_dict(man["scenario"])
        first, last = int(scenario.get("run.start_year")), int(scenario.get("run.end_year"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None  # ScenarioError is a ValueError
    return set(range(first, last + 1))


def _check_report_options(args: argparse.Namespace, folder: Path) -> None:
    """Refuse report options that the folder's kind would ignore or cannot draw: --year outside
    the years every run holds (the network map of 1950 was drawn empty), --year for a sweep or a
    debate, the heatmap's --x, --y and --outcome for anything but a sweep, --y the same as
    --x."""
    sweep = (folder / "sweep.json").exists()
    if not sweep:
        given = [f for f in ("x", "y") if getattr(args, f) is not None]
        given += ["outcome"] if args.outcome != OUTCOME_DEFAULT else []
        if given:
            raise ScenarioError(
                f"--{given[0]}", str(getattr(args, given[0])), "a sweep folder to apply to"
            )
    elif args.x is not None and args.x == args.y:
        raise ScenarioError("--y", args.y, "a factor other than --x's")
    if args.year is None:
        return
    if sweep or (folder / "debate.csv").exists():
        raise ScenarioError("--year", str(args.year), "a run or comparison folder to apply to")
    if (folder / "comparison.csv").exists():
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8-sig"))
        runs = [folder / name for name in man["scenarios"]]
    else:
        runs = [folder]
    # first from the manifests (the scenarios' years: no table read), then from the tables
    scenario_years = [_manifest_years(r) for r in runs]
    known = [y for y in scenario_years if y is not None]
    years = set.intersection(*known) if known else set()
    if years and args.year not in years:
        raise ScenarioError(
            "--year", str(args.year), f"a year every run holds ({min(years)}-{max(years)})"
        )
    years = set.intersection(*(_model_years(r) for r in runs))
    if years and args.year not in years:
        raise ScenarioError(
            "--year", str(args.year), f"a year every run holds ({min(years)}-{max(years)})"
        )


def cmd_validate(args: argparse.Namespace) -> int:
    for ref in args.scenarios:
        sc = load_scenario(resolve_scenario_path(ref))
        years = f"{sc.get('run.start_year')}-{sc.get('run.end_year')}"
        print(f"ok: {ref} ({sc.name}, {years}, {len(sc.events)} events)")
    return 0


# a terminal's escape sequences (colours, titles, cursor moves), then any other control character
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x1f\x7f-\x9f]"
)


def _printable(text: str) -> str:
    """``text`` without control characters: a scenario file's description is shown as text,
    never obeyed by the terminal (an escape code could recolour it, retitle the window, or hide
    what follows)."""
    return _ESCAPES.sub("", text)


def _visible(text: str) -> str:
    """``text`` with each control character written out (``\\x1b``): an error names what was
    given (a file name with an escape code in it, say) without the terminal obeying it."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: repr(m.group())[1:-1], text)


def cmd_list(args: argparse.Namespace) -> int:
    if args.dir and not Path(args.dir).is_dir():
        raise ScenarioError("list", args.dir, "a folder of scenario files")
    dirs = [Path(args.dir)] if args.dir else scenario_dirs()
    seen = set()
    for d in dirs:
        # top-level scenarios, then the debate's theses (policies/ holds overlays, not scenarios)
        for path in sorted(d.glob("*.toml")) + sorted(d.glob("theses/*.toml")):
            ref = path.relative_to(d).with_suffix("").as_posix()
            if ref in seen:
                continue
            seen.add(ref)
            try:
                sc = load_scenario(path)
            except ScenarioError as exc:
                print(_printable(f"{ref:<25} INVALID: {exc}"))
                continue
            claims = " ".join(sc.claims) or "no claim"
            print(_printable(f"{ref}  [{claims}]"))
            first = _printable(" ".join(sc.description.split()).split(". ")[0].rstrip(".") + ".")
            for line in textwrap.wrap(first, 96):
                print(f"    {line}")
            if sc.hypothesis:
                text = _printable("Hypothesis: " + " ".join(sc.hypothesis.split()))
                for line in textwrap.wrap(text, 96, subsequent_indent="  "):
                    print(f"    {line}")
    if not seen:
        print("no scenarios found", file=sys.stderr)
        return 2
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    if args.section is not None and args.section not in CATALOGUE.by_section:
        raise ScenarioError(
            "params", repr(args.section), "a section: " + ", ".join(sorted(CATALOGUE.by_section))
        )
    from ..scenario.uncertainty import describe, resolve  # noqa: PLC0415

    print(
        f"{'parameter':<45} {'default':<10} {'allowed':<24} {'kind and plausible range':<36} unit"
    )
    for p in CATALOGUE.params:
        if args.section and p.section != args.section:
            continue
        if p.kind == "bool":
            allowed = "true | false"
        elif p.kind == "choice":
            allowed = " | ".join(p.choices)
        else:
            allowed = f"[{p.low:g}, {p.high:g}]" + (" integer" if p.kind == "int" else "")
        default = str(p.default).lower() if p.kind == "bool" else str(p.default)
        u = resolve(p)
        print(f"{p.key:<45} {default:<10} {allowed:<24} {describe(u):<36} {p.unit}")
        if args.verbose:
            for line in textwrap.wrap(p.description, 92):
                print(f"      {line}")
            print(f"      source: {p.source}" + (" (per ally)" if p.per_ally else ""))
            print(f"      {u.kind}: {u.source}")
    return 0


FIXED_HELP = (
    "every parameter at its point value (default: each replication draws its world of "
    "assumptions from its seed; natosim params shows the ranges)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="natosim",
        description="natosim: an agent-based simulation of NATO burden-sharing. Each command "
        "has its own --help; docs: README.md.",
    )
    parser.add_argument("--version", action="version", version=f"natosim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run replications of a scenario and write a results folder")
    run.add_argument("scenario", help="a scenario file or the name of a shipped scenario")
    run.add_argument("--reps", type=cli_args.positive, default=20, help="replications (default 20)")
    run.add_argument("--seed", type=cli_args.seed, default=0, help="root seed (default 0)")
    run.add_argument("--out", help="results folder (default results/<scenario>/<timestamp>)")
    run.add_argument("--results", default="results", help=argparse.SUPPRESS)
    run.add_argument(
        "--workers",
        type=cli_args.workers,
        default=1,
        help=cli_args.WORKERS_HELP,
    )
    run.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    run.add_argument("--no-report", action="store_true", help="skip the HTML report")
    run.add_argument("--svg", action="store_true", help=SVG_HELP)
    run.add_argument("--style", choices=STYLE_CHOICES, default="screen", help=STYLE_HELP)
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--fixed", action="store_true", help=FIXED_HELP)
    run.set_defaults(func=cmd_run)

    cmp_ = sub.add_parser("compare", help="run several scenarios and compare their outcomes")
    cmp_.add_argument("scenarios", nargs="+", help="scenario files or names")
    cmp_.add_argument(
        "--reps",
        type=cli_args.positive,
        default=None,
        help="replications each (default 50; beside a finished folder, its own)",
    )
    cmp_.add_argument(
        "--seed",
        type=cli_args.seed,
        default=None,
        help="root seed, shared by all scenarios (default 0; beside a finished folder, its own)",
    )
    cmp_.add_argument(
        "--years",
        type=cli_args.count(2100, 1900),
        nargs="+",
        help="years to tabulate (default 2027 2030 2035 2040, those in range)",
    )
    cmp_.add_argument("--out", help="results folder (default results/compare/<timestamp>)")
    cmp_.add_argument("--results", default="results", help=argparse.SUPPRESS)
    cmp_.add_argument(
        "--workers",
        type=cli_args.workers,
        default=1,
        help=cli_args.WORKERS_HELP,
    )
    cmp_.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    cmp_.add_argument("--no-report", action="store_true", help="skip the HTML report")
    cmp_.add_argument("--svg", action="store_true", help=SVG_HELP)
    cmp_.add_argument("--style", choices=STYLE_CHOICES, default="screen", help=STYLE_HELP)
    cmp_.add_argument("--quiet", action="store_true", help="no progress bar")
    cmp_.add_argument("--fixed", action="store_true", help=FIXED_HELP)
    cmp_.set_defaults(func=cmd_compare)

    rep = sub.add_parser("report", help="figures and an HTML report of a results folder")
    rep.add_argument("folder", help="a folder written by run, compare or sweep")
    rep.add_argument(
        "--year", type=cli_args.count(2100, 1900), help="year of the network map / comparison"
    )
    rep.add_argument("--x", help="sweep: factor on the heatmap's x axis")
    rep.add_argument("--y", help="sweep: factor on the heatmap's y axis")
    rep.add_argument(
        "--outcome",
        default=OUTCOME_DEFAULT,
        help="sweep: summary column of the heatmap (default eu_core_pct_end)",
    )
    rep.add_argument("--svg", action="store_true", help=SVG_HELP)
    rep.add_argument("--style", choices=STYLE_CHOICES, default="screen", help=STYLE_HELP)
    rep.set_defaults(func=cmd_report)

    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("scenarios", nargs="+")
    val.set_defaults(func=cmd_validate)

    lst = sub.add_parser("list", help="list the shipped scenarios")
    lst.add_argument("dir", nargs="?", help="folder of scenario files")
    lst.set_defaults(func=cmd_list)

    add_sweep_parsers(sub, cli_args.positive, cli_args.seed)
    add_calibration_parsers(sub, cli_args.positive, cli_args.seed)
    add_debate_parser(sub, cli_args.positive, cli_args.seed)
    add_checks_parser(sub, cli_args.seed)
    add_explain_parser(sub, cli_args.seed, cli_args.count(2200, 1900))
    add_ui_parser(sub)
    add_seminar_parser(sub)

    par = sub.add_parser("params", help="list every scenario parameter with default and bounds")
    par.add_argument("section", nargs="?", help="only this section (run, united_states, ...)")
    par.add_argument(
        "-v", "--verbose", action="store_true", help="also each parameter's meaning and source"
    )
    par.set_defaults(func=cmd_params)
    return parser


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (a service manager, ``kill``, a test's terminate) unwinds like Ctrl-C, so every
    temporary folder and lock is removed on the way out."""
    raise KeyboardInterrupt


def _check_command(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """A misspelt subcommand is refused with the closest one (``natosim rnu``: did you mean
    run?), not only the list of all of them."""
    if not argv or argv[0].startswith("-"):
        return
    choices = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if argv[0] not in choices:
        hint = did_you_mean(argv[0], choices) or " (natosim --help lists the commands)"
        parser.error(f"argument command: unknown command {argv[0][:60]!r}{hint}")


def _check_flags(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """A misspelt flag is refused with the closest one of its command (``natosim run baseline
    --rpes 3``: did you mean --reps?), not only "unrecognized arguments"."""
    current, words = parser, list(argv)
    while words:
        subs = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or words[0] not in subs[0].choices:
            break
        current = subs[0].choices[words.pop(0)]
    flags = [o for a in current._actions for o in a.option_strings if o.startswith("--")]
    for word in words:
        if word == "--":
            break
        flag = word.split("=", 1)[0]
        if not flag.startswith("--") or flag in flags:
            continue
        if [f for f in flags if f.startswith(flag)]:  # an abbreviation argparse accepts or names
            continue
        hint = did_you_mean(flag, flags) or f" ({current.prog} --help lists its flags)"
        current.error(f"unrecognized argument {flag[:60]!r}{hint}")


def _check_paths(args: argparse.Namespace) -> None:
    """An empty path (``--out ""``, often an unset shell variable) is refused, not read as
    the default folder or the current one."""
    for dest in ("out", "resume", "export_dir", "save_dir", "folder", "dir"):
        value = getattr(args, dest, None)
        flag = f"--{dest.replace('_', '-')}" if dest not in ("folder", "dir") else dest
        if isinstance(value, str) and not value.strip():
            raise ScenarioError(flag, repr(value), "a folder's path (this is empty)")
    if getattr(args, "command", None) == "seminar" and isinstance(args.resume, str):
        _check_saved_session(Path(args.resume))
    save_dir = getattr(args, "save_dir", None)
    if isinstance(save_dir, str):  # the seminar saves there at every year: a file fails later
        path = Path(save_dir)
        while not path.exists() and path != path.parent:
            path = path.parent
        if path.exists() and not path.is_dir():
            raise ScenarioError("--save-dir", save_dir, f"a folder ({path} is a file)")
        check_writable(path, "--save-dir")


def _check_saved_session(folder: Path) -> None:
    """``natosim seminar --resume FOLDER``: the saved session's two JSON files hold what the
    command reads from them (a session.json of another shape was a traceback)."""
    if not (folder / "session.json").is_file() or not (folder / "server.json").is_file():
        raise ScenarioError(
            "--resume", str(folder), "a folder a seminar saved (with session.json and server.json)"
        )
    saved = read_json_object(
        folder / "session.json",
        {"scenario": str, "seed": int, "code": str, "instructor_token": str},
    )
    seconds = saved.get("seconds_per_year", 180)
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise ScenarioError(str(folder / "session.json"), "seconds_per_year", "an integer", seconds)
    messages = saved.get("messages", [])
    if not isinstance(messages, list):
        raise ScenarioError(str(folder / "session.json"), "messages", "a list", messages)
    where = str(folder / "session.json")
    # found by fuzzing: a code or token the session would replace by a new random one (empty),
    # that no one can type, or that prints an escape code; another format; a text or a table
    # where a list belongs, read letter by letter or key by key
    if saved.get("format", 1) != 1 or isinstance(saved.get("format"), bool):
        raise ScenarioError(where, "format", "1, as this natosim saves a seminar", saved["format"])
    if not re.fullmatch(r"[0-9]{6}", saved["code"]):
        raise ScenarioError(where, "code", "a join code of six digits", saved["code"])
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", saved["instructor_token"]):
        raise ScenarioError(
            where,
            "instructor_token",
            "1 to 64 letters, digits, '_' or '-', as a seminar makes it",
            saved["instructor_token"],
        )
    for key in ("played", "participants", "locked", "reveals", "injected"):
        if key in saved and not isinstance(saved[key], list):
            raise ScenarioError(where, key, "a list", saved[key])
    if not isinstance(saved.get("fog", True), bool):
        raise ScenarioError(where, "fog", "true or false", saved["fog"])
    server = read_json_object(folder / "server.json")
    port = server.get("port", 0)
    if (
        isinstance(port, bool)
        or not isinstance(port, int)
        or (port and not cli_args.FIRST_PORT <= port <= cli_args.LAST_PORT)
    ):
        raise ScenarioError(
            str(folder / "server.json"),
            "port",
            f"0 or a port from {cli_args.FIRST_PORT} to {cli_args.LAST_PORT}",
            port,
        )
    saved_host = server.get("host", DEFAULT_HOST)
    try:
        if not isinstance(saved_host, str):
            raise argparse.ArgumentTypeError(f"expected an address, got {saved_host!r}")
        cli_args.host(saved_host)
    except argparse.ArgumentTypeError as exc:
        raise ScenarioError(str(folder / "server.json"), "host", str(exc)) from None


def _what_is_left(args: argparse.Namespace) -> str:
    """What an interrupted command leaves: its results when they were written before the
    report was (the report is then not finished), else nothing."""
    written = getattr(args, "written", None)
    if written is not None and Path(written).is_dir():
        return (
            f"the results are in {written}, the report was not finished "
            f"(natosim report {written} writes it)"
        )
    if args.func is cmd_report:
        return f"the report of {args.folder} was not finished"
    return "nothing was written"


def _interrupted(args: argparse.Namespace) -> int:
    """Say that the command was interrupted and what is kept; the exit code, 130."""
    print(f"natosim: interrupted; {_what_is_left(args)}", file=sys.stderr)
    return 130


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning that reaches the command line (a folder written by other versions, say) as one
    line in the project's words, not Python's file, line number and source line."""
    text = " ".join(str(message).split())
    print(_visible(f"natosim: warning: {text}"), file=sys.stderr if file is None else file)


def _parser() -> argparse.ArgumentParser | int:
    """The command's parser, or the exit code 1 (said in one line) where the machine's limits
    leave too little to load the libraries its commands are made of."""
    try:
        return build_parser()
    except MemoryError:
        print(limits.OUT_OF_MEMORY_LOADING, file=sys.stderr)
        return 1
    except Exception as exc:
        if not _said_machine_limit(exc):
            raise
        return 1


def _said_machine_limit(exc: BaseException) -> bool:
    """Whether ``exc`` is the machine's limit rather than a bug (:mod:`sim.cli.limits`), said
    in one line."""
    message = limits.machine_limit_message(exc)
    if message is None:
        return False
    print(_visible(message), file=sys.stderr)
    return True


def main(argv: list[str] | None = None) -> int:
    """The ``natosim`` command (``argv``: its words; ``None``: this process's command line, as
    the console script and ``python -m sim`` give it). Returns the exit code; on the command
    line a refusal (2, argparse's included) or an interruption (130) ends the process at once
    instead (:func:`_end`)."""
    if argv is not None:
        return _main(argv)
    try:
        code = _main(None)
    except SystemExit as exc:
        if exc.code != 2:
            raise
        code = 2
    if code in (2, 130):
        _end(code)
    return code


def _end(code: int) -> None:
    """Flush what was printed and end the process now, without the interpreter's teardown.

    After a refusal nothing is left to do, and a refusal may come after pyarrow was loaded (a
    table read to check an option): at teardown its threads could abort the process (SIGABRT,
    exit 134 instead of 2; apache/arrow issue 34314), so the refusal's exit code is kept by
    leaving with ``os._exit``. So is an interruption's (130): its temporary folders and locks
    are gone and what is kept is said by then, and a SIGTERM during a report, on a loaded
    machine, ended 2 times in 60 killed by SIGINT (exit -2) after saying so."""
    _release_semaphores()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(code)


def _release_semaphores() -> None:
    """Unlink the named semaphores this process made, as the interpreter's teardown would.

    Under the spawn start method each ``multiprocessing`` lock is a named semaphore that
    multiprocessing's resource tracker process watches; ``os._exit`` skips the finalizers that
    unlink them, and the tracker then printed Python's own two-line warning ("resource_tracker:
    There appear to be 1 leaked semaphore objects ...", tqdm's bar lock) after "natosim:
    interrupted" (found by fuzzing: SIGTERM to a sweep, or to run or debate with
    --workers 2). ``_run_finalizers(0)`` is the first step of multiprocessing's own exit."""
    util = sys.modules.get("multiprocessing.util")
    run = getattr(util, "_run_finalizers", None)
    if run is not None:
        with contextlib.suppress(Exception):
            run(0)


def _main(argv: list[str] | None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if argv is None:  # the command line's process, not a caller's (tests, scripts)
        limits.fewer_malloc_arenas()
    parser = _parser()
    if isinstance(parser, int):
        return parser
    _check_command(parser, sys.argv[1:] if argv is None else argv)
    _check_flags(parser, sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    else:
        previous = None
    show_warning, warnings.showwarning = warnings.showwarning, _show_warning
    try:
        _check_paths(args)
        return int(args.func(args))
    except ScenarioError as exc:
        print(_visible(f"natosim: error: {exc}"), file=sys.stderr)
        return 2
    except FileExistsError as exc:
        print(_visible(f"natosim: error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return _interrupted(args)
    except BrokenPipeError:  # the reader went away (`natosim list | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MemoryError:
        print(
            "natosim: error: out of memory (the machine's, or an address-space limit such as "
            "ulimit -v); raise the limit, or run fewer replications or samples",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:  # a disk that fills up, a folder removed under us: not a bug
        print(_visible(f"natosim: error: {exc}"), file=sys.stderr)
        return 1
    except Exception as exc:
        if limits.interrupted(exc):  # a C extension's import cut short by Ctrl-C or SIGTERM
            return _interrupted(args)
        if not _said_machine_limit(exc):
            raise
        return 1
    finally:
        warnings.showwarning = show_warning
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


__all__ = ["Scenario", "build_parser", "main"]

"""The ``natosim calibrate`` and ``natosim hindcast`` commands (thin shells)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import args as cli_args
from ..runs.folders import check_folder, claimed_folder, command_line, default_folder
from ..scenario import ScenarioError, load_scenario
from ..scenario.paths import PACKAGE_SCENARIOS, resolve_scenario_path

FITS = PACKAGE_SCENARIOS / "calibration"  # the tracked fits


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .fit import calibrate, richardson_text, russia_values, write_fit  # noqa: PLC0415 (SciPy on demand)

    start, end = args.window
    if not start < end:
        raise ScenarioError("--window", f"{start} {end}", "a start year before the end year")
    scenario = load_scenario(resolve_scenario_path(args.scenario))
    if scenario.get("run.start_year") != start:
        raise ScenarioError(
            args.scenario,
            "run.start_year",
            f"the window's start ({start})",
            scenario.get("run.start_year"),
        )
    name = f"fitted_{start}_{end}.toml"
    if args.record_only:
        return _record_only(scenario, start, end, args.write)
    if args.write:  # the tracked fit that scenarios extend: only when asked
        out = FITS / name
    elif args.out:
        out = Path(args.out) / name
        if out.exists():
            raise ScenarioError("--out", str(out), "a folder without a fit for this window")
        check_folder(out)
    else:
        out = default_folder(Path("results"), "calibration") / name
    fit = calibrate(
        scenario,
        start=start,
        end=end,
        reps=args.reps,
        seed=args.seed,
        bootstrap=args.bootstrap,
        maxiter=args.maxiter,
        polish=args.polish,
        workers=args.workers,
        progress=not args.quiet,
    )
    for k, v in fit.values.items():
        if k in fit.low and k in fit.high:
            print(f"{k:<28} {v:8.4f}   90% [{fit.low[k]:.3f}, {fit.high[k]:.3f}]")
        else:  # --bootstrap 0: no interval
            print(f"{k:<28} {v:8.4f}   (no bootstrap interval)")
    r = fit.richardson
    print(f"RMSE {fit.loss:.3f} pp of GDP (schema defaults {fit.loss_default:.3f})")
    usable = russia_values(fit) or r.get("k_se") is None
    print(richardson_text(r) + ("" if usable else "; not a stable k < a regime: not used"))
    print(f"written: {write_fit(fit, out)} (and {out.with_suffix('.json').name})")
    if not args.write:
        print(
            "(scenarios read scenarios/calibration/; rerun with --write to replace the tracked "
            "fit, or copy this one there)"
        )
    return 0


def _record_only(scenario, start: int, end: int, write: bool) -> int:
    """``--record-only``: estimate the tracked fit's second stage (each ally's own-record
    terms) again, its first stage and bootstrap kept."""
    from .fit import with_own_record, write_fit  # noqa: PLC0415
    from .hindcast import fit_path  # noqa: PLC0415 (SciPy, matplotlib on demand)

    if not write:
        raise ScenarioError(
            "--record-only", "without --write", "--write (it updates a tracked fit)"
        )
    path = fit_path(start, end)
    if not path.is_file():
        raise ScenarioError(
            "--record-only",
            str(path.name),
            f"a tracked fit (run natosim calibrate --window {start} {end} --write first)",
        )
    fit = with_own_record(scenario, path)
    own = fit.record
    if not own["n_allies"]:
        print("no ally has three observed years in the window: every ally follows the rule alone")
    else:
        print(
            f"own-record terms for {own['n_allies']} allies: residual sd {own['sigma']:.3f}, "
            f"prior sd {own['tau']}; RMSE {fit.loss:.3f} without, {own['loss_rmse']:.3f} with them"
        )
    print(f"written: {write_fit(fit, path.with_suffix('.toml'))} (and {path.name})")
    return 0


def cmd_hindcast(args: argparse.Namespace) -> int:
    from .hindcast import run_hindcast, with_fit  # noqa: PLC0415

    scenario = load_scenario(resolve_scenario_path(args.scenario))
    start, end = scenario.get("run.start_year"), scenario.get("run.end_year")
    if not start < args.train_end < end:
        raise ScenarioError(
            "--train-end",
            str(args.train_end),
            f"a year inside {scenario.name}'s run ({start + 1}-{end - 1}), so that both the "
            "training and the test window hold years",
        )
    learned: dict[str, dict[str, float]] = {}
    scenario = with_fit(scenario, start, args.train_end, learned)
    for code, terms in sorted(learned.items()):
        print(
            f"{code}: not in the {start}-{args.train_end} fit, its record in the window is in the "
            "data: own-record terms estimated from it as the fit's were ("
            + ", ".join(f"{k} {v:+.3f}" for k, v in terms.items())
            + ")"
        )
    out = Path(args.out) if args.out else default_folder(Path("results"), "hindcast")
    with claimed_folder(out, unique=not args.out) as out:
        result = run_hindcast(
            scenario, out, args.reps, args.seed, args.train_end, command_line(args.argv)
        )
    print(result["text"])
    print(f"results: {out}")
    return 0


def add_parsers(sub: argparse._SubParsersAction, positive, seed) -> None:
    ca = sub.add_parser("calibrate", help="fit behavioural parameters to 2014-2021 data")
    ca.add_argument("--scenario", default="hindcast_2014", help="scenario to fit (2014 start)")
    ca.add_argument(
        "--window",
        type=cli_args.count(2025, 2000),
        nargs=2,
        default=[2014, 2021],
        metavar=("START", "END"),
        help="training window (default 2014 2021)",
    )
    ca.add_argument(
        "--reps", type=cli_args.count(1000), default=4, help="replications per evaluation"
    )
    ca.add_argument("--seed", type=seed, default=0)
    ca.add_argument(
        "--bootstrap", type=cli_args.count(1000, 0), default=10, help="bootstrap refits over allies"
    )
    ca.add_argument(
        "--maxiter",
        type=cli_args.count(1000),
        default=40,
        help="generations of differential evolution",
    )
    ca.add_argument(
        "--polish",
        type=cli_args.count(100_000),
        default=3000,
        help="at most this many iterations of the local search that takes the estimate, and "
        "each bootstrap refit, to a minimum (restarted Nelder-Mead; it stops earlier once a "
        "restart gains under 1e-4 pp; default 3000)",
    )
    ca.add_argument(
        "--workers",
        type=cli_args.count(64),
        default=1,
        help="processes for the bootstrap's refits (the same fit whatever the number; default 1)",
    )
    ca.add_argument("--out", help="folder for the fit (default results/calibration/<timestamp>/)")
    ca.add_argument(
        "--write",
        action="store_true",
        help="write the fit to scenarios/calibration/fitted_S_E.toml, which scenarios extend",
    )
    ca.add_argument(
        "--record-only",
        action="store_true",
        help="with --write: estimate only the tracked fit's second stage again (each ally's "
        "own-record terms), its first stage and bootstrap kept",
    )
    ca.add_argument("--quiet", action="store_true", help="no progress bar")
    ca.set_defaults(func=cmd_calibrate)

    hi = sub.add_parser("hindcast", help="run 2014-2025 and score it against the record")
    hi.add_argument(
        "--scenario", default="hindcast_2014", help="scenario to run (default hindcast_2014)"
    )
    hi.add_argument("--reps", type=positive, default=50, help="replications (default 50)")
    hi.add_argument("--seed", type=seed, default=0, help="root seed (default 0)")
    ends = (p.stem.rsplit("_", 1)[1] for p in FITS.glob("fitted_2014_*.json"))
    tracked = sorted(int(e) for e in ends if e.isdigit())
    hi.add_argument(
        "--train-end",
        type=cli_args.count(2024, 2016),
        default=2021,
        help="end of the calibration window: the run uses the values fitted on START-Y "
        "(scenarios/calibration/fitted_START_Y.json) and forecasts the years after it "
        f"(default 2021; tracked fits for 2014 starts: {', '.join(map(str, tracked)) or 'none'})",
    )
    hi.add_argument("--out", help="results folder (default results/hindcast/<timestamp>)")
    hi.set_defaults(func=cmd_hindcast)

"""The ``natosim explain`` command: the reasons behind a run's decisions, in words (a thin shell
over :mod:`sim.analysis.explain`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..scenario import ScenarioError


def cmd_explain(args: argparse.Namespace) -> int:
    from .. import data  # noqa: PLC0415
    from ..analysis.explain import (  # noqa: PLC0415
        ally_reasons,
        largest_movers,
        russia_reasons,
        us_reasons,
        verdict_reasons,
    )
    from ..runs.folders import check_run_folder, not_a_run_folder  # noqa: PLC0415
    from ..runs.store import read_table  # noqa: PLC0415
    from ..scenario import scenario_from_dict  # noqa: PLC0415

    folder = Path(args.results)
    expected = "a results folder of natosim run"
    if not folder.is_dir():
        raise ScenarioError(str(folder), "(folder)", expected)
    other = not_a_run_folder(folder)
    if other is not None:
        raise ScenarioError(str(folder), "(folder)", f"{expected} ({other})")
    if not (folder / "manifest.json").is_file():
        raise ScenarioError(str(folder), "(folder)", f"{expected} (no manifest.json)")
    _check_options(args, folder)  # from the manifest: a cheap refusal, before any table is read
    check_run_folder(folder)  # its manifest and tables, named if damaged
    try:
        man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        scenario = scenario_from_dict(man["scenario"])
        tables = {t: read_table(folder, t) for t in ("model", "allies", "events", "summary")}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        why = f"{type(exc).__name__}: {exc}"
        raise ScenarioError(str(folder), "(tables)", f"readable results tables ({why})") from None
    if "why_budget_level" not in tables["allies"].columns:
        raise ScenarioError(
            str(folder), "allies table", "the why_budget_ columns (written since natosim 0.2)"
        )
    options = None
    for ext in ("parquet", "csv"):
        if (folder / f"probe_options.{ext}").exists():
            options = read_table(folder, "probe_options")
    runs = sorted(tables["summary"]["run"].unique())
    if args.run not in runs:
        raise ScenarioError(
            "--run", str(args.run), f"one of the runs in {folder} ({runs[0]}-{runs[-1]})"
        )
    years = sorted(tables["model"]["year"].unique())
    year = args.year if args.year is not None else years[-1]
    if year not in years:
        raise ScenarioError("--year", str(year), f"a year of the run ({years[0]}-{years[-1]})")
    names = {r.iso3: r.country for r in data.allies()}
    allies = tables["allies"]
    if args.ally:
        code = args.ally.upper()
        if code not in set(allies["iso3"]):
            raise ScenarioError("--ally", args.ally, "the ISO3 code of an ally (EST, POL, ...)")
        codes = [code]
    else:
        codes = largest_movers(allies, args.run, year)
    print(f"Run {args.run} of {scenario.name}, {year}.")
    print("Budgets (points of GDP; the terms sum to the change):")
    for code in codes:
        print("  " + ally_reasons(allies, args.run, year, code, names.get(code, code)))
    print(us_reasons(tables["events"], args.run, year))
    print(russia_reasons(tables["model"], tables["events"], args.run, year, options))
    row = tables["summary"][tables["summary"]["run"] == args.run].iloc[0]
    print(verdict_reasons(row, scenario.params["verdict"]))
    return 0


def _check_options(args: argparse.Namespace, folder: Path) -> None:
    """Refuse ``--run``, ``--year`` and ``--ally`` from what the manifest says (how many
    replications, the scenario's years) and the allies' codes, before the tables are read (a
    run of 10,000 replications has large tables; ``--run 99999`` was refused only after reading
    them). A manifest that does not say is left to :func:`check_run_folder`, and what the
    tables hold is checked again once read (a failed run, a class that stopped early)."""
    from .. import data  # noqa: PLC0415
    from ..runs.folders import read_json_object  # noqa: PLC0415
    from ..scenario import scenario_from_dict  # noqa: PLC0415

    man = read_json_object(folder / "manifest.json")
    seeds = man.get("replication_seeds")
    if isinstance(seeds, list) and seeds and not 0 <= args.run < len(seeds):
        raise ScenarioError(
            "--run", str(args.run), f"one of the runs in {folder} (0-{len(seeds) - 1})"
        )
    if args.ally is not None and args.ally.upper() not in data.ally_codes():
        raise ScenarioError("--ally", args.ally, "the ISO3 code of an ally (EST, POL, ...)")
    if args.year is None or not isinstance(man.get("scenario"), dict):
        return
    try:
        scenario = scenario_from_dict(man["scenario"])
        first, last = int(scenario.get("run.start_year")), int(scenario.get("run.end_year"))
    except (ScenarioError, KeyError, TypeError, ValueError, AttributeError):
        return  # refused with its reason by check_run_folder
    if not first <= args.year <= last:
        raise ScenarioError("--year", str(args.year), f"a year of the run ({first}-{last})")


def add_parser(sub: argparse._SubParsersAction, count, year) -> None:
    ex = sub.add_parser(
        "explain",
        help="why each ally budgeted what it did, what Russia weighed, and the verdict's margins",
    )
    ex.add_argument("results", help="a results folder written by natosim run")
    ex.add_argument("--run", type=count, default=0, help="the replication (0)")
    ex.add_argument("--year", type=year, help="the year (default: the last)")
    ex.add_argument("--ally", help="an ally's ISO3 code (default: the five that moved most)")
    ex.set_defaults(func=cmd_explain)


__all__ = ["add_parser", "cmd_explain"]

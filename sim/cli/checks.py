"""The ``natosim checks`` command: every published figure beside the model's (a thin shell over
:func:`sim.analysis.checks.run_checks`). Prints the table, writes ``checks.csv`` (name,
reference_low,
reference_high, model, within) and a ``manifest.json``; exits 0 when every row is within its
band, 1 otherwise."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from ..runs.folders import atomic_folder, claimed_folder, command_line, default_folder

COLUMNS = ("name", "reference_low", "reference_high", "model", "within")


def format_rows(rows) -> str:
    """The table as printed: one line per check, its band, the model and what both mean."""
    width = max(len(r.name) for r in rows)
    lines = [f"{'check':<{width}}  {'published band':>19}  {'model':>9}  within"]
    for r in rows:
        band = f"{r.reference_low:.4g}-{r.reference_high:.4g}"
        lines.append(
            f"{r.name:<{width}}  {band:>19}  {r.model:>9.4g}  {'yes' if r.within else 'NO'}"
            + (f"  ({r.note})" if r.note else "")
        )
    ok = sum(r.within for r in rows)
    lines.append(f"{ok} of {len(rows)} within their band")
    return "\n".join(lines)


def write_checks(rows, folder: Path) -> Path:
    """``checks.csv`` in ``folder`` (numbers as exact reprs, ``within`` as True/False)."""
    path = folder / "checks.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(
                [r.name, repr(r.reference_low), repr(r.reference_high), repr(r.model), r.within]
            )
    return path


def cmd_checks(args: argparse.Namespace) -> int:
    from .. import __version__  # noqa: PLC0415
    from ..analysis.checks import run_checks  # noqa: PLC0415 (Mesa, the model)
    from ..runs.provenance import provenance  # noqa: PLC0415

    folder = Path(args.out) if args.out else default_folder(Path(args.results), "checks")
    with claimed_folder(folder, unique=not args.out) as folder:
        rows = run_checks(seed=args.seed)
        print(format_rows(rows))
        with atomic_folder(folder) as tmp:
            write_checks(rows, tmp)
            meta = {
                "command": command_line(getattr(args, "argv", None)),
                "natosim": __version__,
                "seed": args.seed,
                **provenance(),
            }
            (tmp / "manifest.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    print(f"results: {folder / 'checks.csv'}")
    return 0 if all(r.within for r in rows) else 1


def add_parser(sub: argparse._SubParsersAction, seed) -> None:
    ch = sub.add_parser(
        "checks",
        help="the model beside every published figure (RAND, DDIS, IISS, NATO's record); "
        "exit 1 if any is outside its band",
    )
    ch.add_argument("--out", help="folder for checks.csv (default results/checks/<timestamp>)")
    ch.add_argument("--seed", type=seed, default=1, help="seed of the model runs (1)")
    ch.add_argument("--results", default="results", help=argparse.SUPPRESS)
    ch.set_defaults(func=cmd_checks)


__all__ = ["COLUMNS", "add_parser", "cmd_checks", "format_rows", "write_checks"]

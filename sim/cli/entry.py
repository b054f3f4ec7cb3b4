"""The ``natosim`` console script: :func:`sim.cli.commands.main`, with a Ctrl-C that lands
while the command line is still loading (NumPy, pandas: the first tenth of a second) said in one
line and exit 130, as :func:`~sim.cli.commands.main` says one later (it printed Python's
traceback of the import: found by fuzzing)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    try:
        from .commands import main as command_line  # noqa: PLC0415 (the interrupt is caught)
    except KeyboardInterrupt:
        print("natosim: interrupted while starting; nothing was written", file=sys.stderr)
        return 130
    return command_line(argv)

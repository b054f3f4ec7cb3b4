"""The ``natosim`` console script: :func:`sim.cli.commands.main`, with a Ctrl-C that lands
while the command line is still loading (NumPy, pandas: the first tenth of a second) said in one
line and exit 130, as :func:`~sim.cli.commands.main` says one later (it printed Python's
traceback of the import: found by fuzzing).

A command that runs models and writes their results (:data:`COMPUTING`) marks its process as one
that does nothing but runs (:func:`sim.runs.pool.dedicate`), so the runs may set the garbage
collector to themselves (:func:`sim.engine.lockstep.run_many`); the servers (``natosim ui``,
``natosim seminar``) and a Python session calling :func:`~sim.cli.commands.main` with its own
arguments keep theirs."""

from __future__ import annotations

import sys

COMPUTING = frozenset(
    {"run", "compare", "sweep", "debate", "explain", "calibrate", "hindcast", "checks", "discover"}
)
"""The commands whose process does nothing but run models and write what they give."""


def main(argv: list[str] | None = None) -> int:
    try:
        from .commands import main as command_line  # noqa: PLC0415 (the interrupt is caught)
    except KeyboardInterrupt:
        print("natosim: interrupted while starting; nothing was written", file=sys.stderr)
        return 130
    if argv is None and sys.argv[1:2] and sys.argv[1] in COMPUTING:
        from ..runs.pool import dedicate  # noqa: PLC0415 (loaded with the commands)

        dedicate()
    return command_line(argv)

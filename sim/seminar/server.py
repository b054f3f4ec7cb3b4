"""``natosim seminar SCENARIO``: serve a class session with Solara (127.0.0.1 unless told).

Prints the join link (with the session's code) for the students and the instructor's link (with
the instructor's token, needed for the console); on a network address the join code is required
to take a seat and exports are off unless ``--allow-export``. Like ``natosim ui``, the command
becomes the server (exec), so stopping it stops the server.
"""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path


def cmd_seminar(args: argparse.Namespace) -> int:
    from ..paths import resolve_scenario_path  # noqa: PLC0415
    from ..scenario import load_scenario  # noqa: PLC0415
    from ..ui.server import command, serve_setup  # noqa: PLC0415

    scenario = load_scenario(resolve_scenario_path(args.scenario))  # refused here if bad
    port, _, env = serve_setup(args)
    code = f"{secrets.randbelow(10**6):06d}"
    instructor = secrets.token_urlsafe(12)
    env |= {
        "NATOSIM_SEMINAR_SCENARIO": str(scenario.source or args.scenario),
        "NATOSIM_SEMINAR_SEED": str(args.seed),
        "NATOSIM_SEMINAR_CODE": code,
        "NATOSIM_SEMINAR_INSTRUCTOR": instructor,
        "NATOSIM_SEMINAR_SECONDS": str(args.seconds),
    }
    shown = "127.0.0.1" if args.host == "0.0.0.0" else args.host
    base = f"http://{shown}:{port}/"
    print(f"natosim seminar: {scenario.name}, seed {args.seed}  (Ctrl-C to stop)", flush=True)
    print(f"students join: {base}?code={code}   (join code {code})", flush=True)
    print(f"instructor:    {base}?instructor={instructor}", flush=True)
    cmd = command(args.host, port, "sim.seminar.app")
    os.execve(cmd[0], cmd, env)
    return 0  # not reached


def add_parser(sub: argparse._SubParsersAction) -> None:
    from .. import cli_args  # noqa: PLC0415

    se = sub.add_parser(
        "seminar", help="run a class session: students play roles, you run the clock"
    )
    se.add_argument("scenario", help="a scenario file or the name of a shipped scenario")
    se.add_argument("--seed", type=cli_args.seed, default=7, help="the run's seed (default 7)")
    se.add_argument(
        "--seconds",
        type=cli_args.count(3600, 10),
        default=180,
        help="time for decisions each year, shown as a countdown (default 180)",
    )
    se.add_argument("--host", default="127.0.0.1", help="address (0.0.0.0: the classroom network)")
    se.add_argument("--port", type=cli_args.count(65535, 0), default=0, help="port (default: free)")
    se.add_argument("--export-dir", default=str(Path("results") / "seminar"))
    se.add_argument("--allow-export", action="store_true", help="exports on a network address")
    se.set_defaults(func=cmd_seminar)

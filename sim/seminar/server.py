"""``natosim seminar SCENARIO``: serve a class session with Solara (127.0.0.1 unless told).

Prints the join link (with the session's code) for the students and the instructor's link (with
the instructor's token, needed for the console); on a network address the join code is required
to take a seat and exports are off unless ``--allow-export``. The session is saved at every year
in a folder it prints; ``natosim seminar --resume FOLDER`` brings the class back after a restart
(the same year, seats, join code, links and port if free). Like ``natosim ui``, the command
becomes the server (exec, :mod:`sim.seminar.serve`), so stopping it stops the server.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path


def cmd_seminar(args: argparse.Namespace) -> int:
    from ..extras import check  # noqa: PLC0415
    from ..scenario import ScenarioError, load_scenario  # noqa: PLC0415
    from ..scenario.paths import resolve_scenario_path  # noqa: PLC0415
    from ..ui.server import serve_setup  # noqa: PLC0415

    check("ui", "natosim seminar", "solara", "solara_assets")

    if args.resume:
        folder = Path(args.resume).resolve()
        try:
            saved = json.loads((folder / "session.json").read_text())
            server = json.loads((folder / "server.json").read_text())
        except (OSError, ValueError):
            raise ScenarioError(
                "--resume", args.resume, "a folder a seminar saved (with session.json)"
            ) from None
        scenario = load_scenario(resolve_scenario_path(saved["scenario"]))
        seed, code, instructor = int(saved["seed"]), saved["code"], saved["instructor_token"]
        if not args.port:
            args.port = int(server.get("port", 0))  # the same links, if the port is free
        args.seconds = int(saved.get("seconds_per_year", args.seconds))
    else:
        if not args.scenario:
            raise ScenarioError("seminar", "scenario", "a scenario (or --resume FOLDER)")
        scenario = load_scenario(resolve_scenario_path(args.scenario))  # refused here if bad
        seed = args.seed
        code = f"{secrets.randbelow(10**6):06d}"
        instructor = secrets.token_urlsafe(12)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        folder = (Path(args.save_dir) / f"{scenario.name}-{stamp}-{secrets.token_hex(2)}").resolve()
    port, _, env = serve_setup(args)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "server.json").write_text(json.dumps({"host": args.host, "port": port}))
    env |= {
        "NATOSIM_SEMINAR_SCENARIO": str(scenario.source or args.scenario),
        "NATOSIM_SEMINAR_SEED": str(seed),
        "NATOSIM_SEMINAR_CODE": code,
        "NATOSIM_SEMINAR_INSTRUCTOR": instructor,
        "NATOSIM_SEMINAR_SECONDS": str(args.seconds),
        "NATOSIM_SEMINAR_FOLDER": str(folder),
        "NATOSIM_SEMINAR_RESUME": "1" if args.resume else "",
        "NATOSIM_SEMINAR_PER_CLIENT": str(args.connections_per_client),
    }
    shown = "127.0.0.1" if args.host == "0.0.0.0" else args.host
    base = f"http://{shown}:{port}/"
    what = "resumed" if args.resume else f"seed {seed}"
    print(f"natosim seminar: {scenario.name}, {what}  (Ctrl-C to stop)", flush=True)
    print(f"students join: {base}?code={code}   (join code {code})", flush=True)
    print(f"instructor:    {base}?instructor={instructor}", flush=True)
    print(f"saved at every year in {folder}  (natosim seminar --resume {folder})", flush=True)
    cmd = [sys.executable, "-m", "sim.seminar.serve", args.host, str(port)]
    os.execve(cmd[0], cmd, env)
    return 0  # not reached


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ..cli import args as cli_args  # noqa: PLC0415

    se = sub.add_parser(
        "seminar", help="run a class session: students play roles, you run the clock"
    )
    se.add_argument("scenario", nargs="?", help="a scenario file or the name of a shipped scenario")
    se.add_argument(
        "--resume",
        metavar="FOLDER",
        help="bring back a class saved in FOLDER (year, seats, code and links)",
    )
    se.add_argument(
        "--save-dir",
        default=str(Path("results") / "seminar" / "sessions"),
        help="where a new session is saved at every year (default results/seminar/sessions)",
    )
    se.add_argument(
        "--connections-per-client",
        type=cli_args.count(1000, 1),
        default=8,
        help="open pages one address may have (default 8; raise it for a class on one machine)",
    )
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

"""``natosim seminar SCENARIO``: serve a class session with Solara (127.0.0.1 unless told).

Prints the join link (with the session's code) for the students and the instructor's link (with
the instructor's token, needed for the console); on a network address the join code is required
to take a seat and exports are off unless ``--allow-export``. The session is saved at every year
in a folder it prints; ``natosim seminar --resume FOLDER`` brings the class back after a restart
(the same year, seats, join code, links and port; another port, said so, if that one is taken
now). The port is listened on before anything is written, and that socket is handed to the
server (a taken port is refused with nothing made). Like ``natosim ui``, the command
becomes the server (exec, :mod:`sim.seminar.serve`), so stopping it stops the server; a resumed
class is served in the command's own process instead, with the class it played back to check it
(an exec would play it back a second time).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

    from .session import ClassSession

DEFAULT_HOST = "127.0.0.1"  # this machine only; a resumed class keeps the address it was saved on


def check_resumable(folder: Path, scenario) -> ClassSession:
    """The saved class played back (:meth:`ClassSession.resume`) before anything is served or
    written, and returned for the server (:func:`serve_resumed`): a hand-edited ``session.json``
    (a malformed message, a pending decision out of bounds, a year that cannot be replayed) is
    refused here with one message, not by a traceback from the server at start-up."""
    from ..scenario import ScenarioError  # noqa: PLC0415
    from .errors import SeminarError  # noqa: PLC0415
    from .session import SAVE_NAME, ClassSession  # noqa: PLC0415

    try:
        return ClassSession.resume(folder, scenario=scenario)
    except ScenarioError:
        raise
    except (
        SeminarError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        IndexError,
        RecursionError,
    ) as exc:
        why = str(exc) if isinstance(exc, SeminarError) else f"{type(exc).__name__}: {exc}"
        raise ScenarioError(
            str(folder / SAVE_NAME), "(content)", f"a session as a seminar saves it ({why})"
        ) from None


def serve_resumed(
    session: ClassSession, host: str, sock: socket.socket, env: dict[str, str]
) -> None:
    """Serve ``session`` (the class :func:`check_resumable` played back) on the listening
    ``sock`` in this process, with the server's environment ``env``: an exec, as for a new
    class, would start an interpreter that plays the saved class back again. The command still
    becomes the server (a stop signal reaches it); this returns only if serving failed."""
    from . import handover, serve  # noqa: PLC0415

    os.environ.update(env)
    handover.SESSION = session
    try:
        serve.serve(host, 0, sock, "sim.seminar.app")
    finally:
        sock.close()


def cmd_seminar(args: argparse.Namespace) -> int:
    from ..cli import args as cli_args  # noqa: PLC0415
    from ..extras import check  # noqa: PLC0415
    from ..scenario import ScenarioError, load_scenario  # noqa: PLC0415
    from ..scenario.paths import resolve_scenario_path  # noqa: PLC0415
    from ..ui.server import become, link_host, listen, serve_command, serve_setup  # noqa: PLC0415

    check("ui", "natosim seminar", "solara", "solara_assets")

    saved_port = 0
    resumed = None  # the saved class, played back (--resume)
    if args.resume:
        folder = Path(args.resume).resolve()
        try:
            saved = json.loads((folder / "session.json").read_text(encoding="utf-8-sig"))
            server = json.loads((folder / "server.json").read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            raise ScenarioError(
                "--resume", args.resume, "a folder a seminar saved (with session.json)"
            ) from None
        scenario = load_scenario(resolve_scenario_path(saved["scenario"]))
        seed, code, instructor = int(saved["seed"]), saved["code"], saved["instructor_token"]
        args.seconds = int(saved.get("seconds_per_year", args.seconds))
        resumed = check_resumable(folder, scenario)
        if not args.port:
            saved_port = int(server.get("port", 0))  # the same links, if the port is free
        if args.host is None:  # the same address: a class on the network stays on it
            args.host = cli_args.host(str(server.get("host", DEFAULT_HOST)))
    else:
        if not args.scenario:
            raise ScenarioError("seminar", "scenario", "a scenario (or --resume FOLDER)")
        scenario = load_scenario(resolve_scenario_path(args.scenario))  # refused here if bad
        seed = args.seed
        code = f"{secrets.randbelow(10**6):06d}"
        instructor = secrets.token_urlsafe(12)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        folder = (Path(args.save_dir) / f"{scenario.name}-{stamp}-{secrets.token_hex(2)}").resolve()
    if args.host is None:
        args.host = DEFAULT_HOST
    _, env = serve_setup(args)
    # listening before anything is written: a taken port or an address this machine does not
    # have is refused with nothing made; a resumed class whose port was taken since moves
    sock = listen(args.host, saved_port or args.port, or_any=bool(saved_port))
    port = sock.getsockname()[1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "server.json").write_text(json.dumps({"host": args.host, "port": port}))
    except BaseException:
        sock.close()
        raise
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
    base = f"http://{link_host(args.host)}:{port}/"
    what = "resumed" if args.resume else f"seed {seed}"
    print(f"natosim seminar: {scenario.name}, {what}  (Ctrl-C to stop)", flush=True)
    print(f"students join: {base}?code={code}   (join code {code})", flush=True)
    print(f"instructor:    {base}?instructor={instructor}", flush=True)
    print(f"saved at every year in {folder}  (natosim seminar --resume {folder})", flush=True)
    if saved_port and port != saved_port:
        print(
            f"natosim seminar: the saved port {saved_port} is taken now; serving on {port} "
            "(the links above are new: give the class the new join link)",
            file=sys.stderr,
            flush=True,
        )
    if resumed is not None:
        serve_resumed(resumed, args.host, sock, env)
        return 0  # not reached
    become(serve_command(args.host, sock, "sim.seminar.app"), env, sock)
    return 0  # not reached


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ..cli import args as cli_args  # noqa: PLC0415
    from .serve import PER_CLIENT  # noqa: PLC0415

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
        default=PER_CLIENT,
        help=f"open pages one address may have (default {PER_CLIENT}: a class behind one "
        "router shares an address; a page beyond it says why). This machine's own pages "
        "(127.0.0.1, ::1: tabs, a browser-driven test, a reverse proxy here) count only "
        "towards the total of 300",
    )
    se.add_argument("--seed", type=cli_args.seed, default=7, help="the run's seed (default 7)")
    se.add_argument(
        "--seconds",
        type=cli_args.count(3600, 10),
        default=180,
        help="time for decisions each year, shown as a countdown (default 180)",
    )
    se.add_argument(
        "--host",
        type=cli_args.host,
        default=None,
        help=f"address (default {DEFAULT_HOST}; 0.0.0.0: the classroom network; an IPv6 address "
        "such as ::1 is shown in brackets in the link; --resume: the saved address unless given)",
    )
    se.add_argument(
        "--port",
        type=cli_args.port,
        default=0,
        help=cli_args.PORT_HELP + "; --resume: the saved port, or a free one if it is taken",
    )
    se.add_argument("--export-dir", default=str(Path("results") / "seminar"))
    se.add_argument("--allow-export", action="store_true", help="exports on a network address")
    se.set_defaults(func=cmd_seminar)

"""``natosim ui``: serve the seminar app with Solara, on 127.0.0.1 unless told otherwise.

Offline: Solara fetches its front-end assets through its own server ("assets proxy"), and the
``solara-assets`` package installs them beside the environment, so the page never reaches a CDN.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def command(host: str, port: int) -> list[str]:
    """The Solara command that serves ``sim.ui.app``."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.ui.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
    ]


def cmd_ui(args: argparse.Namespace) -> int:
    host = args.host
    port = args.port or free_port(host if host != "0.0.0.0" else "127.0.0.1")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_ASSETS_PROXY": "True"}
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    print(f"natosim seminar app: http://{shown}:{port}/  (Ctrl-C to stop)", flush=True)
    if host != "127.0.0.1":
        print(f"listening on {host}: reachable from the network", flush=True)
    # become the server (exec): a signal sent to `natosim ui` (Ctrl-C, a test's terminate, a
    # service manager's stop) reaches Solara itself, so no orphaned server outlives it
    cmd = command(host, port)
    os.execve(cmd[0], cmd, env)
    return 0  # not reached


def add_parser(sub: argparse._SubParsersAction) -> None:
    ui = sub.add_parser("ui", help="start the seminar web app (Solara)")
    ui.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 opens it to a classroom network)",
    )
    ui.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    ui.set_defaults(func=cmd_ui)

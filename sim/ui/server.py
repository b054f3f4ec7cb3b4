"""``natosim ui``: serve the seminar app with Solara, on 127.0.0.1 unless told otherwise.

Offline: Solara fetches its front-end assets through its own server ("assets proxy"), and the
``solara-assets`` package installs them beside the environment, so the page never reaches a CDN.
"""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import socket
import sys
from pathlib import Path

from .config import ENV_ALLOW_EXPORT, ENV_EXPORT_DIR, ENV_TOKEN


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def command(host: str, port: int, app: str = "sim.ui.app") -> list[str]:
    """The Solara command that serves ``app`` (the solo app, or ``sim.seminar.app``)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        app,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
    ]


def check_host(host: str, port: int) -> None:
    """Refuse an address that does not resolve or cannot be bound here, before Solara starts
    (Solara would print a traceback)."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    try:
        infos = socket.getaddrinfo(host, port or None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise ScenarioError("--host", host, f"an address of this machine ({exc})") from None
    family, _, _, _, address = infos[0]
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        flag = "--port" if port and exc.errno == errno.EADDRINUSE else "--host"
        value = str(port) if flag == "--port" else host
        raise ScenarioError(
            flag, value, f"an address this machine can listen on ({exc.strerror})"
        ) from None


def serve_setup(args: argparse.Namespace) -> tuple[int, bool, dict[str, str]]:
    """What ``natosim ui`` and ``natosim seminar`` check and set before Solara starts: the
    address can be listened on, the export folder is usable, a port; returns the port, whether
    the address is local, and the server's environment (offline assets, no telemetry, the export
    root and whether export is allowed: always on a local address, else with --allow-export)."""
    from ..runs.folders import check_folder  # noqa: PLC0415

    check_host(args.host, args.port)
    export_dir = Path(args.export_dir).resolve()
    if not export_dir.is_dir():
        check_folder(export_dir, "--export-dir")
    local = args.host in ("127.0.0.1", "localhost", "::1")
    port = args.port or free_port(args.host if args.host != "0.0.0.0" else "127.0.0.1")
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_PROXY": "True",
        ENV_EXPORT_DIR: str(export_dir),
        ENV_ALLOW_EXPORT: "1" if local or args.allow_export else "0",
        ENV_TOKEN: "",
    }
    return port, local, env


def cmd_ui(args: argparse.Namespace) -> int:
    from ..extras import check  # noqa: PLC0415

    check("ui", "natosim ui", "solara", "solara_assets")
    host = args.host
    port, local, env = serve_setup(args)
    token = "" if local else secrets.token_urlsafe(12)
    env[ENV_TOKEN] = token
    allow_export = env[ENV_ALLOW_EXPORT] == "1"
    export_dir = env[ENV_EXPORT_DIR]
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    query = f"?token={token}" if token else ""
    print(f"natosim seminar app: http://{shown}:{port}/{query}  (Ctrl-C to stop)", flush=True)
    if not local:
        print(
            f"listening on {host}: reachable from the network; the link above carries the join "
            f"token ({token}), without which the page shows nothing",
            flush=True,
        )
    print(
        f"exports: {export_dir}" if allow_export else "exports: off (--allow-export to enable)",
        flush=True,
    )
    # become the server (exec): a signal sent to `natosim ui` (Ctrl-C, a test's terminate, a
    # service manager's stop) reaches Solara itself, so no orphaned server outlives it
    cmd = command(host, port)
    os.execve(cmd[0], cmd, env)
    return 0  # not reached


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ..cli import args as cli_args  # noqa: PLC0415

    ui = sub.add_parser("ui", help="start the seminar web app (Solara)")
    ui.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 opens it to a classroom network, "
        "with a join token)",
    )
    ui.add_argument(
        "--port", type=cli_args.count(65535, 0), default=0, help="port (default: a free one)"
    )
    ui.add_argument(
        "--export-dir",
        default=str(Path("results") / "ui"),
        help="the only folder the app may export runs into (default results/ui)",
    )
    ui.add_argument(
        "--allow-export",
        action="store_true",
        help="allow exports when listening on a network address (always allowed on 127.0.0.1)",
    )
    ui.set_defaults(func=cmd_ui)

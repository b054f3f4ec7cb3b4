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


def listen(host: str, port: int, flag: str = "--port", or_any: bool = False) -> socket.socket:
    """A socket listening on ``host``:``port`` (0: a free port), opened before anything is
    written and handed to the server (:mod:`sim.seminar.serve`), so a taken port or an address
    this machine does not have is refused here, with one message, instead of by the server after
    the session's folder was made. ``flag`` names the port in the message (``--port``, or the
    saved session's port). ``or_any``: a taken ``port`` gives a free one instead."""
    from ..scenario import ScenarioError  # noqa: PLC0415

    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE | socket.AI_NUMERICSERV
        )
    except (OSError, UnicodeError, ValueError) as exc:  # gaierror; a label of 64 letters (idna)
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ScenarioError("--host", host, f"an address of this machine ({why})") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        sock.bind(address)
        sock.listen(2048)  # uvicorn's backlog
    except OSError as exc:
        sock.close()
        why = exc.strerror or type(exc).__name__
        if port and exc.errno == errno.EADDRINUSE and or_any:
            return listen(host, 0, flag)
        if port and exc.errno == errno.EADDRINUSE:
            raise ScenarioError(
                flag, str(port), "a port free on this machine (this one is in use)"
            ) from None
        raise ScenarioError(
            "--host", host, f"an address this machine can listen on ({why})"
        ) from None
    return sock


def link_host(host: str) -> str:
    """``host`` as written in a link: 127.0.0.1 for every IPv4 address, [::1] for every IPv6
    address, an IPv6 address in brackets."""
    if host == "0.0.0.0":
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def is_local(host: str) -> bool:
    """Whether only this machine can reach ``host`` (a loopback address)."""
    import ipaddress  # noqa: PLC0415

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", maxsplit=1)[0]).is_loopback
    except ValueError:
        return False


def serve_setup(args: argparse.Namespace) -> tuple[bool, dict[str, str]]:
    """What ``natosim ui`` and ``natosim seminar`` check and set before they listen (see
    :func:`listen`): the export folder is usable; returns whether the address is local, and the
    server's environment (offline assets, no telemetry, the export root and whether export is
    allowed: always on a local address, else with --allow-export)."""
    from ..runs.folders import check_folder  # noqa: PLC0415

    export_dir = Path(args.export_dir).resolve()
    if not export_dir.is_dir():
        check_folder(export_dir, "--export-dir")
    local = is_local(args.host)
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_PROXY": "True",
        ENV_EXPORT_DIR: str(export_dir),
        ENV_ALLOW_EXPORT: "1" if local or args.allow_export else "0",
        ENV_TOKEN: "",
    }
    return local, env


def serve_command(host: str, sock: socket.socket, app: str) -> list[str]:
    """The command that serves ``app`` on the listening ``sock`` (:mod:`sim.seminar.serve`);
    ``sock`` is made inheritable, for the server to take over across ``exec``."""
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    return [
        sys.executable,
        "-m",
        "sim.seminar.serve",
        host,
        str(port),
        "--fd",
        str(sock.fileno()),
        "--app",
        app,
    ]


def become(cmd: list[str], env: dict[str, str], sock: socket.socket) -> None:
    """Become the server (exec): a signal sent to the command (Ctrl-C, a test's terminate, a
    service manager's stop) reaches the server itself, so no orphaned server outlives it. The
    socket is closed if the exec fails (it returns only then)."""
    try:
        os.execve(cmd[0], cmd, env)
    finally:
        sock.close()


# a page whose connection is gone (a laptop shut, Wi-Fi lost; a closed tab tells the server and
# is freed at once) is dropped after this long instead of Solara's 24 hours: a class of laptops
# coming and going would otherwise keep every model and its widgets for a day. Its run is not
# lost: its address (?run=...) rebuilds it from the kept recipe (sim.ui.app.restore)
CULL_AFTER = "10m"


def ui_environment(env: dict[str, str], args: argparse.Namespace) -> dict[str, str]:
    """The app's server environment beyond :func:`serve_setup`'s: the pages one address may
    have open at once (``--connections-per-client``; a page beyond it is answered with one
    saying why, and this machine's own pages count only towards the total:
    :class:`sim.seminar.serve.Guard`), and how long a disconnected page's session is kept
    (:data:`CULL_AFTER`, unless ``SOLARA_KERNEL_CULL_TIMEOUT`` is set)."""
    env = dict(env)
    env["NATOSIM_SEMINAR_PER_CLIENT"] = str(args.connections_per_client)
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", CULL_AFTER)
    return env


def cmd_ui(args: argparse.Namespace) -> int:
    from ..extras import check  # noqa: PLC0415

    check("ui", "natosim ui", "solara", "solara_assets")
    host = args.host
    local, env = serve_setup(args)
    env = ui_environment(env, args)
    sock = listen(host, args.port)
    port = sock.getsockname()[1]
    token = "" if local else secrets.token_urlsafe(12)
    env[ENV_TOKEN] = token
    allow_export = env[ENV_ALLOW_EXPORT] == "1"
    export_dir = env[ENV_EXPORT_DIR]
    query = f"?token={token}" if token else ""
    print(
        f"natosim seminar app: http://{link_host(host)}:{port}/{query}  (Ctrl-C to stop)",
        flush=True,
    )
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
    become(serve_command(host, sock, "sim.ui.app"), env, sock)
    return 0  # not reached


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ..cli import args as cli_args  # noqa: PLC0415
    from ..seminar.serve import PER_CLIENT  # noqa: PLC0415

    ui = sub.add_parser("ui", help="start the seminar web app (Solara)")
    ui.add_argument(
        "--host",
        type=cli_args.host,
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 opens it to a classroom network, "
        "with a join token; an IPv6 address such as ::1 is shown in brackets in the link)",
    )
    ui.add_argument("--port", type=cli_args.port, default=0, help=cli_args.PORT_HELP)
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
    ui.add_argument(
        "--connections-per-client",
        type=cli_args.count(1000, 1),
        default=PER_CLIENT,
        metavar="N",
        help=f"pages one address may have open at once (default {PER_CLIENT}; tabs on one laptop, "
        "or a class behind one router, count as one address; a page beyond it says why). This "
        "machine's own pages (127.0.0.1, ::1: tabs, a browser-driven test, a reverse proxy here) "
        "count only towards the server's total of 300",
    )
    ui.set_defaults(func=cmd_ui)

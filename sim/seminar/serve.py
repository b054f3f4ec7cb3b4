"""The seminar's web server: Solara's app behind a guard, run by uvicorn in this process.

``python -m sim.seminar.serve HOST PORT [--fd N] [--app MODULE]`` (``natosim seminar`` and
``natosim ui`` exec it) serves ``sim.seminar.app`` (or ``MODULE``) like ``solara run
--production`` would, with what a classroom network needs:

* it serves on the listening socket ``N`` that the command opened before writing anything and
  left open across the exec (:func:`sim.ui.server.listen`): a taken port was refused there, and
  no other process can take the port in between (without ``--fd`` it binds HOST:PORT itself);

* at most ``NATOSIM_SEMINAR_PER_CLIENT`` open page connections (websockets) per client address
  (default :data:`PER_CLIENT`, 40) and ``NATOSIM_SEMINAR_MAX_CONNECTIONS`` in all (default
  300). This machine's own address (127.0.0.1, ::1, ::ffff:127.0.0.1) counts only towards the
  total: every page opened on the server's machine comes from it (a teacher's tabs, a
  browser-driven test of a class, a reverse proxy on the same host without proxy headers), and
  a per-address limit there stalled the ninth page. A page asked for beyond the limit is
  answered with a short page saying why (429: how many pages the address has open, that closing
  a tab frees a place, ``--connections-per-client``; it asks again every 3 s, so a page reloaded
  at the limit comes in), not Solara's "Loading app" for ever. A page let in holds its place
  until its connection comes (at most 20 s), so pages asked for at the same moment are counted
  too; a connection beyond the limit all the same (a reconnect) is still closed before it is
  accepted (code 1008);
* each connection may send a burst of 300 messages, then 30 a second: beyond that it is closed
  (a page a person uses sends far fewer; 40,000 junk messages no longer pile up in memory);
* a message larger than 512 KiB is refused by uvicorn;
* the address a page connects from is passed to the app as the ``x-natosim-client`` header
  (any such header a browser sends is dropped), for the join gate;
* a page whose session the server no longer has (the server was restarted, a class resumed on
  the same port) reloads by itself (Solara's ``force_refresh``), instead of asking to be
  refreshed;
* SIGTERM or Ctrl-C stops it promptly: uvicorn gets 2 s to close connections, and the process
  exits 3 s after a stop was asked for whatever still runs (the pages' watcher threads).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import ipaddress
import logging
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, cast

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
CLIENT_HEADER = b"x-natosim-client"
MAX_MESSAGE = 512 * 1024


# where Solara serves its static files (scripts, styles, fonts, the widgets' code): never refused,
# or a page let in a moment before the limit was reached would load half
ASSET_PATHS = ("/static/", "/_solara/", "/jupyter/")
RETRY_S = 3  # the refusal page asks again after this long (Guard.refusal)
# a page let in holds its place this long until its connection comes (Guard.pending)
PENDING_S = 20.0
# pages one address may have open: a class of 30 seen from a server outside its school's network
# shares one address (the school's router), with its instructor's tabs; the server's total bounds
# the rest (was 8: a hosted class stalled at its ninth student)
PER_CLIENT = 40
# a reverse proxy on this host, over IPv4, IPv6 or IPv4 mapped into IPv6 (a server listening on
# "::"): the addresses whose X-Forwarded-For is believed (uvicorn's own default is 127.0.0.1)
TRUSTED_PROXIES = "127.0.0.1,::1,::ffff:127.0.0.1"


def loopback(client: str) -> bool:
    """Whether ``client`` (an address as the server saw it) is this machine: 127.0.0.0/8, ::1,
    or 127.x written as IPv6 (``::ffff:127.0.0.1``, what a dual-stack socket reports; Python
    3.11's ``is_loopback`` says False for it). Anything else, a name or "unknown" included, is
    a client of its own."""
    try:
        address = ipaddress.ip_address(client.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def wants_page(scope: Scope) -> bool:
    """Whether an HTTP request asks for a page a person will look at (a GET whose Accept names
    text/html, as a browser's navigation does), not a static asset or an API call: only that
    is answered with the refusal page."""
    if scope.get("method") not in ("GET", "HEAD") or scope.get("path", "").startswith(ASSET_PATHS):
        return False
    accept = b",".join(v for k, v in scope.get("headers", []) if k.lower() == b"accept")
    return b"text/html" in accept.lower()


class Guard:
    """ASGI middleware: connections per client and in total, messages per second per
    connection, the client's address as a header.

    A client on this machine (:func:`loopback`) is bounded by the total alone: all of the
    server's machine is one address, whoever sits behind it (many tabs, a test driving a
    class's browsers, a reverse proxy). A page asked for when its client is full (or the server
    is) is answered with :meth:`refusal`, which says why. A page let in holds its place until
    its connection comes (:attr:`pending`, at most :data:`PENDING_S`): pages asked for at the
    same moment (a class behind one router following the link at once) are counted as they
    are let in, so the one beyond the limit is told why rather than left at "Loading app" by
    the connection check, which stays as the backstop (a connection that comes without its page
    being asked for: a reconnect, a page held longer)."""

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        per_client: int = PER_CLIENT,
        total: int = 300,
        rate: float = 30.0,
        burst: float = 300.0,
    ) -> None:
        self.app, self.per_client, self.total = app, per_client, total
        self.rate, self.burst = rate, burst
        self.open: dict[str, int] = {}
        self.pending: dict[str, list[float]] = {}  # when pages let in were asked for, by client
        self.pending_s = PENDING_S
        self.refused = 0
        self.turned_away = 0
        self.cut = 0

    def pages(self, client: str) -> tuple[int, int]:
        """The pages ``client`` has, and the server has in all: open, or let in and whose
        connection has not come yet (those asked for more than ``pending_s`` ago are dropped)."""
        now = time.monotonic()
        for who, asked in list(self.pending.items()):
            kept = [t for t in asked if now - t < self.pending_s]
            if kept:
                self.pending[who] = kept
            else:
                del self.pending[who]
        mine = self.open.get(client, 0) + len(self.pending.get(client, ()))
        everyone = sum(self.open.values()) + sum(len(asked) for asked in self.pending.values())
        return mine, everyone

    def full(self, client: str) -> bool:
        """Whether a further page from ``client`` would be refused: the server has its total,
        or ``client`` (not this machine) has its ``per_client``."""
        mine, everyone = self.pages(client)
        return everyone >= self.total or (not loopback(client) and mine >= self.per_client)

    def refusal(self, client: str) -> bytes:
        """The page a refused client sees: how many pages are open, what frees a place, who can
        raise the limit (an escaped address, no script, no asset to load). It asks again by
        itself every :data:`RETRY_S` seconds: a page reloaded at the limit is asked for while its
        own connection is still open (a browser leaves the old page only once the new one has
        come), so it is refused once and let in at the retry; a tab refused for a full class
        comes in by itself when a place is freed."""
        mine, everyone = self.pages(client)
        if everyone >= self.total:
            why = (
                f"The seminar server has {self.total} pages open, as many as it takes. Closing "
                "a tab of it anywhere frees a place."
            )
        else:
            pages = "page" if mine == 1 else "pages"
            why = (
                f"This address ({html.escape(client)}) has {mine} {pages} of the seminar open, "
                f"as many as one address may have ({self.per_client}). Closing one of those tabs "
                "frees a place. A class behind one router counts as one address: the instructor "
                "can raise the limit with --connections-per-client."
            )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="{RETRY_S}">'
            "<title>natosim: too many pages open</title></head><body>"
            f"<h1>Too many pages open</h1><p>{why}</p>"
            f"<p>This page tries again by itself every {RETRY_S} seconds.</p></body></html>"
        ).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = str((scope.get("client") or ("unknown", 0))[0])
        headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != CLIENT_HEADER]
        headers.append((CLIENT_HEADER, client.encode("latin-1", "replace")))
        scope = {**scope, "headers": headers}
        if scope["type"] == "http":
            if wants_page(scope) and self.full(client):
                self.turned_away += 1
                body = self.refusal(client)
                await send(
                    {
                        "type": "http.response.start",
                        "status": 429,
                        "headers": [
                            (b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
            if wants_page(scope):
                self.pending.setdefault(client, []).append(time.monotonic())
            await self.app(scope, receive, send)
            return
        asked = self.pending.get(client)
        if asked:  # the connection of a page let in: its place is now an open one
            asked.pop(0)
        if self.full(client):
            self.refused += 1
            await receive()  # the websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        self.open[client] = self.open.get(client, 0) + 1
        tokens, last = self.burst, time.monotonic()
        closed = False

        async def guarded() -> dict[str, Any]:
            nonlocal tokens, last, closed
            if closed:
                return {"type": "websocket.disconnect", "code": 1008}
            message = await receive()
            if message["type"] == "websocket.receive":
                now = time.monotonic()
                tokens = min(self.burst, tokens + (now - last) * self.rate)
                last = now
                tokens -= 1
                if tokens < 0:
                    closed = True
                    self.cut += 1
                    with contextlib.suppress(Exception):
                        await send({"type": "websocket.close", "code": 1008})
                    return {"type": "websocket.disconnect", "code": 1008}
            return message

        try:
            await self.app(scope, guarded, send)
        finally:
            self.open[client] -= 1
            if not self.open[client]:
                del self.open[client]


def _as_its_own_process() -> None:
    """Logging and warnings as the server has them when it runs as its own process (``python -m
    sim.seminar.serve``, exec'd by ``natosim seminar``): nothing configured, as in a new
    interpreter. A class resumed with ``natosim seminar --resume`` is served in the command's
    process (:func:`sim.seminar.server.serve_resumed`), which had set up the command's logging
    (a handler on the root logger, ``LEVEL name: message``) and its ``warnings.showwarning``
    (``natosim: warning: ...``, meant for the command's own output): both are undone here, so
    that the server's log lines and warnings read the same however it was started. Solara's
    warning about its session cookie at every page opened is left out."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    warnings.showwarning = getattr(warnings, "_showwarning_orig", _python_showwarning)
    # Solara warns, in 12 lines, at every page served over http on an address other than
    # "localhost" (127.0.0.1, a classroom's LAN address) that its session cookie falls back to
    # SameSite=Lax, which only matters to a page embedded in another site's iframe (never
    # here). Shown again and again, not once (something in the process resets the warnings'
    # registry: 8 times for the 7 pages of `benchmarks/ui_load.py --pages 4`), it filled the
    # instructor's terminal and buried any real error (a browser check of a class)
    warnings.filterwarnings(
        "ignore",
        message="Cookies with samesite=none require https",
        category=UserWarning,
        module=r"solara\.server\.starlette",
    )


def _python_showwarning(message, category, filename, lineno, file=None, line=None) -> None:
    """Python's own way of showing a warning (where :mod:`warnings` keeps no copy of it)."""
    stream = sys.stderr if file is None else file
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.write(warnings.formatwarning(message, category, filename, lineno, line))


def _watch(server: Any) -> None:
    """End the process 3 s after ``server`` was asked to stop: pages' threads must not keep a
    stopped server alive."""

    def watchdog() -> None:
        while not server.should_exit:
            time.sleep(0.2)
        time.sleep(3.0)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True, name="stop-watchdog").start()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.seminar.serve")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--fd", type=int, help="a listening socket to serve on (inherited)")
    ap.add_argument("--app", default="sim.seminar.app", help="the Solara app's module")
    args = ap.parse_args(argv)
    sock = socket.socket(fileno=args.fd) if args.fd is not None else None
    serve(args.host, args.port, sock, args.app)
    return 0  # not reached


def server_config(app: Any, host: str, port: int) -> Any:
    """uvicorn's configuration of the server: ``app`` behind the :class:`Guard` (its limits
    from ``NATOSIM_SEMINAR_PER_CLIENT`` and ``NATOSIM_SEMINAR_MAX_CONNECTIONS``).

    Behind a reverse proxy every page comes from the proxy's address. uvicorn's proxy headers
    (on by default) take the page's own address from the proxy's ``X-Forwarded-For`` when the
    proxy connects from an address in ``FORWARDED_ALLOW_IPS`` (default :data:`TRUSTED_PROXIES`,
    a proxy on the same host over IPv4 or IPv6), before the guard counts it: each student's
    address keeps its own limit (``tests/test_seminar.py``). A proxy on another host is named
    there, as uvicorn documents; a header from any other address is ignored, so a page cannot
    pose as another."""
    import uvicorn  # noqa: PLC0415

    guard = Guard(
        app,
        per_client=int(os.environ.get("NATOSIM_SEMINAR_PER_CLIENT", str(PER_CLIENT))),
        total=int(os.environ.get("NATOSIM_SEMINAR_MAX_CONNECTIONS", "300")),
    )
    return uvicorn.Config(
        guard,
        host=host,
        port=port,
        log_level="warning",
        ws_max_size=MAX_MESSAGE,
        timeout_graceful_shutdown=2,
        lifespan="on",
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", TRUSTED_PROXIES),
    )


def serve(host: str, port: int, sock: socket.socket | None, app: str) -> None:
    """Serve the Solara app ``app`` on the listening ``sock`` (else bind ``host``:``port``)
    until stopped, then end the process (``natosim seminar --resume`` calls it in its own
    process, with the class it played back: :func:`sim.seminar.server.serve_resumed`)."""
    _as_its_own_process()
    sockets = [sock] if sock is not None else None
    if sock is not None:
        port = sock.getsockname()[1]
    os.environ["SOLARA_APP"] = app
    os.environ.setdefault("SOLARA_MODE", "production")
    # Solara's "This website runs on Solara" banner sits fixed over the page's bottom right
    # corner: on a phone it covered the story's text, on a projector the map
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    # a page whose server was restarted (a class resumed with ``natosim seminar --resume``, on
    # the same port) reloads by itself once Solara finds its session gone: it stood under
    # "Please refresh the page" until each student pressed Refresh, its countdown still ticking
    # (a browser check). The seat's token is in the address, so the reload is back in the seat
    os.environ.setdefault("SOLARA_THEME_FORCE_REFRESH", "true")
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn  # noqa: PLC0415
    from solara.server.starlette import app as solara_app  # noqa: PLC0415

    config = server_config(cast(Any, solara_app), host, port)
    server = uvicorn.Server(config)

    _watch(server)
    # uvicorn raises the stop signal again once it has shut down; in the process of `natosim
    # seminar --resume` the command's handler turns it into KeyboardInterrupt, which reached the
    # command as "interrupted; nothing was written" and exit 130, though the class was saved at
    # every year: a stopped class is a clean exit
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=sockets)
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())

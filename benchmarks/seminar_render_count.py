"""The seminar server's work per render, without a browser: N students' pages and the
instructor's, rendered headless in this process (each page its own reacton render context and
watcher threads, as on the server), then counted per event: a student's Submit, a message,
an Advance.

    PYTHONPATH=. .venv/bin/python benchmarks/seminar_render_count.py --participants 12 --years 3

For each event it prints the widget updates reacton made (``Element._update_widget`` calls, on
every page), the component functions it ran (by component), and the process's CPU time until the
pages settled. A widget update of an unchanged widget sends nothing to the browser but costs
server CPU under the GIL while the rest of the class waits.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time

os.environ.setdefault("NATOSIM_SEMINAR_SCENARIO", "ceasefire")
os.environ.setdefault("NATOSIM_SEMINAR_SECONDS", "3600")
os.environ.setdefault("NATOSIM_SEMINAR_CODE", "123456")
os.environ.setdefault("NATOSIM_SEMINAR_INSTRUCTOR", "T")

import ipyvuetify as v
import reacton.core
import solara
from solara import routing

COUNT: collections.Counter[str] = collections.Counter()
LOCK = threading.Lock()

_update_widget = reacton.core.Element._update_widget


def _counted_update(self, widget, el_prev, kwargs):
    with LOCK:
        COUNT["widget updates"] += 1
    return _update_widget(self, widget, el_prev, kwargs)


reacton.core.Element._update_widget = _counted_update  # type: ignore[method-assign]

_call = reacton.core.ComponentFunction.__call__


def _counted_component(component):
    f = component.f

    def counted(*args, **kwargs):
        with LOCK:
            COUNT[f"render {f.__name__}"] += 1
            COUNT["component renders"] += 1
        return f(*args, **kwargs)

    component.f = counted


PROFILES: list[cProfile.Profile] = []
PROFILING = threading.Event()


def _profiled_render(render):
    def profiled(self, *args, **kwargs):
        if not PROFILING.is_set():
            return render(self, *args, **kwargs)
        profile = cProfile.Profile()
        try:
            profile.enable()
        except ValueError:  # a render inside a render of this thread: profiled by the outer one
            return render(self, *args, **kwargs)
        try:
            return render(self, *args, **kwargs)
        finally:
            profile.disable()
            with LOCK:
                PROFILES.append(profile)

    return profiled


def page_element(search: str):
    from sim.seminar.app import Page  # noqa: PLC0415

    @solara.component
    def WithRouter() -> None:  # noqa: N802
        routing.router_context.provide(routing.Router("/?" + search if search else "/", []))
        Page()

    return WithRouter()


def settle(quiet: float = 0.4, limit: float = 30.0) -> None:
    """Wait until no render has happened for ``quiet`` seconds (the watchers woke and rendered)."""
    t0 = time.time()
    last, since = dict(COUNT), time.time()
    while time.time() - t0 < limit:
        time.sleep(0.05)
        now = dict(COUNT)
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return


def measure(what: str, action, rows: dict[str, list[dict[str, float]]]) -> None:
    settle()
    with LOCK:
        before = dict(COUNT)
    cpu0, own0 = time.process_time(), time.thread_time()
    action()
    own = time.thread_time() - own0
    settle()
    cpu = time.process_time() - cpu0
    with LOCK:
        diff = {k: v - before.get(k, 0) for k, v in COUNT.items() if v != before.get(k, 0)}
    diff["cpu ms"] = cpu * 1000
    diff["cpu ms of the pages"] = (cpu - own) * 1000
    rows[what].append(diff)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=12)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="print the N functions of most cumulative time in the pages' renders at "
        "Advance (cProfile of every render call, all pages)",
    )
    args = ap.parse_args()
    if args.profile:
        for cls in {
            reacton.core._RenderContext,
            getattr(reacton.core, "_RenderContextFast", reacton.core._RenderContext),
        }:
            cls.render = _profiled_render(cls.render)
    if args.participants < 2 or args.years < 1:
        sys.exit("--participants at least 2, --years at least 1")
    os.chdir(tempfile.mkdtemp())
    # imported after the environment above is set and the working folder changed
    from sim.seminar import (  # noqa: PLC0415
        app,
        countdown,
        debrief_view,
        instructor_page,
        join_page,
        messages_panel,
        seat_page,
    )
    from sim.seminar.live import SESSION  # noqa: PLC0415

    for module in (
        app,
        countdown,
        debrief_view,
        instructor_page,
        join_page,
        messages_panel,
        seat_page,
    ):
        for value in vars(module).values():
            if isinstance(value, reacton.core.ComponentFunction) and value.f.__module__ == (
                module.__name__
            ):
                _counted_component(value)

    roles = list(SESSION.roles())[: args.participants]
    tokens = [SESSION.join("123456", f"student {i}", r) for i, r in enumerate(roles)]
    contexts = []
    for search in ["instructor=" + SESSION.instructor_token] + [f"seat={t}" for t in tokens]:
        _, rc = solara.render(page_element(search), handle_error=False)
        contexts.append(rc)
    print(
        f"{len(tokens)} students and the instructor; renderer {type(contexts[0]).__name__}; "
        f"widgets on the instructor's page {len(rc_widgets(contexts[0]))}, on a seat's page "
        f"{len(rc_widgets(contexts[1]))}",
        flush=True,
    )
    rows: dict[str, list[dict[str, float]]] = collections.defaultdict(list)
    for year in range(args.years):
        for i, token in enumerate(tokens):
            # the student's Submit button clicked, as in the browser: that page's Submit box
            # and the instructor's roster render
            button = contexts[1 + i].find(v.Btn, children=["Submit my decisions"]).widget
            measure("a Submit", button.click, rows)
            allies = [r for r in roles if r not in ("USA", "RUS")]
            if roles[i] in allies[:2]:
                to = allies[(allies.index(roles[i]) + 1) % len(allies)]
                measure(
                    "a message",
                    lambda token=token, to=to, year=year: SESSION.send_message(
                        token, to, f"hello in year {year}"
                    ),
                    rows,
                )
        if args.profile:
            PROFILING.set()
        measure("Advance", SESSION.advance, rows)
        PROFILING.clear()
    for what, got in rows.items():
        keys = sorted({k for r in got for k in k_order(r)}, key=sort_key)
        med = {k: statistics.median(r.get(k, 0) for r in got) for k in keys}
        print(
            f"{what} (median of {len(got)}): "
            + ", ".join(f"{k} {med[k]:.0f}" for k in keys if med[k]),
            flush=True,
        )
    if PROFILES:
        out = io.StringIO()
        stats = pstats.Stats(PROFILES[0], stream=out)
        for profile in PROFILES[1:]:
            stats.add(profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
        print(f"the pages' renders at {args.years} Advance(s), {len(PROFILES)} render calls:")
        print(out.getvalue())
    for rc in contexts:
        rc.close()


def k_order(row):
    return row.keys()


def sort_key(k: str):
    return (k.startswith("render "), k)


def rc_widgets(rc) -> list:
    out = []

    def walk(context):
        out.extend(w for w in list(context.widgets.values()) if w is not None)
        for child in list(context.children.values()):
            walk(child)

    walk(rc.context_root)
    return out


if __name__ == "__main__":
    main()

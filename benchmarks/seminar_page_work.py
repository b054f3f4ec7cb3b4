"""What every page of a class does per Advance and per Submit, on a fixed window, so that two
commits can be compared on the same sitting: N students (Playwright pages in Debian's Chromium)
seated on one ``natosim seminar`` server; every year half of them change a decision, all press
Submit, and the instructor advances.

Measured per Advance, over a fixed window of ``--settle`` seconds from the click (not until the
last page shows the new year, which grows with the machine's load and counts the pages' idle work
with it):

* the browsers' CPU (every process under this one but the server; renderers apart) and the
  server's;
* Chromium's own counters summed over the student pages (DevTools ``Performance.getMetrics``:
  main-thread task, script, layout and style time, layouts). These are the tasks' durations,
  not CPU: on a loaded machine a task descheduled midway counts the wait (30 pages on two cores
  summed more task time than the browsers' CPU), so compare the CPU and the counts;
* the WebSocket messages and bytes the student pages received;
* the DOM mutation records the student pages saw (a MutationObserver), and the images / SVG
  drawings added;

and the same for an idle window of the same length before the year's Submits (the countdown
ticking), and for the Submits (from the first click until ``--settle`` after the last).

    .venv/bin/python benchmarks/seminar_page_work.py --participants 10 --years 3

To compare commits, run an older tree's copy with ``PYTHONPATH=<its folder>`` (the server is
started with ``python -m sim`` from that tree). Figures, not a timed test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

# the load benchmark's helpers (its module imports what older commits do not have)
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    from seminar_load import ROLES, browsers_cpu_s, cpu_s, join
except ImportError:  # an older tree on PYTHONPATH: its own load benchmark's
    sys.path.insert(0, os.path.join(os.environ.get("PYTHONPATH", "."), "benchmarks"))
    from seminar_load import ROLES, browsers_cpu_s, cpu_s, join

from sim.seminar.launch import launch

COUNTERS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
COUNTS = ("LayoutCount", "RecalcStyleCount")

WATCH = """() => {
  window.__mut = {records: 0, added: 0, drawings: 0, chars: 0};
  new MutationObserver(list => {
    const m = window.__mut;
    m.records += list.length;
    for (const r of list) {
      if (r.type === 'characterData') m.chars += 1;
      for (const n of r.addedNodes) {
        m.added += 1;
        if (n.nodeType === 1) {
          if (n.matches('svg, img')) m.drawings += 1;
          m.drawings += n.querySelectorAll('svg, img').length;
        }
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true});
}"""


class Page:
    """A student page with its DevTools session and WebSocket byte count."""

    def __init__(self, page) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable")
        self.cdp.send("Network.enable")
        self.frames = 0
        self.bytes = 0
        self.cdp.on("Network.webSocketFrameReceived", self._frame)
        page.evaluate(WATCH)

    def _frame(self, event) -> None:
        self.frames += 1
        self.bytes += len(event["response"]["payloadData"])

    def read(self) -> dict[str, float]:
        got = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        out = {c: got[c] for c in COUNTERS + COUNTS}
        out["Nodes"] = got["Nodes"]
        out["frames"], out["bytes"] = self.frames, self.bytes
        out.update({f"mut_{k}": v for k, v in self.page.evaluate("window.__mut").items()})
        return out


def snapshot(pages: list[Page], server_pid: int) -> dict[str, float]:
    """Everything at one moment: the pages' counters summed, then the processes' CPU."""
    total: dict[str, float] = {}
    for p in pages:
        for k, v in p.read().items():
            total[k] = total.get(k, 0.0) + v
    total["server"] = cpu_s(server_pid)
    used = browsers_cpu_s(server_pid)
    total["browsers"], total["renderers"] = used["all"], used["renderers"]
    return total


def diff(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    out = {k: b[k] - a[k] for k in a}
    out["Nodes"] = b["Nodes"]
    return out


def line(what: str, d: dict[str, float], n: int) -> str:
    return (
        f"{what}: CPU browsers {d['browsers']:.2f} s (renderers {d['renderers']:.2f}), server "
        f"{d['server']:.2f} s; pages' main threads {d['TaskDuration']:.2f} s (script "
        f"{d['ScriptDuration']:.2f}, layout {d['LayoutDuration']:.2f} x{d['LayoutCount']:.0f}, "
        f"style {d['RecalcStyleDuration']:.2f} x{d['RecalcStyleCount']:.0f}); per page "
        f"{d['frames'] / n:.1f} messages, {d['bytes'] / n / 1000:.1f} kB, "
        f"{d['mut_records'] / n:.0f} mutation records, {d['mut_added'] / n:.0f} nodes added, "
        f"{d['mut_drawings'] / n:.1f} drawings added; {d['Nodes'] / n:.0f} DOM nodes"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=10)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--settle", type=float, default=5.0, help="seconds counted per window")
    args = ap.parse_args()
    n = min(args.participants, len(ROLES))
    browser_path = shutil.which("chromium") or sys.exit("needs Debian's chromium")
    tmp = Path(tempfile.mkdtemp())
    print(f"load before: {os.getloadavg()[0]:.2f}")
    server = launch("ceasefire", 0, tmp / "exports", cwd=tmp, seconds=3600)
    pid = server.process.pid
    rows: dict[str, list[dict[str, float]]] = {"idle": [], "submits": [], "advance": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            teacher = browser.new_page(viewport={"width": 1280, "height": 720})
            teacher.goto(server.instructor)
            teacher.wait_for_selector("text=Instructor", timeout=120_000)
            pages = [Page(join(browser, server.join, f"S{k:02d}", ROLES[k])) for k in range(n)]
            time.sleep(args.settle)
            for k in range(args.years):
                year = 2026 + k
                s0 = snapshot(pages, pid)
                time.sleep(args.settle)
                s1 = snapshot(pages, pid)
                rows["idle"].append(diff(s0, s1))
                for i, p in enumerate(pages):
                    if i % 2 and ROLES[i] not in ("USA", "RUS"):
                        p.page.locator(".decide-answer button", has_text="hedge").click()
                time.sleep(1.0)
                s0 = snapshot(pages, pid)
                for p in pages:
                    p.page.evaluate("document.querySelector('.submit').click()")
                time.sleep(args.settle)
                s1 = snapshot(pages, pid)
                rows["submits"].append(diff(s0, s1))
                teacher.evaluate("document.querySelector('.advance').click()")
                time.sleep(args.settle)
                s2 = snapshot(pages, pid)
                rows["advance"].append(diff(s1, s2))
                shown = sum(
                    p.page.evaluate(
                        "y => [...document.querySelectorAll('.chart-grid svg, .map svg')]"
                        ".every(s => s.getAttribute('data-year') === String(y))",
                        year,
                    )
                    for p in pages
                )
                print(f"year {year}: new charts on {shown}/{n} pages {args.settle} s after")
                for what in ("idle", "submits", "advance"):
                    print("  " + line(what, rows[what][-1], n), flush=True)
                time.sleep(3.5)  # past the ask-again window after an Advance
            print(f"\nmedian of {args.years} years, {n} students, {args.settle} s windows:")
            for what, got in rows.items():
                med = {key: statistics.median(r[key] for r in got) for key in got[0]}
                print("  " + line(what, med, n))
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
